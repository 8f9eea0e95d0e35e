"""Errors of the data keys."""

from __future__ import annotations

from reports.storage_errors import ObjectMissing


class DocumentKeyErased(ObjectMissing):
    """The file's data key was destroyed by an erasure: the file can never be read again."""

    message = "この文書は消去済みです（暗号化消去により復号できません）。"


class DocumentKeyMissing(ObjectMissing):
    """A sealed file names a key this database does not hold (a store and a database that do not belong together)."""

    message = "この文書を復号する鍵がありません。"
