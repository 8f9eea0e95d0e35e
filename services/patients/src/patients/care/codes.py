"""The code lists of care records with the Japanese labels staff read."""

# Standard regimens (結核医療の基準): H=INH R=RFP E=EB Z=PZA S=SM; LTBI regimens last.
REGIMENS = {
    "2HREZ/4HR": "2HREZ/4HR（標準治療A法）",
    "2HRE/7HR": "2HRE/7HR（PZAを使えない場合・B法）",
    "2HREZ/7HR": "2HREZ/7HR（延長）",
    "2HRS/7HR": "2HRS/7HR",
    "6HR": "6HR",
    "9HR": "9HR",
    "MDR": "多剤耐性結核の治療",
    "6H": "6H（LTBI）",
    "9H": "9H（LTBI）",
    "4R": "4R（LTBI）",
    "6R": "6R（LTBI・INHを使えない場合）",
    "3-4HR": "3〜4HR（LTBI）",
    "other": "その他（備考に記入）",
}
# Cohort outcomes as the 結核登録者情報システム judges them.
OUTCOMES = {
    "cured": "治癒",
    "completed": "治療完了",
    "failed": "治療失敗",
    "died_tb": "死亡（結核死）",
    "died_other": "死亡（結核以外）",
    "lost": "脱落・中断",
    "transferred": "転出",
    "ongoing_12m": "12か月を超える治療",
    "not_evaluated": "判定不能",
}
DIRECTIONS = {"in": "転入", "out": "転出"}
NOTE_KINDS = {
    "visit": "家庭訪問",
    "interview": "面接",
    "phone": "電話",
    "dots": "服薬支援（DOTS）",
    "hospital": "医療機関との連絡",
    "conference": "会議・カンファレンス",
    "other": "その他",
}
# 2号記録 (経過記録): how the staff member was in contact.
CONTACT_MODES = {"visit": "訪問", "office": "来所", "phone": "電話", "meeting": "会議", "letter": "文書"}
# 公費負担: 法37条 (勧告入院) or 法37条の2 (一般医療), and where its application stands.
PUBLIC_EXPENSE_BASES = {"37": "37条（入院勧告）", "37-2": "37条の2（一般医療）"}
PUBLIC_EXPENSE_STATUSES = {
    "applied": "申請中",
    "approved": "承認",
    "rejected": "不承認",
    "withdrawn": "取下げ",
    "ended": "終了",
}
# 転出 sendings (施行規則27条の8; N32): the documents, how they went, and the other channel of a file's key.
TRANSFER_DOCUMENTS = {"registration_card": "登録票", "record_summary": "記録の要約"}
SENDING_METHODS = {"paper_mail": "郵送（紙）", "hand": "手渡し（紙）", "electronic": "電子ファイル（暗号化）"}
KEY_CHANNELS = {"phone": "電話で伝達", "fax": "FAXで送付", "post": "別便で郵送", "hand": "手渡し"}
