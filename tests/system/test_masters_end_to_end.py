"""マスタ管理 through the running gateway and masters, as a browser drives it (R25, R26): an administrator adds,
corrects and ends a medical institution and a doctor in the pages and reads their history; a file of institutions
is previewed row by row, applied, and changes nothing the second time; the pickers of the patient card find what
was added and the card keeps the chosen code; staff without マスタ管理 更新 only read.

Every name and code is synthetic (試験…, a random 医療機関コード of 郡市区 90–98 with its 検証番号), new each run.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from tbms_core.clock import today
from tbms_core.jp.check_digits import modulus10_check_digit
from tbms_testing import auth_headers
from tbms_testing.browser import hidden_value, keycloak_browser, log_in
from tbms_tools import config

GATEWAY = "http://127.0.0.1:8000"
# Trees with their readings: an institution named 試験<two of them>診療所 is found by those two characters.
TREES = {
    "桜": "サクラ",
    "楓": "カエデ",
    "椿": "ツバキ",
    "萩": "ハギ",
    "柊": "ヒイラギ",
    "樫": "カシ",
    "榎": "エノキ",
    "欅": "ケヤキ",
    "楠": "クスノキ",
    "桐": "キリ",
    "槙": "マキ",
    "栃": "トチ",
}
WRONG_CHECK_DIGIT = "医療機関コードの検証番号（最後の1桁）が合いません。コードに誤りがないか確認してください。"
IMPORT_HEADER = "医療機関コード,名称,カナ,住所,電話番号,種別"


def visible_text(page: str) -> str:
    """The page as a user reads it: tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def main_text(page: str) -> str:
    """What the page's main content says."""
    return visible_text(page[page.index('<main id="main"') : page.index("</main>")])


def section_text(page: str, title_id: str) -> str:
    """What one section of a page says (修正履歴, 終了する…)."""
    start = page.index(f'aria-labelledby="{title_id}"')
    return visible_text(page[start : page.index("</section>", start)])


def field_error(page: str, name: str) -> str:
    """The message shown beside one input of a form (its field's error paragraph)."""
    start = page.index(f'name="{name}"')
    field = page[page.rindex('<div class="field', 0, start) : start]
    found = re.search(r'class="field-error"[^>]*>(.*?)</p>', field, re.S)
    return visible_text(found.group(1)) if found else ""


def form_version(page: str, action: str) -> str:
    """The version a form posts (the one the user saw), found by the form's action."""
    form = page[page.index(f'action="{action}"') :]
    return hidden_value(form, "version")


async def masters_api() -> httpx.AsyncClient:
    """The masters service itself, as an administrator (to check what is stored, not to change it)."""
    return httpx.AsyncClient(base_url=config.service_url("masters"), headers=auth_headers("admin1"), timeout=30)


async def unused_institution_code() -> str:
    """A 医療機関コード of 東京都 with its 検証番号 that no row has yet (郡市区 90–98 are not real ones)."""
    async with await masters_api() as masters:
        for _ in range(20):
            body = f"131{random.randint(90, 98)}{random.randint(0, 9999):04d}"
            code = f"{body}{modulus10_check_digit(body[3:])}"  # over 郡市区番号 and 医療機関番号
            if (await masters.get(f"/masters/institution/{code}")).status_code == 404:
                return code
    raise AssertionError("no unused 医療機関コード found")


def wrong_check_digit(code: str) -> str:
    """The same code with another last digit."""
    return f"{code[:-1]}{(int(code[-1]) + 1) % 10}"


def iso(day: date) -> str:
    """A date as a user may type it in 西暦."""
    return day.isoformat()


@pytest.fixture(scope="module")
async def admin() -> AsyncIterator[httpx.AsyncClient]:
    """An administrator's browser on the gateway (マスタ管理 更新)."""
    async with browser_of("admin1") as gateway:
        yield gateway


@pytest.fixture(scope="module")
async def nurse() -> AsyncIterator[httpx.AsyncClient]:
    """A nurse's browser on the gateway: patients 更新, マスタ管理 参照 only."""
    async with browser_of("nurse1") as gateway:
        yield gateway


class browser_of:
    """A logged-in browser of one demo user (password + TOTP through Keycloak's pages)."""

    def __init__(self, username: str) -> None:
        self.username = username

    async def __aenter__(self) -> httpx.AsyncClient:
        self.gateway = httpx.AsyncClient(base_url=GATEWAY, timeout=30)
        async with keycloak_browser() as keycloak:
            finished = await log_in(self.gateway, keycloak, self.username)
        assert finished.status_code == 303 and finished.headers["location"] == "/"
        return self.gateway

    async def __aexit__(self, *_: object) -> None:
        await self.gateway.aclose()


