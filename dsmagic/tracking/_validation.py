"""Checks on what users log, each failing with a one-line explanation."""

from __future__ import annotations

import numbers
import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any

from dsmagic.errors import DsmagicError

MAX_KEY = 250
MAX_PARAM_VALUE = 6000
MAX_TAG_VALUE = 8000
MAX_NAME = 250
MAX_ARTIFACT_NAME = 1000
STATUSES = ("running", "finished", "failed", "killed", "crashed")
END_STATUSES = ("finished", "failed", "killed")

_KEY = re.compile(r"[\w\-./ :]+")
_valid_keys: set[str] = set()
_SHOWN = 40  # characters of a bad value shown in an error


def _shown(text: str) -> str:
    return repr(text[:_SHOWN]) + ("..." if len(text) > _SHOWN else "")


def _unstorable(text: str) -> str | None:
    """Why a database cannot store ``text`` exactly, if it cannot."""
    if "\x00" in text:
        return f"a NUL character at position {text.index(chr(0))}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"a lone surrogate {text[exc.start]!r} at position {exc.start} (not valid UTF-8)"
    return None


def _control(text: str) -> str | None:
    """The first control character (newline, tab, escape...) in ``text``, if any."""
    for position, char in enumerate(text):
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            return f"{char!r} at position {position}"
    return None


def storable_text(text: str) -> str:
    """Captured text (a cell's source) with what no database stores escaped."""
    if _unstorable(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def validate_key(key: Any, what: str = "key") -> str:
    """A metric, param or tag key: 1-250 characters of letters, digits, ``_-./ :``."""
    if key in _valid_keys:
        return key
    if not isinstance(key, str) or not key.strip():
        raise DsmagicError(f"{what} must be a non-empty string, got {key!r}")
    if len(key) > MAX_KEY:
        raise DsmagicError(
            f"{what} {key[:40]!r}... is {len(key)} characters; the limit is {MAX_KEY}"
        )
    if not _KEY.fullmatch(key):
        raise DsmagicError(
            f"{what} {_shown(key)} has characters other than letters, digits, '_', '-', '.', "
            "'/', ':' and spaces (a trailing newline too)"
        )
    if len(_valid_keys) < 100_000:
        _valid_keys.add(key)
    return key


def validate_metric_value(key: str, value: object) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DsmagicError(f"metric {key!r} must be a number, got {_value_shown(value)}")
    try:
        return float(value)
    except OverflowError:
        raise DsmagicError(
            f"metric {key!r} value is too large for a float (64-bit): log it scaled, "
            "e.g. its logarithm, or as a param"
        ) from None


def _value_shown(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return text[:_SHOWN] + ("..." if len(text) > _SHOWN else "")


def _text(field: str, key: str, value: object) -> str:
    """A param or tag value as stored: strings as given, floats by ``repr``, else ``str``."""
    try:
        text = (
            value if isinstance(value, str)
            else repr(value) if isinstance(value, float) and field == "param"
            else str(value)
        )  # fmt: skip
    except ValueError as exc:  # e.g. an int with more digits than Python converts
        raise DsmagicError(
            f"{field} {key!r} value cannot be turned into text ({exc}); "
            "pass it as a string (or log long text with dm.log_text)"
        ) from None
    if not isinstance(text, str):
        raise DsmagicError(f"{field} {key!r} value's str() is not text: {_value_shown(value)}")
    problem = _unstorable(text)
    if problem:
        raise DsmagicError(
            f"{field} {key!r} value {_shown(text)} has {problem}, which cannot be stored: remove it"
        )
    return text


def validate_step(key: str, step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise DsmagicError(f"step of metric {key!r} must be a whole number, got {step!r}")
    step = int(step)
    if not -(2**31) <= step < 2**31:
        raise DsmagicError(f"step {step} of metric {key!r} is outside the 32-bit range")
    return step


def format_param(key: str, value: object) -> str:
    text = _text("param", key, value)
    if len(text) > MAX_PARAM_VALUE:
        raise DsmagicError(
            f"param {key!r} value is {len(text)} characters; the limit is {MAX_PARAM_VALUE} "
            "(log long text as an artifact with dm.log_text)"
        )
    return text


def format_tag(key: str, value: object) -> str:
    text = _text("tag", key, value)
    if len(text) > MAX_TAG_VALUE:
        raise DsmagicError(
            f"tag {key!r} value is {len(text)} characters; the limit is {MAX_TAG_VALUE}"
        )
    return text


def validate_name(name: object, what: str = "run name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise DsmagicError(f"{what} must be a non-empty string, got {name!r}")
    if len(name) > MAX_NAME:
        raise DsmagicError(f"{what} is {len(name)} characters; the limit is {MAX_NAME}")
    control = _control(name)
    if control:
        raise DsmagicError(
            f"{what} {_shown(name)} contains the control character {control}: remove it"
        )
    return name.strip()


def validate_end_status(status: object) -> str:
    text = str(status).lower()
    if text not in END_STATUSES:
        raise DsmagicError(f"status must be one of {', '.join(END_STATUSES)}, got {status!r}")
    return text


def validate_artifact_name(name: object) -> str:
    """A relative path inside the run's artifact folder, never escaping it."""
    if not isinstance(name, str) or not name.strip():
        raise DsmagicError(f"artifact name must be a non-empty string, got {name!r}")
    if len(name) > MAX_ARTIFACT_NAME:
        raise DsmagicError(f"artifact name is {len(name)} characters; the limit is 1000")
    posix = name.replace("\\", "/")
    path = PurePosixPath(posix)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", posix) or ".." in path.parts:
        raise DsmagicError(
            f"artifact name {name!r} must be a relative path inside the run's artifact "
            "folder (no leading '/', drive letter or '..')"
        )
    control = _control(name)
    if control:
        raise DsmagicError(
            f"artifact name {_shown(name)} contains the control character {control}: remove it"
        )
    parts = [part for part in path.parts if part not in ("", ".")]
    if not parts:
        raise DsmagicError(f"artifact name {name!r} names no file")
    return "/".join(parts)
