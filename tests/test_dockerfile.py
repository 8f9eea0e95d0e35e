"""Static checks of the one Dockerfile the seven tbms services are built from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKER_DIR = ROOT / "deploy" / "docker"


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (keyword, arguments), continuation lines joined."""
    text = (DOCKER_DIR / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    found: list[tuple[str, str]] = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        keyword, _, arguments = stripped.partition(" ")
        found.append((keyword.upper(), " ".join(arguments.split())))
    return found


def _arguments(keyword: str) -> list[str]:
    """The arguments of every instruction with the given keyword."""
    return [arguments for found, arguments in _instructions() if found == keyword]


def test_service_build_argument() -> None:
    """The image is parameterised by the build argument SERVICE."""
    assert any(re.fullmatch(r"SERVICE(=.*)?", arguments) for arguments in _arguments("ARG"))


def test_installs_the_locked_workspace_member() -> None:
    """Dependencies come from uv.lock exactly: uv sync --frozen --no-dev for the one service package."""
    sync = [arguments for arguments in _arguments("RUN") if "uv sync" in arguments]
    assert sync, "no uv sync"
    for flag in ("--frozen", "--no-dev", "--package"):
        assert flag in sync[0], flag
    assert any("ghcr.io/astral-sh/uv:" in arguments for arguments in _arguments("FROM"))


def test_slim_python_runtime() -> None:
    """Build and runtime stages use the slim Python 3.11 image."""
    assert any(re.search(r"PYTHON_IMAGE=python:3\.11-slim", arguments) for arguments in _arguments("ARG"))
    assert _arguments("FROM")[-1].startswith("${PYTHON_IMAGE}")


def test_reports_gets_weasyprint_libraries_and_japanese_fonts() -> None:
    """The PDF renderer's Debian libraries and Noto CJK fonts are installed for reports."""
    installs = " ".join(_arguments("RUN"))
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"):
        assert package in installs, package


def test_runs_as_non_root_user() -> None:
    """The final stage switches to an unprivileged user."""
    users = _arguments("USER")
    assert users, "no USER"
    assert users[-1].split(":")[0] not in {"root", "0"}


@pytest.mark.req("N07", partial=True)
def test_healthcheck_on_health_live() -> None:
    """Docker checks the service through /health/live."""
    assert _arguments("HEALTHCHECK"), "no HEALTHCHECK"
    entrypoint = (DOCKER_DIR / "entrypoint.sh").read_text(encoding="utf-8")
    assert "/health/live" in entrypoint


def test_entrypoint_migrates_then_serves() -> None:
    """The entrypoint runs alembic upgrade head before uvicorn starts the app factory."""
    assert any("tbms-entrypoint" in arguments for arguments in _arguments("ENTRYPOINT"))
    entrypoint = (DOCKER_DIR / "entrypoint.sh").read_text(encoding="utf-8")
    assert "alembic -c alembic.ini upgrade head" in entrypoint
    serve = entrypoint[entrypoint.index("  serve)") :]
    serve = serve[: serve.index(";;")]
    assert re.search(r"^\s+migrate$", serve, re.MULTILINE), "serve does not migrate"
    assert serve.index("migrate") < serve.index('exec uvicorn "$service.main:create_app" --factory')


def test_build_context_leaves_out_secrets_and_local_state() -> None:
    """The Dockerfile's ignore file keeps .env, .git and the local virtualenv out of the image."""
    ignored = (DOCKER_DIR / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("**/.env", "**/.git", "**/.venv"):
        assert pattern in ignored, pattern
