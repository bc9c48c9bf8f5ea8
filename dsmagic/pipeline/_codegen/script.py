"""The pipeline as a command-line script: ``main()`` with argparse, logging, exit codes."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

from dsmagic._files import write_atomic
from dsmagic._version import __version__
from dsmagic.pipeline._codegen._program import (
    Program,
    build,
    format_imports,
    lit,
    mark_long_lines,
)


def _list(values: list[str]) -> str:
    if not values:
        return "[]"
    return "[\n" + "".join(f"    {lit(v)},\n" for v in values) + "]"


def _indent(code: str) -> str:
    return textwrap.indent(code.replace("\n\n\n", "\n\n"), "    ")


def render(program: Program) -> str:
    body = [_indent(program.setup)]
    for block in program.blocks:
        label = f"{block.step_id}: {block.title}"
        banner = "    # CUSTOM CODE step\n" if block.spec.custom_code else ""
        body.append(f"    # --- {label} ---\n{banner}"
                    f"    log.info(\"step %s\", {lit(label)})\n{_indent(block.code)}")  # fmt: skip
    body.append("    # --- results ---\n" + _indent(program.results) + "\n    return metrics")
    steps = _list([b.step_id for b in program.blocks])
    files = _list([*program.data_files, *(name + ".parquet" for name in program.frames)])
    extra = {"import argparse", "import logging", "import sys"}
    imports = "\n\n".join(format_imports(program.import_lines | extra))
    text = f'''"""A pipeline exported by dsmagic {__version__} (its name is in PIPELINE).

Run it with: python pipeline.py --data DATA_DIR --output OUTPUT_DIR [--seed N]
Exit codes: 0 success, 1 a step failed, 2 bad arguments or missing data files.
"""

{imports}

log = logging.getLogger("pipeline")

PIPELINE = {lit(program.name)}
STEPS = {steps}
DATA_FILES = {files}


def run(DATA_DIR, OUTPUT_DIR, SEED):
    """Run every step; return the metrics (also written to OUTPUT_DIR/metrics.json)."""
{chr(10).join(body)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Run pipeline {{PIPELINE}}")
    parser.add_argument("--data", default=".", help="folder with the input data files")
    parser.add_argument("--output", default="output", help="folder for metrics and models")
    parser.add_argument("--seed", type=int, default={program.seed!r}, help="random seed")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    parser.add_argument(
        "--dry-run", action="store_true", help="check inputs and list the steps; run nothing"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    missing = [name for name in DATA_FILES if not (Path(args.data) / name).is_file()]
    if missing:
        log.error("missing data file(s) in %s: %s", args.data, ", ".join(missing))
        return 2
    if args.dry_run:
        log.info("dry run: %d steps: %s", len(STEPS), ", ".join(STEPS))
        return 0
    try:
        run(args.data, args.output, args.seed)
    except Exception:
        log.exception("pipeline failed")
        return 1
    log.info("done; results in %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
    return mark_long_lines(text)


def export(pipeline, path: str | os.PathLike[str] | None = None, **options: Any) -> str:
    text = render(build(pipeline, **options))
    if path is not None:
        write_atomic(Path(path), text)
    return text
