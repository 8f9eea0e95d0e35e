"""Errors of document generation and retrieval, with the Japanese messages users read."""

from tbms_core.errors import DomainError, InvalidInput, NotFound


class UnknownForm(InvalidInput):
    """No form with that id is registered."""

    message = "指定された帳票はありません。"


class PatientNotYetAvailable(DomainError):
    """The patient's registration event has not reached the reports read model yet."""

    status_code = 409
    code = "patient_not_yet_available"
    message = "患者情報がまだ帳票サービスに反映されていません。数秒後にもう一度お試しください。"


class DocumentNotFound(NotFound):
    """No document with that id."""

    message = "指定された帳票・資料が見つかりません。"


class DocumentContentMissing(DomainError):
    """The metadata exists but the stored file cannot be read from the document store."""

    status_code = 502
    code = "document_content_missing"
    message = "帳票・資料のファイルを読み出せませんでした。しばらくしてからもう一度お試しください。"
