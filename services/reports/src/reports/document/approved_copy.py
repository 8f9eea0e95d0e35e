"""The approved copy of a filed form (R10, R16): when a 回議 of a generated document is approved, the stored PDF
becomes a new version of the same document with the approvers' names and dates in its stamp boxes, so the filed
copy shows the decision; the version as first printed stays in the store.

The stamps are laid over the PDF that was circulated (not printed again from today's data, which may have changed
since): each 「未決裁」 of the first page's boxes is covered with the name and date of its role's approver, and a
form without boxes (a letter) gets the boxes in its top margin. A line in the top margin names the decision.
The covered 「未決裁」 stays in the page's text layer under the cover (it is hidden, not removed): text extracted from
an approved copy contains it beside the approvers' names.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pypdf import PdfReader, PdfWriter
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.workflow import UNDECIDED, CirculationChanged
from tbms_core.clock import JST, now
from tbms_core.jp.wareki import format_wareki

from reports.circulation_stamp.stamps import PrintedBox, Stamps, stamps_of_boxes
from reports.document.filing import PDF, person_of
from reports.document.models import Document
from reports.document.repository import DocumentRepository
from reports.forms.render import FormRenderer
from reports.storage import DocumentStore

log = logging.getLogger(__name__)
ROLES = ("所長", "課長", "係長", "担当", "副所長", "課長補佐")
NOT_ON_ROUTE = "—"  # a box whose role the document's route does not have: struck through, never 未決裁
# the stylesheet of the layer laid over the first page: positions in CSS px as WeasyPrint wrote the form
OVERLAY_CSS = """
@page { size: A4; margin: 0; }
body { margin: 0; font-family: "Noto Sans CJK JP", "IPAexGothic", sans-serif; }
.cover { position: absolute; background: #fff; text-align: center; line-height: 1.15; overflow: hidden; }
.name { display: block; font-size: 5.5pt; white-space: nowrap; }
.date { display: block; font-size: 5pt; white-space: nowrap; }
.margin-boxes { position: absolute; top: 1.5mm; right: 13mm; border: 0.8pt solid #000; }
.margin-boxes .box { display: inline-block; width: 14mm; height: 9.5mm; vertical-align: top; text-align: center;
                     line-height: 1.15; }
.margin-boxes .box + .box { border-left: 0.5pt solid #000; }
.margin-boxes .role { display: block; font-size: 6pt; border-bottom: 0.3pt solid #000; }
.decision { position: absolute; top: 3mm; left: 13mm; font-size: 7pt; font-weight: bold; }
"""


@dataclass(frozen=True)
class BoxSpot:
    """Where a stamp box of the first page prints 「未決裁」: its role, the text's centre and top (CSS px)."""

    role: str
    center_x: float
    top: float


def box_spots(pdf: bytes) -> list[BoxSpot]:
    """The 「未決裁」 boxes of the first page, each with the role printed above it, left to right."""
    runs: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((text.strip(), tm[4], tm[5], size))  # WeasyPrint writes CSS px under one page-wide matrix

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    spots = []
    for text, x, y, size in runs:
        if text != UNDECIDED:
            continue
        center = x + len(UNDECIDED) * size / 2
        above = [
            role
            for role, rx, ry, rsize in runs
            if role in ROLES and abs(rx + len(role) * rsize / 2 - center) < 6 and 0 < y - ry < 40
        ]
        spots.append(BoxSpot(role=above[0] if above else "", center_x=center, top=y - size * 1.1))
    return sorted(spots, key=lambda spot: spot.center_x)


def _box_text(box: PrintedBox | None) -> str:
    if box is None:
        return f'<span class="name">{NOT_ON_ROUTE}</span>'
    on_behalf = '<span class="name">代決</span>' if box.on_behalf else ""
    return f'{on_behalf}<span class="name">{escape(box.name)}</span><span class="date">{escape(box.date)}</span>'


def overlay_html(spots: Sequence[BoxSpot], stamps: Stamps, decided_on: str) -> str:
    """The layer laid over the first page: each box's approver over its 「未決裁」, or the boxes in the margin."""
    by_role = {box.role: box for box in stamps.boxes}
    if spots:
        parts = [
            f'<div class="cover" style="left: {spot.center_x - 22:.2f}px; top: {spot.top - 1:.2f}px; width: 44px; '
            f'height: 27px">{_box_text(by_role.get(spot.role))}</div>'
            for spot in spots
        ]
    else:
        boxes = "".join(
            f'<span class="box"><span class="role">{escape(box.role)}</span>{_box_text(box)}</span>'
            for box in stamps.boxes
        )
        parts = [f'<div class="margin-boxes">{boxes}</div>']
    decision = f'<div class="decision">決裁済み（{escape(decided_on)}）</div>'
    return f'<!DOCTYPE html><html lang="ja"><body>{decision}{"".join(parts)}</body></html>'


def laid_over(original: bytes, overlay: bytes) -> bytes:
    """The original PDF with the overlay's page drawn over its first page (the other pages as they were)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class ApprovedCopies:
    """Files the stamped copy of a document whose own 回議 was approved, once per 回議."""

    def __init__(self, session: AsyncSession, store: DocumentStore, renderer: FormRenderer) -> None:
        self.session, self.store, self.renderer = session, store, renderer
        self.documents = DocumentRepository(session)

    async def file(self, event: CirculationChanged) -> Document | None:
        """Stores the approved copy as the document's new version; None when there is nothing (else) to stamp."""
        document = await self._document(event.record_id)
        if document is None or document.approved_circulation_id == event.circulation_id:
            return None  # not a document of ours, or this 回議's copy is already filed (a redelivery)
        original_version = document.original_version_id or document.version_id
        original = await self.store.read(document.object_key, original_version, session=self.session)
        stamps = stamps_of_boxes(event.stamps, approved=True)
        decided = max((box.decided_at for box in event.stamps if box.decided_at), default=None) or now()
        html = overlay_html(box_spots(original), stamps, format_wareki(decided.astimezone(JST).date()))
        stamped = laid_over(original, await self.renderer.render_page(html, OVERLAY_CSS))
        stored = await self.store.put(
            document.object_key,
            stamped,
            content_type=PDF,
            metadata={"form": document.kind, "document-id": str(document.id), "circulation-id": event.circulation_id},
            person_id=person_of(document),  # sealed with the same person's data key as the first print
            session=self.session,
        )
        document.original_version_id = original_version
        document.version_id, document.sha256, document.size = stored.version_id, stored.sha256, stored.size
        document.approved_circulation_id, document.approved_at = event.circulation_id, decided
        await self.session.flush()
        log.info("filed the approved copy of document %s (回議 %s)", document.id, event.circulation_id)
        return document

    async def _document(self, record_id: str) -> Document | None:
        try:
            return await self.documents.find(uuid.UUID(record_id))
        except ValueError:
            return None
