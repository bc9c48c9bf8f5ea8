"""The requests the view can make, each a thin call into the Pipeline API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsmagic.errors import DsmagicError
from dsmagic.widget import _export
from dsmagic.widget._layout import layered_positions

if TYPE_CHECKING:
    from dsmagic.widget._canvas import Canvas

_OPS: dict[str, Callable[[Canvas, dict[str, Any]], Any]] = {}


def op(name: str):
    def register(function):
        _OPS[name] = function
        return function

    return register


def dispatch(canvas: Canvas, message: dict[str, Any]) -> Any:
    name = message.get("op")
    handler = _OPS.get(name) if isinstance(name, str) else None
    if handler is None:
        raise DsmagicError(f"unknown canvas request {name!r}")
    return handler(canvas, message)


def _text(message: dict[str, Any], key: str) -> str:
    value = message.get(key)
    if not isinstance(value, str):
        raise DsmagicError(f"request needs {key!r} as text, got {value!r}")
    return value


def _point(value: Any) -> tuple[float, float]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, (int, float)) for v in value)):  # fmt: skip
        raise DsmagicError(f"position must be [x, y], got {value!r}")
    return (round(float(value[0]), 1), round(float(value[1]), 1))


# -- editing ------------------------------------------------------------------------------
@op("add_step")
def _add_step(canvas: Canvas, m: dict[str, Any]) -> str:
    position = _point(m["position"]) if m.get("position") is not None else None
    return canvas.pipeline.add_step(_text(m, "type"), position=position)


@op("remove")
def _remove(canvas: Canvas, m: dict[str, Any]) -> None:
    """Delete steps and edges together: one undo step."""
    p = canvas.pipeline
    steps = [s for s in m.get("steps", []) if s in p.steps]
    with p.batch("delete" if len(steps) != 1 else f"delete {steps[0]}"):
        for edge in m.get("edges", []):
            if edge.get("source") in steps or edge.get("target") in steps:
                continue
            p.disconnect(edge["source"], edge["target"], edge.get("source_port"),
                         edge.get("target_port"))  # fmt: skip
        for step in steps:
            p.remove_step(step)


@op("move")
def _move(canvas: Canvas, m: dict[str, Any]) -> None:
    """The end of a drag: all dragged steps move in one undo step."""
    p = canvas.pipeline
    moves = {k: _point(v) for k, v in dict(m.get("moves", {})).items()}
    current = p.steps
    moves = {k: v for k, v in moves.items() if k in current and tuple(current[k].position) != v}
    if not moves:
        return
    label = f"move {next(iter(moves))}" if len(moves) == 1 else f"move {len(moves)} steps"
    with p.batch(label):
        for step, (x, y) in moves.items():
            p.move_step(step, x, y)


@op("connect")
def _connect(canvas: Canvas, m: dict[str, Any]) -> dict[str, str]:
    edge = canvas.pipeline.connect(_text(m, "source"), _text(m, "target"),
                                   m.get("source_port"), m.get("target_port"))  # fmt: skip
    return edge.to_dict()


@op("disconnect")
def _disconnect(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.pipeline.disconnect(_text(m, "source"), _text(m, "target"),
                               m.get("source_port"), m.get("target_port"))  # fmt: skip


@op("set_params")
def _set_params(canvas: Canvas, m: dict[str, Any]) -> None:
    params = m.get("params")
    if not isinstance(params, dict):
        raise DsmagicError("set_params needs 'params' as an object")
    step = _text(m, "step")
    current = canvas.pipeline.steps.get(step)
    if current is not None:  # an unchanged value is not an edit (and no undo step)
        params = {k: v for k, v in params.items()
                  if k not in current.params or current.params[k] != v
                  or type(current.params[k]) is not type(v)}  # fmt: skip
        if not params:
            return
    canvas.pipeline.set_params(step, **params)


@op("reset_params")
def _reset_params(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.pipeline.reset_params(_text(m, "step"), *m.get("names", []))


@op("set_note")
def _set_note(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.pipeline.set_note(_text(m, "step"), _text(m, "note"))


@op("rename")
def _rename(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.pipeline.rename(_text(m, "name"))


@op("paste")
def _paste(canvas: Canvas, m: dict[str, Any]) -> list[str]:
    clip = m.get("clip")
    if not isinstance(clip, dict) or not isinstance(clip.get("steps"), dict):
        raise DsmagicError("nothing to paste: copy steps first")
    clip = {"steps": clip["steps"], "edges": list(clip.get("edges", []))}
    offset = _point(m.get("offset", [40, 40]))
    return canvas.pipeline.paste(clip, offset)


@op("layout")
def _layout(canvas: Canvas, m: dict[str, Any]) -> None:
    p = canvas.pipeline
    positions = layered_positions(sorted(p.steps), p.edges)
    with p.batch("auto-layout"):
        for step, (x, y) in positions.items():
            p.move_step(step, x, y)


@op("template")
def _template(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.pipeline.load_template(_text(m, "name"))


@op("undo")
def _undo(canvas: Canvas, m: dict[str, Any]) -> str | None:
    return canvas.pipeline.undo()


@op("redo")
def _redo(canvas: Canvas, m: dict[str, Any]) -> str | None:
    return canvas.pipeline.redo()


# -- file ---------------------------------------------------------------------------------
@op("save")
def _save(canvas: Canvas, m: dict[str, Any]) -> str:
    return str(canvas.save())


@op("set_autosave")
def _set_autosave(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.autosave = bool(m.get("value"))
    if canvas.autosave and canvas.dirty and canvas.file is not None and not canvas.load_error:
        canvas.save()


@op("reload")
def _reload(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.reload()


# -- versions -----------------------------------------------------------------------------
def _refresh_versions(canvas: Canvas) -> list[dict[str, Any]]:
    canvas.versions = [v.to_dict() for v in canvas.pipeline.versions()]
    return canvas.versions


@op("versions")
def _versions(canvas: Canvas, m: dict[str, Any]) -> list[dict[str, Any]]:
    return _refresh_versions(canvas)


@op("save_version")
def _save_version(canvas: Canvas, m: dict[str, Any]) -> dict[str, Any]:
    tags = m.get("tags") or []
    version = canvas.pipeline.save_version(_text(m, "name").strip(),
                                           str(m.get("description", "")), tags)  # fmt: skip
    _refresh_versions(canvas)
    return version.to_dict()


@op("restore")
def _restore(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.pipeline.restore(_text(m, "name"))
    canvas.diff = {}
    _refresh_versions(canvas)


@op("diff")
def _diff(canvas: Canvas, m: dict[str, Any]) -> dict[str, Any]:
    """Compare a version (``old``) with another (``new``) or the current graph; the view
    highlights the steps."""
    new = m.get("new") or None
    old = _text(m, "old")
    found = canvas.pipeline.diff(old, new)
    result = found.to_dict()
    result["text"] = str(found)
    # Removed steps are not on the current canvas: send where they were, to show ghosts.
    before = canvas.pipeline.get_version(old).steps
    result["removed"] = [before[k].to_dict() for k in found.removed if k in before] if (
        new is None) else []  # fmt: skip
    canvas.diff = result
    return result


@op("clear_diff")
def _clear_diff(canvas: Canvas, m: dict[str, Any]) -> None:
    canvas.diff = {}


# -- export -------------------------------------------------------------------------------
def _base(canvas: Canvas) -> Path:
    """Where exports go: the notebook's folder (the kernel's working directory)."""
    return Path.cwd()


@op("preview")
def _preview(canvas: Canvas, m: dict[str, Any]) -> dict[str, Any]:
    return _export.preview(canvas.pipeline, _text(m, "format"))


@op("export")
def _export_files(canvas: Canvas, m: dict[str, Any]) -> dict[str, Any]:
    base = _base(canvas)
    name = _export.stem(canvas.pipeline, canvas.file)
    files = _export.write(canvas.pipeline, _text(m, "format"), base, name)
    return {"files": files, "folder": str(base)}


# -- runs ---------------------------------------------------------------------------------
@op("run")
def _run(canvas: Canvas, m: dict[str, Any]) -> dict[str, Any]:
    from dsmagic.widget._runs import RunFeed

    previous = canvas.last_run
    if previous is not None and not previous.done:
        raise DsmagicError("a run of this pipeline is still going: wait for it or cancel it")
    p = canvas.pipeline
    feed = RunFeed(canvas._push_run_status, p.order())
    canvas.feed = feed
    canvas.run_status = feed.snapshot()
    try:
        run = p.run(
            wait=False, on_event=feed.on_event, allow_custom_code=m.get("allow_custom_code") is True
        )
    except DsmagicError as exc:
        canvas.run_status = {**feed.snapshot(), "status": "failed", "error": str(exc)}
        raise
    feed.run = run
    canvas.last_run = run
    return {"run": run.id}


@op("cancel")
def _cancel(canvas: Canvas, m: dict[str, Any]) -> None:
    run = canvas.last_run
    if run is None or run.done:
        raise DsmagicError("no run is going")
    run.cancel()
