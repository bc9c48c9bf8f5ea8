"""``dm.reproduce(run, into)``: a notebook of the cells a run executed, the packages it ran
with, and the data versions it read, so the run can be executed again elsewhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dsmagic.errors import DsmagicError

__all__ = ["INPUT_TAG", "reproduce"]

INPUT_TAG = "dsmagic.input."  # + dataset name: the version a run read with dm.load_data


def reproduce(run_id: Any, into: str | Path = ".", *, overwrite: bool = False) -> Path:
    """Write ``<run name>-<id>.ipynb`` and ``requirements.txt`` into folder ``into`` and
    return the notebook's path. The notebook loads the data versions the run read, then runs
    the run's cells in their order (those that succeeded)."""
    import nbformat

    from dsmagic._files import write_atomic
    from dsmagic.tracking._fluent import default_client

    client = default_client()
    run = client.get_run(getattr(run_id, "id", run_id))
    cells = [cell for cell in client.cells(run.id) if cell["success"]]
    if not cells:
        raise DsmagicError(
            f"run {run.id[:8]} ({run.name}) has no captured cells to reproduce: only runs "
            "started in a notebook or IPython record the cells they run"
        )
    folder = Path(into)
    if folder.exists() and not folder.is_dir():
        raise DsmagicError(f"cannot write into {str(folder)!r}: it is a file, give a folder")
    stem = re.sub(r"[^\w.-]+", "-", run.name).strip("-.") or "run"
    notebook_path = folder / f"{stem}-{run.id[:8]}.ipynb"
    requirements_path = folder / "requirements.txt"
    for path in (notebook_path, requirements_path):
        if path.exists() and not overwrite:
            raise DsmagicError(
                f"{str(path)!r} exists: choose another folder, or pass overwrite=True "
                "(--force on the command line)"
            )
    environment = client.environment(run.id) or {}
    inputs = {key.removeprefix(INPUT_TAG): ref for key, ref in run.tags.items()
              if key.startswith(INPUT_TAG)}  # fmt: skip
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell(_header(run, environment, inputs)))
    # The run's cells may use dsmagic's magics and `dm`, set up before the run started.
    lines = ["%load_ext dsmagic", "import dsmagic as dm"]
    if inputs:
        lines += ["", "# The data versions the run read, as it read them.", "inputs = {"]
        lines += [f"    {ref!r}: dm.load_data({ref!r})," for ref in sorted(inputs.values())]
        lines.append("}")
    notebook.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    notebook.cells += [nbformat.v4.new_code_cell(cell["source"]) for cell in cells]
    nbformat.validate(notebook)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(notebook_path, nbformat.writes(notebook))
    packages = environment.get("packages") or {}
    write_atomic(
        requirements_path,
        "".join(f"{name}=={version}\n" for name, version in sorted(packages.items())),
    )
    return notebook_path


def _header(run: Any, environment: dict[str, Any], inputs: dict[str, str]) -> str:
    python = (environment.get("python") or {}).get("version", "unknown")
    git = environment.get("git") or {}
    lines = [
        f"# Reproduction of run {_md(run.name)} (`{run.id}`)",
        "",
        f"Experiment {_md(run.experiment)}, status {run.status}. Recorded with Python {python};"
        " the packages it ran with are in `requirements.txt` (`pip install -r "
        "requirements.txt`).",
    ]
    if git.get("commit"):
        dirty = " with uncommitted changes" if git.get("dirty") else ""
        lines.append(f"Git commit `{git['commit']}`{dirty}.")
    if inputs:
        lines.append(
            "Data versions read: " + ", ".join(f"`{ref}`" for ref in sorted(inputs.values()))
        )
    lines += [
        "",
        "The cells after the set-up cell are the run's own, in the order they ran. Cells run "
        "before the run started (imports, say) were not recorded: add them if a cell needs them.",
    ]
    return "\n".join(lines)


def _md(text: str) -> str:
    # A name is shown as text, never as markup: Markdown's special characters escaped.
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", str(text))
