"""Errors of storing and reading attachments, with the Japanese messages users read."""

from __future__ import annotations

from tbms_core.errors import DomainError, InvalidInput, NotFound


class AttachmentNotFound(NotFound):
    """No attachment with that id (or no such version of it)."""

    message = "指定された資料が見つかりません。"


class UploadRefused(DomainError):
    """An upload the service will not store; the refusal is audited with whose record it was for."""

    status_code = 422
    code = "upload_refused"
    person_id: str | None = None
    filename: str = ""

    def about(self, person_id: object, filename: str) -> UploadRefused:
        """Names whose record and which file the refusal was about, for the audit record."""
        self.person_id, self.filename = str(person_id), filename
        return self


class FileTooLarge(UploadRefused):
    """A file over the configured size limit."""

    status_code = 413
    code = "file_too_large"


class FileTypeRefused(UploadRefused):
    """The bytes are not one of the accepted kinds of file, whatever the file's name says."""

    code = "file_type_refused"


class FileInfected(UploadRefused):
    """The virus scanner found a signature in the file."""

    code = "file_infected"


class ScannerDown(UploadRefused):
    """The virus scanner gave no verdict, so the file is not stored (fail closed)."""

    status_code = 503
    code = "scanner_unavailable"
    message = (
        "ウイルス検査を実行できないため、ファイルを保存しませんでした。時間をおいてもう一度お試しください。"
        "続く場合はシステム管理者に連絡してください。"
    )


class EmptyFile(UploadRefused):
    """A file with no content."""

    code = "empty_file"


class AttachmentWithdrawn(InvalidInput):
    """The attachment was withdrawn: no new version can be added."""

    message = "この資料は取り下げられています。新しい版は追加できません。"


class NotPreviewable(InvalidInput):
    """Only PDFs and JPEG/PNG images are shown in the browser."""

    message = "この形式の資料は画面に表示できません。ダウンロードして開いてください。"
