"""Settings of the reports service (`TBMS_REPORTS_*`)."""

from functools import lru_cache
from typing import ClassVar

from pydantic import Field, SecretStr
from tbms_core.settings import ServiceSettings, prefix


class Settings(ServiceSettings):
    """Reports service settings: the S3 document store besides the common ones."""

    model_config = prefix("reports")
    service: ClassVar[str] = "reports"
    s3_endpoint: str = "127.0.0.1:59000"
    s3_access_key: str = "tbms-local"
    s3_secret_key: SecretStr = SecretStr("tbms-local-secret")
    s3_bucket: str = "tbms-documents"
    s3_secure: bool = False
    s3_ca_file: str = ""  # the internal CA that signed MinIO's certificate (HTTPS inside the compose network)
    # Documents and printed forms encrypted at rest by the store (SSE-S3, the bucket's default encryption, with the
    # key the deployment gives MinIO: MINIO_KMS_SECRET_KEY or a KMS). Off only for a store that cannot.
    s3_encryption: bool = True
    # The key-encryption key (64 hexadecimal digits) that wraps each person's data key (document_keys): every file
    # about a person is sealed with their data key before it is stored, and erasing the person destroys that key
    # (N17). Kept by the deployment, never in the database or a backup; refused at its local value in production.
    document_kek: SecretStr = SecretStr("74626d732d6c6f63616c2d646f63756d656e742d6b656b2d3030303030303030")
    # 資料のアップロード: the largest file accepted (one file; 20 MB by default)
    attachment_max_bytes: int = 20 * 1024 * 1024
    # ClamAV: clamd over TCP when a host is set (production), else the clamscan command with a database
    # directory (local: the test signatures bootstrap writes; empty means clamscan's own default)
    clamav_host: str = ""
    clamav_port: int = 3310
    clamscan: str = "clamscan"
    clamav_database: str = ""
    scan_timeout_seconds: float = 60.0
    # Virus signatures' age (N22): shown and alerted after a day (freshclam updates several times a day),
    # uploads refused after a week; local development's own test signature is dated by its file.
    signature_warn_hours: float = 24.0
    signature_refuse_hours: float = 168.0
    signature_recheck_seconds: float = 300.0
    # 一括印刷: how often an idle worker looks for batches, and after how long without progress a running batch
    # is taken over (its process died or restarted)
    # processes that write PDFs side by side (0: one thread in the service process); one per core suits a batch
    render_processes: int = 2
    batch_poll_seconds: float = 1.0
    batch_stale_seconds: float = 60.0
    # who signs the letters to other health centres (F27, F30); the ward's own wording is not confirmed
    letter_sender: str = "世田谷区世田谷保健所長"
    # F24 照射録: the method of irradiation (施行規則第16条: 具体的にかつ精細に) printed for an X-ray whose projection
    # was not entered, and the doctor's instruction printed when none was entered with the X-ray's conditions; the
    # center's own wording is not confirmed (these defaults)
    xray_method: str = "胸部X線撮影（直接撮影）正面（PA）1方向"
    xray_instruction: str = "結核接触者健康診断（感染症法第17条）のための胸部X線撮影"
    # F14 あて名ラベル: an A4 sheet of labels; the defaults fit the common 12-up sheet (2 × 6, 86.4 × 42.3 mm)
    label_columns: int = 2
    label_rows: int = 6
    label_width_mm: float = 86.4
    label_height_mm: float = 42.3
    label_top_mm: float = 21.5
    label_left_mm: float = 18.6
    label_gap_mm: float = 0.0  # between columns
    # the letters mailed to a patient or a hospital (F09–F13) print the addressee where the window of the envelope is,
    # in mm from the A4 paper's top left edge; the defaults are a common 長形3号 窓付き封筒 for A4 folded in three
    # (window about 90 × 45 mm); the office's own envelopes are not confirmed: adjust, or switch it off
    window_envelope: bool = True
    window_left_mm: float = 20.0
    window_top_mm: float = 15.0
    window_width_mm: float = 90.0
    window_height_mm: float = 45.0
    # 外字 (N26): the health center's policy for characters an output cannot carry (warn: 〓 in the output;
    # substitute: the substitute masters' 外字 master has in force, else the one of the JSON file
    # {"character": "substitute"}); the same as the gateway's. The master is read again every gaiji_refresh_seconds.
    gaiji_mode: str = Field(default="warn", pattern="^(warn|refuse|substitute)$")
    gaiji_substitutes_file: str = ""
    gaiji_refresh_seconds: float = Field(default=30.0, gt=0)


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
