"""The pipeline graph as data: steps, edges, layout; the ``.dspipe.json`` format and its
migrations.

Semantics (steps with their parameters, edges) and layout (positions) are kept apart in
the file so moving a box never shows up as a change to the pipeline.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dsmagic.errors import DsmagicError

SCHEMA_VERSION = 2
STEP_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")  # always fullmatch: "$" lets "x\n" through
# A pipeline id names the pipeline's cache folder and keys its versions: never a path.
PIPELINE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
MAX_NAME = 200
MAX_DEPTH = 64  # JSON nesting a .dspipe.json may have (it needs about 5)
# Control characters and line/paragraph separators: a name is one line of text.
_NOT_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOP_KEYS = {"schema_version", "id", "name", "description", "steps", "edges", "layout"}
_STEP_KEYS = {"type", "params", "note"}
_EDGE_KEYS = {"source", "source_port", "target", "target_port"}


@dataclass(frozen=True)
class Step:
    """A step as seen from outside: read-only; change it through the pipeline."""

    id: str
    type: str
    params: MappingProxyType
    position: tuple[float, float]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "params": dict(self.params),
                "position": list(self.position), "note": self.note}  # fmt: skip


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    source_port: str
    target: str
    target_port: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "source_port": self.source_port,
                "target": self.target, "target_port": self.target_port}  # fmt: skip

    def __str__(self) -> str:
        return f"{self.source}.{self.source_port} -> {self.target}.{self.target_port}"


class State:
    """The mutable graph. Copies are cheap enough to snapshot on every edit."""

    __slots__ = ("base", "description", "edges", "id", "layout", "name", "steps")

    def __init__(self, id: str, name: str, description: str = "") -> None:
        self.id = id
        self.name = name
        self.description = description
        self.steps: dict[str, dict[str, Any]] = {}  # id -> {"type", "params", "note"}
        self.edges: set[Edge] = set()
        self.layout: dict[str, tuple[float, float]] = {}
        self.base: str | None = None  # the saved version this state was saved as/restored from

    def copy(self) -> State:
        other = State(self.id, self.name, self.description)
        other.steps = {k: {**v, "params": dict(v["params"])} for k, v in self.steps.items()}
        other.edges = set(self.edges)
        other.layout = dict(self.layout)
        other.base = self.base
        return other

    def semantics(self) -> dict[str, Any]:
        """What the pipeline computes (no layout, no name): used for diffs and caching."""
        steps = {}
        for step_id, step in self.steps.items():
            entry: dict[str, Any] = {"type": step["type"], "params": step["params"]}
            if step.get("note"):
                entry["note"] = step["note"]
            steps[step_id] = entry
        return {"steps": steps, "edges": [e.to_dict() for e in sorted(self.edges)]}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "name": self.name,
            "description": self.description,
            **self.semantics(),
            "layout": {k: {"x": x, "y": y} for k, (x, y) in sorted(self.layout.items())},
        }


def dumps(doc: dict[str, Any]) -> str:
    """Deterministic JSON: sorted keys, two-space indent, newline at the end."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def parse(text: str, source: str = "pipeline") -> State:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DsmagicError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "fix the file or re-export it"
        ) from None
    except RecursionError:
        raise _too_deep(source) from None
    return from_dict(doc, source)


def _too_deep(source: str) -> DsmagicError:
    return DsmagicError(
        f"{source} is nested more than {MAX_DEPTH} levels deep; a pipeline file needs about 5: "
        "fix the file or re-export it"
    )


def _check_depth(doc: Any, source: str) -> None:
    """Refuse deep nesting before anything recursive (validation, JSON output) meets it."""
    level: list[Any] = [doc]
    for _ in range(MAX_DEPTH + 1):
        level = [c for v in level if isinstance(v, (dict, list))
                 for c in (v.values() if isinstance(v, dict) else v)]  # fmt: skip
        if not level:
            return
    raise _too_deep(source)


def from_dict(doc: Any, source: str = "pipeline") -> State:
    if not isinstance(doc, dict):
        raise DsmagicError(f"{source} must be a JSON object, got {type(doc).__name__}")
    _check_depth(doc, source)
    doc = migrate(doc, source)
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise DsmagicError(
            f"{source} has unknown field(s) {', '.join(sorted(unknown))}; allowed: "
            f"{', '.join(sorted(_TOP_KEYS))}"
        )
    state = State(
        check_pipeline_id(_text(doc.get("id"), "id", source, required=True), source),
        check_name(_text(doc.get("name", "pipeline"), "name", source), source, empty=True),
        _text(doc.get("description", ""), "description", source),
    )
    steps = doc.get("steps", {})
    if not isinstance(steps, dict):
        raise DsmagicError(f"{source}: 'steps' must be an object mapping step id to step")
    for step_id, step in steps.items():
        check_step_id(step_id, source)
        if not isinstance(step, dict) or not isinstance(step.get("type"), str):
            raise DsmagicError(f"{source}: step {step_id!r} needs a 'type' string")
        extra = set(step) - _STEP_KEYS
        if extra:
            raise DsmagicError(
                f"{source}: step {step_id!r} has unknown field(s) {', '.join(sorted(extra))}; "
                f"allowed: {', '.join(sorted(_STEP_KEYS))}"
            )
        params = step.get("params", {})
        if not isinstance(params, dict):
            raise DsmagicError(f"{source}: params of step {step_id!r} must be an object")
        state.steps[step_id] = {"type": step["type"], "params": dict(params),
                                "note": _text(step.get("note", ""), "note", source)}  # fmt: skip
    edges = doc.get("edges", [])
    if not isinstance(edges, list):
        raise DsmagicError(f"{source}: 'edges' must be a list")
    for edge in edges:
        if (
            not isinstance(edge, dict)
            or set(edge) != _EDGE_KEYS
            or not all(isinstance(v, str) for v in edge.values())
        ):
            raise DsmagicError(
                f"{source}: each edge needs exactly the string fields "
                f"{', '.join(sorted(_EDGE_KEYS))}; got {str(edge)[:80]}"
            )
        for end in ("source", "target"):
            if edge[end] not in state.steps:
                raise DsmagicError(
                    f"{source}: edge {edge['source']} -> {edge['target']} names step "
                    f"{edge[end]!r}, which does not exist"
                )
        state.edges.add(Edge(**edge))
    layout = doc.get("layout", {})
    if not isinstance(layout, dict):
        raise DsmagicError(f"{source}: 'layout' must be an object mapping step id to x/y")
    for step_id, where in layout.items():
        if step_id not in state.steps:
            continue  # layout of a deleted step: harmless, dropped
        try:
            state.layout[step_id] = (float(where["x"]), float(where["y"]))
        except (TypeError, KeyError, ValueError):
            raise DsmagicError(
                f"{source}: layout of step {step_id!r} must be {{'x': number, 'y': number}}"
            ) from None
    return state


