"""Import rules of the workspace: service boundaries (DESIGN §2), the layers of a domain module and the
gateway's page families (STYLE.md). Each rule is named; rules in PENDING are reported but do not fail."""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RULES: dict[str, str] = {
    "service-imports-service": "a service's code imports another service: services share only the libs",
    "lib-imports-service": "a lib imports a service",
    "lib-imports-tools": "a lib imports the tools (tbms_tools)",
    "test-imports-service": "tests import a service other than their own (tests of libs, tools and the system: none)",
    "test-imports-tools": "tests of a service or a lib import the tools instead of reaching the stack via tbms_testing",
    "tools-import-service": "the tools import a service instead of calling it over HTTP",
    "bench-imports": "a bench script imports the tools, or more than the one service it measures",
    "api-layer": "an api.py reaches past the service layer: it imports a repository or a models module",
    "service-layer": "a service.py imports an api or main",
    "repository-layer": "a repository.py imports a service or an api",
    "api-only-from-main": "an api module is imported by something other than its service's main.py",
    "queries-outside-repository": "a SQLAlchemy query builder (select, insert, update, delete, func, text) is used "
    "outside repository.py, models.py, migrations, tests, tbms_core and the tools",
    "gateway-page-families": "a module of one gateway page family imports another family",
    "gateway-shared-below-pages": "gateway.web, gateway.forms or gateway.clients import gateway.pages",
}

# Rules reported but not failing yet (a new rule starts here while the code is brought in line); none today.
PENDING: set[str] = set()

# A test that proves how a service behaves under one of the tools, named with the reason.
TESTS_DRIVING_TOOLS = {
    # the reindex tool pages through patients while a change lands between its read and its post (search's race fix)
    "services/search/tests/indexing/test_api.py",
}

QUERY_BUILDERS = frozenset({"select", "insert", "update", "delete", "func", "text"})
QUERY_MODULES = frozenset(
    {"sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression", "sqlalchemy.future", "sqlalchemy.dialects.postgresql"}
)
API_MUST_NOT_IMPORT = frozenset({"repository", "models"})
GATEWAY_SHARED = ("gateway.web", "gateway.forms", "gateway.clients")


@dataclass(frozen=True)
class Layout:
    """The services and lib packages of a workspace."""

    services: frozenset[str]
    libs: dict[str, str]  # lib folder -> its import package

    @classmethod
    def of(cls, root: Path) -> Layout:
        """Reads the workspace: services/<name>/pyproject.toml, libs/<lib>/src/<package>/."""
        services = frozenset(p.name for p in (root / "services").glob("*") if (p / "pyproject.toml").exists())
        libs = {
            lib.name: package.name
            for lib in (root / "libs").glob("*")
            for package in (lib / "src").glob("*")
            if (package / "__init__.py").exists()
        }
        return cls(services, libs)


@dataclass(frozen=True)
class Source:
    """One Python file: where it lives, its module name (under a src folder) and what it imports and queries."""

    path: Path  # relative to the workspace root
    kind: str  # service, lib, tools, bench, tests
    owner: str  # the service's or the lib's import package; "" for tools, bench and tests
    part: str  # src, tests, migrations, scripts …; "" for bench and the root tests
    module: str  # dotted name of a file under a src folder, else ""
    imports: tuple[str, ...]  # absolute targets: modules, or module.name for `from module import name`
    queries: tuple[str, ...]  # SQLAlchemy query builders it imports or uses

    @property
    def roots(self) -> set[str]:
        """The top-level packages it imports."""
        return {target.split(".")[0] for target in self.imports}

    @property
    def role(self) -> str:
        """The file's place in its domain module (api, service, repository, models …)."""
        return self.path.stem

    @property
    def package(self) -> str:
        """The package the file belongs to (its domain module), for files under a src folder."""
        return self.module if self.path.name == "__init__.py" else self.module.rpartition(".")[0]

    @property
    def is_test(self) -> bool:
        """True for tests and their conftest files."""
        return self.kind == "tests" or self.part == "tests" or self.path.name.startswith(("test_", "conftest"))


def place(path: Path, layout: Layout) -> tuple[str, str, str, str]:
    """kind, owner, part and module name of a file, from where it lives."""
    parts = path.parts
    kind = {"services": "service", "libs": "lib", "tools": "tools", "bench": "bench", "tests": "tests"}[parts[0]]
    owner = parts[1] if kind == "service" else layout.libs.get(parts[1], parts[1]) if kind == "lib" else ""
    part = parts[2] if kind in ("service", "lib") else parts[1] if kind == "tools" else ""
    module = ""
    if part == "src":
        below = parts[3:] if kind in ("service", "lib") else parts[2:]
        names = [*below[:-1], Path(below[-1]).stem]
        module = ".".join(names[:-1] if names[-1] == "__init__" else names)
    return kind, owner, part, module


