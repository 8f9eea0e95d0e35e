"""Errors of printing the contact screening forms, with the Japanese messages users read."""

from tbms_core.errors import DomainError, InvalidInput


class RequiredItemsMissing(InvalidInput):
    """Items the form must not print empty are not in the record; each one is named."""

    code = "required_items_missing"
    message = "印刷に必要な項目が入力されていません。"


class UnknownContactForm(InvalidInput):
    """Not a form printed for one contact."""

    message = (
        "接触者ごとに印刷できる帳票はF18（勧告書）、F19（受診票）、F21（健診結果報告書）、F22（結果文書）、"
        "F23（実施票）、F24（照射録）、F26（結果報告書）です。"
    )


class IndexPatientNotYetAvailable(DomainError):
    """The index patient's event has not reached the reports read model yet."""

    status_code = 409
    code = "index_patient_not_yet_available"
    message = "発端患者の情報がまだ帳票サービスに反映されていません。数秒後にもう一度お試しください。"
