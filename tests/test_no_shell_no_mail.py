"""OS command injection and mail header injection (IPA 安全なウェブサイトの作り方 1.2, 1.7) cannot arise (N09).

No program of the project starts a shell: every external program (ClamAV, pg_dump, pgBackRest …) is run with an
argument list, so no input ever reaches a command line a shell parses. And no program sends mail, so no input
can reach a mail header. These tests read every module of the services, libraries and tools and fail when
either stops being true, so that the case gets its own check the day it appears.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = [REPO / "services", REPO / "libs", REPO / "tools" / "src"]
SHELL_CALLS = {"system", "popen", "create_subprocess_shell", "getoutput", "getstatusoutput"}
PROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output", "create_subprocess_exec"}
MAIL_MODULES = {"smtplib", "aiosmtplib", "sendgrid", "fastapi_mail"}  # senders; `email` only parses


def modules() -> Iterator[tuple[Path, ast.Module]]:
    """Every Python module of the project's own code (not its tests, nor tbms-testing, the tests' own library, never
    deployed: its browser driver's `run()` executes JavaScript in Chromium), parsed."""
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if "tests" in path.parts or ".venv" in path.parts or "tbms-testing" in path.parts:
                continue
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def name_of(call: ast.Call) -> str:
    """The called function's last name (`subprocess.run` → `run`)."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def shell_uses(tree: ast.Module) -> list[str]:
    """Calls that start a shell or pass a whole command line as one string."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = name_of(node)
        if name in SHELL_CALLS:
            found.append(f"line {node.lineno}: {name}()")
        if name in PROCESS_CALLS:
            if any(
                k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                for k in node.keywords
            ):
                found.append(f"line {node.lineno}: {name}(shell=…)")
            first = node.args[0] if node.args else None
            if isinstance(first, ast.JoinedStr | ast.BinOp) or (
                isinstance(first, ast.Constant) and isinstance(first.value, str) and " " in first.value
            ):
                found.append(f"line {node.lineno}: {name}() with a command line in one string")
    return found


def mail_imports(tree: ast.Module) -> list[str]:
    """Imports of a mail-sending module."""
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [
            f"line {node.lineno}: {n}" for n in names if any(n == m or n.startswith(m + ".") for m in MAIL_MODULES)
        ]
    return found


@pytest.mark.req("N09", partial=True)
def test_no_program_starts_a_shell_or_passes_a_command_line_as_a_string() -> None:
    offenders = {str(path.relative_to(REPO)): uses for path, tree in modules() if (uses := shell_uses(tree))}
    assert not offenders, f"run external programs with an argument list, never through a shell: {offenders}"


@pytest.mark.req("N09", partial=True)
def test_no_program_sends_mail_so_no_input_reaches_a_mail_header() -> None:
    offenders = {str(path.relative_to(REPO)): uses for path, tree in modules() if (uses := mail_imports(tree))}
    assert not offenders, f"mail sending appeared: give its headers a test against CR/LF injection: {offenders}"


def test_the_checks_find_what_they_look_for() -> None:
    planted = ast.parse(
        "import subprocess, os, smtplib\n"
        "subprocess.run(f'clamscan {name}', shell=True)\n"
        "os.system('rm -rf ' + path)\n"
        "subprocess.run(['clamscan', '--', name])\n"
    )
    assert len(shell_uses(planted)) == 3  # shell=True, the f-string command line, os.system; the list is fine
    assert mail_imports(planted) == ["line 1: smtplib"]
