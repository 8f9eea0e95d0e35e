"""The to-do list at the size of a busy health center: the home page of a team with 5,000 open to-dos, and the
to-dos rebuilt from 100,000 deadline events (DeadlinesChanged), through the workflow service in-process with real
demo-user tokens.

    uv run python bench/workflow_todos.py [--team-todos 5000] [--other-todos 20000] [--snapshots 100000] [--workers 4]

Home page: 5,000 open to-dos of 世田谷 (nurse1's district; a tenth of them nurse1's own) and `--other-todos` of four
other teams, all applied through the consumer's path (DeadlineApplier), then VACUUM ANALYZE; p50/p95 of the lists
and the counts as nurse1 and chief1 (who sees every team).

Rebuild: `--snapshots` deadline events of patients (about 2.5 per patient, 0-4 deadlines each, due dates moving,
deadlines closing, one in ten arriving after a newer one and one in twenty twice) run through the consumer's
handler in its own transaction with the inbox claim, as `tbms_core.app` runs it for each event; NATS is left out so
the running stack never sees the synthetic events. A sample runs on one worker (one consumer, one event at a time),
the whole set on `--workers` concurrent ones (a replay by several consumer instances). Prints events per second and
the to-dos left open, checked against the newest revision of each patient, and duplicate keys (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import resource
import statistics
import time
import uuid
from datetime import date, timedelta

import asyncpg
import httpx
from tbms_contracts.deadlines import PATIENT_DEADLINES, Deadline, DeadlineRecord, DeadlinesChanged
from tbms_core import outbox
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_testing import auth_headers, service_client
from workflow.main import create_app
from workflow.todo.consumers import on_deadlines_changed
from workflow.todo.service import DeadlineApplier

TEAMS = ["世田谷", "北沢", "玉川", "砧", "烏山"]
RULES = ["sputum_test_overdue", "public_expense_expiring", "treatment_overdue", "transfer_card_not_sent"]
PER_PATIENT = 5  # to-dos per patient in the home-page load
DURABLE = "workflow-todo_on_patient_deadlines-bench"


def deadline(patient_id: uuid.UUID, rule: str, due: date, team: str, nurse: str) -> Deadline:
    """A synthetic deadline of one patient."""
    return Deadline(
        key=f"patients:patient:{patient_id}:{rule}:1",
        kind=rule,
        rule="試験用の規則",
        what="試験用の対応内容です。",
        due_on=due,
        severity="warning",
        nurse=nurse,
        team=team,
        record=DeadlineRecord(
            service="patients", aggregate="patient", id=str(patient_id), label="9000-00001 試験 患者"
        ),
    )


async def load_home(client: httpx.AsyncClient, team_todos: int, other_todos: int) -> float:
    """Applies the home page's to-dos through the consumer's path; returns the seconds it took."""
    rng = random.Random(7)  # noqa: S311 - reproducible synthetic data
    db = client.app.state.db  # type: ignore[attr-defined]
    started = time.perf_counter()
    plan = [(TEAMS[0], team_todos)] + [(team, other_todos // 4) for team in TEAMS[1:]]
    for team, count in plan:
        for start in range(0, count, 500):
            async with db.session() as session:
                applier = DeadlineApplier(session)
                for n in range(start // PER_PATIENT, min(start + 500, count) // PER_PATIENT):
                    patient_id = uuid.uuid4()
                    nurse = "nurse1" if team == TEAMS[0] and n % 10 == 0 else f"nurse-{n % 7}"
                    deadlines = [
                        deadline(patient_id, f"rule_{i}", today() + timedelta(days=rng.randrange(-60, 90)), team, nurse)
                        for i in range(PER_PATIENT)
                    ]
                    await applier.apply("patients", "patient", str(patient_id), 1, deadlines)
    await sql(client, "VACUUM ANALYZE todos, deadline_sources")
    return time.perf_counter() - started


async def sql(client: httpx.AsyncClient, statement: str) -> object:
    """Runs one statement on the service's database outside its ORM (VACUUM, counts) and returns the first value."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(statement)
    finally:
        await conn.close()


