"""The part of JSON Schema the catalog uses, checked fast (validation of 500 steps must
take milliseconds, so no general-purpose validator)."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: (
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    ),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern[str]:
    """JSON Schema patterns are ECMA-262 regexes, where ``$`` is the end of the text; in
    Python it also matches before a final newline (``"x\\n"`` would pass), so use ``\\Z``."""
    out, in_class, escaped = [], False, False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            ch = r"\Z"
        out.append(ch)
    return re.compile("".join(out))


def check(value: Any, schema: dict[str, Any]) -> str | None:
    """None when ``value`` fits ``schema``, else what is wrong, in a few words."""
    if "enum" in schema:
        if not any(value == option and type(value) is type(option) for option in schema["enum"]):
            options = ", ".join(repr(o) if o is not None else "empty" for o in schema["enum"])
            return f"must be one of {options}, got {_short(value)}"
        return None
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_TYPES[k](value) for k in kinds):
            return f"must be {' or '.join(kinds)}, got {_short(value)}"
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return "must not be empty"
        if len(value) > schema.get("maxLength", math.inf):
            return f"must be at most {schema['maxLength']} characters"
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            return f"{_short(value)} is not allowed here"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", -math.inf):
            return f"must be at least {schema['minimum']}, got {value}"
        if value > schema.get("maximum", math.inf):
            return f"must be at most {schema['maximum']}, got {value}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return f"must be greater than {schema['exclusiveMinimum']}, got {value}"
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return f"must be less than {schema['exclusiveMaximum']}, got {value}"
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"needs at least {schema['minItems']} item(s)"
        items = schema.get("items")
        if items is not None:
            for index, item in enumerate(value):
                problem = check(item, items)
                if problem is not None:
                    return f"item {index} {problem}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
