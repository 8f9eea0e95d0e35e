"""The `tbms` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import asyncpg
import httpx
from nats.errors import Error as NatsError

from tbms_tools import (
    assignments,
    audit,
    config,
    deadlines,
    demo,
    documents,
    meili_key,
    parked,
    preflight,
    reconcile,
    reindex,
    replay,
    stack,
)
from tbms_tools.backup import commands as backup_commands


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser of `tbms`."""
    parser = argparse.ArgumentParser(prog="tbms", description="tbms developer tools")
    groups = parser.add_subparsers(dest="group", required=True)
    stack_parser = groups.add_parser("stack", help="the local stack (PostgreSQL, NATS, MinIO, Keycloak, services)")
    actions = stack_parser.add_subparsers(dest="action", required=True)
    up = actions.add_parser("up", help="start everything (idempotent)")
    up.add_argument("--infra-only", action="store_true", help="start only the infrastructure")
    up.add_argument(
        "--nats-cluster",
        type=int,
        choices=(1, 3, 5),
        help="run NATS as this many nodes, streams with three replicas (kept for later runs; 1: one node again)",
    )
    up.add_argument(
        "--replicas",
        type=int,
        choices=(1, 2, 3),
        help="processes of each stateless service (gateway, patients, contacts, reports, masters, workflow); kept",
    )
    actions.add_parser("down", help="stop the services, then the infrastructure")
    actions.add_parser("status", help="show each component's port, pid and health")
    env = actions.add_parser("env", help="print the services' environment variables as export lines")
    env.add_argument("--service", choices=config.SERVICES, help="only this service's variables")
    env.add_argument("--json", action="store_true", help="one JSON object instead of export lines (for test fixtures)")
    groups.add_parser(
        "demo-data", help="load synthetic master data (what is missing) and demo patients (only into an empty system)"
    )
    search_parser = groups.add_parser("search", help="the search index")
    search_actions = search_parser.add_subparsers(dest="action", required=True)
    rebuild = search_actions.add_parser("reindex", help="rebuild the index from the patients service")
    rebuild.add_argument("--user", default=reindex.ADMIN, help="a user with 監査 update and 患者管理 read access")
    rebuild.add_argument(
        "--keep",
        action="store_true",
        help="add to the live index instead of building a new one beside it and swapping it in",
    )
    replaying = groups.add_parser(
        "replay", help="rebuild a read model of reports or contacts from the patients service's current state"
    )
    replaying.add_argument("read_model", choices=replay.READ_MODELS, help="the service whose read model to rebuild")
    replaying.add_argument("--user", default=replay.ADMIN, help="a user with 監査 update and 患者管理 read access")
    reconciling = groups.add_parser(
        "reconcile", help="compare the read models with the patients service's versions and repair the drift"
    )
    reconciling.add_argument(
        "read_model", nargs="*", type=_read_model, help=f"{' or '.join(replay.READ_MODELS)} (default: both)"
    )
    reconciling.add_argument("--check", action="store_true", help="only report (exit 1 when drift is found)")
    reconciling.add_argument("--report", type=Path, help="also write the report (ids and counts) as JSON here")
    reconciling.add_argument("--user", default=replay.ADMIN, help="a user with 監査 update and 患者管理 read access")
    meili = search_actions.add_parser(
        "meili-key", help="make the Meilisearch key search runs with (its own indexes only; master key from env)"
    )
    meili.add_argument("--url", required=True, help="Meilisearch's URL, e.g. http://meilisearch:7700")
    meili.add_argument("--index", default="records", help="search's index name (TBMS_SEARCH_MEILI_INDEX)")
    audit_parser = groups.add_parser("audit", help="the operation history (操作履歴) in identity's database")
    audit_actions = audit_parser.add_subparsers(dest="action", required=True)
    verify = audit_actions.add_parser("verify", help="check the hash chain and its seal; names the broken seq")
    verify.add_argument("--anchors", action="store_true", help="also compare the copies kept outside the database")
    audit_actions.add_parser("anchor", help="copy the chain head to the object-locked bucket now")
    copying = audit_actions.add_parser(
        "assignments", help="copy who is responsible for each patient and contact into the access analysis"
    )
    copying.add_argument("--user", default=assignments.USER, help="監査 update, 患者管理 and 接触者管理 read access")
    purge = audit_actions.add_parser("purge", help="delete operation and login history older than three years")
    purge.add_argument("--before", type=date.fromisoformat, required=True, help="YYYY-MM-DD, a JST day")
    documents_parser = groups.add_parser("documents", help="the stored documents and forms (reports)")
    documents_actions = documents_parser.add_subparsers(dest="action", required=True)
    documents_actions.add_parser(
        "seal-existing", help="seal with each person's key the files stored before (safe to run again)"
    )
    deadline_parser = groups.add_parser("deadlines", help="the deadlines patients and contacts publish as to-dos")
    deadline_actions = deadline_parser.add_subparsers(dest="action", required=True)
    sweeping = deadline_actions.add_parser("sweep", help="recompute now those not yet computed today (daily sweep)")
    sweeping.add_argument("--user", default=deadlines.USER, help="a user with 患者管理 and 接触者管理 update access")
    sweeping.add_argument("--all", action="store_true", help="every record again (after a rule or setting changed)")
    _add_parked(groups)
    backup_commands.add_parsers(groups)
    return parser


