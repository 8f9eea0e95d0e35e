"""The fields of the request and group forms, and the bodies they send to contacts.

接触の場 and 検査の種類 come from masters' コード表 as contacts keeps it (GET /reference/codes, `codes=`); the
templates pass its lists (`code_lists`) to every field."""

from __future__ import annotations

from typing import Any

from gateway.forms import DATE_HINT, EntryForm, Field

INFECTIOUSNESS = (("high", "高感染性"), ("low", "低感染性"), ("none", "感染性なし"), ("unknown", "未評価"))
PAPER_METHODS = (("paper_mail", "郵送（紙）"), ("hand", "手渡し（紙）"))
KEY_CHANNELS = (("phone", "電話で伝達"), ("fax", "FAXで送付"), ("post", "別便で郵送"), ("hand", "手渡し"))
RESULTS = (
    ("negative", "陰性"),
    ("positive", "陽性"),
    ("borderline", "判定保留"),
    ("invalid", "判定不可"),
    ("normal", "X線：異常なし"),
    ("follow_up", "X線：要経過観察"),
    ("suspected", "X線：結核疑い（要精密検査）"),
    ("other", "X線：その他の所見"),
)
PEOPLE_ROWS = 5
DATE = DATE_HINT


def outgoing_fields() -> tuple[Field, ...]:
    """A new request to another health centre."""
    return (
        Field("counterpart_code", "宛先の保健所（マスタ）", kind="select", blank="omit"),
        Field("counterpart_name", "宛先の保健所名", hint="マスタにないときだけ入力します。"),
        Field("counterpart_section", "担当課・担当者"),
        Field("reference", "文書番号"),
        Field("reply_by", "回答期限", kind="date", hint=DATE),
        Field("index.infectiousness", "発端患者の感染性", required=True, kind="select", choices=INFECTIOUSNESS),
        Field("index.diagnosed_on", "診断日", kind="date", hint=DATE),
        Field("index.infectious_from", "感染性期間（開始）", kind="date", hint=DATE),
        Field("index.infectious_until", "感染性期間（終了）", kind="date", hint=DATE),
        Field("index.summary", "発端患者の概要（健診に必要な範囲）", kind="textarea", hint="氏名・住所は書きません。"),
        Field("contacts", "依頼する接触者", required=True, kind="checkboxes"),
        Field("recommended", "推奨する健診", hint="例：IGRA（最終接触から8週以降）、胸部X線"),
        Field("attachments", "添付する書類", hint="書類名を「、」で区切って入力します。"),
        Field("note", "備考", kind="textarea"),
    )


def outgoing_body(form: EntryForm, index_patient_id: str, names: dict[str, str]) -> dict[str, Any]:
    """The API body of a new request."""
    body = form.json(skip=("contacts", "recommended", "attachments", "counterpart_code", "counterpart_name"))
    code = form.value("counterpart_code")
    body["counterpart_code"] = code
    body["counterpart_name"] = form.value("counterpart_name") or names.get(code, "")
    body["index_patient_id"] = index_patient_id
    recommended = form.value("recommended")
    body["items"] = [{"contact_id": c, "recommended": recommended} for c in form.values.get("contacts") or []]
    titles = [t.strip() for t in form.value("attachments").replace(",", "、").split("、") if t.strip()]
    body["attachments"] = [{"title": t} for t in titles]
    return body


OUTGOING_ALIASES = {"items": "contacts", "index": "index.infectiousness"}


def incoming_fields() -> tuple[Field, ...]:
    """A request received from another health centre, with up to PEOPLE_ROWS people."""
    people = []
    for n in range(PEOPLE_ROWS):
        people += [
            Field(f"people.{n}.name", f"{n + 1}人目 氏名", required=n == 0),
            Field(f"people.{n}.name_kana", f"{n + 1}人目 カナ"),
            Field(f"people.{n}.birth_date", f"{n + 1}人目 生年月日", kind="date", hint=DATE),
            Field(f"people.{n}.address", f"{n + 1}人目 住所", kind="text-wide"),
            Field(f"people.{n}.setting", f"{n + 1}人目 接触の場", kind="select", codes="contact_setting"),
            Field(f"people.{n}.last_contact_on", f"{n + 1}人目 最終接触日", kind="date", hint=DATE),
            Field(f"people.{n}.recommended", f"{n + 1}人目 依頼された健診"),
        ]
    return (
        Field("counterpart_name", "依頼元の保健所", required=True),
        Field("counterpart_code", "依頼元の団体コード"),
        Field("counterpart_section", "担当課・担当者"),
        Field("reference", "依頼元の文書番号"),
        Field("requested_on", "依頼日", required=True, kind="date", hint=DATE),
        Field("reply_by", "回答期限", kind="date", hint=DATE),
        Field("index_label", "依頼元での発端患者の呼び方", required=True, hint="例：患者A、依頼元の番号"),
        Field("index.infectiousness", "発端患者の感染性", required=True, kind="select", choices=INFECTIOUSNESS),
        Field("index.summary", "発端患者の概要", kind="textarea"),
        *people,
        Field("note", "備考", kind="textarea"),
    )


def incoming_body(form: EntryForm) -> dict[str, Any]:
    """The API body of a request received: only the people rows with a name."""
    body = form.json(skip=tuple(f.name for f in form.fields if f.name.startswith("people.")))
    body["people"] = []
    for n in range(PEOPLE_ROWS):
        if not form.value(f"people.{n}.name"):
            continue
        person = {
            part: form.value(f"people.{n}.{part}") or None
            for part in ("name", "name_kana", "birth_date", "address", "setting", "last_contact_on", "recommended")
        }
        person = {k: v for k, v in person.items() if v is not None}
        person.setdefault("setting", "other")
        body["people"].append(person)
    return body


