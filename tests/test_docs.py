"""The documentation runs: every ```python block of README.md and docs/*.md, in a real kernel.

Per Markdown file, its Python blocks run in order in one fresh kernel (a notebook built with
nbformat and executed by nbclient), in a temporary folder with its own store. A block may
need names a reference snippet takes for granted (``df``, ``X_train``, ``objective``): the
file gives them in a hidden block placed right before it, an HTML comment that renders as
nothing::

    <!-- docs-setup
    df = pd.DataFrame(...)
    -->

Each file's test asserts what a reader would see: no cell fails, and a few key results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests._kernels import unix_socket_config

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)")
SETUP_OPEN, SETUP_CLOSE = "<!-- docs-setup", "-->"


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the block's first code line
    code: str
    hidden: bool  # a docs-setup comment


def blocks(path: Path) -> list[Block]:
    """The Python blocks and hidden setup blocks of a Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if line.strip() == SETUP_OPEN:
            end = _closing(lines, index, SETUP_CLOSE, path)
            code = "\n".join(lines[index + 1 : end])
            assert "--" not in code, f"{path.name}:{index + 1}: '--' ends an HTML comment early"
            found.append(Block(index + 2, code, hidden=True))
            after = end + 1
            while after < len(lines) and not lines[after].strip():
                after += 1
            assert after < len(lines) and lines[after].startswith("```python"), (
                f"{path.name}:{index + 1}: a docs-setup block must come right before a "
                "```python block"
            )
            index = end + 1
        elif fence:
            ticks = fence.group(1)
            end = _closing(lines, index, ticks, path)
            if fence.group(2) == "python":
                found.append(Block(index + 2, "\n".join(lines[index + 1 : end]), hidden=False))
            index = end + 1
        else:
            index += 1
    return found


def _closing(lines: list[str], start: int, closer: str, path: Path) -> int:
    for index in range(start + 1, len(lines)):
        if lines[index].strip() == closer:
            return index
    raise AssertionError(f"{path.name}:{start + 1}: block is never closed")


def notebook_of(path: Path) -> nbformat.NotebookNode:
    cells = []
    for block in blocks(path):
        cell = nbformat.v4.new_code_cell(block.code)
        cell.metadata["docs"] = {"line": block.line, "hidden": block.hidden}
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.validate(notebook)
    return notebook


@dataclass
class Executed:
    folder: Path
    text: str  # everything the cells printed or displayed as text

    def tracking(self):
        from dsmagic.tracking import TrackingClient

        return TrackingClient(f"sqlite:///{self.folder / '.dsmagic' / 'dsmagic.db'}")


def execute(path: Path, folder: Path, monkeypatch) -> Executed:
    """Run a file's blocks in one fresh kernel; fail with the file and line of a failing block."""
    from nbclient import NotebookClient

    monkeypatch.setenv("DSMAGIC_HOME", str(folder / ".dsmagic"))
    monkeypatch.setenv("DSMAGIC_URI", f"sqlite:///{folder / '.dsmagic' / 'dsmagic.db'}")
    monkeypatch.setenv("MPLBACKEND", "agg")
    notebook = notebook_of(path)
    with unix_socket_config() as config:
        NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            allow_errors=True,
            config=config,
            resources={"metadata": {"path": str(folder)}},
        ).execute()
    texts = []
    for cell in notebook.cells:
        where = f"{path.relative_to(ROOT)}:{cell.metadata['docs']['line']}"
        for output in cell.outputs:
            if output.output_type == "error":
                trace = "\n".join(output.traceback[-3:])
                pytest.fail(f"{where}: {output.ename}: {output.evalue}\n{trace}", pytrace=False)
            if output.get("name") == "stderr" and (
                "Traceback" in output.text or ("UsageError" in output.text)
            ):  # a magic's error is printed, not raised
                pytest.fail(f"{where}: {output.text.strip()}", pytrace=False)
            texts.append(output.get("text", ""))
            texts.append(str(output.get("data", {}).get("text/plain", "")))
    return Executed(folder, "\n".join(texts))


# -- what each file shows -----------------------------------------------------------------


