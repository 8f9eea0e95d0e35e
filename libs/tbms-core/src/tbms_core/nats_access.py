"""Who may do what on NATS: one user per service, publishing only its own subjects, reading only what it consumes.

A compromised service must not be able to forge another service's events or audit records, nor read streams it
has no business with (issue: NATS without authentication). The permissions follow from two facts per service:
the stream it owns (`tbms.<service>.>`, its audit records under `tbms.audit.<service>.>`, its parked events under
`tbms.parked.<service>.>`) and the streams it consumes. `create_service_app` refuses a consumer on a stream not
listed here, so the table cannot fall behind the code.

The same table renders the `authorization` block of the NATS server: the local stack's (passwords local-only)
and deploy/nats/nats.conf (passwords from the server's environment), whose committed text a test compares.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from faststream.security import BaseSecurity

from tbms_core.events import PARKED_STREAM

# Streams each service consumes (JetStream pull consumers); its own stream is always its own.
CONSUMES: dict[str, tuple[str, ...]] = {
    "patients": ("MASTERS",),
    "contacts": ("PATIENTS", "MASTERS"),
    "reports": ("PATIENTS", "CONTACTS", "MASTERS", "WORKFLOW"),
    "search": ("PATIENTS", "CONTACTS", "MASTERS"),  # MASTERS: the 外字 master names are folded with (N26)
    # identity: the audit records it chains; who is assigned to whom, for the unusual-access analysis (N21)
    "identity": ("AUDIT", "PATIENTS", "CONTACTS", "MASTERS", "WORKFLOW"),
    "masters": (),
    "workflow": ("PATIENTS", "CONTACTS"),
}
SERVICES = tuple(CONSUMES)
AUDIT_STREAM = "AUDIT"


def own_stream(service: str) -> str:
    """The stream that holds a service's domain events (`tbms.<service>.>`)."""
    return service.upper()


def owned_streams(service: str) -> tuple[str, ...]:
    """The streams whose settings a service keeps: its own, and for identity the audit records it chains."""
    return (own_stream(service), AUDIT_STREAM) if service == "identity" else (own_stream(service),)


def inbox_prefix(service: str) -> str:
    """The reply subjects of a service's connections: its own, so no service can read another's replies."""
    return f"_INBOX_{service}"


def pull_inbox_prefix(service: str) -> bytes:
    """The reply subjects of a service's pull consumers (FastStream gives each its own, default `_INBOX.`):
    under the service's own prefix, the only inbox its NATS user may subscribe to."""
    return f"{inbox_prefix(service)}.".encode() if service in CONSUMES else b"_INBOX."


def servers(url: str) -> list[str]:
    """The servers of a NATS URL setting: one URL, or a cluster's nodes separated by commas (a client connects to
    any of them and moves to another when its node fails)."""
    return [part.strip() for part in url.split(",") if part.strip()]


def connect_options(service: str, ca_file: str = "") -> dict[str, Any]:
    """Keyword arguments for `nats.connect` / `NatsBroker` of a service: its own reply subjects (a name outside
    the table: the default ones) and, with `ca_file`, TLS verifying the server against the internal CA."""
    options: dict[str, Any] = {"name": f"tbms-{service}"}  # shown by the server's /connz, in its logs
    if service in CONSUMES:
        options["inbox_prefix"] = inbox_prefix(service)
    if ca_file:
        options["tls"] = ssl.create_default_context(cafile=ca_file)
    return options


def broker_options(service: str, ca_file: str = "") -> dict[str, Any]:
    """The same for FastStream's `NatsBroker`, which takes TLS as its `security`."""
    options = connect_options(service, ca_file)
    if "tls" in options:
        options["security"] = BaseSecurity(ssl_context=options.pop("tls"))
    return options


def streams_of(service: str) -> tuple[str, ...]:
    """Every stream a service touches: its own, the audit records, those it consumes and the parked events."""
    return tuple(dict.fromkeys((own_stream(service), AUDIT_STREAM, *CONSUMES[service], PARKED_STREAM)))


def publish_subjects(service: str) -> list[str]:
    """Subjects a service may publish to: its events, its audit and parked records, and the JetStream API calls
    for its own streams and the consumers it reads with."""
    consumed = CONSUMES[service]
    subjects = [f"tbms.{service}.>", f"tbms.audit.{service}.>", f"tbms.parked.{service}.>", "$JS.API.INFO"]
    for stream in streams_of(service):
        subjects += [f"$JS.API.STREAM.CREATE.{stream}", f"$JS.API.STREAM.INFO.{stream}"]
    for stream in (*owned_streams(service), PARKED_STREAM):
        subjects.append(f"$JS.API.STREAM.UPDATE.{stream}")
    for stream in consumed:
        subjects += [
            f"$JS.API.CONSUMER.CREATE.{stream}",
            f"$JS.API.CONSUMER.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.INFO.{stream}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.>",
            f"$JS.ACK.{stream}.>",
        ]
    return subjects


def subscribe_subjects(service: str) -> list[str]:
    """Subjects a service may subscribe to: its own replies only (JetStream delivers pulled messages there)."""
    return [f"{inbox_prefix(service)}.>"]


def password_variable(service: str) -> str:
    """The environment variable the production NATS server reads a service's password from."""
    return f"NATS_{service.upper()}_PASSWORD"


def authorization_block(passwords: Mapping[str, str] | None = None, *, no_auth_user: str | None = None) -> str:
    """The `authorization { users = [...] }` block of nats.conf: one user per service with its permissions.

    With `passwords` (local stack) the values are written in; without, each is the server's environment variable
    (`$NATS_PATIENTS_PASSWORD`, ...). `no_auth_user` (local only) names a user with every permission that
    clients connecting without credentials become: the developer's tools and test fixtures. Production has none,
    so a connection without a service's credentials is refused.
    """
    lines = ["authorization {", "  users = ["]
    for service in SERVICES:
        password = _quoted(passwords[service]) if passwords is not None else f"${password_variable(service)}"
        lines += [
            f"    {{ user: {service}, password: {password}, permissions: {{",
            f"        publish: {{ allow: {_list(publish_subjects(service))} }}",
            f"        subscribe: {{ allow: {_list(subscribe_subjects(service))} }}",
            "    } }",
        ]
    if no_auth_user is not None:
        password = _quoted(passwords[no_auth_user]) if passwords and no_auth_user in passwords else '"local"'
        lines.append(f"    {{ user: {no_auth_user}, password: {password} }}")
    lines += ["  ]", "}"]
    if no_auth_user is not None:
        lines.append(f"no_auth_user: {no_auth_user}")
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(subjects: list[str]) -> str:
    return "[" + ", ".join(_quoted(subject) for subject in subjects) + "]"


def check_consumer_stream(service: str, subject: str, stream: str) -> None:
    """Refuses, when the app is built, a consumer on a stream the service's NATS user may not read."""
    if service in CONSUMES and stream not in CONSUMES[service]:
        raise ValueError(
            f"{service} consumes {subject} from stream {stream}, which its NATS user may not read: "
            f"add {stream!r} to CONSUMES[{service!r}] in tbms_core.nats_access"
        )
