"""The history cannot be rewritten unseen by someone who can write to the database (N05).

A keyed seal (HMAC, key outside the database) on the chain head and the purge checkpoint catches a chain
recomputed without the key; copies of the head in an object-locked bucket catch even a key holder who
rewrites or cuts off rows written before the last copy.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from identity.audit_log.anchor import AnchorStore, anchor_head, compare_anchors, object_name
from identity.audit_log.chain import (
    ChainProblem,
    ChainSealBroken,
    append_event,
    chain_hash,
    chain_key,
    seal_of,
    verify_chain,
)
from identity.settings import get_settings
from minio.error import S3Error
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import Database

from .test_chain import Build, Publish, stored_seq, verify


@asynccontextmanager
async def intruder(db: Database) -> AsyncIterator[AsyncSession]:
    """A transaction of someone with the table owner's rights (triggers off), rolled back afterwards. It takes the
    chain head first, as appends do, so that an append arriving meanwhile waits instead of deadlocking."""
    async with db.sessions() as session:
        await session.execute(text("SELECT seq FROM audit_chain_head FOR UPDATE"))
        await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        try:
            yield session
        finally:
            await session.rollback()


async def rewrite_from(session: AsyncSession, seq: int, username: str) -> tuple[int, str]:
    """Changes one row and recomputes every hash after it and the head, as the chain's own code would;
    returns the new head (seq, hash). The head's seal is left as it was: the intruder has no key."""
    await session.execute(text("UPDATE audit_events SET username = :u WHERE seq = :s"), {"u": username, "s": seq})
    prev = await session.scalar(text("SELECT prev_hash FROM audit_events WHERE seq = :s"), {"s": seq})
    rows = (await session.execute(text("SELECT * FROM audit_events WHERE seq >= :s ORDER BY seq"), {"s": seq})).all()
    for row in rows:
        new_hash = chain_hash(prev, row._mapping)
        await session.execute(
            text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"),
            {"p": prev, "h": new_hash, "s": row.seq},
        )
        prev = new_hash
    last = rows[-1].seq
    await session.execute(text("UPDATE audit_chain_head SET seq = :s, hash = :h"), {"s": last, "h": prev})
    return last, prev


async def reseal(session: AsyncSession, seq: int, row_hash: str) -> None:
    """What only a holder of the key can do: seal a head it has chosen."""
    chain_id = await session.scalar(text("SELECT chain_id FROM audit_chain_head"))
    mac = seal_of(chain_key(), chain_id, seq, row_hash)
    await session.execute(
        text("UPDATE audit_chain_head SET seq = :s, hash = :h, mac = :m"), {"s": seq, "h": row_hash, "m": mac}
    )


@pytest.fixture
def anchors(identity: httpx.AsyncClient) -> AnchorStore:
    """The object-locked anchor bucket of the test run's identity settings."""
    return AnchorStore(get_settings())


