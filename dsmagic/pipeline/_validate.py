"""Everything wrong with a pipeline, each issue naming its step and saying how to fix it.

Python, the CLI and the canvas all call :func:`validate`, so they show the same issues.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsmagic._files import inside
from dsmagic.errors import DsmagicError
from dsmagic.pipeline import _schema
from dsmagic.pipeline._catalog import PORT_TYPES, find_spec
from dsmagic.pipeline._graph import State


@dataclass(frozen=True)
class Issue:
    step: str | None
    code: str
    message: str
    severity: str = "error"  # error | warning
    port: str | None = None
    param: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "code": self.code, "message": self.message,
                "severity": self.severity, "port": self.port, "param": self.param}  # fmt: skip

    def __str__(self) -> str:
        where = f"step {self.step!r}" if self.step else "pipeline"
        return f"{self.severity}: {where}: {self.message}"


def topological_order(state: State) -> tuple[list[str], set[str]]:
    """Steps in run order (ties broken by id, so the order is stable) and the steps on
    cycles."""
    indegree = dict.fromkeys(state.steps, 0)
    children: dict[str, list[str]] = {k: [] for k in state.steps}
    for edge in state.edges:
        if edge.source in indegree and edge.target in indegree:
            indegree[edge.target] += 1
            children[edge.source].append(edge.target)
    ready = [k for k, n in indegree.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        step_id = heapq.heappop(ready)
        order.append(step_id)
        for child in children[step_id]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, child)
    return order, {k for k, n in indegree.items() if n > 0}


def validate(state: State, data_dir: Path | None = None) -> list[Issue]:
    issues: list[Issue] = []
    add = issues.append
    specs = {}
    for step_id, step in state.steps.items():
        spec = find_spec(step["type"])
        if spec is None:
            add(Issue(step_id, "unknown-type", f"unknown step type {step['type']!r}; pick one "
                      "from dsmagic.pipeline.catalog() or delete the step"))  # fmt: skip
            continue
        specs[step_id] = spec
        params = step["params"]
        for name, schema in spec.params.items():
            if name not in params:
                if "default" not in schema:
                    add(Issue(step_id, "missing-param", f"parameter {name!r} is required: "
                              f"{schema.get('description', '')}", param=name))  # fmt: skip
                continue
            problem = _schema.check(params[name], schema)
            if problem is not None:
                add(Issue(step_id, "bad-param", f"parameter {name!r} {problem}", param=name))
        for name in params:
            if name not in spec.params:
                known = ", ".join(spec.params) or "none"
                add(Issue(step_id, "unknown-param", f"{spec.type} has no parameter {name!r} "
                          f"(parameters: {known})", param=name))  # fmt: skip
        if spec.custom_code:
            add(Issue(step_id, "custom-code", "custom code step: its code runs as written, "
                      "unchecked; review it before running", "warning"))  # fmt: skip

    incoming: dict[tuple[str, str], list[str]] = {}
    for edge in sorted(state.edges):
        source, target = specs.get(edge.source), specs.get(edge.target)
        if edge.source == edge.target:
            add(Issue(edge.target, "self-loop", "a step cannot be connected to itself",
                      port=edge.target_port))  # fmt: skip
            continue
        out = source.output(edge.source_port) if source else None
        into = target.input(edge.target_port) if target else None
        if source and out is None:
            add(Issue(edge.source, "unknown-port", f"{source.type} has no output "
                      f"{edge.source_port!r}", port=edge.source_port))  # fmt: skip
        if target and into is None:
            add(Issue(edge.target, "unknown-port", f"{target.type} has no input "
                      f"{edge.target_port!r}", port=edge.target_port))  # fmt: skip
        if out is not None and into is not None and out.type != into.type:
            hint = _TYPE_HINTS.get((out.type, into.type), "")
            add(Issue(edge.target, "type-mismatch", f"input {into.name!r} expects "
                      f"{PORT_TYPES[into.type]} but {edge.source!r} gives "
                      f"{PORT_TYPES[out.type]}{hint}", port=into.name))  # fmt: skip
        incoming.setdefault((edge.target, edge.target_port), []).append(edge.source)

    for step_id, spec in specs.items():
        for port in spec.inputs:
            sources = incoming.get((step_id, port.name), [])
            if not sources and port.required:
                add(
                    Issue(
                        step_id,
                        "unconnected-input",
                        f"input {port.name!r} ({PORT_TYPES[port.type]}) is not connected",
                        port=port.name,
                    )
                )
            elif len(sources) > 1 and not port.multiple:
                add(Issue(step_id, "too-many-inputs", f"input {port.name!r} takes one "
                          f"connection but has {len(sources)} ({', '.join(sorted(sources))})",
                          port=port.name))  # fmt: skip
            if port.multiple and 0 < len(sources) < 2:
                add(Issue(step_id, "too-few-inputs", f"input {port.name!r} needs at least two "
                          "models", port=port.name))  # fmt: skip

    _, cyclic = topological_order(state)
    for step_id in sorted(cyclic):
        add(Issue(step_id, "cycle", "this step is part of a cycle; remove one of the edges "
                  "that lead back to it"))  # fmt: skip

    if data_dir is not None:
        for step_id, spec in specs.items():
            path = state.steps[step_id]["params"].get("path")
            if spec.category != "source" or not isinstance(path, str) or not path:
                continue
            try:
                missing = not inside(data_dir, path, "data file").is_file()
            except DsmagicError as exc:  # a link that leads out of the data folder
                add(Issue(step_id, "outside-data", str(exc), param="path"))
                continue
            if missing:
                add(Issue(step_id, "missing-file", f"data file {path!r} not found in "
                              f"{str(data_dir)!r}", param="path"))  # fmt: skip
    if not cyclic:
        _semantic(state, specs, incoming, add)
    return issues


_TYPE_HINTS = {
    ("split", "dataset"): "; put preprocessing before the split (it is fitted on the "
    "training rows only, inside the model's Pipeline)",
    ("frame", "dataset"): "; add a 'select_target' step first",
    ("frame", "split"): "; add 'select_target' and 'train_test_split' steps first",
    ("dataset", "split"): "; add a 'train_test_split' step first",
}


def _semantic(state, specs, incoming, add) -> None:
    """Checks that need the graph's meaning: task of models, tuning spaces, ensembles."""

    def upstream(step_id: str, port: str) -> list[str]:
        return incoming.get((step_id, port), [])

    task_of: dict[str, str | None] = {}
    resampled: dict[str, bool] = {}
    split_of: dict[str, str | None] = {}
    order, _ = topological_order(state)
    for step_id in order:
        spec = specs.get(step_id)
        if spec is None:
            continue
        parents = [p for port in spec.inputs for p in upstream(step_id, port.name)]
        resampled[step_id] = spec.resampler or any(resampled.get(p, False) for p in parents)
        if spec.category == "split":
            split_of[step_id] = step_id if spec.type == "train_test_split" else None
        if spec.role == "model":
            task_of[step_id] = spec.task
            split_of[step_id] = next((split_of.get(p) for p in parents), None)
            if resampled[step_id] and spec.task == "regression":
                add(Issue(step_id, "task-mismatch", "resampling (SMOTE/ADASYN) only works "
                          "for classification; remove it or use a classifier"))  # fmt: skip
        elif spec.role == "tune":
            base = next(iter(parents), None)
            base_spec = specs.get(base) if base else None
            task_of[step_id] = task_of.get(base) if base else None
            split_of[step_id] = split_of.get(base) if base else None
            if base_spec is not None and (base_spec.role != "model" or not base_spec.tune):
                add(
                    Issue(
                        step_id,
                        "not-tunable",
                        f"connect a single model step with tunable "
                        f"parameters; {base!r} ({base_spec.type}) has none",
                        port="model",
                    )
                )
        elif spec.role == "ensemble":
            task_of[step_id] = spec.task
            members = upstream(step_id, "models")
            splits = {split_of.get(m) for m in members}
            split_of[step_id] = next(iter(splits)) if len(splits) == 1 else None
            if len(splits) > 1:
                add(Issue(step_id, "mixed-splits", "the models must all be trained on the "
                          "same train/test split", port="models"))  # fmt: skip
            for member in members:
                if task_of.get(member) not in (None, spec.task):
                    add(Issue(step_id, "task-mismatch", f"{spec.type} needs {spec.task} "
                              f"models but {member!r} is a {task_of[member]} model",
                              port="models"))  # fmt: skip
        elif spec.inputs and spec.inputs[0].type == "model":
            base = next(iter(parents), None)
            model_task = task_of.get(base) if base else None
            if spec.task and model_task and spec.task != model_task:
                add(Issue(step_id, "task-mismatch", f"{spec.type} needs a {spec.task} model "
                          f"but {base!r} is a {model_task} model", port="model"))  # fmt: skip
            if (
                spec.type == "cross_validate"
                and model_task == "regression"
                and (state.steps[step_id]["params"].get("stratified", True))
            ):
                add(
                    Issue(
                        step_id,
                        "bad-param",
                        "stratified folds need a classifier; set "
                        "stratified=False for a regression model",
                        param="stratified",
                    )
                )