def _literal_import(node: ast.Call) -> str | None:
    """The module of `importlib.import_module("…")`, `import_module("…")` or `__import__("…")` with a literal."""
    func = node.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("import_module", "__import__")
    )
    if named and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value if not node.args[0].value.startswith(".") else None
    return None


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    """The absolute module of a `from … import`, resolving relative ones against the file's package."""
    if node.level == 0:
        return node.module
    if not package:
        return None
    base = package.split(".")
    if node.level - 1 >= len(base):
        return None
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def scan(tree: ast.AST, package: str) -> tuple[list[str], list[str]]:
    """The import targets and the SQLAlchemy query builders of a parsed file."""
    imports: list[str] = []
    queries: list[str] = []
    aliases: set[str] = set()  # names bound to the sqlalchemy package itself
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imports.append(alias.name)
                if alias.name == "sqlalchemy":
                    aliases.add(alias.asname or "sqlalchemy")
        elif isinstance(node, ast.ImportFrom) and (module := _absolute(node, package)):
            imports += [f"{module}.{alias.name}" if alias.name != "*" else module for alias in node.names]
            if module in QUERY_MODULES:
                queries += [alias.name for alias in node.names if alias.name in QUERY_BUILDERS]
        elif isinstance(node, ast.Call) and (target := _literal_import(node)):
            imports.append(target)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            if node.attr in QUERY_BUILDERS:
                queries.append(node.attr)
    return imports, queries


def sources(root: Path, layout: Layout) -> Iterator[Source]:
    """Every Python file of the services, libs, tools, bench and the root tests."""
    for top in ("services", "libs", "tools", "bench", "tests"):
        for path in sorted((root / top).rglob("*.py")):
            relative = path.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            kind, owner, part, module = place(relative, layout)
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            imports, queries = scan(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), package)
            yield Source(relative, kind, owner, part, module, tuple(imports), tuple(queries))


def _inside(target: str, prefix: str) -> bool:
    """True when target is the module prefix or something inside it."""
    return target == prefix or target.startswith(prefix + ".")


def service_imports_service(src: Source, layout: Layout) -> Iterator[str]:
    """A service's code (not its tests) imports another service."""
    if src.kind == "service" and not src.is_test:
        yield from (f"imports service '{name}'" for name in sorted(src.roots & layout.services - {src.owner}))


def lib_imports_service(src: Source, layout: Layout) -> Iterator[str]:
    """A lib's code imports a service."""
    if src.kind == "lib" and not src.is_test:
        yield from (f"imports service '{name}'" for name in sorted(src.roots & layout.services))


def lib_imports_tools(src: Source, layout: Layout) -> Iterator[str]:
    """A lib's code imports tbms_tools."""
    if src.kind == "lib" and not src.is_test and "tbms_tools" in src.roots:
        yield "imports tbms_tools"


def test_imports_service(src: Source, layout: Layout) -> Iterator[str]:
    """Tests import a service other than the one they test."""
    if src.is_test and src.kind != "tools":
        own = {src.owner} if src.kind == "service" else set()
        yield from (f"imports service '{name}'" for name in sorted(src.roots & layout.services - own))


def test_imports_tools(src: Source, layout: Layout) -> Iterator[str]:
    """Tests of a service or a lib import tbms_tools."""
    if src.is_test and src.kind in ("service", "lib") and src.path.as_posix() not in TESTS_DRIVING_TOOLS:
        yield from (f"imports {target}" for target in src.imports if _inside(target.split(".")[0], "tbms_tools"))


def tools_import_service(src: Source, layout: Layout) -> Iterator[str]:
    """The tools or their tests import a service."""
    if src.kind == "tools":
        yield from (f"imports service '{name}'" for name in sorted(src.roots & layout.services))


def bench_imports(src: Source, layout: Layout) -> Iterator[str]:
    """A bench script imports tbms_tools or several services."""
    if src.kind != "bench":
        return
    if "tbms_tools" in src.roots:
        yield "imports tbms_tools"
    if len(services := sorted(src.roots & layout.services)) > 1:
        yield f"imports several services: {', '.join(services)}"


def _own(src: Source, layout: Layout) -> list[str]:
    """The targets inside the file's own service."""
    return [target for target in src.imports if target.split(".")[0] == src.owner]


