"""Code lists of the registration card that more than one service prints: the code the patients service stores
in PatientSnapshot and its Japanese label, in display order. The patients service serves these (and its other
lists) at GET /reference/card; reports prints them on forms from its read model without asking."""

OCCUPATIONS = {
    "employee": "被用者（常用勤労者）",
    "self_employed": "自営業・自由業",
    "healthcare": "医療従事者",
    "care_worker": "介護・福祉職員",
    "teacher": "教員・保育士",
    "food_service": "接客業・飲食業",
    "student": "学生・生徒",
    "child": "乳幼児",
    "homemaker": "家事従事者",
    "unemployed": "無職",
    "other": "その他",
    "unknown": "不明",
}

DISEASE_FORMS = {
    "pulmonary": "肺結核",
    "extrapulmonary": "肺外結核",
    "both": "肺結核および肺外結核",
    "ltbi": "潜在性結核感染症",
}

EXTRAPULMONARY_SITES = {
    "pleura": "胸膜（胸膜炎）",
    "lymph_node": "リンパ節",
    "larynx": "喉頭",
    "bone_joint": "骨・関節（脊椎含む）",
    "meninges": "髄膜",
    "miliary": "粟粒",
    "intestine": "腸",
    "peritoneum": "腹膜",
    "urogenital": "泌尿生殖器",
    "skin": "皮膚",
    "eye": "眼",
    "pericardium": "心膜",
    "other": "その他",
}
