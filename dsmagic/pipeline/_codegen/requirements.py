"""requirements.txt pinned to the versions installed here, listing only what the pipeline
imports."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path
from typing import Any

from dsmagic._files import write_atomic
from dsmagic.pipeline._codegen._program import Program, build


def render(program: Program) -> str:
    lines = []
    for dist in program.requires:
        try:
            lines.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            lines.append(dist)  # not installed here: unpinned rather than guessed
    return "\n".join(lines) + "\n"


def export(pipeline, path: str | os.PathLike[str] | None = None, **options: Any) -> str:
    text = render(build(pipeline, **options))
    if path is not None:
        write_atomic(Path(path), text)
    return text