def send_fields(electronic: bool) -> tuple[Field, ...]:
    """Recording a sending: on paper, or as the encrypted file with the key's channel."""
    common = (
        Field("sent_on", "送付日", required=True, kind="date", hint=DATE),
        Field("documents", "送付した書類", required=True, hint="例：依頼書、接触者一覧"),
        Field("recipient", "送付先", hint="空欄のときは宛先の保健所と担当"),
    )
    if electronic:
        return (
            Field("package_id", "暗号化ファイル", kind="hidden"),
            *common,
            Field("key_channel", "パスワードの伝達方法", required=True, kind="radio", choices=KEY_CHANNELS),
            Field("key_sent_on", "パスワードを伝えた日", kind="date", hint=DATE),
        )
    return (Field("method", "送付方法", required=True, kind="radio", choices=PAPER_METHODS), *common)


def reply_fields(items: list[dict[str, Any]]) -> tuple[Field, ...]:
    """The reply received: its date and document, and per contact one examination's result."""
    per_contact = []
    for n, item in enumerate(items):
        who = item["name"]
        per_contact += [
            Field(f"r.{n}.kind", f"{who} 検査", kind="select", codes="screening_exam", blank="omit"),
            Field(f"r.{n}.done_on", f"{who} 実施日", kind="date", hint=DATE),
            Field(f"r.{n}.result", f"{who} 結果", kind="select", choices=RESULTS, blank="omit"),
            Field(f"r.{n}.note", f"{who} 回答の内容"),
        ]
    return (
        Field("replied_on", "回答日", required=True, kind="date", hint=DATE),
        Field("document", "回答書", required=True, hint="綴った回答書の名前・文書番号"),
        *per_contact,
        Field("note", "備考", kind="textarea"),
    )


def reply_body(form: EntryForm, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The API body of a reply: a result for each contact whose examination was entered."""
    results = []
    for n, item in enumerate(items):
        kind = form.value(f"r.{n}.kind")
        exams = []
        if kind:
            exam = {"kind": kind, "done_on": form.value(f"r.{n}.done_on") or None}
            if form.value(f"r.{n}.result"):
                exam["result"] = form.value(f"r.{n}.result")
            exams.append(exam)
        if exams or form.value(f"r.{n}.note"):
            results.append({"contact_id": item["contact_id"], "exams": exams, "note": form.value(f"r.{n}.note")})
    return {
        "replied_on": form.value("replied_on"),
        "document": form.value("document"),
        "note": form.value("note"),
        "results": results,
    }


def reply_aliases(count: int) -> dict[str, str]:
    """The API's keys of a reply's results, as the form's fields."""
    aliases = {}
    for n in range(count):
        for part in ("kind", "done_on", "result"):
            aliases[f"results.{n}.exams.0.{part}"] = f"r.{n}.{part}"
    return aliases


def acknowledge_fields() -> tuple[Field, ...]:
    return (Field("acknowledged_on", "受領を確認した日", required=True, kind="date", hint=DATE),)


def withdraw_fields() -> tuple[Field, ...]:
    return (Field("reason", "取下げの理由", required=True),)


def group_fields() -> tuple[Field, ...]:
    """A new group of contacts."""
    return (
        Field("name", "集団の名前", required=True, hint="例：〇〇小学校3年2組、〇〇便"),
        Field("setting", "接触の場", required=True, kind="select", codes="contact_setting"),
        Field("place", "場所"),
        Field("first_contact_on", "初回接触日", kind="date", hint=DATE),
        Field("last_contact_on", "最終接触日", kind="date", hint=DATE),
        Field("hours", "接触時間（時間）", kind="number"),
        Field("closed_room", "閉鎖空間", kind="checkbox"),
        Field("poor_ventilation", "換気が悪い", kind="checkbox"),
        Field("infectiousness", "発端患者の感染性", required=True, kind="select", choices=INFECTIOUSNESS),
        Field("note", "備考", kind="textarea"),
    )


def plan_fields() -> tuple[Field, ...]:
    return (
        Field("kind", "検査", required=True, kind="select", codes="screening_exam"),
        Field("planned_on", "実施予定日", required=True, kind="date", hint=DATE),
        Field("institution", "実施場所"),
    )


def results_fields(members: list[dict[str, Any]]) -> tuple[Field, ...]:
    """Results of one examination for the members at once: the common kind and day, a result per member."""
    per_member = []
    for n, member in enumerate(members):
        per_member += [
            Field(f"m.{n}.result", f"{member['name']} 結果", kind="select", choices=RESULTS, blank="omit"),
            Field(f"m.{n}.value", f"{member['name']} 測定値・所見"),
        ]
    return (
        Field("kind", "検査", required=True, kind="select", codes="screening_exam"),
        Field("done_on", "実施日", required=True, kind="date", hint=DATE),
        Field("institution", "実施場所"),
        *per_member,
    )


def results_body(form: EntryForm, members: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The API body of the bulk results (members with a result only) and the API's keys as the form's fields."""
    results, aliases = [], {"results": "kind"}
    for n, member in enumerate(members):
        if not form.value(f"m.{n}.result"):
            continue
        i = len(results)
        kind = form.value("kind")
        value_key = "finding" if kind == "xray" else "value"
        results.append(
            {
                "contact_id": member["contact_id"],
                "done_on": form.value("done_on") or None,
                "result": form.value(f"m.{n}.result"),
                value_key: form.value(f"m.{n}.value"),
            }
        )
        aliases |= {
            f"results.{i}.result": f"m.{n}.result",
            f"results.{i}.{value_key}": f"m.{n}.value",
            f"results.{i}.done_on": "done_on",
        }
    body = {"kind": form.value("kind"), "institution": form.value("institution"), "results": results}
    return body, aliases
