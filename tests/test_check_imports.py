"""scripts/check_imports.py on small synthetic workspaces: each named rule catches what it names, and no more."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_checker() -> ModuleType:
    """scripts/check_imports.py as a module."""
    spec = importlib.util.spec_from_file_location("tbms_check_imports", ROOT / "scripts" / "check_imports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


checker = load_checker()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A workspace with services `alpha`, `beta` and `gateway`, libs tbms_core and tbms_testing, and the tools."""
    for service in ("alpha", "beta", "gateway"):
        write(tmp_path, f"services/{service}/pyproject.toml", "")
        write(tmp_path, f"services/{service}/src/{service}/__init__.py", "")
    for lib, package in (("tbms-core", "tbms_core"), ("tbms-testing", "tbms_testing")):
        write(tmp_path, f"libs/{lib}/src/{package}/__init__.py", "")
    write(tmp_path, "tools/src/tbms_tools/__init__.py", "")
    return tmp_path


def write(root: Path, path: str, text: str) -> None:
    """Writes one file of the synthetic workspace."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def found(root: Path, rule: str) -> list[str]:
    """The violations of one rule."""
    return checker.violations(root)[rule]


class TestServiceBoundaries:
    def test_a_service_importing_another_is_caught_also_through_import_module(self, tree: Path) -> None:
        write(tree, "services/alpha/src/alpha/a.py", "import beta.models\n")
        write(tree, "services/alpha/src/alpha/b.py", "import importlib\nimportlib.import_module('beta.x')\n")
        write(tree, "services/alpha/src/alpha/c.py", "import importlib\nimportlib.import_module(f'{name}.settings')\n")
        write(tree, "services/alpha/migrations/env.py", "from alpha.models import Base\n")
        assert found(tree, "service-imports-service") == [
            "services/alpha/src/alpha/a.py: imports service 'beta'",
            "services/alpha/src/alpha/b.py: imports service 'beta'",
        ]

    def test_libs_import_neither_services_nor_tools(self, tree: Path) -> None:
        write(tree, "libs/tbms-testing/src/tbms_testing/stack.py", "from tbms_tools.stack import ensure_up\n")
        write(tree, "libs/tbms-core/src/tbms_core/app.py", "from alpha import main\n")
        assert found(tree, "lib-imports-tools") == ["libs/tbms-testing/src/tbms_testing/stack.py: imports tbms_tools"]
        assert found(tree, "lib-imports-service") == ["libs/tbms-core/src/tbms_core/app.py: imports service 'alpha'"]


class TestTestsToolsAndBench:
    def test_service_tests_import_their_own_service_only(self, tree: Path) -> None:
        write(tree, "services/alpha/tests/test_a.py", "from alpha.main import create_app\nimport tbms_testing\n")
        write(tree, "services/alpha/tests/test_b.py", "from beta.main import create_app\n")
        write(tree, "libs/tbms-core/tests/test_c.py", "import alpha\n")
        write(tree, "tests/system/test_d.py", "from beta import settings\nfrom tbms_tools import config\n")
        assert found(tree, "test-imports-service") == [
            "services/alpha/tests/test_b.py: imports service 'beta'",
            "libs/tbms-core/tests/test_c.py: imports service 'alpha'",
            "tests/system/test_d.py: imports service 'beta'",
        ]

    def test_tests_of_services_and_libs_reach_the_stack_through_tbms_testing(self, tree: Path) -> None:
        write(tree, "services/alpha/tests/conftest.py", "from tbms_tools.stack import ensure_up\n")
        write(tree, "libs/tbms-core/tests/test_relay.py", "import tbms_tools.stack\n")
        write(tree, "tools/tests/test_stack.py", "from tbms_tools import stack\n")
        assert found(tree, "test-imports-tools") == [
            "services/alpha/tests/conftest.py: imports tbms_tools.stack.ensure_up",
            "libs/tbms-core/tests/test_relay.py: imports tbms_tools.stack",
        ]

    def test_tools_call_services_over_http(self, tree: Path) -> None:
        write(tree, "tools/src/tbms_tools/demo.py", "import httpx\nimport tbms_core\n")
        write(tree, "tools/src/tbms_tools/reindex.py", "from beta.service import rebuild\n")
        assert found(tree, "tools-import-service") == ["tools/src/tbms_tools/reindex.py: imports service 'beta'"]

    def test_a_bench_script_measures_one_service_without_the_tools(self, tree: Path) -> None:
        write(tree, "bench/one.py", "from alpha.engine import Engine\nimport tbms_testing\n")
        write(tree, "bench/two.py", "import alpha\nimport beta\n")
        write(tree, "bench/tools.py", "from tbms_tools import config\n")
        assert found(tree, "bench-imports") == [
            "bench/tools.py: imports tbms_tools",
            "bench/two.py: imports several services: alpha, beta",
        ]


class TestLayers:
    def test_an_api_never_imports_a_repository_or_models(self, tree: Path) -> None:
        allowed = (
            "from alpha.thing.service import ThingService\nfrom alpha.thing import schemas\n"
            "from alpha.thing.errors import ThingNotFound\nfrom alpha.deps import SessionDep\nimport fastapi\n"
        )
        write(tree, "services/alpha/src/alpha/thing/api.py", allowed + "from .repository import ThingRepository\n")
        write(tree, "services/alpha/src/alpha/other/api.py", "from alpha.thing.schemas import ThingRead\n")
        write(tree, "services/alpha/src/alpha/third/api.py", "from alpha.thing.models import Thing\n")
        assert found(tree, "api-layer") == [
            "services/alpha/src/alpha/thing/api.py: imports alpha.thing.repository.ThingRepository",
            "services/alpha/src/alpha/third/api.py: imports alpha.thing.models.Thing",
        ]

    def test_a_service_never_imports_an_api_and_a_repository_neither_a_service_nor_an_api(self, tree: Path) -> None:
        write(tree, "services/alpha/src/alpha/thing/service.py", "from .repository import R\nfrom .api import router\n")
        write(tree, "services/alpha/src/alpha/thing/repository.py", "from .models import T\nfrom . import service\n")
        assert found(tree, "service-layer") == [
            "services/alpha/src/alpha/thing/service.py: imports alpha.thing.api.router"
        ]
        assert found(tree, "repository-layer") == [
            "services/alpha/src/alpha/thing/repository.py: imports alpha.thing.service"
        ]

    def test_only_main_imports_an_api(self, tree: Path) -> None:
        write(tree, "services/alpha/src/alpha/main.py", "from alpha.thing.api import router\n")
        write(tree, "services/alpha/src/alpha/export/columns.py", "from alpha.thing.api import CODES\n")
        write(tree, "services/alpha/tests/test_api.py", "from alpha.thing import api\n")
        assert found(tree, "api-only-from-main") == [
            "services/alpha/src/alpha/export/columns.py: imports alpha.thing.api.CODES",
            "services/alpha/tests/test_api.py: imports alpha.thing.api",
        ]

    def test_queries_are_built_only_in_repositories_models_migrations_tests_tbms_core_and_tools(
        self, tree: Path
    ) -> None:
        query = "from sqlalchemy import Column, select\n"
        for path in (
            "services/alpha/src/alpha/thing/repository.py",
            "services/alpha/src/alpha/thing/models.py",
            "services/alpha/migrations/versions/0001.py",
            "services/alpha/tests/test_thing.py",
            "libs/tbms-core/src/tbms_core/relay.py",
            "tools/src/tbms_tools/audit.py",
        ):
            write(tree, path, query)
        write(tree, "services/alpha/src/alpha/thing/service.py", query)
        write(tree, "services/alpha/src/alpha/main.py", "import sqlalchemy as sa\nsa.text('select 1')\n")
        write(tree, "services/alpha/src/alpha/relay.py", "from sqlalchemy.dialects.postgresql import insert\n")
        write(tree, "libs/tbms-testing/src/tbms_testing/db.py", "from sqlalchemy import func\n")
        assert found(tree, "queries-outside-repository") == [
            "services/alpha/src/alpha/main.py: uses sqlalchemy text",
            "services/alpha/src/alpha/relay.py: uses sqlalchemy insert",
            "services/alpha/src/alpha/thing/service.py: uses sqlalchemy select",
            "libs/tbms-testing/src/tbms_testing/db.py: uses sqlalchemy func",
        ]


class TestGateway:
    def test_a_page_family_imports_no_other_family(self, tree: Path) -> None:
        pages = "services/gateway/src/gateway/pages"
        write(tree, f"{pages}/contacts/routes.py", "from gateway.pages.contacts import view\nfrom gateway import web\n")
        write(tree, f"{pages}/contacts/view.py", "from gateway.pages.patients.view import header\n")
        write(tree, f"{pages}/contacts/entry_forms.py", "from ..patients import entry_forms\n")
        assert found(tree, "gateway-page-families") == [
            "services/gateway/src/gateway/pages/contacts/entry_forms.py: imports gateway.pages.patients.entry_forms",
            "services/gateway/src/gateway/pages/contacts/view.py: imports gateway.pages.patients.view.header",
        ]

    def test_web_forms_and_clients_never_import_pages(self, tree: Path) -> None:
        write(tree, "services/gateway/src/gateway/web/render.py", "from gateway.pages.patients.view import x\n")
        write(tree, "services/gateway/src/gateway/forms.py", "import gateway.pages\n")
        write(tree, "services/gateway/src/gateway/clients/__init__.py", "from gateway.web import render\n")
        assert found(tree, "gateway-shared-below-pages") == [
            "services/gateway/src/gateway/forms.py: imports gateway.pages",
            "services/gateway/src/gateway/web/render.py: imports gateway.pages.patients.view.x",
        ]


class TestExitStatus:
    def test_a_pending_rule_reports_without_failing_unless_strict(
        self, tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        write(tree, "services/alpha/src/alpha/thing/service.py", "from sqlalchemy import select\n")
        monkeypatch.setattr(checker, "PENDING", {"queries-outside-repository"})
        assert checker.main(["--root", str(tree)]) == 0
        assert (
            "pending queries-outside-repository: services/alpha/src/alpha/thing/service.py" in capsys.readouterr().out
        )
        assert checker.main(["--root", str(tree), "--strict"]) == 1

    def test_a_rule_that_is_not_pending_fails(self, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        write(tree, "services/alpha/src/alpha/a.py", "import beta\n")
        monkeypatch.setattr(checker, "PENDING", set())
        assert checker.main(["--root", str(tree)]) == 1

    def test_the_workspace_keeps_every_rule_that_is_not_pending(self) -> None:
        broken = {rule: lines for rule, lines in checker.violations(ROOT).items() if lines}
        assert set(broken) <= checker.PENDING, broken
        assert set(checker.PENDING) <= set(checker.RULES) == set(checker.CHECKS)
