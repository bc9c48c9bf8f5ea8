"""Small building blocks for rich notebook displays.

Every display escapes all text it shows and scopes its CSS under a unique id, so
two outputs on a page never restyle each other or the notebook.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["esc", "figure_svg", "format_value", "scoped", "table"]

_CSS = """
#{id} {{ font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;
  color: var(--jp-ui-font-color1, #222); }}
#{id} .dsm-title {{ font-weight: 600; font-size: 14px; margin: 4px 0; }}
#{id} .dsm-muted {{ color: var(--jp-ui-font-color2, #666); }}
#{id} table.dsm-table {{ border-collapse: collapse; margin: 4px 0 8px 0; }}
#{id} table.dsm-table th, #{id} table.dsm-table td {{ padding: 2px 8px; text-align: left;
  border-bottom: 1px solid var(--jp-border-color2, #e0e0e0); vertical-align: top; }}
#{id} table.dsm-table th {{ font-weight: 600; }}
#{id} td.dsm-num {{ text-align: right; font-variant-numeric: tabular-nums; }}
#{id} .dsm-diff {{ background: rgba(255, 200, 0, 0.25); }}
#{id} .dsm-badge {{ display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px;
  color: #fff; background: #888; }}
#{id} .dsm-running {{ background: #1e88e5; }} #{id} .dsm-finished {{ background: #43a047; }}
#{id} .dsm-failed {{ background: #e53935; }} #{id} .dsm-crashed {{ background: #8e24aa; }}
#{id} .dsm-killed {{ background: #6d4c41; }}
#{id} .dsm-warn {{ color: #b26a00; }} #{id} .dsm-bad {{ color: #c62828; }}
#{id} .dsm-ok {{ color: #2e7d32; }}
#{id} details > summary {{ cursor: pointer; }}
"""


def esc(value: Any) -> str:
    """``html.escape(str(value), quote=True)``, without importing the html package (its
    entity table costs a first report a millisecond or two)."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&#x27;")


def format_value(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "nan"
        return f"{value:.6g}"
    return str(value)


def scoped(body: str, extra_css: str = "") -> str:
    """Wrap ``body`` in a uniquely identified block carrying its own CSS."""
    scope = f"dsm-{uuid.uuid4().hex[:12]}"
    css = _CSS.format(id=scope) + extra_css.replace("#SCOPE", f"#{scope}")
    return f'<div id="{scope}" class="dsm-root"><style>{css}</style>{body}</div>'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    highlight: Iterable[int] = (),
    numeric: Iterable[int] = (),
) -> str:
    """An escaped HTML table; rows whose index is in ``highlight`` are marked."""
    marked = set(highlight)
    numbers = set(numeric)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        cells = "".join(
            f'<td class="dsm-num">{esc(format_value(v))}</td>'
            if column in numbers
            else f"<td>{esc(format_value(v))}</td>"
            for column, v in enumerate(row)
        )
        css = ' class="dsm-diff"' if index in marked else ""
        body.append(f"<tr{css}>{cells}</tr>")
    rows_html = "".join(body)
    return (
        f'<table class="dsm-table"><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>'
    )


def figure_svg(figure) -> str:
    """A matplotlib figure (made with ``matplotlib.figure.Figure``, not pyplot, so no
    global backend state is touched) as inline SVG: self-contained, no files."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    return svg[svg.find("<svg") :]
