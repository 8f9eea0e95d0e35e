"""The checks before sending (N27) reach the hand-written fields too. Read from the templates themselves (nothing is
rendered): every input, list, text area or group of a POST form that a template marks required (aria-required,
required, or a label or legend with 「必須」) carries the words the server says when it is sent empty
(data-required-message) for static/checks.js, or gets them from the shared macros of partials/fields.html. And the
診査会 and follow-up pages' own macros put those attributes on a field when the call asks for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from gateway.web.templating import TEMPLATES_DIR, build_templates

pytestmark = pytest.mark.req("N27", partial=True)

TAG = re.compile(r"<(/?)(form|input|select|textarea|fieldset|label|legend)\b", re.IGNORECASE)
JINJA = re.compile(r"\{\{.*?\}\}|\{#.*?#\}|\{%.*?%\}", re.DOTALL)
MARKED = re.compile(r'aria-required="true"|(?<![\w.-])required(?![\w-])')
# opted in by hand, or through partials/fields.html (checks(f), checks_of(...)) which write the same attributes
OPTED_IN = re.compile(r"data-required-message=|\bchecks(_of)?\(")
REQUIRED_MARK = '<span class="required">'
CHECKED = ("input", "select", "textarea", "fieldset")
HIDDEN = re.compile(r'type="(hidden|submit|button)"')


@dataclass(frozen=True)
class Tag:
    """One start tag as written in a template: its name, text (Jinja included), line, and the method of its form."""

    name: str
    text: str
    start: int
    line: int
    method: str  # "post", "get", or "" outside any form (a macro used by many forms)


def _tag_end(text: str, start: int) -> int:
    """Where a start tag ends: its first ">" outside Jinja's {{ }}, {% %} and {# #}."""
    at = start
    while at < len(text):
        if text.startswith(("{{", "{%", "{#"), at):
            closing = {"{{": "}}", "{%": "%}", "{#": "#}"}[text[at : at + 2]]
            at = text.index(closing, at + 2) + 2
        elif text[at] == ">":
            return at + 1
        else:
            at += 1
    return len(text)


def tags(text: str) -> list[Tag]:
    """The start tags of forms, fields, labels and legends, each with the method of the form around it."""
    found: list[Tag] = []
    methods: list[str] = []
    for match in TAG.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            if name == "form" and methods:
                methods.pop()
            continue
        whole = text[match.start() : _tag_end(text, match.start())]
        if name == "form":
            method = re.search(r'method="(\w+)"', whole)
            methods.append(method.group(1).lower() if method else "get")
            continue
        line = text.count("\n", 0, match.start()) + 1
        found.append(Tag(name, whole, match.start(), line, methods[-1] if methods else ""))
    return found


def offenders(text: str) -> list[str]:
    """Each field of a template that says it is required but gives checks.js no words: "line: tag"."""
    every = tags(text)
    fields = [t for t in every if t.name in CHECKED and t.method != "get" and not HIDDEN.search(t.text)]
    wanting: dict[int, Tag] = {}
    for field in fields:
        if MARKED.search(JINJA.sub(" ", field.text)) and not OPTED_IN.search(field.text):
            wanting[field.start] = field
    for tag in every:
        if tag.name not in ("label", "legend") or tag.method == "get":
            continue
        end = text.find(f"</{tag.name}>", tag.start)
        if REQUIRED_MARK not in text[tag.start : end]:
            continue
        if tag.name == "label":
            target = re.search(r'for="([^"]+)"', tag.text)
            marked = [f for f in fields if target and f'id="{target.group(1)}"' in f.text]
        else:  # a legend names the group it opens
            marked = [f for f in fields if f.name == "fieldset" and f.start < tag.start][-1:]
        wanting |= {f.start: f for f in marked if not OPTED_IN.search(f.text)}
    return [f"{f.line}: {' '.join(f.text.split())[:160]}" for f in sorted(wanting.values(), key=lambda f: f.start)]


def templates() -> list[Path]:
    return sorted(TEMPLATES_DIR.rglob("*.html"))


