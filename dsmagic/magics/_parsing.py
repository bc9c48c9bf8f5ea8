"""Turning magic text into Python values, without ever evaluating code."""

from __future__ import annotations

import difflib
import re
import shlex
from typing import Any

from IPython.core.error import UsageError

from dsmagic.errors import DsmagicError

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$", re.I)
_WORDS = {"true": True, "false": False, "none": None}


def parse_value(text: str) -> object:
    """``"200"`` → 200, ``"0.5"`` → 0.5, ``"True"`` → True; anything else stays text."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lower()
    if lowered in _WORDS:
        return _WORDS[lowered]
    return text


def parse_pairs(items: list[str], what: str, *, literal: bool = False) -> dict[str, object]:
    """``["a=1", "b=x"]`` → ``{"a": 1, "b": "x"}``; a malformed item is a UsageError.

    With ``literal`` the values stay exactly as typed (``n=007`` is ``"007"``): parameters
    and tags are text, as in MLflow, so a search for ``params.n = '007'`` finds them.
    """
    pairs: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"{what} {item!r} needs the form key=value, e.g. lr=0.01")
        if not key.strip():
            raise UsageError(f"{what} {item!r} has an empty key: write key=value")
        pairs[key.strip()] = value if literal else parse_value(value)
    return pairs


def parse_metrics(items: list[str]) -> dict[str, float]:
    """``["acc=0.91", "n=3"]`` → ``{"acc": 0.91, "n": 3.0}``; a value that is no number is
    a UsageError naming it."""
    metrics: dict[str, float] = {}
    for key, value in parse_pairs(items, "metric", literal=True).items():
        text = str(value).strip()
        if not (_INT.match(text) or _FLOAT.match(text)):
            raise UsageError(
                f"metric {key!r} must be a number, got {text!r} (log text as a parameter or a tag)"
            )
        metrics[key] = float(text)
    return metrics


def strip_comment(line: str) -> str:
    """The line without a trailing ``# comment``, as a shell reads it.

    ``#`` starts a comment only at the start of a word and outside quotes, so
    ``color=#fff`` and ``note='a # b'`` keep theirs.
    """
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                escaped = True
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip()
    return line


def split_options(line: str) -> tuple[str, str]:
    """Split free text from trailing ``--options``, ignoring ``--`` inside quotes."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif line.startswith("--", index) and (index == 0 or line[index - 1].isspace()):
            return line[:index].strip(), line[index:]
    return line.strip(), ""


def parse_arguments(magic: Any, line: str) -> Any:
    """Parse a magic's line with its ``@magic_arguments`` parser, POSIX-quoted.

    IPython's own splitting keeps quotes inside ``key='two words'``; shell rules
    are what people expect, a trailing ``# comment`` included.
    """
    try:
        argv = shlex.split(strip_comment(line), posix=True)
    except ValueError as exc:
        raise UsageError(f"cannot split {line!r}: {exc} (close your quotes)") from None
    return magic.parser.parse_args(argv)


def lookup_variable(namespace: dict[str, Any], dotted: str, what: str = "the variable") -> Any:
    """The value of a notebook variable (or ``obj.attr``), found by name: never evaluated.

    A missing name is a one-line error with the closest name in the notebook, if any.
    """
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        raise UsageError(f"{what} must be a variable name such as df or data.train, got {dotted!r}")
    if parts[0] not in namespace:
        visible = [k for k in namespace if not k.startswith("_")]
        close = difflib.get_close_matches(parts[0], visible, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"no variable named {parts[0]!r} in the notebook{hint}")
    value = namespace[parts[0]]
    for depth, part in enumerate(parts[1:], start=1):
        if part.startswith("_") or not hasattr(value, part):
            raise UsageError(f"{'.'.join(parts[:depth])!r} has no attribute {part!r}")
        value = getattr(value, part)
    return value


def user_namespace(magics: Any) -> dict[str, Any]:
    """The notebook's variables, for a magic (IPython types ``Magics.shell`` as optional)."""
    shell = magics.shell
    if shell is None:
        raise DsmagicError("this magic needs an IPython shell: run it in a notebook")
    return shell.user_ns