def check_readme(done: Executed) -> None:
    assert "started run 'baseline'" in done.text
    assert "logged artifact 'model.pkl'" in done.text
    assert "Drift customers@1 (2,000 rows) → customers@2 (2,000 rows)" in done.text
    assert "columns drifted" in done.text
    assert (done.folder / "report.html").stat().st_size > 10_000
    runs = done.tracking().search_runs(experiment="churn")
    baseline = runs.set_index("run_name").loc["baseline"]
    assert baseline["status"] == "finished" and baseline["metrics.acc"] == 0.91
    from dsmagic.models import get_model_version

    assert get_model_version("churn@production").version == 1
    assert (done.folder / "card.html").exists()
    assert (done.folder / "out" / "pipeline.ipynb").exists()
    pipelines = done.tracking().search_runs(experiment="pipelines")
    assert list(pipelines["status"]) == ["finished"]
    assert (done.folder / "churn.dspipe.json").exists()


def check_data(done: Executed) -> None:
    from dsmagic.data import list_versions

    assert list(list_versions("customers")["version"]) == [1, 2]
    assert "Drift customers@1 (2,000 rows) → customers@2 (2,000 rows)" in done.text
    assert "columns drifted" in done.text
    assert "ColumnDrift(column='income'" in done.text  # report["income"]


def check_eda(done: Executed) -> None:
    assert (done.folder / "report.html").stat().st_size > 10_000
    assert (done.folder / "eda.html").stat().st_size > 10_000


def check_models(done: Executed) -> None:
    from dsmagic.models import get_model_version

    assert get_model_version("churn-model@production").version == 1
    assert "Rank customers for retention calls." in (done.folder / "card.html").read_text()
    assert (done.folder / "card.md").exists()
    runs = done.tracking().search_runs("run_name LIKE 'GridSearchCV%'")
    assert len(runs) >= 1


def check_tracking(done: Executed) -> None:
    runs = done.tracking().search_runs(experiment="churn").set_index("run_name")
    assert runs.loc["baseline", "params.model"] == "rf"
    assert runs.loc["baseline", "metrics.acc"] == 0.91
    assert runs.loc["baseline", "status"] == "finished"
    scratch = done.tracking().search_runs(experiment="scratch")  # dsmagic.testing.reset()
    assert list(zip(scratch["run_name"], scratch["status"], strict=True)) == [
        ("left open", "finished")
    ]


def check_tuning(done: Executed) -> None:
    runs = done.tracking().search_runs("tags.`dsmagic.kind` = 'tuning'")
    assert len(runs) == 2 and (runs["status"] == "finished").all()
    assert "churn-rf" in set(runs["run_name"])


def check_canvas(done: Executed) -> None:
    assert (done.folder / "churn.dspipe.json").exists()
    assert (done.folder / "fraud.dspipe.json").exists()


def check_pipeline(done: Executed) -> None:
    for name in ("churn.ipynb", "churn.py", "out/pipeline.py"):
        assert (done.folder / name).exists(), name
    pipelines = done.tracking().search_runs(experiment="pipelines")
    assert list(pipelines["status"]) == ["finished"]


CHECKS = {
    "README.md": check_readme,
    "docs/canvas.md": check_canvas,
    "docs/data.md": check_data,
    "docs/eda.md": check_eda,
    "docs/models.md": check_models,
    "docs/pipeline.md": check_pipeline,
    "docs/tracking.md": check_tracking,
    "docs/tuning.md": check_tuning,
}
WITH_CODE = [path for path in DOCS if any(not block.hidden for block in blocks(path))]


def test_every_file_with_python_has_checks():
    assert {str(path.relative_to(ROOT)) for path in WITH_CODE} == set(CHECKS)


@pytest.mark.kernel
@pytest.mark.parametrize("path", WITH_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_run(path, tmp_path, monkeypatch):
    from dsmagic import store

    monkeypatch.chdir(tmp_path)
    done = execute(path, tmp_path, monkeypatch)
    store.reset()  # this process reads the kernel's store (DSMAGIC_URI) from here on
    try:
        CHECKS[str(path.relative_to(ROOT))](done)
    finally:
        store.reset()
