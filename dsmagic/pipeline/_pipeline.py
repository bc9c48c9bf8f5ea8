"""The :class:`Pipeline`: a graph of catalog steps that edits with undo, validates,
versions, exports to code and runs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dsmagic._display import RichDisplay
from dsmagic.errors import DsmagicError, NotFoundError
from dsmagic.pipeline import _graph, _saving, _schema
from dsmagic.pipeline._catalog import get_spec
from dsmagic.pipeline._graph import Edge, State, Step
from dsmagic.pipeline._history import History
from dsmagic.pipeline._validate import Issue, topological_order, validate

if TYPE_CHECKING:
    from dsmagic.pipeline._diff import PipelineDiff
    from dsmagic.pipeline._runner import PipelineRun
    from dsmagic.pipeline._versions import Version

_GRID_X, _GRID_Y = 240.0, 120.0


class Pipeline(RichDisplay):
    """A pipeline of steps from :func:`dsmagic.pipeline.catalog`.

    Every edit can be undone; ``with p.batch():`` makes several edits one undo step.
    """

    _display_kind = "pipeline"

    def __init__(self, name: str = "pipeline", *, description: str = "") -> None:
        _graph.check_name(name)
        self._state = State(uuid.uuid4().hex, name, description)
        self._history = History()
        self._batch: list[str] | None = None
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self.data_dir: Path | None = None
        self._on_disk: dict[Path, str] = {}  # file -> digest of what was loaded/saved there

    # -- construction ---------------------------------------------------------------
    @classmethod
    def from_template(cls, template: str, name: str | None = None) -> Pipeline:
        """A ready-made pipeline: 'classification', 'regression' or 'imbalanced'."""
        from dsmagic.pipeline._templates import build

        pipeline = cls(name or template)
        build(pipeline, template)
        pipeline._history = History()
        return pipeline

    @classmethod
    def from_dict(cls, doc: dict[str, Any], source: str = "pipeline") -> Pipeline:
        pipeline = cls()
        pipeline._state = _graph.from_dict(doc, source)
        return pipeline

    @classmethod
    def from_json(cls, text: str, source: str = "pipeline") -> Pipeline:
        pipeline = cls()
        pipeline._state = _graph.parse(text, source)
        return pipeline

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Pipeline:
        """Read a ``.dspipe.json`` file (older schema versions are migrated)."""
        path = Path(path)
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"no pipeline file {str(path)!r}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DsmagicError(f"cannot read pipeline file {str(path)!r}: {exc}") from None
        pipeline = cls.from_json(text, source=str(path))
        pipeline.data_dir = path.resolve().parent
        pipeline._on_disk[path.resolve()] = _saving.digest(data)
        return pipeline

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the deterministic ``.dspipe.json`` (atomically).

        If the file changed on disk since this pipeline loaded or saved it (another process
        or an editor wrote it), nothing is written and a DsmagicError says so: reload it, or
        pass ``overwrite=True`` to replace the other version."""
        path = Path(path)
        _saving.save(path, self.to_json(), self._on_disk, overwrite)
        return path

    def copy(self) -> Pipeline:
        other = Pipeline.from_dict(self.to_dict())
        other.data_dir = self.data_dir
        return other

    # -- reading ----------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._state.id

    @property
    def name(self) -> str:
        return self._state.name

    @property
    def version_name(self) -> str | None:
        """The version this graph was last saved as or restored from (undo-aware)."""
        return self._state.base

    @property
    def steps(self) -> dict[str, Step]:
        state = self._state
        return {
            k: Step(
                k,
                v["type"],
                MappingProxyType(dict(v["params"])),
                state.layout.get(k, (0.0, 0.0)),
                v.get("note", ""),
            )
            for k, v in state.steps.items()
        }

    @property
    def edges(self) -> list[Edge]:
        return sorted(self._state.edges)

    def to_dict(self) -> dict[str, Any]:
        return self._state.to_dict()

    def to_json(self) -> str:
        return _graph.dumps(self.to_dict())

    def order(self) -> list[str]:
        """Step ids in the order they run."""
        return topological_order(self._state)[0]

    def upstream(self, step_id: str) -> set[str]:
        self._require(step_id)
        parents: dict[str, list[str]] = {}
        for e in self._state.edges:
            parents.setdefault(e.target, []).append(e.source)
        seen: set[str] = set()
        todo = list(parents.get(step_id, []))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(parents.get(current, []))
        return seen

    def downstream(self, step_id: str) -> set[str]:
        self._require(step_id)
        children: dict[str, list[str]] = {}
        for e in self._state.edges:
            children.setdefault(e.source, []).append(e.target)
        seen: set[str] = set()
        todo = list(children.get(step_id, []))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(children.get(current, []))
        return seen

    def __len__(self) -> int:
        return len(self._state.steps)

    def __repr__(self) -> str:
        return f"<Pipeline {self.name!r}: {len(self)} steps, {len(self._state.edges)} edges>"

    def _display_data(self) -> dict[str, Any]:
        issues = [i.to_dict() for i in self.validate(check_files=False)]
        return {"pipeline": self.to_dict(), "issues": issues}

    def _display_text(self) -> str:
        from dsmagic.pipeline._display import pipeline_text

        return pipeline_text(self)

    def _display_html(self) -> str:
        from dsmagic.pipeline._display import pipeline_html

        return pipeline_html(self)

    # -- editing ----------------------------------------------------------------------
    @contextmanager
    def batch(self, label: str = "edits") -> Iterator[Pipeline]:
        """Group edits into one undo step; if one fails, all of them are rolled back."""
        if self._batch is not None:
            yield self
            return
        before = self._state.copy()
        self._batch = []
        try:
            yield self
        except BaseException:
            self._state = before
            raise
        finally:
            done, self._batch = self._batch, None
        if done:
            self._history.record(label, before, self._state)
            self._notify("edit", label)

    @contextmanager
    def _edit(self, label: str) -> Iterator[None]:
        if self._batch is not None:
            yield
            self._batch.append(label)
            return
        before = self._state.copy()
        try:
            yield
        except BaseException:
            self._state = before
            raise
        self._history.record(label, before, self._state)
        self._notify("edit", label)

    def add_step(
        self,
        type: str,
        id: str | None = None,
        *,
        position: tuple[float, float] | None = None,
        note: str = "",
        **params: Any,
    ) -> str:
        """Add a step of catalog type ``type`` and return its id."""
        spec = get_spec(type)
        if id is None:
            id = self._new_id(spec.short)
        else:
            _graph.check_step_id(id)
            if id in self._state.steps:
                raise DsmagicError(f"there is already a step {id!r}; choose another id")
        values = spec.defaults()
        values.update(self._checked_params(id, spec, params))
        with self._edit(f"add {id}"):
            self._state.steps[id] = {"type": type, "params": values, "note": str(note)}
            self._state.layout[id] = _position(position) if position else self._free_spot()
        return id

    def remove_step(self, step_id: str) -> None:
        self._require(step_id)
        with self._edit(f"delete {step_id}"):
            del self._state.steps[step_id]
            self._state.layout.pop(step_id, None)
            self._state.edges = {
                e for e in self._state.edges if step_id not in (e.source, e.target)
            }

    def move_step(self, step_id: str, x: float, y: float) -> None:
        self._require(step_id)
        with self._edit(f"move {step_id}"):
            self._state.layout[step_id] = _position((x, y))

    def set_note(self, step_id: str, note: str) -> None:
        self._require(step_id)
        with self._edit(f"note {step_id}"):
            self._state.steps[step_id]["note"] = str(note)

    def set_params(self, step_id: str, **params: Any) -> None:
        """Change parameters; each value is checked against the step's JSON Schema."""
        self._require(step_id)
        spec = get_spec(self._state.steps[step_id]["type"])
        values = self._checked_params(step_id, spec, params)
        with self._edit(f"set {', '.join(sorted(values))} of {step_id}"):
            self._state.steps[step_id]["params"].update(values)

    def reset_params(self, step_id: str, *names: str) -> None:
        """Put parameters (all when none are named) back to their defaults."""
        self._require(step_id)
        spec = get_spec(self._state.steps[step_id]["type"])
        unknown = [n for n in names if n not in spec.params]
        if unknown:
            raise DsmagicError(f"{spec.type} has no parameter {unknown[0]!r}")
        with self._edit(f"reset {step_id}"):
            current = self._state.steps[step_id]["params"]
            for name in names or list(spec.params):
                if "default" in spec.params[name]:
                    current[name] = spec.params[name]["default"]
                else:
                    current.pop(name, None)

    def connect(
        self,
        source: str,
        target: str,
        source_port: str | None = None,
        target_port: str | None = None,
    ) -> Edge:
        """Connect an output of ``source`` to an input of ``target``.

        Ports are picked by type when not given. A single-connection input that is already
        connected is re-connected (one undo step).
        """
        self._require(source)
        self._require(target)
        if source == target:
            raise DsmagicError(f"cannot connect step {source!r} to itself")
        out_spec = get_spec(self._state.steps[source]["type"])
        in_spec = get_spec(self._state.steps[target]["type"])
        chosen_out = out_spec.output(source_port) if source_port else None
        chosen_in = in_spec.input(target_port) if target_port else None
        if source_port and chosen_out is None:
            names = ", ".join(p.name for p in out_spec.outputs) or "none"
            raise DsmagicError(f"{source!r} has no output {source_port!r} (outputs: {names})")
        if target_port and chosen_in is None:
            names = ", ".join(p.name for p in in_spec.inputs) or "none"
            raise DsmagicError(f"{target!r} has no input {target_port!r} (inputs: {names})")
        outs = [chosen_out] if chosen_out is not None else list(out_spec.outputs)
        ins = [chosen_in] if chosen_in is not None else list(in_spec.inputs)
        pair = next(((o, i) for i in ins for o in outs if o.type == i.type), None)
        if pair is None:
            have = ", ".join(f"{p.name} ({p.type})" for p in outs) or "no outputs"
            want = ", ".join(f"{p.name} ({p.type})" for p in ins) or "no inputs"
            raise DsmagicError(
                f"cannot connect {source!r} to {target!r}: it gives {have} but {target!r} "
                f"takes {want}"
            )
        out, into = pair
        if source in self.downstream(target) or source == target:
            raise DsmagicError(f"connecting {source!r} to {target!r} would create a cycle")
        edge = Edge(source, out.name, target, into.name)
        if edge in self._state.edges:
            return edge
        with self._edit(f"connect {source} -> {target}"):
            if not into.multiple:
                self._state.edges = {
                    e for e in self._state.edges
                    if (e.target, e.target_port) != (target, into.name)
                }  # fmt: skip
            self._state.edges.add(edge)
        return edge

    def disconnect(
        self,
        source: str,
        target: str,
        source_port: str | None = None,
        target_port: str | None = None,
    ) -> None:
        gone = {
            e for e in self._state.edges
            if e.source == source and e.target == target
            and source_port in (None, e.source_port) and target_port in (None, e.target_port)
        }  # fmt: skip
        if not gone:
            raise NotFoundError(f"there is no edge from {source!r} to {target!r}")
        with self._edit(f"disconnect {source} -> {target}"):
            self._state.edges -= gone

    def rename(self, name: str) -> None:
        _graph.check_name(name)
        with self._edit("rename"):
            self._state.name = name

    def load_template(self, template: str) -> None:
        """Replace the graph by a template (one undo step)."""
        from dsmagic.pipeline._templates import build

        with self.batch(f"template {template}"):
            self._state.steps.clear()
            self._state.edges.clear()
            self._state.layout.clear()
            build(self, template)

    def copy_steps(self, step_ids: list[str]) -> dict[str, Any]:
        """Steps and the edges between them as plain data, for :meth:`paste`."""
        for step_id in step_ids:
            self._require(step_id)
        chosen = set(step_ids)
        return {
            "steps": {k: {**self._state.steps[k], "params": dict(self._state.steps[k]["params"]),
                          "position": list(self._state.layout.get(k, (0.0, 0.0)))}
                      for k in step_ids},
            "edges": [e.to_dict() for e in sorted(self._state.edges)
                      if e.source in chosen and e.target in chosen],
        }  # fmt: skip

    def paste(self, clip: dict[str, Any], offset: tuple[float, float] = (40.0, 40.0)) -> list[str]:
        """Add copied steps under new ids (one undo step); return the new ids."""
        mapping: dict[str, str] = {}
        with self.batch("paste"):
            for old, step in clip["steps"].items():
                x, y = step.get("position", (0.0, 0.0))
                mapping[old] = self.add_step(
                    step["type"], position=(x + offset[0], y + offset[1]),
                    note=step.get("note", ""), **step["params"],
                )  # fmt: skip
            for edge in clip["edges"]:
                self.connect(mapping[edge["source"]], mapping[edge["target"]],
                             edge["source_port"], edge["target_port"])  # fmt: skip
        return [mapping[k] for k in clip["steps"]]

    # -- undo / redo ----------------------------------------------------------------
    def undo(self) -> str | None:
        """Undo the last edit (or batch); return its label, or None if nothing to undo."""
        done = self._history.undo(self._state)
        if done is None:
            return None
        self._state = done[1]
        self._notify("undo", done[0])
        return done[0]

    def redo(self) -> str | None:
        done = self._history.redo()
        if done is None:
            return None
        self._state = done[1]
        self._notify("redo", done[0])
        return done[0]

    @property
    def can_undo(self) -> bool:
        return bool(self._history.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self._history.redo_stack)

    def history(self) -> dict[str, list[str]]:
        """Labels of the undo and redo stacks, most recent last / next first."""
        return self._history.labels()

    def observe(self, callback: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Call ``callback({"event", "label", "can_undo", "can_redo"})`` after each change;
        returns a function that stops it."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    def _notify(self, event: str, label: str) -> None:
        message = {"event": event, "label": label, "can_undo": self.can_undo,
                   "can_redo": self.can_redo}  # fmt: skip
        for listener in list(self._listeners):
            listener(message)

    # -- validation -------------------------------------------------------------------
    def validate(self, check_files: bool = True) -> list[Issue]:
        """Every issue (errors and warnings), each naming its step."""
        data_dir = self._data_dir() if check_files else None
        return validate(self._state, data_dir)

    def errors(self, check_files: bool = True) -> list[Issue]:
        return [i for i in self.validate(check_files) if i.severity == "error"]

    def check(self, check_files: bool = True) -> None:
        """Raise a one-line DsmagicError for the first error, if any."""
        errors = self.errors(check_files)
        if errors:
            more = f" (and {len(errors) - 1} more; see p.validate())" if len(errors) > 1 else ""
            raise DsmagicError(f"pipeline {self.name!r} is not valid: {errors[0]}{more}")

    def _data_dir(self) -> Path:
        return Path(self.data_dir) if self.data_dir is not None else Path.cwd()

    # -- versions -----------------------------------------------------------------------
    def save_version(
        self,
        name: str,
        description: str = "",
        tags: list[str] | None = None,
        parent: str | None = None,
    ) -> Version:
        """Store the pipeline as version ``name`` (parent: the last saved/restored one)."""
        from dsmagic.pipeline import _versions

        version = _versions.save(self._state, name, description, tags or [],
                                 parent if parent is not None else self.version_name)  # fmt: skip
        self._state.base = version.name
        return version

    def versions(self) -> list[Version]:
        from dsmagic.pipeline import _versions

        return _versions.list_versions(self._state.id)

    def get_version(self, name: str) -> Pipeline:
        from dsmagic.pipeline import _versions

        pipeline = Pipeline.from_json(_versions.get(self._state.id, name).document)
        pipeline.data_dir = self.data_dir
        pipeline._state.base = name
        return pipeline

    def restore(self, name: str) -> None:
        """Make version ``name`` the current graph (one undo step)."""
        from dsmagic.pipeline import _versions

        version = _versions.get(self._state.id, name)
        restored = _graph.parse(version.document, f"version {name!r}")
        restored.base = name
        with self._edit(f"restore {name}"):
            self._state = restored

    def diff(self, old: str | Pipeline, new: str | Pipeline | None = None) -> PipelineDiff:
        """What changed from ``old`` to ``new`` (version names or pipelines; ``new``
        defaults to the current graph)."""
        from dsmagic.pipeline._diff import diff

        def resolve(which: str | Pipeline | None) -> State:
            if which is None:
                return self._state
            if isinstance(which, Pipeline):
                return which._state
            return self.get_version(which)._state

        return diff(resolve(old), resolve(new), _label(old), _label(new))

    # -- export and run -----------------------------------------------------------------
    def to_notebook(self, path: str | os.PathLike[str] | None = None, **options: Any):
        """The pipeline as a notebook (nbformat 4.5 node); written to ``path`` if given."""
        from dsmagic.pipeline._codegen import notebook

        return notebook.export(self, path, **options)

    def to_script(self, path: str | os.PathLike[str] | None = None, **options: Any) -> str:
        """The pipeline as a command-line script with ``main()``."""
        from dsmagic.pipeline._codegen import script

        return script.export(self, path, **options)

    def to_requirements(self, path: str | os.PathLike[str] | None = None, **options: Any) -> str:
        from dsmagic.pipeline._codegen import requirements

        return requirements.export(self, path, **options)

    def export(
        self, out: str | os.PathLike[str], formats: str | list[str] = "all", **options: Any
    ) -> list[Path]:
        """Write notebook, script, requirements, Docker bundle (``formats``) into folder
        ``out``, or all of them into a zip when ``out`` ends with ``.zip``."""
        from dsmagic.pipeline._codegen import bundle

        return bundle.export(self, Path(out), formats, **options)

    def runs(self) -> list[dict[str, Any]]:
        """Stored runs of this pipeline, oldest first: id, version, tracked run, status,
        times and per-step record."""
        from dsmagic.pipeline._runner import list_runs

        return list_runs(self._state.id)

    def run(self, **options: Any) -> PipelineRun:
        """Run the generated notebook in a fresh kernel; see :func:`dsmagic.pipeline.run`."""
        from dsmagic.pipeline._runner import submit

        return submit(self, **options)

    # -- helpers ----------------------------------------------------------------------
    def _require(self, step_id: str) -> None:
        if step_id not in self._state.steps:
            known = ", ".join(sorted(self._state.steps)[:10]) or "none"
            raise NotFoundError(f"pipeline {self.name!r} has no step {step_id!r} (steps: {known})")

    def _new_id(self, short: str) -> str:
        taken = self._state.steps
        n = len(taken) + 1
        while f"{short}{n}" in taken:
            n += 1
        return f"{short}{n}"

    def _free_spot(self) -> tuple[float, float]:
        n = len(self._state.steps) - 1
        return (float(n % 8) * _GRID_X, float(n // 8) * _GRID_Y)

    @staticmethod
    def _checked_params(step_id: str, spec, params: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for name, value in params.items():
            schema = spec.params.get(name)
            if schema is None:
                known = ", ".join(spec.params) or "none"
                raise DsmagicError(f"{spec.type} has no parameter {name!r} (parameters: {known})")
            if isinstance(value, tuple):
                value = list(value)
            problem = _schema.check(value, schema)
            if problem is not None:
                raise DsmagicError(f"step {step_id!r}: parameter {name!r} {problem}")
            values[name] = list(value) if isinstance(value, list) else value
        return values


def _position(position: Any) -> tuple[float, float]:
    try:
        x, y = position
        return (float(x), float(y))
    except (TypeError, ValueError):
        raise DsmagicError(f"position must be (x, y) numbers, got {position!r}") from None


def _label(which: Any) -> str:
    if which is None:
        return "current"
    return which if isinstance(which, str) else which.name