def api_layer(src: Source, layout: Layout) -> Iterator[str]:
    """An api.py imports a repository or a models module: endpoints go through a service (api → service → repository).

    Schemas, code lists and errors of any module of the service are fine: they describe what the endpoint takes.
    """
    if src.kind == "service" and src.part == "src" and src.role == "api":
        for target in _own(src, layout):
            if set(target.split(".")[1:]) & API_MUST_NOT_IMPORT:
                yield f"imports {target}"


def service_layer(src: Source, layout: Layout) -> Iterator[str]:
    """A service.py imports an api module or main."""
    if src.kind == "service" and src.part == "src" and src.role == "service":
        for target in _own(src, layout):
            if "api" in target.split(".")[1:] or _inside(target, f"{src.owner}.main"):
                yield f"imports {target}"


def repository_layer(src: Source, layout: Layout) -> Iterator[str]:
    """A repository.py imports a service or an api module."""
    if src.kind == "service" and src.part == "src" and src.role == "repository":
        for target in _own(src, layout):
            if {"api", "service"} & set(target.split(".")[1:]):
                yield f"imports {target}"


def api_only_from_main(src: Source, layout: Layout) -> Iterator[str]:
    """Anything but a service's main.py imports one of its api modules."""
    for target in src.imports:
        service = target.split(".")[0]
        if service in layout.services and "api" in target.split(".")[1:] and src.module != f"{service}.main":
            yield f"imports {target}"


def queries_outside_repository(src: Source, layout: Layout) -> Iterator[str]:
    """A SQLAlchemy query builder is imported or used where queries do not belong."""
    exempt = (
        src.path.name in ("repository.py", "models.py")
        or "migrations" in src.path.parts
        or src.is_test
        or src.kind == "tools"
        or (src.kind == "lib" and src.owner == "tbms_core")
    )
    if not exempt:
        yield from (f"uses sqlalchemy {name}" for name in dict.fromkeys(src.queries))


def _family(module: str) -> str | None:
    """The page family of a gateway module (`gateway.pages.<family>…`), if it is in one."""
    parts = module.split(".")
    return parts[2] if len(parts) >= 3 and parts[:2] == ["gateway", "pages"] else None


def gateway_page_families(src: Source, layout: Layout) -> Iterator[str]:
    """A module of one gateway page family imports another family."""
    if src.owner == "gateway" and src.part == "src" and (family := _family(src.module)):
        for target in src.imports:
            if _inside(target, "gateway.pages") and _family(target) != family:
                yield f"imports {target}"


def gateway_shared_below_pages(src: Source, layout: Layout) -> Iterator[str]:
    """gateway.web, gateway.forms or gateway.clients import gateway.pages."""
    if src.owner == "gateway" and src.part == "src" and any(_inside(src.module, m) for m in GATEWAY_SHARED):
        yield from (f"imports {target}" for target in src.imports if _inside(target, "gateway.pages"))


CHECKS: dict[str, Callable[[Source, Layout], Iterator[str]]] = {
    "service-imports-service": service_imports_service,
    "lib-imports-service": lib_imports_service,
    "lib-imports-tools": lib_imports_tools,
    "test-imports-service": test_imports_service,
    "test-imports-tools": test_imports_tools,
    "tools-import-service": tools_import_service,
    "bench-imports": bench_imports,
    "api-layer": api_layer,
    "service-layer": service_layer,
    "repository-layer": repository_layer,
    "api-only-from-main": api_only_from_main,
    "queries-outside-repository": queries_outside_repository,
    "gateway-page-families": gateway_page_families,
    "gateway-shared-below-pages": gateway_shared_below_pages,
}


def violations(root: Path) -> dict[str, list[str]]:
    """Every rule's violations in the workspace at root, as `path: message` lines."""
    layout = Layout.of(root)
    found: dict[str, list[str]] = {rule: [] for rule in CHECKS}
    for src in sources(root, layout):
        for rule, check in CHECKS.items():
            found[rule] += [f"{src.path}: {message}" for message in dict.fromkeys(check(src, layout))]
    return found


def main(argv: list[str] | None = None) -> int:
    """Prints each rule's violations; exits non-zero when a rule that is not pending has any."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strict", action="store_true", help="pending rules fail too")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    found = violations(args.root)
    failing = []
    for rule, lines in found.items():
        pending = rule in PENDING and not args.strict
        for line in lines:
            print(f"{'pending ' if pending else ''}{rule}: {line}")
        if lines and not pending:
            failing.append(rule)
    counts = ", ".join(f"{rule} {len(found[rule])}" for rule in CHECKS if found[rule]) or "none"
    print(f"import rules: {len(CHECKS)} checked, {len(failing)} failing; violations: {counts}")
    if PENDING and not args.strict:
        print(f"pending (reported, not failing): {', '.join(sorted(PENDING))}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
