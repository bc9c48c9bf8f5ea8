"""Turn a valid pipeline into step blocks of Python. Parameter values only ever appear as
``repr()`` literals of schema-checked JSON values; names come from validated step ids."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsmagic.pipeline._catalog import StepSpec, get_spec
from dsmagic.pipeline._catalog._spec import lit
from dsmagic.pipeline._validate import topological_order

if TYPE_CHECKING:
    from dsmagic.pipeline._pipeline import Pipeline

STDLIB = {"argparse", "functools", "json", "logging", "pathlib", "sys"}
MAX_LINE = 100
# Variables each output port type leaves behind (what the runner caches), by role.
_SPLIT = ("X_train", "X_test", "y_train", "y_test")


@dataclass
class Block:
    step_id: str
    spec: StepSpec
    code: str
    outputs: list[str]
    imports: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.spec.title


@dataclass
class Program:
    name: str
    blocks: list[Block]
    imports: list[str]
    import_lines: set[str]
    requires: list[str]
    results: str
    params: dict[str, Any]
    data_files: list[str]
    frames: list[str]
    custom_code: bool
    tracking: bool
    seed: int = 42
    setup: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Context:
    """What a step's code template sees."""

    def __init__(self, step_id: str, spec: StepSpec, params: dict[str, Any], inputs) -> None:
        self.id = step_id
        self.spec = spec
        self.params = params
        self._inputs = inputs  # port -> list of (source id, symbols)
        self.lit = lit

    def p(self, name: str) -> str:
        return lit(self.params[name])

    def out(self, prefix: str) -> str:
        return f"{prefix}_{self.id}"

    def i(self, key: str, port: str = "data") -> str:
        return self._inputs[port][0][1][key]

    def inputs_list(self, port: str, key: str) -> list[tuple[str, str]]:
        return [(source, symbols[key]) for source, symbols in self._inputs[port]]

    def upstream_spec(self, port: str) -> StepSpec:
        return self._inputs[port][0][1]["spec"]

    @property
    def chain(self) -> list[tuple[str, str]]:
        return self._inputs["data"][0][1].get("chain", [])

    @property
    def pipeline_class(self) -> str:
        return "ImbPipeline" if self._inputs["data"][0][1].get("resampler") else "Pipeline"


def _symbols(step_id: str, spec: StepSpec, inputs) -> dict[str, dict[str, Any]]:
    """Names each output port of a step makes available downstream."""
    first = inputs[spec.inputs[0].name][0][1] if spec.inputs else {}
    out: dict[str, dict[str, Any]] = {}
    for port in spec.outputs:
        kind = port.type
        symbols: dict[str, Any] = {"spec": spec}
        if kind == "frame":
            symbols["df"] = f"df_{step_id}"
        elif kind == "dataset" and spec.role == "prep":
            symbols.update({k: v for k, v in first.items() if k != "spec"})
            symbols["chain"] = [*first.get("chain", []), (step_id, f"prep_{step_id}")]
            symbols["resampler"] = first.get("resampler", False) or spec.resampler
        elif kind == "dataset":
            symbols.update(features=f"features_{step_id}", target=f"target_{step_id}", chain=[])
        elif kind == "split":
            symbols.update({k: f"{k}_{step_id}" for k in _SPLIT})
            symbols["chain"] = first.get("chain", [])
            symbols["resampler"] = first.get("resampler", False)
        elif kind == "model":
            symbols.update({k: first[k] for k in _SPLIT})
            symbols["model"] = f"model_{step_id}"
        elif kind == "metrics":
            symbols["metrics"] = f"metrics_{step_id}"
        else:
            symbols["value"] = f"{kind}_{step_id}"
        out[port.name] = symbols
    return out


def _cached_names(step_id: str, spec: StepSpec) -> list[str]:
    names: list[str] = []
    for port in spec.outputs:
        if port.type == "frame":
            names.append(f"df_{step_id}")
        elif port.type == "dataset":
            names += [f"prep_{step_id}"] if spec.role == "prep" else [
                f"features_{step_id}", f"target_{step_id}"]  # fmt: skip
        elif port.type == "split":
            names += [f"{k}_{step_id}" for k in _SPLIT]
        elif port.type in ("model", "metrics"):
            names.append(f"{port.type}_{step_id}")
    return names


