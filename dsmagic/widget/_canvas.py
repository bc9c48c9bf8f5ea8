"""The :class:`Canvas` widget: a React Flow editor in the notebook over a Pipeline.

The pipeline (and its file) is the source of truth. The front end sends edit requests;
they go through the Pipeline's own methods, so validation, undo history and versions are
the engine's, and ``canvas.pipeline.undo()`` undoes what was done with the mouse. Every
change, from either side, is pushed back to the view as plain data and autosaved.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from dsmagic.errors import DsmagicError
from dsmagic.pipeline import Pipeline, catalog_json, templates
from dsmagic.widget import _export
from dsmagic.widget._messages import Reply, Request
from dsmagic.widget._ops import dispatch

_STATIC = Path(__file__).resolve().parent.parent / "static"
_BUILD_HINT = (
    "the canvas front end is not built: run `pip install -e .` in the dsmagic checkout "
    "(or `npm ci && npm run build` in labextension/)"
)
_MISSING_ESM = "export default { render({ el }) { el.textContent = " + repr(_BUILD_HINT) + "; } };"


def _static(name: str, fallback: str) -> Path | str:
    path = _STATIC / name
    return path if path.is_file() else fallback


def _from_text(value: Any, _widget: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_AS_TEXT = {"to_json": lambda value, _widget: json.dumps(value), "from_json": _from_text}


def _warm_up() -> None:
    """Import what export and run need in the background: nbformat alone takes seconds
    on a busy machine, and the first Preview should not wait for it."""

    def work() -> None:
        try:
            import nbformat  # noqa: F401
        except ImportError:
            pass

    threading.Thread(target=work, name="dsmagic-canvas-warm-up", daemon=True).start()


class Canvas(anywidget.AnyWidget):
    """An editor for a pipeline, shown in the output cell.

    ``Canvas("churn.dspipe.json")`` opens (or creates) a pipeline file and saves every
    edit back to it; ``Canvas(pipeline)`` edits a Pipeline object; ``Canvas()`` starts
    empty and ``template=`` starts a new file from a template.
    """

    _esm = _static("canvas.js", _MISSING_ESM)
    _css = _static("canvas.css", "")

    # Big values travel as JSON text: ipywidgets walks dicts and lists item by item looking
    # for binary buffers, which costs tens of ms for a few hundred steps.
    graph = t.Dict().tag(sync=True, **_AS_TEXT)
    palette = t.Dict().tag(sync=True, **_AS_TEXT)
    issues: t.List[Any] = t.List().tag(sync=True, **_AS_TEXT)
    run_status = t.Dict().tag(sync=True)
    can_undo = t.Bool(False).tag(sync=True)
    can_redo = t.Bool(False).tag(sync=True)
    versions: t.List[Any] = t.List().tag(sync=True)
    diff = t.Dict().tag(sync=True)
    path = t.Unicode("").tag(sync=True)
    autosave = t.Bool(True).tag(sync=True)
    dirty = t.Bool(False).tag(sync=True)
    load_error = t.Unicode("").tag(sync=True)
    save_error = t.Unicode("").tag(sync=True)
    height = t.Int(640).tag(sync=True)

    def __init__(
        self,
        source: str | os.PathLike[str] | Pipeline | None = None,
        *,
        template: str | None = None,
        autosave: bool = True,
        height: int = 640,
    ) -> None:
        if not (_STATIC / "canvas.js").is_file():
            raise DsmagicError(_BUILD_HINT)
        if not isinstance(height, int) or isinstance(height, bool) or not 200 <= height <= 4000:
            raise DsmagicError(f"height must be 200-4000 pixels, got {height!r}")
        super().__init__(autosave=bool(autosave), height=height)
        self._file: Path | None = None
        self._pipeline: Pipeline = Pipeline()
        self._unobserve: Any = None
        self.feed: Any = None  # the RunFeed of the last run started here
        self.last_run: Any = None
        self.palette = {**catalog_json(), "templates": templates(),
                        "export_formats": dict(_export.FORMATS)}  # fmt: skip
        if isinstance(source, Pipeline):
            self._attach(source)
        elif source is None:
            self._attach(Pipeline.from_template(template) if template else Pipeline())
        elif isinstance(source, (str, os.PathLike)):
            self._open(Path(source), template)
        else:
            raise DsmagicError(
                f"Canvas takes a .dspipe.json path or a Pipeline, got {type(source).__name__}"
            )
        self.on_msg(self._on_message)
        _warm_up()

    # -- the pipeline -------------------------------------------------------------------
    @property
    def pipeline(self) -> Pipeline:
        """The Pipeline shown; edit it from Python and the view follows."""
        return self._pipeline

    @pipeline.setter
    def pipeline(self, pipeline: Pipeline) -> None:
        if not isinstance(pipeline, Pipeline):
            raise DsmagicError(f"canvas.pipeline must be a Pipeline, got {type(pipeline).__name__}")
        self._attach(pipeline)
        self._changed()

    @property
    def file(self) -> Path | None:
        """The pipeline file this canvas saves to, if any."""
        return self._file

    def _open(self, path: Path, template: str | None) -> None:
        if not path.name.endswith(".json"):
            raise DsmagicError(f"pipeline files end with .dspipe.json, got {str(path)!r}")
        if template is not None and path.exists():
            raise DsmagicError(
                f"{str(path)!r} already exists, so template={template!r} would not be used: "
                f"open it with Canvas({str(path)!r}), or pick a new file for the template"
            )
        self._file = path
        self.path = str(path)
        if not path.exists():
            name = _export.stem(None, path)
            pipeline = Pipeline.from_template(template, name) if template else Pipeline(name)
            pipeline.data_dir = path.resolve().parent
            self._attach(pipeline)
            self.save()
            return
        try:
            pipeline = Pipeline.load(path)
        except DsmagicError as exc:
            # Show the problem in the widget; never overwrite the file the user must fix.
            self.load_error = str(exc)
            self.autosave = False
            self._attach(Pipeline(_export.stem(None, path)))
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            return
        self._attach(pipeline)

    def _attach(self, pipeline: Pipeline) -> None:
        if self._unobserve is not None:
            self._unobserve()
        self._pipeline = pipeline
        self._unobserve = pipeline.observe(lambda _message: self._changed())
        self._sync()

    def _changed(self) -> None:
        # The view first: saving the file can wait the few milliseconds it takes.
        self._sync()
        if self.autosave and self._file is not None and not self.load_error:
            try:
                self.save()
            except DsmagicError:
                self.dirty = True  # shown in the view (save_error); the edit itself stands
        else:
            self.dirty = True

    def _sync(self) -> None:
        p = self._pipeline
        graph = {
            "name": p.name,
            "steps": [s.to_dict() for s in p.steps.values()],
            "edges": [e.to_dict() for e in p.edges],
            "revision": self.graph.get("revision", 0) + 1,
        }
        try:
            issues = [i.to_dict() for i in p.validate()]
        except Exception as exc:  # an engine bug must not take the editor down
            issues = [{"step": None, "code": "internal", "message": f"validation failed: {exc}",
                       "severity": "error", "port": None, "param": None}]  # fmt: skip
        with self.hold_sync():
            self.graph = graph
            self.issues = issues
            self.can_undo = p.can_undo
            self.can_redo = p.can_redo

    # -- file -----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None, *, overwrite: bool = False) -> Path:
        """Write the pipeline file (to ``path``, which becomes the canvas' file). A file that
        another process changed since this canvas loaded or saved it is not overwritten
        unless ``overwrite=True``; ``canvas.reload()`` shows the other version instead."""
        if path is not None:
            self._file = Path(path)
            self.path = str(self._file)
            self.load_error = ""
        if self._file is None:
            raise DsmagicError("this canvas has no file: call canvas.save('name.dspipe.json')")
        try:
            self._pipeline.save(self._file, overwrite=overwrite)
        except OSError as exc:
            self.save_error = f"cannot save {str(self._file)!r}: {exc}"
            raise DsmagicError(self.save_error) from None
        except DsmagicError as exc:
            self.save_error = str(exc)
            raise
        self.save_error = ""
        self.dirty = False
        return self._file

    def reload(self) -> None:
        """Read the pipeline file again (after fixing it, or after it changed on disk)."""
        if self._file is None:
            raise DsmagicError("this canvas has no file to reload")
        pipeline = Pipeline.load(self._file)
        self.load_error = ""
        self._attach(pipeline)
        self.dirty = False

    # -- runs -----------------------------------------------------------------------------
    def run(self) -> Any:
        """Start a run of the pipeline (as the Run button does); the lights follow it.
        Returns the :class:`~dsmagic.pipeline.PipelineRun`; ``.wait()`` blocks until done."""
        reply = self.handle({"op": "run"})
        if not reply["ok"]:
            raise DsmagicError(reply["error"])
        return self.last_run

    def _push_run_status(self, status: dict[str, Any]) -> None:
        self.run_status = status

    # -- messages from the view -------------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        reply = self.handle(content)
        if reply is not None:
            self.send(reply)

    def handle(self, message: Request | dict[str, Any]) -> Reply:
        """Apply one request from the view (``{"op": ..., "id": ...}``) and return the reply
        the view gets: ``{"ok": True, "result": ...}`` or ``{"ok": False, "error": ...}``."""
        request = message.get("id")
        reply: Reply
        try:
            result = dispatch(self, dict(message))
            reply = {"type": "reply", "id": request, "ok": True, "result": result}
        except DsmagicError as exc:
            reply = {"type": "reply", "id": request, "ok": False, "error": str(exc)}
        except Exception as exc:  # never break the notebook over one request
            error = f"internal error ({type(exc).__name__}: {exc}); please report it"
            reply = {"type": "reply", "id": request, "ok": False, "error": error}
        return reply

    def __repr__(self) -> str:
        where = f" {self.path!r}" if self.path else ""
        problem = f" (not loaded: {self.load_error})" if self.load_error else ""
        return f"<Canvas{where}: {len(self._pipeline)} steps{problem}>"
