"""The messages the canvas's Python side sends and receives (the view's side is TypeScript).

The view sends a :class:`Request` (``{"op": ..., "id": ...}`` plus the op's fields); every
request gets exactly one :class:`Reply` with the same ``id``.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = ["Reply", "Request"]


class Request(TypedDict, total=False):
    op: str  # a name registered with ``@op`` in ``_ops``
    id: Any  # chosen by the view, echoed in the reply


class _ReplyFields(TypedDict):
    type: Literal["reply"]
    id: Any
    ok: bool


class Reply(_ReplyFields, total=False):
    result: Any  # when ok
    error: str  # when not ok: one line saying what was wrong