def build(
    pipeline: Pipeline,
    *,
    tracking: bool = False,
    experiment: str = "pipelines",
    seed: int = 42,
) -> Program:
    """The program for a pipeline; raises DsmagicError when the pipeline has errors."""
    pipeline.check(check_files=False)
    if isinstance(seed, bool) or not isinstance(seed, int):
        from dsmagic.errors import DsmagicError

        raise DsmagicError(f"seed must be a whole number, got {seed!r}")
    state = pipeline._state
    order, _ = topological_order(state)
    incoming: dict[str, dict[str, list[tuple[str, str]]]] = {k: {} for k in state.steps}
    for edge in sorted(state.edges):
        incoming[edge.target].setdefault(edge.target_port, []).append(
            (edge.source, edge.source_port)
        )
    symbols: dict[str, dict[str, dict[str, Any]]] = {}
    blocks: list[Block] = []
    imports: set[str] = {"import json", "from pathlib import Path"}
    requires: set[str] = set()
    custom = False
    for step_id in order:
        step = state.steps[step_id]
        spec = get_spec(step["type"])
        params = {**spec.defaults(), **step["params"]}
        inputs = {
            port: [(src, symbols[src][src_port]) for src, src_port in sources]
            for port, sources in incoming[step_id].items()
        }
        context = Context(step_id, spec, params, inputs)
        code = spec.code(context)
        step_imports = tuple(spec.import_lines(params))
        if spec.role == "model":
            step_imports += (
                ("from imblearn.pipeline import Pipeline as ImbPipeline",)
                if context.pipeline_class == "ImbPipeline"
                else ("from sklearn.pipeline import Pipeline",)
            )
        imports.update(step_imports)
        requires.update(spec.requires)
        custom = custom or spec.custom_code
        symbols[step_id] = _symbols(step_id, spec, inputs)
        blocks.append(Block(step_id, spec, code, _cached_names(step_id, spec), step_imports))
    if any("sklearn" in line for line in imports):
        imports.add("import sklearn")
        requires.add("scikit-learn")
    requires.add("pandas")
    if tracking:
        imports.add("import dsmagic")
        requires.add("dsmagic")
    flat = {f"{k}.{name}": value for k in order
            for name, value in sorted(state.steps[k]["params"].items())}  # fmt: skip
    data_files = sorted({state.steps[k]["params"]["path"] for k in order
                         if state.steps[k]["type"] in ("read_csv", "read_parquet")})  # fmt: skip
    frames = sorted({state.steps[k]["params"]["variable"] for k in order
                     if state.steps[k]["type"] == "dataframe"})  # fmt: skip
    program = Program(
        name=state.name,
        blocks=blocks,
        imports=format_imports(imports),
        import_lines=set(imports),
        requires=sorted(requires),
        results=_results(blocks, tracking, state.name, experiment, flat),
        params=flat,
        data_files=data_files,
        frames=frames,
        custom_code=custom,
        tracking=tracking,
        seed=seed,
    )
    setup = ["Path(OUTPUT_DIR).mkdir(parents=True, exist_ok=True)"]
    if "import sklearn" in imports:
        setup.append('sklearn.set_config(transform_output="pandas")')
    program.setup = "\n".join(setup)
    return program


def _results(blocks: list[Block], tracking: bool, name: str, experiment: str, params) -> str:
    producers = [b for b in blocks if any(p.type == "metrics" for p in b.spec.outputs)]
    counts: dict[str, int] = {}
    for block in producers:
        counts[block.spec.type] = counts.get(block.spec.type, 0) + 1
    lines = ["metrics = {}"]
    for block in producers:
        var = f"metrics_{block.step_id}"
        if counts[block.spec.type] > 1:
            lines.append(f'metrics.update({{f"{block.step_id}.{{key}}": value '
                         f"for key, value in {var}.items()}})")  # fmt: skip
        else:
            lines.append(f"metrics.update({var})")
    lines += [
        'report = json.dumps(metrics, indent=2, sort_keys=True) + "\\n"',
        '(Path(OUTPUT_DIR) / "metrics.json").write_text(report)',
        "print(report)",
    ]
    if tracking:
        entries = "".join(f"    {lit(k)}: {lit(v)},\n" for k, v in params.items())
        lines += [
            f"PARAMS = {{\n{entries}}}" if entries else "PARAMS = {}",
            f"with dsmagic.start_run({lit(name)}, experiment={lit(experiment)}):",
            "    dsmagic.log_params(PARAMS)",
            "    dsmagic.log_metrics(metrics)",
            "    for path in sorted(Path(OUTPUT_DIR).iterdir()):",
            "        dsmagic.log_artifact(path)",
        ]
    return "\n".join(lines)


def format_imports(lines: set[str]) -> list[str]:
    """Import lines the way ruff's isort rules want them (two sections, merged froms)."""
    straight: dict[bool, set[str]] = {True: set(), False: set()}
    froms: dict[bool, dict[str, set[str]]] = {True: {}, False: {}}
    for line in lines:
        words = line.split()
        module = words[1]
        stdlib = module.split(".")[0] in STDLIB
        if words[0] == "import":
            straight[stdlib].add(line)
        else:
            froms[stdlib].setdefault(module, set()).add(" ".join(words[3:]))
    sections = []
    for stdlib in (True, False):
        section = sorted(straight[stdlib], key=lambda s: s.split()[1].lower())
        for module in sorted(froms[stdlib], key=str.lower):
            names = sorted(froms[stdlib][module], key=_name_key)
            line = f"from {module} import {', '.join(names)}"
            if len(line) > MAX_LINE:
                body = "".join(f"    {n},\n" for n in names)
                line = f"from {module} import (\n{body})"
            section.append(line)
        if section:
            sections.append("\n".join(section))
    return sections


def _name_key(name: str) -> tuple[int, str]:
    base = name.split(" as ")[0]
    if base.isupper() and len(base) > 1:
        return (0, base)
    if base[:1].isupper():
        return (1, base)
    return (2, base)


def mark_long_lines(code: str) -> str:
    """Literal values can make long lines; mark them instead of breaking a literal."""
    out = []
    for line in code.split("\n"):
        if len(line) > MAX_LINE and "# noqa" not in line:
            line += "  # noqa: E501"
        out.append(line)
    return "\n".join(out)


def dumps_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
