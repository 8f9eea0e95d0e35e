"""The fields of the DOTS forms: the F07 support plan (new, or a change of the plan in force with its reason)
and the F01 assessment (the items in force from patients' settings, grouped, each applies + note).

Names are the API's own (docs/dots-api.md) so its messages land beside the right input; the supporters are
three rows `supporters.<n>.<field>`, sent as a list of the rows filled in. Choices come from `GET /dots/settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.forms import DATE_HINT, EntryForm, Field

SUPPORTER_ROWS = 3
REASON = Field(
    "reason", "変更の理由", required=True, hint="例: 副作用のため訪問DOTSに変更（修正履歴に残ります）", kind="text-wide"
)


def _choices(codes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in codes.items())


def plan_fields(settings: Mapping[str, Any], intensities: Mapping[str, Any], *, change: bool) -> tuple[Field, ...]:
    """The F07 plan's fields with the DOTS types, intensities and supporter kinds in force."""
    levels = tuple((key, str(value.get("label") or key)) for key, value in intensities.items())
    kinds = _choices(settings.get("supporter_kinds", {}))
    fields = [
        Field("starts_on", "支援の開始日", required=True, hint=DATE_HINT, kind="date"),
        Field("ends_on", "支援の終了日", hint=f"未定なら空欄。{DATE_HINT}", kind="date"),
        Field(
            "dots_type", "DOTSの種類", required=True, kind="select", choices=_choices(settings.get("dots_types", {}))
        ),
        Field("intensity", "支援強度", required=True, kind="select", choices=levels),
        Field("interval_days", "この計画の確認の間隔（日）", hint="空欄のときは支援強度の間隔です。", kind="number"),
        Field("nurse", "確認する人（ユーザID）", hint="空欄のときは自分です。例: nurse1"),
        Field("nurse_name", "確認する人の氏名", hint="例: 試験 花子"),
    ]
    for n in range(SUPPORTER_ROWS):
        fields += [
            Field(f"supporters.{n}.kind", f"支援者{n + 1}の種別", kind="select", choices=kinds, blank="empty"),
            Field(f"supporters.{n}.name", f"支援者{n + 1}の名前", hint="例: 見本薬局"),
            Field(f"supporters.{n}.place", f"支援者{n + 1}の場所", hint="例: 世田谷区"),
        ]
    fields += [
        Field("conference_on", "DOTSカンファレンスの日", hint=DATE_HINT, kind="date"),
        Field(
            "conference_participants",
            "カンファレンスの参加者",
            hint="例: 主治医 見本 一郎、保健師 試験 花子",
            kind="text-wide",
        ),
        Field("consent_on", "本人の同意の日", hint=DATE_HINT, kind="date"),
        Field("consent_how", "同意の方法", hint="例: 口頭で同意、同意書"),
        Field("goals", "目標", kind="textarea"),
        Field("planned_confirmations", "確認の予定", hint="例: 週1回 外来で確認", kind="textarea"),
        Field("note", "備考", kind="textarea"),
    ]
    if change:
        fields.append(REASON)
    return tuple(f.bound("plan") for f in fields)


def filled_plan(fields: tuple[Field, ...], plan: Mapping[str, Any]) -> EntryForm:
    """The change form showing the plan in force (its supporters one row each)."""
    record = dict(plan)
    record["supporters"] = {str(n): s for n, s in enumerate(plan.get("supporters") or [])}
    return EntryForm.filled(fields, record, plan.get("version"))


def plan_body(form: EntryForm) -> dict[str, Any]:
    """The plan as the API takes it: the supporter rows filled in as a list, empty optional items left out."""
    body = form.json()
    rows = body.pop("supporters", {}) or {}
    body["supporters"] = [
        {k: v or "" for k, v in row.items()}
        for _, row in sorted(rows.items())
        if any(row.get(k) for k in ("kind", "name", "place"))
    ]
    for name in ("ends_on", "interval_days", "conference_on", "consent_on"):
        if body.get(name) in (None, ""):
            body[name] = None
    if not body.get("nurse"):
        body.pop("nurse", None)
    return body


def assessment_groups(settings: Mapping[str, Any], items: list[Mapping[str, Any]]) -> list[tuple[str, str, list[Any]]]:
    """The items in force grouped as the sheet groups them: (group key, group label, items)."""
    groups = settings.get("groups", {})
    return [(key, str(label), [i for i in items if i.get("group") == key]) for key, label in groups.items()]


def assessment_body(posted: Mapping[str, str], items: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The F01 assessment: each item in force with applies (its box ticked) and its note."""
    answers = {
        str(i["key"]): {
            "applies": bool(posted.get(f"a.{i['key']}")),
            "note": str(posted.get(f"n.{i['key']}") or "").strip(),
        }
        for i in items
    }
    body: dict[str, Any] = {"answers": answers, "note": str(posted.get("note") or "").strip()}
    body["assessed_on"] = str(posted.get("assessed_on") or "").strip() or None
    body["assessor"] = str(posted.get("assessor") or "").strip()
    return body


DEATH_CAUSES = (("tb", "結核死"), ("other", "結核以外"))


def outcome_fields(settings: Mapping[str, Any]) -> tuple[Field, ...]:
    """The review of a course's outcome: its end, a death, an override with its reason, the meeting note."""
    fields = (
        Field("end_reason", "治療終了の理由", kind="select", choices=_choices(settings.get("end_reasons", {}))),
        Field("died_on", "死亡日", hint=DATE_HINT, kind="date"),
        Field("death_cause", "死因", kind="select", choices=DEATH_CAUSES),
        Field(
            "override_outcome",
            "判定の変更",
            kind="select",
            choices=(("", "規則による判定のまま（変更しない）"), *_choices(settings.get("outcomes", {}))),
            blank="empty",
        ),
        Field("override_reason", "変更の理由", hint="判定を変更するときは必須です。", kind="text-wide"),
        Field("meeting_note", "コホート検討会の記録", kind="textarea"),
    )
    return tuple(f.bound("outcome") for f in fields)


def outcome_body(form: EntryForm) -> dict[str, Any]:
    """The review as the API takes it, on the version the user saw (0 before the first)."""
    body = form.json()
    body["override_outcome"] = body.get("override_outcome") or None
    body["version"] = int(form.version or 0)
    return body
