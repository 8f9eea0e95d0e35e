"""The health center's 外字 policy (N26) for the input forms: what a typed name becomes in forms, CSV and NESID.

Every form with a name or address the outputs carry checks it the same way (fields marked `chars`): while typing
(GET /text-check beside the field), and when posted: a text the policy refuses comes back beside its field with
the reason and nothing is saved; one it accepts (warn, or substitute with a registered 代替文字) is saved, the
report staying beside the field as long as the form is shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from tbms_core.jp.gaiji import CharReport, GaijiPolicy, check_text, load_policy
from tbms_core.jp.text import normalize_input

from gateway.clients.masters import MastersClient
from gateway.forms.entry import EntryForm


def gaiji_policy(request: Request, registered: Mapping[str, str] | None = None) -> GaijiPolicy:
    """The policy of the settings gaiji_mode and gaiji_substitutes_file (a JSON {"character": "substitute"}), with
    the 外字 master's registered substitutes (`registered`) laid over the file's."""
    settings = request.app.state.settings
    return load_policy(settings.gaiji_mode, settings.gaiji_substitutes_file, registered)


async def master_policy(request: Request, masters: MastersClient) -> GaijiPolicy:
    """The policy with the substitutes masters' 外字 master has in force today (the settings' table alone while
    masters cannot be reached)."""
    return gaiji_policy(request, await masters.gaiji_substitutes())


def char_report(typed: str, policy: GaijiPolicy) -> CharReport:
    """What the outputs make of a typed text, normalised as it will be saved."""
    return check_text(normalize_input(typed), policy)


def check_chars(form: EntryForm, policy: GaijiPolicy) -> dict[str, str]:
    """Puts the 外字 report of each filled `chars` field beside it (form.chars) and answers the messages of those
    the policy refuses, by field name (nothing is placed in form.errors: the caller decides)."""
    refused: dict[str, str] = {}
    for f in form.fields:
        typed = form.value(f.name)
        if not f.chars or not typed.strip():
            continue
        report = char_report(typed, policy)
        if report.ok:
            continue
        form.chars[f.name] = report
        if report.refused:
            refused[f.name] = report.message
    return refused


def accepted_note(form: EntryForm) -> str:
    """What a saved form's 外字 mean for the outputs, for the message after the save ("" when none)."""
    notes = [f"{f.label}: {report.message}" for f in form.fields if (report := form.chars.get(f.name))]
    return " ".join(notes)
