"""診査会・公費 (R05, R29): the clerk's list and the sessions, a session page where the decisions are entered
during the meeting (keyboard first: each decision moves the focus to the next case), a case page, and a patient's
cases, 患者票 and 勧告. Reads need 診査会・公費 参照, changes 更新."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area
from tbms_core.clock import today

from gateway.clients.base import SaveResult, detail
from gateway.pages.board import view as v
from gateway.web.deps import MastersDep, PatientsDep, ReportsDep, WorkflowDep, require_access
from gateway.web.downloads import relay
from gateway.web.templating import flash, render

router = APIRouter(prefix="/board", tags=["診査会・公費"])
CAN_READ = [Depends(require_access(Area.REVIEW, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.REVIEW, Access.UPDATE))]


async def _masters(masters: MastersDep, kind: str) -> list[dict[str, Any]]:
    """Rows of a master valid today; none while masters cannot be reached (the page says so)."""
    try:
        return list((await masters.records(kind, limit=100))["items"])
    except Exception:
        return []


async def _form(request: Request) -> dict[str, str]:
    return {k: str(value) for k, value in (await request.form()).items()}


@router.get("", dependencies=CAN_READ)
async def worklist(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """The clerk's list and the sessions, with the form to schedule one."""
    return await _worklist(request, patients, masters)


