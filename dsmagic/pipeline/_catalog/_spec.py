"""What a step type is: ports, parameters (JSON Schema), imports, requirements, code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Port types. A front end colours ports by these and only lets equal types connect.
PORT_TYPES: dict[str, str] = {
    "frame": "a pandas DataFrame",
    "dataset": "features + target (X, y)",
    "split": "train/test split",
    "model": "a fitted model",
    "metrics": "metrics",
    "figure": "a saved figure",
    "explanation": "feature attributions",
    "file": "a saved file",
}


@dataclass(frozen=True)
class Port:
    name: str
    type: str
    required: bool = True
    multiple: bool = False
    doc: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "multiple": self.multiple,
            "doc": self.doc,
        }


@dataclass(frozen=True)
class StepSpec:
    """One step type, declared once; everything else (validation, code, UI) reads it."""

    type: str
    category: str
    title: str
    doc: str
    short: str  # prefix of generated step ids
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    params: dict[str, dict[str, Any]]  # name -> JSON Schema of that parameter
    code: Callable[[Any], str]  # renders the step's code from a codegen context
    imports: Callable[[dict[str, Any]], tuple[str, ...]] | tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # pip distributions
    role: str = "eager"  # eager | prep (lazy, joins the model's Pipeline) | model
    task: str | None = None  # classification | regression | None
    cacheable: bool = True
    custom_code: bool = False  # runs text the author wrote: marked everywhere
    tune: dict[str, tuple] = field(default_factory=dict)  # optuna search space (models)
    resampler: bool = False

    @property
    def params_schema(self) -> dict[str, Any]:
        required = [name for name, s in self.params.items() if "default" not in s]
        return {
            "type": "object",
            "title": self.title,
            "description": self.doc,
            "properties": self.params,
            "required": required,
            "additionalProperties": False,
        }

    def defaults(self) -> dict[str, Any]:
        return {name: s["default"] for name, s in self.params.items() if "default" in s}

    def import_lines(self, params: dict[str, Any]) -> tuple[str, ...]:
        return self.imports(params) if callable(self.imports) else self.imports

    def input(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> Port | None:
        return next((p for p in self.outputs if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a palette / properties panel."""
        return {
            "type": self.type,
            "category": self.category,
            "title": self.title,
            "doc": self.doc,
            "inputs": [p.to_dict() for p in self.inputs],
            "outputs": [p.to_dict() for p in self.outputs],
            "params_schema": self.params_schema,
            "requires": list(self.requires),
            "task": self.task,
            "custom_code": self.custom_code,
        }

    def __repr__(self) -> str:
        return f"StepSpec({self.type!r}, category={self.category!r})"


def lit(value: Any) -> str:
    """A Python literal for a schema-checked JSON value (never code)."""
    if isinstance(value, list):
        return "[" + ", ".join(lit(v) for v in value) + "]"
    if isinstance(value, str):
        text = repr(value)
        # repr() picks single quotes unless the text has one; prefer double quotes.
        return f'"{text[1:-1]}"' if text[0] == "'" and '"' not in value else text
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


# -- schema helpers: short and uniform so each step stays a few lines ------------------
def string(default: Any = ..., help: str = "", **extra: Any) -> dict[str, Any]:
    return _schema("string", default, help, extra)


def integer(default: Any = ..., help: str = "", **extra: Any) -> dict[str, Any]:
    return _schema("integer", default, help, extra)


def number(default: Any = ..., help: str = "", **extra: Any) -> dict[str, Any]:
    return _schema("number", default, help, extra)


def boolean(default: Any = ..., help: str = "") -> dict[str, Any]:
    return _schema("boolean", default, help, {})


def columns(help: str = "column names; empty means the default columns") -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
            "description": help}  # fmt: skip


def choice(options: list[Any], default: Any, help: str = "") -> dict[str, Any]:
    return {"enum": options, "default": default, "description": help}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema = dict(schema)
    kind = schema.get("type")
    if kind is not None:
        schema["type"] = [kind, "null"]
    return schema


def _schema(kind: str, default: Any, help: str, extra: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, "description": help, **extra}
    if default is not ...:
        schema["default"] = default
    return schema


FRAME_IN = Port("data", "frame", doc="the table to work on")
FRAME_OUT = Port("data", "frame", doc="the resulting table")
DATASET_IN = Port("data", "dataset", doc="features and target")
DATASET_OUT = Port("data", "dataset", doc="features and target")
SPLIT_IN = Port("data", "split", doc="train/test split")
MODEL_IN = Port("model", "model", doc="a fitted model")
MODEL_OUT = Port("model", "model", doc="the fitted model")
METRICS_OUT = Port("metrics", "metrics", doc="metric values")
