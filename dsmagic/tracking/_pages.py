"""Page tokens for run searches: where the next page starts, tied to the search it came from
(a token given to another search is refused, never silently misread)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from dsmagic.errors import DsmagicError

__all__ = ["decode_token", "encode_token"]


def _search_digest(search: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(search).encode()).hexdigest()[:16]


def encode_token(search: tuple[Any, ...], offset: int) -> str:
    data = json.dumps({"search": _search_digest(search), "offset": offset}).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_token(search: tuple[Any, ...], token: str) -> int:
    """The offset a token points at; one line if it is not a token of this very search."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, digest = data["offset"], data["search"]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise DsmagicError(
            f"page_token {str(token)[:20]!r} is not a page token: pass the frame's "
            "attrs['next_page_token'] from the previous page"
        ) from None
    if not isinstance(offset, int) or offset < 0:
        raise DsmagicError(f"page_token {token[:20]!r} is damaged: start again without one")
    if digest != _search_digest(search):
        raise DsmagicError(
            "page_token belongs to another search: use it with the same filter, order_by "
            "and experiment, or start again without one"
        )
    return offset
