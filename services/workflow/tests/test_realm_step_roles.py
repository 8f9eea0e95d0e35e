"""The realm's groups give the route's step roles: 課長 and 所長 decide their own steps, without 代決."""

import json
from pathlib import Path

import pytest
from tbms_core.auth import Principal
from workflow.access import step_roles_held

REALM = Path(__file__).resolve().parents[3] / "deploy" / "keycloak" / "tbms-realm.json"


def member_of(group: str) -> Principal:
    """A user whose token carries the realm roles of one group of the production realm."""
    groups = {g["name"]: g for g in json.loads(REALM.read_text(encoding="utf-8"))["groups"]}
    return Principal(
        user_id="u1", username="someone", display_name="試験", roles=frozenset(groups[group]["realmRoles"])
    )


@pytest.mark.req("R10", partial=True)
@pytest.mark.parametrize(
    ("group", "steps"),
    [
        ("保健師", ["担当"]),
        ("係長", ["担当", "係長"]),
        ("課長", ["課長"]),
        ("所長", ["所長"]),
        ("参照のみ", []),
    ],
)
def test_each_group_holds_exactly_its_steps(group: str, steps: list[str]) -> None:
    assert step_roles_held(member_of(group)) == steps