async def display_name(browser: httpx.AsyncClient) -> str:
    """The user's name as the pages show it (the home page greets them)."""
    home = await browser.get("/")
    found = re.search(r"ようこそ、(.+?)さん", home.text)
    assert found, home.text[:1000]
    return found.group(1)


async def suggestions(browser: httpx.AsyncClient, kind: str, typed: str, ref: str = "") -> str:
    """What a picker's list shows while the user types (the fragment combobox.js puts under the input)."""
    params = {"q": typed, "box": "notification-institution_name"} | ({"ref": ref} if ref else {})
    answer = await browser.get(f"/masters/{kind}/suggest", params=params)
    assert answer.status_code == 200, answer.text[:1000]
    return visible_text(answer.text)


@pytest.mark.req("R25", partial=True)
@pytest.mark.req("R26")
async def test_an_administrator_adds_corrects_and_ends_an_institution_in_the_pages_with_its_history(
    admin: httpx.AsyncClient, nurse: httpx.AsyncClient
) -> None:
    code = await unused_institution_code()
    first, second = random.sample(sorted(TREES), 2)
    name, kana = f"試験{first}{second}診療所", f"シケン{TREES[first]}{TREES[second]}シンリョウジョ"
    opened = today() - timedelta(days=30)
    new_form = await admin.get("/masters/institution/new")
    assert new_form.status_code == 200 and "医療機関の新規登録" in new_form.text
    typed = {
        "csrf_token": hidden_value(new_form.text, "csrf_token"),
        "name": name,
        "kana": kana,
        "postal_code": "1000001",
        "address": "東京都架空区試験町9-9-1",
        "phone": "03-0000-0001",
        "type": "clinic",
        "valid_from": iso(opened),
        "reason": "新規開設（試験）",
    }

    refused = await admin.post("/masters/institution", data=typed | {"code": wrong_check_digit(code)})
    assert refused.status_code == 422
    assert WRONG_CHECK_DIGIT in field_error(refused.text, "code")
    async with await masters_api() as masters:
        assert (await masters.get(f"/masters/institution/{wrong_check_digit(code)}")).status_code == 404
        assert (await masters.get("/masters/institution", params={"q": name})).json()["total"] == 0

    added = await admin.post("/masters/institution", data=typed | {"code": code})
    assert added.status_code == 303, main_text(added.text)[:2000]
    assert added.headers["location"] == f"/masters/institution/{code}"
    row = await admin.get(added.headers["location"])
    assert f"医療機関：{name}" in main_text(row.text) and "第1版" in main_text(row.text)
    listed = await admin.get("/masters/institution", params={"q": f"{first}{second}"})
    assert f"{code} {name}" in main_text(listed.text)

    corrected = await admin.post(
        f"/masters/institution/{code}",
        data={
            "csrf_token": hidden_value(row.text, "csrf_token"),
            "version": form_version(row.text, f"/masters/institution/{code}"),
            "name": name,
            "kana": kana,
            "postal_code": "100-0001",
            "address": "東京都架空区試験町9-9-2",
            "phone": "03-0000-0002",
            "type": "clinic",
            "valid_from": iso(opened),
            "reason": "移転により住所と電話番号を変更（試験）",
        },
    )
    assert corrected.status_code == 303, main_text(corrected.text)[:2000]
    row = await admin.get(corrected.headers["location"])
    history = section_text(row.text, "history-title")
    latest = history[: history.index("第1版")]
    who = await display_name(admin)
    assert f"{who} 第2版 理由：移転により住所と電話番号を変更（試験）" in latest
    assert "住所 東京都架空区試験町9-9-1 東京都架空区試験町9-9-2" in latest
    assert "電話番号 03-0000-0001 03-0000-0002" in latest
    assert "名称" not in latest, "only the items changed are in the history"
    assert "第1版（登録） 理由：新規開設（試験）" in history and f"名称 {name}" in history

    doctor_code, doctor_name = f"T{code}", f"試験 {first}太郎"
    doctor_form = await admin.get("/masters/doctor/new")
    doctor = await admin.post(
        "/masters/doctor",
        data={
            "csrf_token": hidden_value(doctor_form.text, "csrf_token"),
            "code": doctor_code,
            "name": doctor_name,
            "kana": f"シケン {TREES[first]}",
            "institution_code": code,
            "specialty": "呼吸器内科",
            "reason": "着任（試験）",
        },
    )
    assert doctor.status_code == 303, main_text(doctor.text)[:2000]

    await _the_card_picks_the_institution_and_its_doctor(
        nurse, code, name, doctor_name, first + second, TREES[first] + TREES[second]
    )

    row = await admin.get(f"/masters/institution/{code}")
    yesterday = today() - timedelta(days=1)
    ended = await admin.post(
        f"/masters/institution/{code}/end",
        data={
            "csrf_token": hidden_value(row.text, "csrf_token"),
            "version": form_version(row.text, f"/masters/institution/{code}/end"),
            "valid_to": iso(yesterday),
            "reason": "閉院のため（試験）",
        },
    )
    assert ended.status_code == 303, main_text(ended.text)[:2000]
    row = await admin.get(ended.headers["location"])
    assert "終了しました" in row.text and "状態 終了" in main_text(row.text)
    assert "第3版 理由：閉院のため（試験）" in section_text(row.text, "history-title")
    assert name not in await suggestions(nurse, "institution", f"{first}{second}"), "an ended row is not offered"
    today_only = main_text((await admin.get("/masters/institution", params={"q": name})).text)
    assert f"「{name}」に一致する医療機関はありません。" in today_only
    with_ended = await admin.get("/masters/institution", params={"q": name, "include_ended": "1"})
    assert f"{name} 終了" in main_text(with_ended.text)