def _read_model(name: str) -> str:
    if name not in replay.READ_MODELS:
        raise argparse.ArgumentTypeError(f"{name!r}: choose from {', '.join(replay.READ_MODELS)}")
    return name


def _add_parked(groups: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    preflight_parser = groups.add_parser(
        "preflight", help="check a production .env and the production realm for default accounts and passwords"
    )
    preflight_parser.add_argument("--env-file", type=Path, help="the .env docker compose will read")
    parked_parser = groups.add_parser("parked", help="events set aside after repeated failures, and their replay")
    parked_actions = parked_parser.add_subparsers(dest="action", required=True)
    listing = parked_actions.add_parser("list", help="consumer, subject, error, when and event id of each")
    listing.add_argument("--consumer", help="only this durable consumer's (e.g. search-on_patient_changed)")
    listing.add_argument("--outbox", choices=parked.OUTBOX_SERVICES, help="this service's parked outbox events instead")
    again = parked_actions.add_parser("replay", help="send parked events again (consumers apply each once)")
    again.add_argument("--consumer", help="only this durable consumer's")
    again.add_argument("--event-id", help="only this event")
    again.add_argument(
        "--outbox", choices=parked.OUTBOX_SERVICES, help="queue this service's parked outbox events again"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `tbms`; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.group in ("backup", "restore", "export-all", "erase"):
            return backup_commands.main(args)
        if args.group == "preflight":
            return preflight.report(preflight.check(args.env_file))
        if args.group == "demo-data":
            demo.load()
        elif args.group == "audit":
            if args.action == "verify":
                return audit.report(audit.verify(anchors=args.anchors))
            if args.action == "assignments":
                assignments.backfill(args.user)
                return 0
            return audit.report(audit.anchor() if args.action == "anchor" else audit.purge(args.before))
        elif args.group == "documents":
            return audit.report(documents.seal_existing())
        elif args.group == "parked" and args.action == "list":
            parked.list_parked(outbox=args.outbox, consumer=args.consumer)
        elif args.group == "parked":
            parked.replay(outbox=args.outbox, consumer=args.consumer, event_id=args.event_id)
        elif args.group == "replay":
            replay.replay(args.read_model, args.user)
        elif args.group == "reconcile":
            targets = tuple(args.read_model) or replay.READ_MODELS
            return reconcile.reconcile(targets, args.user, fix=not args.check, report_file=args.report)
        elif args.group == "search" and args.action == "meili-key":
            meili_key.run(args.url, args.index)
        elif args.group == "search":
            reindex.reindex(args.user, keep=args.keep)
        elif args.group == "deadlines":
            deadlines.sweep(args.user, everything=args.all)
        elif args.action == "up":
            stack.up(infra_only=args.infra_only, nats_cluster=args.nats_cluster, replicas=args.replicas)
        elif args.action == "down":
            stack.down()
        elif args.action == "status":
            print(stack.format_status(stack.status_rows()))
        elif args.action == "env":
            env = config.service_env(args.service) if args.service else config.stack_env()
            print(json.dumps(env, indent=1) if args.json else "\n".join(config.export_lines(env)))
    except stack.StackError as error:
        print(f"[stack] ERROR: {error}", file=sys.stderr)
        return 1
    except httpx.HTTPError as error:
        print(f"[search] ERROR: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `tbms stack status | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, NatsError, asyncpg.PostgresError) as error:  # `tbms parked`: NATS or a database
        print(f"[parked] ERROR: {error!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