def check_pipeline_id(pipeline_id: Any, source: str = "pipeline") -> str:
    if not isinstance(pipeline_id, str) or not PIPELINE_ID.fullmatch(pipeline_id):
        raise DsmagicError(
            f"{source}: pipeline id {_short(pipeline_id)} must be 1-64 letters, digits, '_' or "
            "'-' (it names a folder); give the file a new id such as "
            f"{uuid.uuid4().hex!r}, or re-save it from dsmagic"
        )
    return pipeline_id


def check_name(name: Any, source: str | None = None, empty: bool = False) -> str:
    """A pipeline name: one line of text (it appears in code, titles and run names)."""
    where = f"{source}: " if source else ""
    if not isinstance(name, str) or not (empty or name.strip()):
        raise DsmagicError(f"{where}pipeline name must be a non-empty string, got {name!r}")
    bad = _NOT_IN_NAME.search(name)
    if bad is not None:
        raise DsmagicError(
            f"{where}pipeline name {_short(name)} contains {bad.group()!r}; a name is one line "
            "of text without control characters"
        )
    if len(name) > MAX_NAME:
        raise DsmagicError(f"{where}pipeline name has {len(name)} characters; at most {MAX_NAME}")
    return name


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_step_id(step_id: Any, source: str = "pipeline") -> str:
    if not isinstance(step_id, str) or not STEP_ID.fullmatch(step_id):
        raise DsmagicError(
            f"{source}: step id {step_id!r} must be 1-40 lower-case letters, digits or '_', "
            "starting with a letter"
        )
    return step_id


def _text(value: Any, field: str, source: str, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise DsmagicError(f"{source}: {field!r} must be a string, got {value!r}")
    return value


# -- migrations ---------------------------------------------------------------------------
def migrate(doc: dict[str, Any], source: str) -> dict[str, Any]:
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise DsmagicError(
            f"{source} has no integer 'schema_version' (got {version!r}); is it a "
            ".dspipe.json file?"
        )
    if version > SCHEMA_VERSION:
        raise DsmagicError(
            f"{source} has schema_version {version}, newer than this dsmagic reads "
            f"(up to {SCHEMA_VERSION}): run `pip install -U dsmagic`"
        )
    if version < 1:
        raise DsmagicError(f"{source} has schema_version {version}; versions start at 1")
    while version < SCHEMA_VERSION:
        doc = _MIGRATIONS[version](doc, source)
        version = doc["schema_version"]
    return doc


def _v1_to_v2(doc: dict[str, Any], source: str) -> dict[str, Any]:
    """v1 kept a node list with positions inline and links as 'step:port' strings."""
    try:
        steps, layout, edges = {}, {}, []
        for node in doc.get("nodes", []):
            steps[node["id"]] = {"type": node["type"], "params": node.get("params", {})}
            if "x" in node and "y" in node:
                layout[node["id"]] = {"x": node["x"], "y": node["y"]}
        for link in doc.get("links", []):
            source_id, source_port = link["source"].split(":", 1)
            target_id, target_port = link["target"].split(":", 1)
            edges.append({"source": source_id, "source_port": source_port,
                          "target": target_id, "target_port": target_port})  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DsmagicError(
            f"{source} says schema_version 1 but its nodes/links are malformed"
        ) from None
    out = {"schema_version": 2, "id": _v1_id(doc),
           "name": doc.get("name", "pipeline"), "description": doc.get("description", ""),
           "steps": steps, "edges": edges, "layout": layout}  # fmt: skip
    return out


def _v1_id(doc: dict[str, Any]) -> Any:
    """v1 files often had no id and used the name: a name that is not an id gives a stable
    id derived from it."""
    if doc.get("id"):
        return doc["id"]
    name = doc.get("name") or "pipeline"
    if isinstance(name, str) and not PIPELINE_ID.fullmatch(name):
        return uuid.uuid5(uuid.NAMESPACE_URL, f"dsmagic-pipeline:{name}").hex
    return name


_MIGRATIONS = {1: _v1_to_v2}
