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


_MAIN = {"notebook": "pipeline.ipynb", "requirements": "requirements.txt"}


def _check(fmt: str) -> str:
    if fmt not in FORMATS:
        raise DsmagicError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return fmt


def preview(pipeline: Any, fmt: str) -> dict[str, Any]:
    """The files the export would write, each with its text, to read before writing them.

    ``texts`` maps each text file to its content (a notebook is shown as ``# %%`` cells);
    ``text`` is the main file's, for callers that show one."""
    from dsmagic.pipeline._codegen import bundle

    _check(fmt)
    formats = list(bundle.FORMATS) if fmt == "zip" else [fmt]
    written = bundle._files(pipeline, formats, {})
    texts = {name: body for name, body in written.items() if isinstance(body, str)}
    if "pipeline.ipynb" in texts:
        texts["pipeline.ipynb"] = _notebook_text(pipeline)
    main = _MAIN.get(fmt, "pipeline.py")
    files = [main, *(name for name in written if name != main)]
    return {"language": "text" if fmt == "requirements" else "python", "text": texts[main],
            "files": files, "texts": texts}  # fmt: skip


def _notebook_text(pipeline: Any) -> str:
    nb = pipeline.to_notebook()
    parts = []
    for cell in nb.cells:
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type == "markdown":
            parts.append("# %% [markdown]\n# " + source.replace("\n", "\n# "))
        else:
            parts.append("# %%\n" + source)
    return "\n\n".join(parts) + "\n"


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
