"""Export several formats at once: a folder, a Docker bundle, or a zip of everything."""

from __future__ import annotations

import contextlib
import sys
import zipfile
from pathlib import Path
from typing import Any

from dsmagic._files import atomic_file, atomic_path, inside
from dsmagic.errors import DsmagicError
from dsmagic.pipeline._codegen import notebook, requirements, script
from dsmagic.pipeline._codegen._program import build
from dsmagic.pipeline._graph import dumps

FORMATS = ("notebook", "script", "requirements", "docker", "pipeline")
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so the same pipeline zips to the same bytes

DOCKERIGNORE = "output/\n__pycache__/\n*.pyc\n.ipynb_checkpoints/\n"


def _dockerfile() -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"""FROM python:{version}-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY pipeline.py .
ENTRYPOINT ["python", "pipeline.py", "--data", "/data", "--output", "/output"]
"""


COMPOSE = """services:
  pipeline:
    build: .
    volumes:
      - ./data:/data:ro
      - ./output:/output
"""


# What each file of an export is, in the order a README lists them.
_DESCRIPTIONS = {
    "pipeline.py": "the pipeline as a script (`python pipeline.py --help`)",
    "pipeline.ipynb": "the same steps as a notebook (papermill-ready `parameters` cell)",
    "requirements.txt": "pinned dependencies",
    "Dockerfile": "a container that runs the script (with `docker-compose.yml`)",
    "pipeline.dspipe.json": "the pipeline itself, for `Pipeline.load()`",
}


def _readme(name: str, data_files: list[str], custom: bool, written: list[str]) -> str:
    files = "".join(f"- `data/{f}`\n" for f in data_files) or "- (none: the data is bundled)\n"
    listed = "".join(f"- `{f}`: {what}\n" for f, what in _DESCRIPTIONS.items() if f in written)
    warning = ("\n**This pipeline contains CUSTOM CODE steps**: review them in `pipeline.py` "
               "before running.\n") if custom else ""  # fmt: skip
    return f"""# Pipeline {name}

Exported by dsmagic. Files:

{listed}{warning}
## Run locally

```bash
pip install -r requirements.txt
python pipeline.py --data data --output output
```

## Run with Docker

```bash
docker compose up --build
```

Input files expected in `data/`:

{files}
Results (metrics.json, models, figures) are written to `output/`.
"""


def _files(pipeline, formats: list[str], options: dict[str, Any]) -> dict[str, str | bytes]:
    import nbformat

    program_options = {k: options[k] for k in ("tracking", "experiment", "seed") if k in options}
    program = build(pipeline, **program_options)
    files: dict[str, str | bytes] = {}
    if "notebook" in formats:
        nb = notebook.build_notebook(program, options.get("data_dir", "data"))
        files["pipeline.ipynb"] = nbformat.writes(nb) + "\n"
    if "script" in formats or "docker" in formats:
        files["pipeline.py"] = script.render(program)
    if "requirements" in formats or "docker" in formats:
        files["requirements.txt"] = requirements.render(program)
    if "docker" in formats:
        files["Dockerfile"] = _dockerfile()
        files["docker-compose.yml"] = COMPOSE
        files[".dockerignore"] = DOCKERIGNORE
    if "pipeline" in formats:
        files["pipeline.dspipe.json"] = dumps(pipeline.to_dict())
    if "docker" in formats:
        # Written last, so that it lists exactly the files this export holds.
        files["README.md"] = _readme(
            program.name, program.data_files, program.custom_code, list(files)
        )
    frames = options.get("frames") or {}
    for name in program.frames:
        if name in frames:
            files[f"data/{name}.parquet"] = _parquet(frames[name], name)
    if options.get("include_data"):
        root = pipeline._data_dir().resolve()
        for relative in program.data_files:
            source = inside(root, relative, "data file")
            if not source.is_file():
                raise DsmagicError(f"data file {relative!r} not found under {str(root)!r}")
            files[f"data/{relative}"] = source.read_bytes()
    return files


def _parquet(frame, name: str) -> bytes:
    import io

    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise DsmagicError(f"frames[{name!r}] must be a pandas DataFrame")
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def export(pipeline, out: Path, formats: str | list[str], **options: Any) -> list[Path]:
    if formats == "all":
        chosen = list(FORMATS)
    else:
        chosen = [formats] if isinstance(formats, str) else list(formats)
        bad = [f for f in chosen if f not in FORMATS]
        if bad or not chosen:
            raise DsmagicError(
                f"unknown export format {bad[0] if bad else ''!r}: use 'all' or any of "
                f"{', '.join(FORMATS)}"
            )
    files = _files(pipeline, chosen, options)
    if out.suffix == ".zip":
        with atomic_file(out) as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, _ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                content = files[name]
                z.writestr(info, content.encode() if isinstance(content, str) else content)
        return [out]
    # Every file is written next to its target first; only when all are written are they
    # moved into place (a failure removes the temporary files and changes nothing).
    written = []
    with contextlib.ExitStack() as stack:
        for name, content in sorted(files.items()):
            target = out / name
            temporary = stack.enter_context(atomic_path(target))
            if isinstance(content, str):
                temporary.write_text(content, encoding="utf-8", newline="\n")
            else:
                temporary.write_bytes(content)
            written.append(target)
    return written
