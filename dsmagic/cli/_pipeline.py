"""``dsmagic pipeline validate|export|run FILE``."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    pipeline = subparsers.add_parser("pipeline", help="validate, export and run pipelines")
    verbs = pipeline.add_subparsers(dest="verb", metavar="VERB", required=True)

    validate = verbs.add_parser("validate", help="list a pipeline's issues (exit 1 on errors)")
    validate.add_argument("file", help="a .dspipe.json file")
    validate.add_argument("--json", action="store_true", help="print the issues as JSON")
    validate.set_defaults(handler=_validate)

    export = verbs.add_parser("export", help="write notebook, script, requirements, Docker")
    export.add_argument("file", help="a .dspipe.json file")
    export.add_argument("--out", "-o", required=True, help="a folder, or a path ending in .zip")
    export.add_argument("--format", "-f", action="append", default=None,
                        help="notebook, script, requirements, docker, pipeline (repeat; "
                        "default: all)")  # fmt: skip
    export.add_argument("--tracking", action="store_true", help="log to dsmagic when run")
    export.add_argument("--seed", type=int, default=42)
    export.add_argument("--include-data", action="store_true", help="copy the data files")
    export.set_defaults(handler=_export)

    run = verbs.add_parser("run", help="run in a fresh kernel; print per-step status")
    run.add_argument("file", help="a .dspipe.json file")
    run.add_argument("--timeout", type=float, default=1800.0, help="seconds (default 1800)")
    run.add_argument("--no-cache", action="store_true", help="recompute every step")
    run.add_argument("--seed", type=int, default=42)
    run.add_argument("--experiment", default="pipelines")
    run.add_argument("--allow-custom-code", action="store_true",
                     help="run custom code steps (review them first)")  # fmt: skip
    run.add_argument("--json", action="store_true", help="print the run as JSON")
    run.set_defaults(handler=_run)


def _validate(args: argparse.Namespace) -> int:
    from dsmagic.pipeline import Pipeline

    issues = Pipeline.load(args.file).validate()
    if args.json:
        print(json.dumps([i.to_dict() for i in issues], indent=2))
    elif not issues:
        print(f"{args.file}: no issues")
    else:
        for issue in issues:
            print(issue)
    return 1 if any(i.severity == "error" for i in issues) else 0


def _export(args: argparse.Namespace) -> int:
    from dsmagic.pipeline import Pipeline

    pipeline = Pipeline.load(args.file)
    written = pipeline.export(args.out, formats=args.format or "all", tracking=args.tracking,
                              seed=args.seed, include_data=args.include_data)  # fmt: skip
    for path in written:
        print(path)
    return 0


def _run(args: argparse.Namespace) -> int:
    from dsmagic.pipeline import Pipeline

    pipeline = Pipeline.load(args.file)

    def show(event: dict) -> None:
        if args.json:
            return
        if event["type"] == "step" and event["status"] != "running":
            print(f"{event['step']}: {event['status']}", flush=True)
        elif event["type"] == "log":
            sys.stdout.write(event["text"])

    run = pipeline.run(timeout=args.timeout, cache=not args.no_cache, seed=args.seed,
                       experiment=args.experiment, allow_custom_code=args.allow_custom_code,
                       on_event=show)  # fmt: skip
    if args.json:
        print(json.dumps(run.to_dict(), indent=2, default=str))
    else:
        print(run.summary())
    return 0 if run.status == "done" else 1
