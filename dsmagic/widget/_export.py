"""Export from the canvas: a preview of the code, then files written next to the notebook."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dsmagic.errors import DsmagicError

FORMATS = {
    "notebook": "Notebook (.ipynb)",
    "script": "Script (.py)",
    "requirements": "requirements.txt",
    "docker": "Docker bundle",
    "zip": "Zip of everything",
}


def stem(pipeline: Any, path: Path | None) -> str:
    """The base name of exported files: the pipeline file's name, else the pipeline's."""
    if path is not None:
        name = path.name
        for suffix in (".dspipe.json", ".json"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
    else:
        name = pipeline.name
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "pipeline"
    return name[:80]


def _check(fmt: str) -> str:
    if fmt not in FORMATS:
        raise DsmagicError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return fmt


def preview(pipeline: Any, fmt: str) -> dict[str, Any]:
    """The code the export would write, to read before writing it."""
    _check(fmt)
    if fmt == "notebook":
        nb = pipeline.to_notebook()
        parts = []
        for cell in nb.cells:
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            prefix = "# %% [markdown]\n# " + source.replace("\n", "\n# ") if (
                cell.cell_type == "markdown") else "# %%\n" + source  # fmt: skip
            parts.append(prefix)
        return {"language": "python", "text": "\n\n".join(parts) + "\n",
                "files": ["pipeline.ipynb"]}  # fmt: skip
    if fmt == "requirements":
        return {"language": "text", "text": pipeline.to_requirements(),
                "files": ["requirements.txt"]}  # fmt: skip
    text = pipeline.to_script()
    files = {
        "script": ["pipeline.py"],
        "docker": ["Dockerfile", "docker-compose.yml", ".dockerignore", "README.md",
                   "pipeline.py", "requirements.txt"],
        "zip": ["pipeline.ipynb", "pipeline.py", "requirements.txt", "Dockerfile",
                "docker-compose.yml", ".dockerignore", "README.md", "pipeline.dspipe.json"],
    }[fmt]  # fmt: skip
    return {"language": "python", "text": text, "files": files}


def write(pipeline: Any, fmt: str, base: Path, name: str) -> list[str]:
    """Write the export into ``base`` (the notebook's folder); return the paths written,
    relative to ``base``. A folder export goes to ``<name>_export/``; a zip to
    ``<name>_export.zip``."""
    _check(fmt)
    if fmt == "zip":
        written = pipeline.export(base / f"{name}_export.zip", formats="all")
    else:
        written = pipeline.export(base / f"{name}_export", formats=[fmt])
    return [Path(p).resolve().relative_to(base.resolve()).as_posix() for p in written]
