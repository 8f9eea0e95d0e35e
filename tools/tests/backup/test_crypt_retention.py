"""Pure logic of the backups: the chunked AES-256-GCM format and the retention policy."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tbms_tools.backup import crypt, manifest, retention


def sealed(data: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    writer = crypt.EncryptingWriter(out, key)
    for start in range(0, len(data), 100_000):
        writer.write(data[start : start + 100_000])
    writer.close()
    return out.getvalue()


def opened(data: bytes, key: bytes) -> bytes:
    return b"".join(crypt.decrypt_chunks(io.BytesIO(data), key))


@pytest.mark.req("N16", partial=True)
class TestEncryption:
    """Parts open only with their key, whole and unaltered."""

    key = bytes(range(32))
    data = os.urandom(crypt.CHUNK * 2 + 12345)

    def test_a_part_round_trips_across_chunks(self) -> None:
        assert opened(sealed(self.data, self.key), self.key) == self.data
        assert opened(sealed(b"", self.key), self.key) == b""

    def test_another_key_is_named_as_such(self) -> None:
        with pytest.raises(crypt.DecryptError, match="別の鍵"):
            opened(sealed(self.data, self.key), bytes(32))

    def test_a_flipped_bit_is_found(self) -> None:
        data = bytearray(sealed(self.data, self.key))
        data[crypt.HEADER_BYTES + 100] ^= 0x80
        with pytest.raises(crypt.DecryptError, match="1 番目のブロック"):
            opened(bytes(data), self.key)

    def test_a_part_cut_after_a_whole_chunk_is_found(self) -> None:
        data = sealed(self.data, self.key)
        first_chunk_end = crypt.HEADER_BYTES + 4 + crypt.CHUNK + 16
        with pytest.raises(crypt.DecryptError, match="途中で切れています"):
            opened(data[:first_chunk_end], self.key)

    def test_the_key_file_is_created_private_and_read_back(self, tmp_path: Path) -> None:
        key_file = tmp_path / "keys" / "backup.key"
        key = crypt.load_or_create_key(key_file, forbidden=tmp_path / "target")
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert crypt.load_or_create_key(key_file) == key and len(key) == 32

    def test_a_missing_key_is_not_created_for_a_restore(self, tmp_path: Path) -> None:
        with pytest.raises(crypt.KeyError_, match="ありません"):
            crypt.load_or_create_key(tmp_path / "none.key", create=False)


def names(*moments: datetime) -> list[str]:
    return [manifest.backup_id(moment) for moment in moments]


@pytest.mark.req("N06", partial=True)
class TestRetention:
    """Daily backups for the configured days, the first of each month for five years, the newest always."""

    now = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)

    def test_daily_then_monthly_then_gone(self) -> None:
        daily = [self.now - timedelta(days=d) for d in range(0, 40)]
        monthly_first = datetime(2024, 2, 1, 16, 0, tzinfo=UTC)  # 2024-02-02 01:00 JST: first of February (JST)
        monthly_second = datetime(2024, 2, 2, 16, 0, tzinfo=UTC)
        too_old = datetime(2021, 6, 1, 0, 0, tzinfo=UTC)
        decisions = {
            d.name: d
            for d in retention.plan(
                names(*daily, monthly_first, monthly_second, too_old), self.now, daily_days=35, monthly_years=5
            )
        }
        assert all(decisions[manifest.backup_id(m)].keep for m in daily[:36])
        assert decisions[manifest.backup_id(monthly_first)].keep
        assert not decisions[manifest.backup_id(monthly_second)].keep
        assert not decisions[manifest.backup_id(too_old)].keep
        kept_old_daily = [d for d in daily[36:] if decisions[manifest.backup_id(d)].keep]
        assert kept_old_daily == [daily[-1]]  # past the daily period only October's first backup stays

    def test_the_newest_backup_is_always_kept(self) -> None:
        old = datetime(2015, 1, 10, tzinfo=UTC)
        assert [d.keep for d in retention.plan(names(old), self.now, daily_days=1, monthly_years=1)] == [True]

    def test_prune_deletes_only_what_the_policy_lets_go(self, tmp_path: Path) -> None:
        for moment in (self.now - timedelta(days=400), self.now - timedelta(days=1), self.now):
            directory = tmp_path / manifest.backup_id(moment)
            directory.mkdir()
            (directory / manifest.MANIFEST).write_text("{}")
        decisions = retention.prune(tmp_path, self.now, daily_days=7, monthly_years=0)
        assert [d.keep for d in decisions] == [False, True, True]
        assert len(manifest.list_backups(tmp_path)) == 2