class TestEveryRequiredFieldGivesItsWords:
    def test_no_template_marks_a_field_required_without_the_servers_words(self) -> None:
        found = {
            str(path.relative_to(TEMPLATES_DIR)): wrong
            for path in templates()
            if (wrong := offenders(path.read_text(encoding="utf-8")))
        }
        assert found == {}, "\n".join(f"{name}:{line}" for name, lines in found.items() for line in lines)

    def test_the_hand_written_fields_are_read_and_opted_in(self) -> None:
        """The scan sees the hand-written fields it is about (not an empty pass over files it cannot read)."""
        opted = {
            str(path.relative_to(TEMPLATES_DIR)): sum(
                1 for t in tags(path.read_text(encoding="utf-8")) if "data-required-message=" in t.text
            )
            for path in templates()
        }
        for name in (
            "admin/review/protected.html",
            "admin/review/finding.html",
            "admin/retention.html",
            "office/edit.html",
            "workflow/new.html",
            "workflow/reassign.html",
            "workflow/todos.html",
            "dots/assessment.html",
            "dots/settings.html",
            "dots/day_sheet.html",
            "documents/attachments.html",
        ):
            assert opted[name] >= 1, name

    @pytest.mark.parametrize(
        ("html", "wrong"),
        [
            ('<form method="post"><input id="a" aria-required="true"></form>', 1),
            ('<form method="post"><input id="a" name="a" required></form>', 1),
            (
                '<form method="post"><label for="a">件名<span class="required">（必須）</span></label>'
                '<input id="a"></form>',
                1,
            ),
            (
                '<form method="post"><fieldset><legend>結果 <span class="required">必須</span></legend>'
                "</fieldset></form>",
                1,
            ),
            ('<form method="post"><input aria-required="true" data-required-message="入力してください。"></form>', 0),
            ('<form method="post"><input{% if f.required %} aria-required="true"{% endif %}{{ checks(f) }}></form>', 0),
            ('<form method="get"><input aria-required="true"></form>', 0),  # checks.js leaves GET forms alone
            ('<fieldset class="field"{% if f.required %} data-required{% endif %}>', 0),
            ('<form method="post"><input type="hidden" name="version" required></form>', 0),
        ],
    )
    def test_the_scan_itself(self, html: str, wrong: int) -> None:
        assert len(offenders(html)) == wrong, offenders(html)


ENV = build_templates().env


def macro(template: str, name: str) -> object:
    """A macro of a template, rendered through the gateway's own Jinja environment (filters and globals)."""
    return getattr(ENV.get_template(template).module, name)


def attributes(html: object, tag: str, id: str = "") -> dict[str, str]:
    """The attributes of the first `tag` in rendered HTML (the one with that id when given)."""
    with_id = f'[^>]*id="{id}"' if id else ""
    found = re.search(rf"<{tag}\b{with_id}[^>]*>", str(html))
    assert found, html
    return dict(re.findall(r'([\w-]+)="([^"]*)"', found.group(0)))


CHECK_ATTRIBUTES = ("aria-required", "data-required-message", "data-format", "data-label")


class TestTheBoardMacros:
    def test_a_required_date_input_says_the_servers_words_and_is_read_as_a_date(self) -> None:
        html = macro("board/_parts.html", "input")(
            "d-1-on", "on", "受理日", "", required="日付を入力してください。", date=True, size="short"
        )
        found = attributes(html, "input")
        assert found["aria-required"] == "true" and found["data-required-message"] == "日付を入力してください。"
        assert found["data-format"] == "date" and found["data-label"] == "受理日"
        assert '受理日<span class="required">（必須）</span></label>' in str(html)

    def test_a_required_list_and_text_area_say_the_servers_words(self) -> None:
        choose = macro("board/_parts.html", "choose")
        found = attributes(
            choose("d-1-decision", "decision", "判定", {"approved": "承認"}, required="判定を選んでください。"),
            "select",
        )
        assert found["data-required-message"] == "判定を選んでください。" and found["aria-required"] == "true"
        area = macro("board/_parts.html", "area")("d-1-reason", "reason", "理由", required="入力してください。")
        assert attributes(area, "textarea")["data-required-message"] == "入力してください。"

    def test_a_field_without_them_is_left_to_the_server(self) -> None:
        parts = "board/_parts.html"
        plain = [
            attributes(macro(parts, "input")("place", "place", "場所"), "input"),
            attributes(macro(parts, "choose")("status", "status", "状況", {"held": "開催済み"}), "select"),
            attributes(macro(parts, "area")("minutes", "minutes", "議事録"), "textarea"),
        ]
        assert [name for found in plain for name in CHECK_ATTRIBUTES if name in found] == []

    def test_the_decision_form_checks_the_decision_and_its_date_in_patients_words(self) -> None:
        case = {"id": "c1", "version": 1, "basis": "", "patient": {"name": "診査 花子"}}
        html = str(macro("board/_parts.html", "decision_form")(case, {"approved": "承認"}, [], "2026-11-10"))
        assert (
            attributes(html, "select")["data-required-message"]
            == "判定（承認・不承認・保留・条件付き）を選んでください。"
        )
        decided = attributes(html, "input", id="d-c1-decided_on")
        assert decided["data-required-message"] == "日付を入力してください。" and decided["data-format"] == "date"

    def test_the_conditions_are_required_with_a_conditional_approval_only(self) -> None:
        case = {"id": "c1", "version": 1, "basis": "", "patient": {"name": "診査 花子"}}
        html = str(macro("board/_parts.html", "decision_form")(case, {"conditional": "条件付き承認"}, [], "2026-11-10"))
        conditions = attributes(html, "textarea", id="d-c1-conditions")
        assert conditions["data-required-message"] == "条件付き承認のときは条件を入力してください。"
        assert conditions["data-required-when"] == "decision=conditional" and "aria-required" not in conditions
        assert "条件（条件付きのとき）</label>" in html  # not marked 必須: it is not always