async def measure(client: httpx.AsyncClient, rounds: int) -> None:
    """Runs each home-page query `rounds` times and prints p50/p95 with the items and total answered."""
    nurse, chief = auth_headers("nurse1"), auth_headers("chief1")
    shapes = {
        "team, overdue (first 100)": ("/todos", {"scope": "team", "due": "overdue"}, nurse),
        "team, today": ("/todos", {"scope": "team", "due": "today"}, nurse),
        "team, this week": ("/todos", {"scope": "team", "due": "week"}, nurse),
        "team, all (first 100)": ("/todos", {"scope": "team", "due": "all"}, nurse),
        "team, all, page 40": ("/todos", {"scope": "team", "offset": 3900}, nurse),
        "mine, all": ("/todos", {"scope": "mine", "limit": 500}, nurse),
        "chief, all teams (first 100)": ("/todos", {"scope": "all"}, chief),
        "chief, counts per team": ("/todos/counts", {}, chief),
    }
    (await client.get("/todos/counts", headers=chief)).raise_for_status()  # keys, pools warm
    print(f"{'query':30} {'p50 ms':>8} {'p95 ms':>8} {'items':>6} {'total':>7}")
    for name, (path, params, headers) in shapes.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.get(path, params=params, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        body = answer.json()
        items = body["items"] if isinstance(body, dict) else body
        total = body.get("total", "") if isinstance(body, dict) else ""
        print(f"{name:30} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {len(items):6} {total:>7}")


def snapshots(count: int) -> list[Envelope]:
    """The synthetic events in arrival order."""
    rng = random.Random(13)  # noqa: S311 - reproducible synthetic data
    events: list[Envelope] = []
    while len(events) < count:
        patient_id, team = uuid.uuid4(), rng.choice(TEAMS)
        versions = rng.choice((1, 2, 2, 3, 3, 4))
        chain = []
        for version in range(1, versions + 1):
            rules = rng.sample(RULES, rng.randrange(0, 5))
            due = today() + timedelta(days=rng.randrange(-30, 60) + version * 7)
            deadlines = [deadline(patient_id, rule, due, team, "nurse1") for rule in rules]
            record = DeadlineRecord(service="patients", aggregate="patient", id=str(patient_id), label="試験 再構築")
            change = DeadlinesChanged(record=record, revision=version, deadlines=deadlines)
            payload = change.model_dump(mode="json")
            chain.append(
                Envelope(
                    type=PATIENT_DEADLINES, aggregate_id=str(patient_id), aggregate_version=version, payload=payload
                )
            )
        if len(chain) > 1 and rng.random() < 0.1:
            chain[-1], chain[-2] = chain[-2], chain[-1]  # the newest arrives before the one it replaced
        if rng.random() < 0.05:
            chain.append(chain[0])  # delivered twice
        events += chain
    return events[:count]


async def rebuild(client: httpx.AsyncClient, count: int, workers: int) -> None:
    """Runs the snapshots through the handler with the inbox claim, one transaction per event, and checks the result.

    With several workers the events are dealt out round-robin, so snapshots of one patient race each other: the
    version check in the database keeps the newest, whichever commits first.
    """
    db = client.app.state.db  # type: ignore[attr-defined]
    await sql(client, "TRUNCATE todos, deadline_sources")
    events = snapshots(count)

    async def work(share: list[Envelope]) -> None:
        for envelope in share:
            async with db.session() as session:
                if await outbox.claim(session, DURABLE, envelope.event_id):
                    await on_deadlines_changed(session, envelope)

    started = time.perf_counter()
    await asyncio.gather(*(work(events[n::workers]) for n in range(workers)))
    seconds = time.perf_counter() - started
    open_todos = await sql(client, "SELECT count(*) FROM todos WHERE status = 'open'")
    all_todos = await sql(client, "SELECT count(*) FROM todos")
    duplicates = await sql(client, "SELECT count(*) - count(DISTINCT key) FROM todos")
    newest: dict[str, Envelope] = {}
    for event in events:
        if event.aggregate_id not in newest or newest[event.aggregate_id].aggregate_version < event.aggregate_version:
            newest[event.aggregate_id] = event
    expected = sum(len(event.payload["deadlines"]) for event in newest.values())
    print(
        f"rebuild, {workers} worker(s): {len(events):,} snapshots of {len(newest):,} patients in {seconds:.1f} s "
        f"({len(events) / seconds:,.0f} events/s); to-dos {all_todos:,}, open {open_todos:,} "
        f"(the newest snapshots state {expected:,}), duplicate keys {duplicates}"
    )


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def main() -> None:
    """Loads, measures and reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--team-todos", type=int, default=5000)
    parser.add_argument("--other-todos", type=int, default=20000)
    parser.add_argument("--snapshots", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sequential-sample", type=int, default=5000)
    args = parser.parse_args()
    async with service_client("workflow", create_app) as client:
        client.timeout = httpx.Timeout(120)
        logging.disable(logging.INFO)  # the service's access log would drown the figures
        seconds = await load_home(client, args.team_todos, args.other_todos)
        print(f"home load: {args.team_todos + args.other_todos:,} to-dos applied in {seconds:.1f} s")
        await measure(client, args.rounds)
        await rebuild(client, args.sequential_sample, 1)  # one consumer handling one event at a time
        await rebuild(client, args.snapshots, args.workers)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
