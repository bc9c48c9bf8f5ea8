"""Everything wrong with a pipeline, each issue naming its step and saying how to fix it.

Python, the CLI and the canvas all call :func:`validate`, so they show the same issues.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsmagic._files import inside
from dsmagic.errors import DsmagicError
from dsmagic.pipeline import _schema
from dsmagic.pipeline._catalog import PORT_TYPES, StepSpec, find_spec
from dsmagic.pipeline._graph import Edge, State


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


# -- the rule registry ---------------------------------------------------------------------
# Step rules run for each step in order, then edge rules for each edge (sorted), then the
# pipeline rules once, each in registration order: the issues come out grouped by step,
# then by edge, then by whole-pipeline checks, as the canvas lists them.
@dataclass
class Check:
    """What the rules read (the pipeline, its known steps' specs, who feeds each input)
    and the issues they found."""

    state: State
    data_dir: Path | None
    specs: dict[str, StepSpec] = field(default_factory=dict)
    incoming: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    cyclic: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)

    def __post_init__(self) -> None:
        for step_id, step in self.state.steps.items():
            spec = find_spec(step["type"])
            if spec is not None:
                self.specs[step_id] = spec
        for edge in sorted(self.state.edges):
            if edge.source != edge.target:
                self.incoming.setdefault((edge.target, edge.target_port), []).append(edge.source)
        _, self.cyclic = topological_order(self.state)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)


StepRule = Callable[[Check, str, dict[str, Any]], None]
EdgeRule = Callable[[Check, Edge], None]
PipelineRule = Callable[[Check], None]
STEP_RULES: dict[str, StepRule] = {}
EDGE_RULES: dict[str, EdgeRule] = {}
PIPELINE_RULES: dict[str, PipelineRule] = {}


def _registrar(table: dict[str, Any], name: str) -> Callable[[Any], Any]:
    def register(function: Any) -> Any:
        table[name] = function
        return function

    return register


def step_rule(name: str) -> Callable[[StepRule], StepRule]:
    return _registrar(STEP_RULES, name)


def edge_rule(name: str) -> Callable[[EdgeRule], EdgeRule]:
    return _registrar(EDGE_RULES, name)


def pipeline_rule(name: str) -> Callable[[PipelineRule], PipelineRule]:
    return _registrar(PIPELINE_RULES, name)


def validate(state: State, data_dir: Path | None = None) -> list[Issue]:
    """Every issue of ``state``; with ``data_dir``, also the data files it reads."""
    check = Check(state, data_dir)
    for step_id, step in state.steps.items():
        for step_check in STEP_RULES.values():
            step_check(check, step_id, step)
    for edge in sorted(state.edges):
        for edge_check in EDGE_RULES.values():
            edge_check(check, edge)
    for pipeline_check in PIPELINE_RULES.values():
        pipeline_check(check)
    return check.issues


# -- step rules ----------------------------------------------------------------------------
@step_rule("unknown-type")
def _unknown_type(check: Check, step_id: str, step: dict[str, Any]) -> None:
    if step_id not in check.specs:
        check.add(Issue(step_id, "unknown-type", f"unknown step type {step['type']!r}; pick "
                        "one from dsmagic.pipeline.catalog() or delete the step"))  # fmt: skip


@step_rule("params")
def _params(check: Check, step_id: str, step: dict[str, Any]) -> None:
    spec = check.specs.get(step_id)
    if spec is None:
        return
    add, params = check.add, step["params"]
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


@step_rule("custom-code")
def _custom_code(check: Check, step_id: str, step: dict[str, Any]) -> None:
    spec = check.specs.get(step_id)
    if spec is not None and spec.custom_code:
        check.add(Issue(step_id, "custom-code", "custom code step: its code runs as written, "
                        "unchecked; review it before running", "warning"))  # fmt: skip


# -- edge rules ----------------------------------------------------------------------------
@edge_rule("self-loop")
def _self_loop(check: Check, edge: Edge) -> None:
    if edge.source == edge.target:
        check.add(Issue(edge.target, "self-loop", "a step cannot be connected to itself",
                        port=edge.target_port))  # fmt: skip


@edge_rule("ports")
def _ports(check: Check, edge: Edge) -> None:
    if edge.source == edge.target:
        return
    add = check.add
    source, target = check.specs.get(edge.source), check.specs.get(edge.target)
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


# -- pipeline rules ------------------------------------------------------------------------
@pipeline_rule("inputs")
def _inputs(check: Check) -> None:
    add = check.add
    for step_id, spec in check.specs.items():
        for port in spec.inputs:
            sources = check.incoming.get((step_id, port.name), [])
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


@pipeline_rule("cycle")
def _cycle(check: Check) -> None:
    for step_id in sorted(check.cyclic):
        check.add(Issue(step_id, "cycle", "this step is part of a cycle; remove one of the "
                        "edges that lead back to it"))  # fmt: skip


@pipeline_rule("data-files")
def _data_files(check: Check) -> None:
    if check.data_dir is None:
        return
    for step_id, spec in check.specs.items():
        path = check.state.steps[step_id]["params"].get("path")
        if spec.category != "source" or not isinstance(path, str) or not path:
            continue
        try:
            missing = not inside(check.data_dir, path, "data file").is_file()
        except DsmagicError as exc:  # a link that leads out of the data folder
            check.add(Issue(step_id, "outside-data", str(exc), param="path"))
            continue
        if missing:
            check.add(Issue(step_id, "missing-file", f"data file {path!r} not found in "
                            f"{str(check.data_dir)!r}", param="path"))  # fmt: skip


@pipeline_rule("meaning")
def _meaning(check: Check) -> None:
    if not check.cyclic:  # the checks below walk the graph in run order
        _semantic(check.state, check.specs, check.incoming, check.add)


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
