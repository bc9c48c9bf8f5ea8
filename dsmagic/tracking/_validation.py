"""Checks on what users log, each failing with a one-line explanation."""

from __future__ import annotations

import numbers
import re
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

_KEY = re.compile(r"^[\w\-./ :]+$")
_valid_keys: set[str] = set()


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
    if not _KEY.match(key):
        raise DsmagicError(
            f"{what} {key!r} has characters other than letters, digits, '_', '-', '.', "
            "'/', ':' and spaces"
        )
    if len(_valid_keys) < 100_000:
        _valid_keys.add(key)
    return key


def validate_metric_value(key: str, value: object) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DsmagicError(f"metric {key!r} must be a number, got {value!r}")
    return float(value)


def validate_step(key: str, step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise DsmagicError(f"step of metric {key!r} must be a whole number, got {step!r}")
    step = int(step)
    if not -(2**31) <= step < 2**31:
        raise DsmagicError(f"step {step} of metric {key!r} is outside the 32-bit range")
    return step


def format_param(key: str, value: object) -> str:
    text = (
        value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    )
    if len(text) > MAX_PARAM_VALUE:
        raise DsmagicError(
            f"param {key!r} value is {len(text)} characters; the limit is {MAX_PARAM_VALUE} "
            "(log long text as an artifact with dm.log_text)"
        )
    return text


def format_tag(key: str, value: object) -> str:
    text = value if isinstance(value, str) else str(value)
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
    if any(ch in name for ch in "\n\r\t\x00"):
        raise DsmagicError(f"{what} {name!r} contains a newline, tab or NUL character")
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
    if "\x00" in name:
        raise DsmagicError("artifact name contains a NUL character")
    parts = [part for part in path.parts if part not in ("", ".")]
    if not parts:
        raise DsmagicError(f"artifact name {name!r} names no file")
    return "/".join(parts)
