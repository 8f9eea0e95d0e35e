"""The transmission picture drawn on the server: people in columns by generation (index → contacts → the patient a
contact became → their contacts), as SVG with a title on every node, beside a table of the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COLUMN, ROW, WIDTH, HEIGHT, MARGIN = 230, 56, 180, 40, 20
COLOURS = {"index": "#8a1c1c", "patient": "#8a1c1c", "contact": "#1f4e79", "ill": "#8a4b00"}
KIND_LABELS = {"index": "発端患者", "patient": "患者（発病した接触者）", "contact": "接触者"}


@dataclass(frozen=True)
class Box:
    """A node placed on the picture, with where it links to (none when the user may not open it)."""

    key: str
    x: int
    y: int
    name: str
    label: str
    href: str
    colour: str


@dataclass(frozen=True)
class Line:
    """An edge between two placed nodes."""

    x1: int
    y1: int
    x2: int
    y2: int
    dashed: bool
    label: str


def layout(cluster: dict[str, Any], *, may_open_patients: bool) -> tuple[list[Box], list[Line], int, int]:
    """Places the nodes in columns by generation, in the order the API gave them."""
    rows: dict[int, int] = {}
    boxes: dict[str, Box] = {}
    for node in cluster["nodes"]:
        gen = int(node["generation"])
        row = rows.get(gen, 0)
        rows[gen] = row + 1
        ill = node["kind"] == "contact" and node.get("outcome") == "disease"
        if node["kind"] == "contact":
            href = f"/contacts/{node['record_id']}"
        elif may_open_patients:
            href = f"/patients/{node['record_id']}"
        else:
            href = ""
        label = KIND_LABELS[node["kind"]] + (f"・{node['outcome_label']}" if node.get("outcome_label") else "")
        boxes[node["key"]] = Box(
            key=node["key"],
            x=MARGIN + gen * COLUMN,
            y=MARGIN + row * ROW,
            name=node["name"],
            label=label,
            href=href,
            colour=COLOURS["ill" if ill else node["kind"]],
        )
    lines = []
    for edge in cluster["edges"]:
        source, target = boxes.get(edge["source"]), boxes.get(edge["target"])
        if source and target:
            lines.append(
                Line(
                    source.x + WIDTH,
                    source.y + HEIGHT // 2,
                    target.x,
                    target.y + HEIGHT // 2,
                    edge["kind"] == "became_patient",
                    edge["label"],
                )
            )
    width = MARGIN * 2 + (max(rows, default=0) + 1) * COLUMN
    height = MARGIN * 2 + max(rows.values(), default=1) * ROW
    return list(boxes.values()), lines, width, height


def table_rows(cluster: dict[str, Any], boxes: list[Box]) -> list[dict[str, Any]]:
    """The same facts as the picture, one row per person: who, what, from whom, link."""
    by_key = {b.key: b for b in boxes}
    names = {n["key"]: n["name"] for n in cluster["nodes"]}
    sources: dict[str, list[str]] = {}
    for edge in cluster["edges"]:
        how = "接触" if edge["kind"] == "exposure" else "発病して患者登録"
        sources.setdefault(edge["target"], []).append(f"{names.get(edge['source'], '')}（{how}）")
    return [
        {
            "generation": node["generation"],
            "name": node["name"],
            "label": by_key[node["key"]].label,
            "from": "、".join(sources.get(node["key"], [])) or "—",
            "href": by_key[node["key"]].href,
        }
        for node in cluster["nodes"]
    ]