async def _worklist(
    request: Request,
    patients: PatientsDep,
    masters: MastersDep,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    lists, sessions, members = await asyncio.gather(
        patients.board_worklist(), patients.board_sessions(), _masters(masters, "board_member")
    )
    context = {
        "lists": lists,
        "sessions": sessions,
        "members": members,
        "typed": typed or {},
        "errors": errors or {},
        "days_left": v.days_left_text,
        "title": "診査会・公費負担",
    }
    return render(request, "board/worklist.html", context, status_code=422 if errors else 200)


@router.post("/sessions", dependencies=CAN_UPDATE)
async def open_session(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """Schedules a session with the members chosen from masters."""
    posted = await request.form()
    typed = {k: str(value) for k, value in posted.items()}
    errors: dict[str, str] = {}
    moment = v.held_at(typed.get("day", ""), typed.get("time", ""), errors)
    chosen = [str(code) for code in posted.getlist("member")]
    roster = {m["code"]: m for m in await _masters(masters, "board_member")}
    members = [
        {"code": code, "name": roster[code]["name"], "role": str((roster[code].get("data") or {}).get("role", ""))}
        for code in chosen
        if code in roster
    ]
    quorum = typed.get("quorum", "").strip() or "0"
    if not quorum.isdigit():
        errors["quorum"] = "定足数は数字で入力してください。"
    if errors:
        return await _worklist(request, patients, masters, typed=typed, errors=errors)
    body = {"held_at": moment, "place": typed.get("place", ""), "members": members, "quorum": int(quorum)}
    body["agenda"] = typed.get("agenda", "")
    result = await patients.board_open_session(body)
    if result.errors:
        return await _worklist(request, patients, masters, typed=typed, errors=result.errors)
    flash(request, "診査会を登録しました。")
    return RedirectResponse(f"/board/sessions/{result.record['id']}", status_code=303)  # type: ignore[index]


async def _session_page(
    request: Request,
    patients: PatientsDep,
    masters: MastersDep,
    session_id: uuid.UUID,
    *,
    focus: str = "",
    failed: dict[str, SaveResult] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
    **circulations: Any,
) -> Response:
    detail, lists, payers = await asyncio.gather(
        patients.board_session(str(session_id)), patients.board_worklist(), _masters(masters, "payer_number")
    )
    on_agenda = {c["id"] for c in detail["cases"]}
    context = {
        "s": detail,
        "awaiting": [c for c in lists["awaiting"] if c["id"] not in on_agenda],
        "payers": payers,
        "decisions": v.DECISIONS,
        "statuses": v.SESSION_STATUSES,
        "focus": focus or v.next_case_id(detail["cases"], ""),
        "failed": failed or {},
        "typed": typed or {},
        "today": v.session_day(detail["held_at"]),  # decisions are dated the day of the meeting
        "days_left": v.days_left_text,
        "admission": v.ADMISSION_CRITERIA,
        "discharge": v.DISCHARGE_CRITERIA,
        "print_sets": v.PRINT_SETS,
        "title": "診査会",
        **circulations,  # only the page itself lists the session's circulations (not a refused change)
    }
    return render(request, "board/session.html", context, status_code=status_code)


@router.get("/sessions/{session_id:uuid}", dependencies=CAN_READ)
async def session_page(
    request: Request,
    session_id: uuid.UUID,
    patients: PatientsDep,
    masters: MastersDep,
    workflow: WorkflowDep,
    focus: str = "",
) -> Response:
    """Agenda, attendance and quorum, each case with what the members need and its decision form, and the session
    record's 回議・供覧 (state, stamps, 回議に付す・供覧に回す)."""
    circulations = await workflow.of_record("review", "board_session", str(session_id))
    return await _session_page(request, patients, masters, session_id, focus=focus, circulations=circulations)


@router.post("/sessions/{session_id:uuid}/agenda", dependencies=CAN_UPDATE)
async def add_to_agenda(
    request: Request, session_id: uuid.UUID, patients: PatientsDep, masters: MastersDep
) -> Response:
    """Puts an awaiting case on this session's agenda."""
    case_id, _, version = (await _form(request)).get("case_id", "").partition(":")
    result = await patients.board_change_case(case_id, version, {"session_id": str(session_id)})
    if result.record is None:
        failed = {"agenda": result}
        return await _session_page(request, patients, masters, session_id, failed=failed, status_code=422)
    flash(request, "議題に追加しました。")
    return RedirectResponse(f"/board/sessions/{session_id}", status_code=303)


@router.post("/sessions/{session_id:uuid}/minutes", dependencies=CAN_UPDATE)
async def save_minutes(request: Request, session_id: uuid.UUID, patients: PatientsDep, masters: MastersDep) -> Response:
    """Saves the minutes and the session's status."""
    typed = await _form(request)
    changes = {"minutes": typed.get("minutes", ""), "status": typed.get("status", "held")}
    result = await patients.board_change_session(str(session_id), typed.get("version", ""), changes)
    if result.record is None:
        failed = {"minutes": result}
        return await _session_page(
            request, patients, masters, session_id, failed=failed, typed={"minutes": typed}, status_code=422
        )
    flash(request, "議事録を保存しました。")
    return RedirectResponse(f"/board/sessions/{session_id}#minutes", status_code=303)


def _decision_body(typed: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": typed.get("version", ""),
        "decision": typed.get("decision", ""),
        "decided_on": v.entry_date(typed.get("decided_on", ""), errors, "decided_on") or "",
        "conditions": typed.get("conditions", ""),
        "comments": typed.get("comments", ""),
        "payer_number": typed.get("payer_number", ""),
    }
    for key in ("valid_from", "valid_to"):
        if on := v.entry_date(typed.get(key, ""), errors, key):
            body[key] = on
    return body


@router.post("/cases/{case_id:uuid}/decision", dependencies=CAN_UPDATE)
async def decide(request: Request, case_id: uuid.UUID, patients: PatientsDep, masters: MastersDep) -> Response:
    """Enters a decision; back on the session page the focus goes to the next undecided case."""
    typed = await _form(request)
    errors: dict[str, str] = {}
    body = _decision_body(typed, errors)
    result = SaveResult(errors=errors) if errors else await patients.board_case_action(str(case_id), "decision", body)
    session_id = typed.get("session_id", "")
    if result.record is None:
        if session_id:
            return await _session_page(
                request, patients, masters, uuid.UUID(session_id), focus=str(case_id),
                failed={str(case_id): result}, typed={str(case_id): typed}, status_code=422,
            )  # fmt: skip
        return await _case_page(request, patients, masters, case_id, failed=result, typed=typed, status_code=422)
    number = result.record["data"].get("recipient_number")
    flash(request, f"判定を保存しました。{'受給者番号 ' + number + ' を付番しました。' if number else ''}")
    if session_id:
        detail = await patients.board_session(session_id)
        following = v.next_case_id(detail["cases"], str(case_id))
        return RedirectResponse(f"/board/sessions/{session_id}?focus={following}", status_code=303)
    return RedirectResponse(f"/board/cases/{case_id}", status_code=303)


async def _case_page(
    request: Request,
    patients: PatientsDep,
    masters: MastersDep,
    case_id: uuid.UUID,
    *,
    failed: SaveResult | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    case, payers, rules = await asyncio.gather(
        patients.board_case(str(case_id)), _masters(masters, "payer_number"), patients.board_rules()
    )
    record = await patients.patient_record(str(case["patient_id"])) if case["data"]["kind"].startswith("art20") else {}
    context = {
        "c": case,
        "payers": payers,
        "basis": rules["basis"],
        "decisions": v.DECISIONS,
        "failed": failed,
        "typed": typed or {},
        "today": today().isoformat(),
        "days_left": v.days_left_text,
        "results": v.latest_results(record),
        "admission": v.ADMISSION_CRITERIA,
        "discharge": v.DISCHARGE_CRITERIA,
        "print_sets": v.PRINT_SETS,
        "title": f"審査案件（{case['patient'].get('name', '')}）",
    }
    return render(request, "board/case.html", context, status_code=status_code)


@router.get("/cases/{case_id:uuid}", dependencies=CAN_READ)
async def case_page(request: Request, case_id: uuid.UUID, patients: PatientsDep, masters: MastersDep) -> Response:
    """One case: what the members read, the rules' dates with their basis, the decision and what follows it."""
    return await _case_page(request, patients, masters, case_id)


@router.post("/cases/{case_id:uuid}/{action}", dependencies=CAN_UPDATE)
async def case_action(
    request: Request, case_id: uuid.UUID, action: str, patients: PatientsDep, masters: MastersDep
) -> Response:
    """Withdraws the decision, records the notice, issues the 患者票 or receives a case recorded without the board."""
    typed = await _form(request)
    errors: dict[str, str] = {}
    labels = {
        "withdrawal": "取り消しました。",
        "notified": "通知日を記録しました。",
        "cards": "患者票を交付しました。",
        "receipt": "受理しました。",
    }
    if action not in labels:
        return RedirectResponse(f"/board/cases/{case_id}", status_code=303)
    body: dict[str, Any] = {"version": typed.get("version", "")}
    if action == "withdrawal":
        body["reason"] = typed.get("reason", "")
    elif action == "notified":
        body["notified_on"] = v.entry_date(typed.get("notified_on", ""), errors, "notified_on") or ""
    elif action == "receipt":
        body["on"] = v.entry_date(typed.get("on", ""), errors, "on") or ""
        body["note"] = typed.get("note", "")
    else:
        body = {"issued_on": v.entry_date(typed.get("issued_on", ""), errors, "issued_on") or ""}
    result = SaveResult(errors=errors) if errors else await patients.board_case_action(str(case_id), action, body)
    if result.record is None:
        return await _case_page(request, patients, masters, case_id, failed=result, typed=typed, status_code=422)
    card = result.record.get("card") if action == "receipt" else None
    flash(request, labels[action] + ("患者票の記載を変更しました。" if card else ""))
    return RedirectResponse(f"/board/cases/{case_id}", status_code=303)


@router.get("/patients/{patient_id:uuid}", dependencies=CAN_READ)
async def patient_board(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """A patient's cases, 患者票 and 勧告, with the form to record an application."""
    return await _patient_page(request, patients, patient_id)


async def _patient_page(
    request: Request,
    patients: PatientsDep,
    patient_id: uuid.UUID,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    failed_measure: str = "",
) -> Response:
    patient, board = await asyncio.gather(patients.patient(str(patient_id)), patients.board_of_patient(str(patient_id)))
    context = {
        "patient": patient,
        "board": board,
        "kinds": v.KINDS,
        "articles": v.ARTICLES,
        "deliveries": v.DELIVERIES,
        "end_reasons": v.END_REASONS,
        "failed_measure": failed_measure or "",
        "typed": typed or {"received_on": today().isoformat(), "issued_on": today().isoformat()},
        "errors": errors or {},
        "days_left": v.days_left_text,
        "title": f"診査会・公費負担（{patient.get('name', '')}）",
    }
    return render(request, "board/patient.html", context, status_code=422 if errors else 200)


@router.post("/patients/{patient_id:uuid}/cases", dependencies=CAN_UPDATE)
async def open_case(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Records an application or a 諮問 of the patient."""
    typed = await _form(request)
    errors: dict[str, str] = {}
    body: dict[str, Any] = {"patient_id": str(patient_id), "kind": typed.get("kind", "")}
    for key in ("received_on", "admitted_on", "certificate_on"):
        if on := v.entry_date(typed.get(key, ""), errors, key):
            body[key] = on
    if not body.get("received_on") and "received_on" not in errors:
        errors["received_on"] = "受理日を入力してください。"
    body |= {key: typed.get(key, "") for key in v.CASE_TEXTS}
    income = typed.get("income_tax_yen", "").replace(",", "").strip()
    if income:
        if income.isdigit():
            body["income_tax_yen"] = int(income)
        else:
            errors["income_tax_yen"] = "市町村民税所得割額は円単位の数字で入力してください。"
    result = SaveResult(errors=errors) if errors else await patients.board_open_case(body)
    if result.record is None:
        return await _patient_page(request, patients, patient_id, typed=typed, errors=result.errors or {})
    flash(request, "案件を登録しました。")
    return RedirectResponse(f"/board/cases/{result.record['id']}", status_code=303)


@router.get("/{what}/{record_id:uuid}/print", dependencies=CAN_READ)
async def print_forms(
    request: Request, what: str, record_id: uuid.UUID, reports: ReportsDep, forms: str = ""
) -> Response:
    """A case's or a whole session's papers as one PDF from reports; when nothing applies, back with the reason."""
    back = f"/board/{what}/{record_id}"
    if what not in ("cases", "sessions"):
        return RedirectResponse("/board", status_code=303)
    pdf = await reports.board_forms(f"{what}/{record_id}", v.printable(forms))
    if pdf.status_code != 200:
        flash(request, detail(pdf) or "印刷できませんでした。")
        return RedirectResponse(back, status_code=303)
    name = f"診査会_{'案件' if what == 'cases' else '議題'}_{record_id}.pdf"
    return relay(pdf, media_type="application/pdf", disposition=v.inline(name))


@router.post("/patients/{patient_id:uuid}/measures", dependencies=CAN_UPDATE)
async def issue_measure(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Records a 勧告; its period follows the article (72 hours, the configured days, until no longer infectious)."""
    typed = await _form(request)
    errors: dict[str, str] = {}
    body = v.measure_body(typed, errors, new=True)
    result = SaveResult(errors=errors) if errors else await patients.board_issue_measure(str(patient_id), body)
    if result.record is None:
        errors = {f"m-{k}": m for k, m in (result.errors or {"_": result.conflict or ""}).items()}
        return await _patient_page(request, patients, patient_id, typed=typed, errors=errors, failed_measure="new")
    flash(request, f"{v.ARTICLES.get(body['article'], '勧告')}を記録しました。")
    return RedirectResponse(f"/board/patients/{patient_id}#measures-title", status_code=303)


@router.post("/patients/{patient_id:uuid}/measures/{measure_id:uuid}", dependencies=CAN_UPDATE)
async def change_measure(
    request: Request, patient_id: uuid.UUID, measure_id: uuid.UUID, patients: PatientsDep
) -> Response:
    """Records the delivery, the 意見陳述 or the end of a 勧告 and why."""
    typed = await _form(request)
    errors: dict[str, str] = {}
    body = v.measure_body(typed, errors, new=False)
    result = (
        SaveResult(errors=errors)
        if errors
        else await patients.board_change_measure(str(measure_id), typed.get("version", ""), body)
    )
    if result.record is None:
        prefix = f"m{measure_id}-"
        errors = {prefix + k: m for k, m in (result.errors or {"_": result.conflict or ""}).items()}
        return await _patient_page(
            request, patients, patient_id, typed=typed, errors=errors, failed_measure=str(measure_id)
        )
    flash(request, "勧告の記録を保存しました。")
    return RedirectResponse(f"/board/patients/{patient_id}#measures-title", status_code=303)


@router.get("/numbers", dependencies=CAN_READ)
async def numbers(request: Request, patients: PatientsDep) -> Response:
    """The audit list of 受給者番号: every number issued, voided ones included, and whether a serial is missing."""
    audit = await patients.board_numbers()
    return render(request, "board/numbers.html", {"audit": audit, "title": "受給者番号の台帳"})


@router.post("/patients/{patient_id:uuid}/cards/{card_id:uuid}/{action}", dependencies=CAN_UPDATE)
async def card_action(
    request: Request, patient_id: uuid.UUID, card_id: uuid.UUID, action: str, patients: PatientsDep
) -> Response:
    """Reissues a lost 患者票 or records its return."""
    if action not in ("reissue", "return"):
        return RedirectResponse(f"/board/patients/{patient_id}", status_code=303)
    typed = await _form(request)
    errors: dict[str, str] = {}
    on = v.entry_date(typed.get("on", ""), errors, "on")
    body = {"version": typed.get("version", ""), "on": on or "", "reason": typed.get("reason", "")}
    result = SaveResult(errors=errors) if errors else await patients.board_card_action(str(card_id), action, body)
    if result.record is None:
        prefix = f"c{card_id}-{action}-"
        errors = {prefix + k: m for k, m in (result.errors or {"_": result.conflict or ""}).items()}
        return await _patient_page(
            request, patients, patient_id, typed=typed, errors=errors, failed_measure=str(card_id)
        )
    flash(request, "患者票を再交付しました。" if action == "reissue" else "患者票の返還を記録しました。")
    return RedirectResponse(f"/board/patients/{patient_id}#cards-title", status_code=303)


@router.post("/sessions/{session_id:uuid}/attendance", dependencies=CAN_UPDATE)
async def save_attendance(
    request: Request, session_id: uuid.UUID, patients: PatientsDep, masters: MastersDep
) -> Response:
    """Records who attended (the quorum is judged again) and the quorum itself."""
    posted = await request.form()
    present = {str(code) for code in posted.getlist("present")}
    detail = await patients.board_session(str(session_id))
    members = [m | {"present": m.get("code") in present} for m in detail["members"]]
    quorum = str(posted.get("quorum") or "").strip()
    changes: dict[str, Any] = {"members": members}
    if quorum.isdigit():
        changes["quorum"] = int(quorum)
    result = await patients.board_change_session(str(session_id), str(posted.get("version") or ""), changes)
    if result.record is None:
        return await _session_page(
            request, patients, masters, session_id, failed={"attendance": result}, status_code=422
        )
    flash(request, "出席を保存しました。" + ("" if result.record.get("quorate") else "定足数に達していません。"))
    return RedirectResponse(f"/board/sessions/{session_id}", status_code=303)
