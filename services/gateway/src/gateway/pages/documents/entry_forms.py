"""The fields of the documents family's HTML forms: uploading files (資料) and withdrawing one."""

from __future__ import annotations

from gateway.forms import DATE_HINT, Field

KINDS = (
    ("medical_certificate", "診断書"),
    ("referral", "紹介状"),
    ("test_result", "検査結果"),
    ("imaging_report", "画像所見"),
    ("reply", "回答書"),
    ("other", "その他"),
)
FILES_HINT = (
    "PDF、画像（JPEG・PNG・TIFF）、Word、Excel、CSV、テキスト、メール（.eml・.msg）。1ファイル20MBまで。"
    "複数のファイルをまとめて選べます（ここへドラッグ＆ドロップもできます）。保存の前にウイルス検査をします。"
)
UPLOAD_FIELDS = (
    Field("files", "ファイル", required=True, hint=FILES_HINT, kind="file"),
    Field("kind", "資料の種類", required=True, kind="select", choices=KINDS),
    Field("document_date", "資料の日付", hint=DATE_HINT, kind="date"),
    Field("title", "件名", hint="空欄のときはファイル名を件名にします。", kind="text-wide"),
    Field("note", "備考", kind="textarea"),
)
WITHDRAW_FIELDS = (
    Field("reason", "取り下げの理由", required=True, hint="例: 別の患者の資料を登録したため", kind="text-wide"),
)
GENRES = (("患者管理", "患者管理"), ("診査会", "診査会"), ("接触者健診", "接触者健診"))