async def _the_card_picks_the_institution_and_its_doctor(
    nurse: httpx.AsyncClient, code: str, name: str, doctor_name: str, two_characters: str, reading: str
) -> None:
    """The card's 届出 pickers find the institution by 2 characters and by its reading, and its doctors; the card
    keeps the chosen institution's code."""
    assert name in await suggestions(nurse, "institution", two_characters)
    hiragana = "".join(chr(ord(ch) - 0x60) for ch in reading)
    by_reading = await suggestions(nurse, "institution", hiragana)
    assert name in by_reading and "東京都架空区試験町9-9-2" in by_reading
    assert doctor_name in await suggestions(nurse, "doctor", "試験", ref=code), "the doctors of the chosen one"
    picked = (await nurse.get("/masters/institution/picked", params={"code": code})).json()
    assert picked["name"] == name and picked["data"]["phone"] == "03-0000-0002"

    form = await nurse.get("/patients/new")
    given = "".join(random.choice("アイウエオカキクケコ") for _ in range(4))
    registered = await nurse.post(
        "/patients",
        data={
            "csrf_token": hidden_value(form.text, "csrf_token"),
            "name": f"試験 {given}",
            "name_kana": f"しけん {given}",
            "sex": "male",
            "birth_date": "S50.5.5",
            "postal_code": "1540017",
            "address": "東京都世田谷区試験町9-9-9",
            "district": "世田谷",
            "category": "patient",
            "step": "confirmed",  # past the confirmation page
        },
    )
    assert registered.status_code == 303, registered.text[:2000]
    patient_path = registered.headers["location"]
    card = await nurse.get(patient_path)
    action = f"{patient_path}/sections/notification"
    saved = await nurse.post(
        action,
        data={
            "csrf_token": hidden_value(card.text, "csrf_token"),
            "version": form_version(card.text, action),
            "notification.institution_name": picked["name"],
            "notification.institution_code": picked["code"],
            "notification.institution_address": picked["data"]["address"],
            "notification.institution_phone": picked["data"]["phone"],
            "notification.doctor_name": doctor_name,
        },
    )
    assert saved.status_code == 303, main_text(saved.text)[:2000]
    card = await nurse.get(saved.headers["location"])
    notification = section_text(card.text, "notification-title")
    assert name in notification and code in notification and doctor_name in notification, notification[:1000]


