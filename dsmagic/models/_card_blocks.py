"""The model card as one intermediate model (sections of blocks) and its two writers:
Markdown and escaped HTML. What a card says is decided once, in ``ModelCard.sections()``;
the writers only decide how it looks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dsmagic._html import esc, format_value, table

__all__ = ["Block", "Section", "to_html", "to_markdown"]


@dataclass
class Block:
    """``kind``: "text" (a paragraph), "muted" (a paragraph saying something is missing),
    "table" (``headers``, ``rows``, ``highlight``, ``numeric``), "bars" (``rows`` of
    (label, value) drawn as bars in HTML, a table in Markdown) or "list" (``items``)."""

    kind: str
    text: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    highlight: list[int] = field(default_factory=list)
    numeric: list[int] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str | None  # None: the untitled facts under the card's title
    blocks: list[Block]


# -- Markdown --------------------------------------------------------------------------------
def _md(value: Any) -> str:
    """A Markdown table cell or inline text: no pipes, newlines or markup from users."""
    text = format_value(value) if value is not None else "—"
    text = re.sub(r"[\r\n]+", " ", text)
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def _md_table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _md_block(block: Block) -> list[str]:
    if block.kind == "table":
        return [_md_table(block.headers, block.rows)]
    if block.kind == "bars":
        return [_md_table(block.headers[:2], [[k, float(v)] for k, v in block.rows])]
    if block.kind == "list":
        return [f"- {_md(item)}" for item in block.items]
    return [_md(block.text)]


def to_markdown(title: str, sections: list[Section]) -> str:
    parts = [f"# Model card: {_md(title)}", ""]
    for section in sections:
        if section.title is not None:
            parts += [f"## {_md(section.title)}", ""]
        for block in section.blocks:
            parts += [*_md_block(block), ""]
    return "\n".join(parts).rstrip() + "\n"


# -- HTML ------------------------------------------------------------------------------------
CSS = (
    "#SCOPE h3 { font-size: 13px; margin: 12px 0 4px 0; } "
    "#SCOPE .dsm-bar { height: 10px; background: #1e88e5; } "
    "#SCOPE .dsm-card-title { font-size: 16px; }"
)


def _bars(block: Block) -> str:
    peak = max((float(v) for _, v in block.rows), default=0.0) or 1.0
    rows = "".join(
        f'<tr><td>{esc(k)}</td><td class="dsm-num">{esc(format_value(float(v)))}</td>'
        f'<td><div class="dsm-bar" style="width:{max(1, int(200 * float(v) / peak))}px">'
        "</div></td></tr>"
        for k, v in block.rows
    )
    head = "".join(f"<th>{esc(h)}</th>" for h in block.headers)
    return f'<table class="dsm-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _html_block(block: Block) -> str:
    if block.kind == "table":
        return table(block.headers, block.rows, highlight=block.highlight, numeric=block.numeric)
    if block.kind == "bars":
        return _bars(block)
    if block.kind == "list":
        return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block.items) + "</ul>"
    css = ' class="dsm-muted"' if block.kind == "muted" else ""
    return f"<p{css}>{esc(block.text)}</p>"


def to_html(title: str, sections: list[Section]) -> str:
    """The card's body (scope it with ``dsmagic._html.scoped`` and :data:`CSS`)."""
    parts = [f'<div class="dsm-title dsm-card-title">Model card: {esc(title)}</div>']
    for section in sections:
        if section.title is not None:
            parts.append(f"<h3>{esc(section.title)}</h3>")
        parts += [_html_block(block) for block in section.blocks]
    return "".join(parts)