class TestSeal:
    """The head and the checkpoint carry a seal only the key makes."""

    @pytest.mark.req("N05", partial=True)
    async def test_a_chain_recomputed_without_the_key_is_caught(
        self, identity: httpx.AsyncClient, admin: dict[str, str], db: Database, publish: Publish, operation: Build
    ) -> None:
        seq = await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        async with intruder(db) as session:
            head_seq, _ = await rewrite_from(session, seq, "書き換えた名前")
            report = await verify_chain(session)
        assert (report.ok, report.problem, report.broken_seq) == (False, ChainProblem.SEAL_BROKEN, head_seq)
        assert "封印" in report.message
        assert (await verify(identity, admin))["ok"] is True  # the intruder's transaction was rolled back

    @pytest.mark.req("N05", partial=True)
    async def test_nothing_is_appended_after_a_head_whose_seal_does_not_hold(
        self, db: Database, publish: Publish, operation: Build
    ) -> None:
        await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        async with intruder(db) as session:
            await session.execute(text("UPDATE audit_chain_head SET mac = :m"), {"m": "0" * 64})
            before = await session.scalar(text("SELECT seq FROM audit_chain_head"))
            with pytest.raises(ChainSealBroken):
                await append_event(session, uuid.uuid4(), operation(f"test-person-{uuid.uuid4()}"))
            assert await session.scalar(text("SELECT max(seq) FROM audit_events")) == before

    @pytest.mark.req("N05", partial=True)
    async def test_an_unsealed_head_says_so_and_the_next_append_seals_it(
        self, db: Database, publish: Publish, operation: Build
    ) -> None:
        await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        async with intruder(db) as session:
            await session.execute(text("UPDATE audit_chain_head SET mac = NULL"))
            report = await verify_chain(session)
            assert (report.ok, report.sealed) == (True, False)
            assert "封印されていません" in report.message
            row = await append_event(session, uuid.uuid4(), operation(f"test-person-{uuid.uuid4()}"))
            assert row is not None
            head = (await session.execute(text("SELECT seq, hash, chain_id, mac FROM audit_chain_head"))).one()
            assert head.mac == seal_of(chain_key(), head.chain_id, row.seq, row.hash)
            assert (await verify_chain(session)).sealed is True

    @pytest.mark.req("N05", partial=True)
    async def test_a_checkpoint_moved_without_the_key_is_caught(
        self, db: Database, publish: Publish, operation: Build
    ) -> None:
        seq = await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        async with intruder(db) as session:
            row_hash = await session.scalar(text("SELECT hash FROM audit_events WHERE seq = :s"), {"s": seq})
            await session.execute(
                text("UPDATE audit_chain_checkpoint SET seq = :s, hash = :h, mac = NULL"), {"s": seq, "h": row_hash}
            )
            report = await verify_chain(session)
        assert (report.ok, report.problem, report.broken_seq) == (False, ChainProblem.CHECKPOINT_FORGED, seq)
        assert "削除の記録" in report.message


class TestAnchors:
    """Copies of the head outside the database, which nobody can delete before their retention ends."""

    @pytest.mark.req("N05", partial=True)
    async def test_a_key_holder_who_rewrites_an_anchored_row_is_caught(
        self, db: Database, publish: Publish, operation: Build, anchors: AnchorStore
    ) -> None:
        seq = await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        anchored = await anchor_head(db, anchors)
        assert anchored is not None and anchored.seq >= seq
        async with intruder(db) as session:
            await reseal(session, *(await rewrite_from(session, seq, "鍵を持つ者の書き換え")))
            assert (await verify_chain(session)).ok is True  # the seal alone no longer tells
            report = await compare_anchors(session, anchors, await verify_chain(session))
        assert (report.ok, report.problem) == (False, ChainProblem.ANCHOR_MISMATCH)
        assert report.broken_seq == anchored.seq
        assert "外部に保管した記録" in report.message

    @pytest.mark.req("N05", partial=True)
    async def test_cutting_off_the_end_after_an_anchor_is_caught(
        self, db: Database, publish: Publish, operation: Build, anchors: AnchorStore
    ) -> None:
        await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        anchored = await anchor_head(db, anchors)
        assert anchored is not None
        async with intruder(db) as session:
            await session.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": anchored.seq})
            prev = await session.scalar(text("SELECT hash FROM audit_events WHERE seq = :s"), {"s": anchored.seq - 1})
            await reseal(session, anchored.seq - 1, prev)
            assert (await verify_chain(session)).ok is True
            report = await compare_anchors(session, anchors, await verify_chain(session))
        assert (report.ok, report.problem, report.broken_seq) == (False, ChainProblem.TRUNCATED, anchored.seq)

    @pytest.mark.req("N05", partial=True)
    async def test_an_intact_history_matches_its_anchors_and_they_cannot_be_deleted(
        self,
        identity: httpx.AsyncClient,
        admin: dict[str, str],
        db: Database,
        publish: Publish,
        operation: Build,
        anchors: AnchorStore,
    ) -> None:
        await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        anchored = await anchor_head(db, anchors)
        assert anchored is not None
        assert await anchor_head(db, anchors) is None  # the same head is anchored once
        report = await verify(identity, admin)
        assert report["ok"] is True
        assert "外部に保管した記録" in str(report["message"])
        async with db.sessions() as session:
            chain_id = await session.scalar(text("SELECT chain_id FROM audit_chain_head"))
        name = object_name(chain_id, anchored)
        versions = list(anchors.client.list_objects(anchors.bucket, prefix=name, include_version=True))
        assert versions
        with pytest.raises(S3Error):
            anchors.client.remove_object(anchors.bucket, name, version_id=versions[0].version_id)
