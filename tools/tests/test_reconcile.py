"""`tbms reconcile` walks the owner's and a read model's id-ordered versions side by side and sorts every
difference (R28): missing and behind are repaired, ahead and unknown are reported for a person."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tbms_tools.reconcile import Drift, compare, reconcile_with, summary
from tbms_tools.replay import KINDS

ids = st.uuids(version=4)
holdings = st.dictionaries(ids, st.integers(min_value=1, max_value=4), max_size=30)


def ordered(held: dict[uuid.UUID, int]):  # type: ignore[no-untyped-def]
    return iter(sorted(held.items()))


@pytest.mark.req("R28", partial=True)
@given(owner=holdings, read_model=holdings, shared=st.lists(st.tuples(ids, st.integers(1, 4), st.integers(1, 4))))
def test_every_difference_is_found_once_and_nothing_else(
    owner: dict[uuid.UUID, int], read_model: dict[uuid.UUID, int], shared: list[tuple[uuid.UUID, int, int]]
) -> None:
    for key, mine, theirs in shared:  # ids both sides hold, in any versions
        owner[key], read_model[key] = mine, theirs
    drift = compare(ordered(owner), ordered(read_model), Drift(read_model="reports", run="r"))

    assert drift.checked == len(owner)
    assert set(drift.missing) == {str(k) for k in owner.keys() - read_model.keys()}
    assert set(drift.unknown) == {str(k) for k in read_model.keys() - owner.keys()}
    both = owner.keys() & read_model.keys()
    assert set(drift.behind) == {str(k) for k in both if read_model[k] < owner[k]}
    assert set(drift.ahead) == {str(k) for k in both if read_model[k] > owner[k]}
    every = drift.missing + drift.behind + drift.ahead + drift.unknown
    assert len(every) == len(set(every)), "each id in one kind only"
    assert drift.clean == (not every)


@pytest.mark.req("R28", partial=True)
def test_the_summary_counts_each_kind_and_shows_at_most_twenty_ids() -> None:
    missing = [str(uuid.UUID(int=n)) for n in range(25)]
    drift = Drift(read_model="contacts", run="r1", checked=30, missing=missing, ahead=[missing[0]], repaired=25)
    lines = summary(drift, fixed=True)
    assert "missing 25" in lines[0] and "ahead 1" in lines[0] and "repaired 25" in lines[0]
    assert lines[1].endswith("and 5 more") and lines[1].count(",") == 19
    assert "restored to an earlier point" in lines[-1]


@pytest.mark.req("R28", partial=True)
@pytest.mark.parametrize("kind", KINDS["reports"])
def test_each_kind_is_compared_and_repaired_through_its_own_endpoints(kind: str) -> None:
    first, second, third = (str(uuid.UUID(int=n)) for n in (1, 2, 3))
    owner = {first: 2, second: 1}  # the read model lacks `second`, holds `first` at 1 and `third` unknown to patients
    held = {first: 1, third: 1}
    asked: list[str] = []
    posted: list[dict] = []  # type: ignore[type-arg]

    def page(versions: dict[str, int]) -> httpx.Response:
        return httpx.Response(200, json={"items": [{"id": k, "version": v} for k, v in sorted(versions.items())]})

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.url.host} {request.method} {request.url.path}")
        if request.url.path == f"/admin/snapshots/{kind}/versions":
            return page(owner)
        if request.url.path == f"/admin/snapshots/{kind}":
            ids = request.url.params.get_list("id")
            return httpx.Response(200, json={"items": [{"id": key, "version": owner[key]} for key in sorted(ids)]})
        if request.method == "GET":
            return page(held)
        posted.append(json.loads(request.content))
        return httpx.Response(200, json={"received": 2, "applied": 2, "current": 0})

    transport = httpx.MockTransport(answer)
    with (
        httpx.Client(transport=transport, base_url="http://patients") as patients,
        httpx.Client(transport=transport, base_url="http://reports") as reports,
    ):
        drift = reconcile_with(patients, reports, target="reports", kind=kind)

    assert (drift.kind, drift.missing, drift.behind, drift.unknown) == (kind, [second], [first], [third])
    assert asked == [
        f"patients GET /admin/snapshots/{kind}/versions",
        f"reports GET /admin/backfill/{kind}",
        f"patients GET /admin/snapshots/{kind}",
        f"reports POST /admin/backfill/{kind}",
    ]
    assert [item["id"] for item in posted[0]["items"]] == [first, second] and posted[0]["reconciliation"] == drift.run
    assert drift.repaired == 2
