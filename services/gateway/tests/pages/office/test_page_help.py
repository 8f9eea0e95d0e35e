"""Every page of the gateway has its 「この画面の使い方」 (N25): a new page fails here until PAGE_HELP names its help,
and each help text shipped with the gateway exists and says something."""

from __future__ import annotations

import re
from typing import Any

import pytest
from gateway.main import ROUTERS
from gateway.web import help_texts

# Not pages a user works on: login and logout, health checks, fragments and JSON answered while typing, PDFs and
# downloads, and the help pages themselves.
NO_HELP = re.compile(
    r"^/(login|logged-out|welcome|auth/|session/|health/|postal-codes/|text-check|help|notices|accessibility"
    r"|search/suggest|patients/(new/nurse|birth-date-preview|planned-end)|contacts/date-preview)"
)


def page_paths() -> list[str]:
    """Every GET path of the gateway, with a sample value in each path parameter."""
    paths = set()
    for router in ROUTERS:
        for route in (found for entry in router.routes for found in _flattened(entry)):
            if "GET" in (getattr(route, "methods", None) or set()):
                sample = re.sub(r"\{[^}:]+:uuid\}", "9b4a2c1e-0000-4000-8000-000000000001", route.path)
                paths.add(re.sub(r"\{[^}]+\}", "x", sample))
    return sorted(path for path in paths if not NO_HELP.match(path))


def _flattened(entry: Any) -> list[Any]:
    """A route, or the routes of a router included in another one (with their full paths)."""
    contexts = getattr(entry, "effective_route_contexts", None)
    return list(contexts()) if contexts is not None else [entry]


@pytest.mark.req("N25", partial=True)
def test_every_page_has_a_help_text_shipped_with_the_gateway() -> None:
    texts = help_texts.Texts(help_texts.MemoryTexts())
    paths = page_paths()
    assert {"/requests", "/board", "/documents/batches", "/admin/users", "/masters/x"} <= set(paths)
    missing = [path for path in paths if texts.page_help(path) is None]
    assert missing == []
    for slug in help_texts.PAGES:
        assert len(help_texts.shipped(slug).strip()) > 20, slug
    board = texts.page_help("/board/sessions/9b4a2c1e-0000-4000-8000-000000000001")
    assert board is not None and board[0] == "board" and "Enter で保存すると次の未決定の案件" in board[1]
    assert texts.page_help("/requests/new") is not None and texts.page_help("/documents/screening-days") is not None
