"""Japanese labels of codes that several services show: 登録区分, login events and audited operations.

Each list is written once here, so the patient page, the edit history, the code lists patients serves, the
printed forms, identity's CSV files and the gateway's history pages all call a code by the same name.
"""

from __future__ import annotations

from tbms_contracts.audit import Operation

REGISTRATION_CATEGORY_LABELS = {
    "patient": "患者",
    "recovered": "回復者",
    "ltbi": "潜在性結核感染症（LTBI）",
    "provisional": "仮登録",
}
# The 結核登録票 (F03, 感染症法施行規則27条の8) prints the paper card's own wording of the 登録区分 check
# boxes, which spells out 潜在性結核感染症 without the English abbreviation.
REGISTRATION_CATEGORY_PRINT_LABELS = REGISTRATION_CATEGORY_LABELS | {"ltbi": "潜在性結核感染症"}

LOGIN_EVENT_LABELS = {  # Keycloak's event types, as the login history (ログイン履歴) names them
    "LOGIN": "ログイン",
    "LOGIN_ERROR": "ログイン失敗",
    "LOGOUT": "ログアウト",
    "LOGOUT_ERROR": "ログアウト失敗",
    "UPDATE_PASSWORD": "パスワード変更",
    "UPDATE_TOTP": "ワンタイムパスワード設定",
    "REMOVE_TOTP": "ワンタイムパスワード削除",
}

OPERATION_LABELS = {  # what a user did with personal data (操作履歴), by tbms_contracts.audit.Operation
    Operation.READ.value: "参照",
    Operation.CREATE.value: "登録",
    Operation.UPDATE.value: "更新",
    Operation.DELETE.value: "削除",
    Operation.PRINT.value: "印刷",
    Operation.EXPORT.value: "出力",
    Operation.DOWNLOAD.value: "ダウンロード",
    Operation.SEARCH.value: "検索",
    Operation.LOGIN.value: "ログイン",
}