CALL = re.compile(r"\binput\(([^,]+),\s*([^,]+),.*?\) \}\}")
DATE_NAME = re.compile(r'_on"$|^"(on|day|valid_from|valid_to|effective_from)"$|^"symptom-" ~ code$')


def date_calls(template: str) -> list[str]:
    """The input(...) calls of a hand-written template whose field is a date, by its name (…_on, on, day, valid_…,
    施行日, a symptom's onset)."""
    text = (TEMPLATES_DIR / template).read_text(encoding="utf-8")
    return [m.group(0) for m in CALL.finditer(text) if DATE_NAME.search(m.group(2).strip())]


class TestEveryHandWrittenDateIsReadAsADate:
    """Every date typed into a 診査会, 経過観察・行動調査 or printing form, rows included, is checked in the browser
    with parse_date's words, which is what the gateway (view.entry_date, typed_date) or patients (FlexibleDate) says."""

    @pytest.mark.parametrize(
        "template",
        [
            "board/_parts.html",
            "board/case.html",
            "board/patient.html",
            "board/worklist.html",
            "followup/patient.html",
            "followup/investigation.html",
            "documents/batch_new.html",
            "documents/template_versions.html",
        ],
    )
    def test_each_date_input_is_given_date_true(self, template: str) -> None:
        calls = date_calls(template)
        assert calls, template
        assert [call[:120] for call in calls if "date=true" not in call] == []

    def test_the_investigations_row_dates_are_among_them(self) -> None:
        calls = " ".join(date_calls("followup/investigation.html"))
        for row_date in ("symptom-", "visits-", 'places-" ~ n ~ "-from_on', 'travel-" ~ n ~ "-to_on'):
            assert row_date in calls, row_date

    def test_the_f06_period_is_read_as_two_dates_named_in_the_summary(self) -> None:
        html = str(macro("patients/_f06_period.html", "period_form")("p1"))
        for name, label in (("period_from", "期間の始まり"), ("period_to", "期間の終わり")):
            found = attributes(html, "input", id=f"f06-{name}")
            assert found["data-format"] == "date" and found["data-label"] == label
            assert "aria-required" not in found and "data-required-message" not in found  # blank prints every note


class TestTheFollowupMacros:
    def test_a_date_input_is_read_as_a_date_and_a_required_one_says_the_servers_words(self) -> None:
        found = attributes(
            macro("followup/_parts.html", "input")("ended_on", "ended_on", "治療終了日", "", date=True), "input"
        )
        assert found["data-format"] == "date" and found["data-label"] == "治療終了日" and "aria-required" not in found
        months = macro("followup/_parts.html", "input")(
            "lookback_months", "lookback_months", "さかのぼる月数", "3", required="月数を数字で入力してください。"
        )
        found = attributes(months, "input")
        assert found["data-required-message"] == "月数を数字で入力してください。" and "data-format" not in found

    def test_a_required_list_and_text_area_say_the_servers_words(self) -> None:
        choice = macro("followup/_parts.html", "choice")(
            "ltbi", "ltbi", "LTBI", "", {"yes": "LTBI"}, required="選んでください。"
        )
        found = attributes(choice, "select")
        assert found["aria-required"] == "true" and found["data-required-message"] == "選んでください。"
        area = macro("followup/_parts.html", "area")("note", "note", "備考", "", required="入力してください。")
        assert attributes(area, "textarea")["data-required-message"] == "入力してください。"

    def test_a_field_without_them_is_left_to_the_server(self) -> None:
        parts = "followup/_parts.html"
        plain = [
            attributes(macro(parts, "input")("place", "place", "場所", None), "input"),
            attributes(macro(parts, "choice")("place", "place", "実施場所", "", {"health_center": "保健所"}), "select"),
            attributes(macro(parts, "area")("note", "note", "備考", ""), "textarea"),
        ]
        assert [name for found in plain for name in CHECK_ATTRIBUTES if name in found] == []