@pytest.mark.req("R26")
async def test_a_file_of_institutions_is_previewed_row_by_row_applied_and_changes_nothing_the_second_time(
    admin: httpx.AsyncClient,
) -> None:
    codes = [await unused_institution_code() for _ in range(3)]
    names = [f"試験取込{code[-5:]}医院" for code in codes]
    lines = [
        f"{code},{name},シケントリコミ,東京都架空区試験町8-8-{i},03-0000-100{i},診療所"
        for i, (code, name) in enumerate(zip(codes, names, strict=True))
    ]
    first_file = "\n".join([IMPORT_HEADER, *lines]) + "\n"

    preview = await _upload(admin, "試験医療機関.csv", first_file)
    assert "新規 3件 変更 0件 変更なし 0件 エラー 0件" in main_text(preview.text)
    assert all(f"新規 {code} {name}" in main_text(preview.text) for code, name in zip(codes, names, strict=True))
    applied = await admin.post(
        _apply_action(preview.text), data={"csrf_token": hidden_value(preview.text, "csrf_token")}
    )
    assert applied.status_code == 303 and applied.headers["location"] == "/masters/institution"
    listing = await admin.get("/masters/institution", params={"q": "試験取込"})
    assert "取り込みました（新規 3件、変更 0件、変更なし 0件）。" in listing.text
    for name in names:  # one by one: earlier runs on the same stack left other 試験取込 rows before these
        assert name in main_text((await admin.get("/masters/institution", params={"q": name})).text)
    row = await admin.get(f"/masters/institution/{codes[0]}")
    assert "理由：一括取込（試験医療機関.csv）" in section_text(row.text, "history-title")

    again = await _upload(admin, "試験医療機関.csv", first_file)
    assert "新規 0件 変更 0件 変更なし 3件 エラー 0件" in main_text(again.text)
    assert "取り込む変更はありません" in main_text(again.text) and "/apply" not in again.text
    unchanged = await admin.get(f"{again.url.path}", params={"status": "unchanged"})
    assert all(f"変更なし {code} {name}" in main_text(unchanged.text) for code, name in zip(codes, names, strict=True))

    fourth = await unused_institution_code()
    mixed = "\n".join(
        [
            IMPORT_HEADER,
            lines[0],
            lines[1].replace("03-0000-1001", "03-0000-2001"),
            f"{wrong_check_digit(codes[2])},試験取込誤り医院,シケン,東京都架空区試験町8-8-9,03-0000-1009,診療所",
            f"{fourth},試験取込{fourth[-5:]}医院,シケン,東京都架空区試験町8-8-4,03-0000-1004,診療所",
        ]
    )
    checked = await _upload(admin, "試験医療機関_修正.csv", mixed + "\n")
    shown = main_text(checked.text)
    assert "新規 1件 変更 1件 変更なし 1件 エラー 1件" in shown and "取り込めません" in shown
    assert f"変更 {codes[1]} {names[1]} 電話番号：03-0000-1001 → 03-0000-2001" in shown
    assert f"エラー {wrong_check_digit(codes[2])} 試験取込誤り医院 医療機関コード：{WRONG_CHECK_DIGIT}" in shown
    assert f"新規 {fourth}" in shown and "/apply" not in checked.text
    unchanged = await admin.get(f"{checked.url.path}", params={"status": "unchanged"})
    assert f"変更なし {codes[0]} {names[0]}" in main_text(unchanged.text)
    async with await masters_api() as masters:
        assert (await masters.get(f"/masters/institution/{fourth}")).status_code == 404
        stored = (await masters.get(f"/masters/institution/{codes[1]}")).json()
        assert stored["data"]["phone"] == "03-0000-1001" and stored["version"] == 1


async def _upload(admin: httpx.AsyncClient, filename: str, content: str) -> httpx.Response:
    """Uploads a CSV on the import page and follows to its preview."""
    form = await admin.get("/masters/institution/import")
    sent = await admin.post(
        "/masters/institution/import",
        data={"csrf_token": hidden_value(form.text, "csrf_token")},
        files={"file": (filename, content.encode("utf-8"), "text/csv")},
    )
    assert sent.status_code == 303, main_text(sent.text)[:2000]
    preview = await admin.get(sent.headers["location"])
    assert preview.status_code == 200 and "医療機関の一括取込：内容の確認" in preview.text
    return preview


def _apply_action(page: str) -> str:
    found = re.search(r'action="(/masters/institution/imports/[^"]+/apply)"', page)
    assert found, "the preview offers no 取り込む"
    return found.group(1)


@pytest.mark.req("R26")
async def test_staff_without_master_update_read_the_masters_and_cannot_change_them(
    nurse: httpx.AsyncClient,
) -> None:
    async with await masters_api() as masters:
        before = (await masters.get("/masters/institution", params={"limit": 1})).json()["items"][0]
    code = before["code"]
    row = await nurse.get(f"/masters/institution/{code}")
    assert row.status_code == 200 and before["name"] in main_text(row.text)
    assert "保存する" not in row.text and "終了する" not in row.text and 'name="version"' not in row.text
    listing = await nurse.get("/masters/institution")
    assert "新規登録" not in main_text(listing.text) and "一括取込" not in main_text(listing.text)

    token = hidden_value(row.text, "csrf_token")
    attempts = {
        f"/masters/institution/{code}": {"version": str(before["version"]), "phone": "03-9999-9999", "reason": "試験"},
        f"/masters/institution/{code}/end": {
            "version": str(before["version"]),
            "valid_to": iso(today()),
            "reason": "試験",
        },
        "/masters/institution": {"code": await unused_institution_code(), "name": "試験権限なし医院", "type": "clinic"},
    }
    for path, fields in attempts.items():
        refused = await nurse.post(path, data={"csrf_token": token, **fields})
        assert refused.status_code == 403, path
        assert "権限がありません" in main_text(refused.text)
    for path in ("/masters/institution/new", "/masters/institution/import"):
        assert (await nurse.get(path)).status_code == 403
    async with await masters_api() as masters:
        after = (await masters.get(f"/masters/institution/{code}")).json()
        assert after["version"] == before["version"] and after["data"] == before["data"]
        assert (await masters.get("/masters/institution", params={"q": "試験権限なし医院"})).json()["total"] == 0
