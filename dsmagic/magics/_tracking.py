"""Magics for experiment tracking; each parses its line and calls one function."""

from __future__ import annotations

import sys

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from dsmagic.magics._parsing import (
    parse_arguments,
    parse_metrics,
    parse_pairs,
    split_options,
    strip_comment,
)


@magics_class
class TrackingMagics(Magics):
    @magic_arguments()
    @argument("name", nargs="?", help="Name of the run (default: run-<id>).")
    @argument(
        "--experiment", "-e", help="Experiment to file the run under; remembered for later runs."
    )
    @argument(
        "--tag",
        "-t",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="A tag; repeat for more.",
    )
    @argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="A parameter; repeat for more.",
    )
    @argument(
        "--nested",
        action="store_true",
        help="Start a child of the active run instead of ending it.",
    )
    @line_magic
    def start_run(self, line: str = ""):
        """Start a tracked run.

        If a run is active, it is ended as finished first (unless --nested).
        Cells executed while the run is active are recorded with it.

        Example: %start_run baseline --experiment churn --tag owner=ana
        """
        args = parse_arguments(self.start_run, line)
        from dsmagic.tracking import start_run

        run = start_run(
            args.name,
            args.experiment,
            nested=args.nested,
            tags=parse_pairs(args.tag, "tag", literal=True),
            params=parse_pairs(args.param, "param", literal=True),
        )
        stored = run.snapshot()
        print(f"started run {stored.name!r} ({stored.id[:8]}) in experiment {stored.experiment!r}")

    @magic_arguments()
    @argument("--status", "-s", default="finished", choices=["finished", "failed", "killed"],
              help="How the run ended (default: finished).")  # fmt: skip
    @line_magic
    def end_run(self, line: str = ""):
        """End the active run (and its nested children) and show it.

        Example: %end_run --status failed
        """
        args = parse_arguments(self.end_run, line)
        from dsmagic.tracking import end_run

        run = end_run(args.status)
        if run is None:
            print("no active run to end", file=sys.stderr)
        return run

    @magic_arguments()
    @argument(
        "pairs",
        nargs="+",
        metavar="KEY=VALUE",
        help="Parameters, stored exactly as typed (n=007 stays '007').",
    )
    @line_magic
    def log_param(self, line: str = ""):
        """Log parameters of the active run.

        Example: %log_param model=rf n_estimators=200
        """
        args = parse_arguments(self.log_param, line)
        from dsmagic.tracking import log_params

        log_params(parse_pairs(args.pairs, "param", literal=True))

    @magic_arguments()
    @argument("pairs", nargs="+", metavar="KEY=VALUE", help="Metric values (numbers).")
    @argument(
        "--step",
        type=int,
        default=None,
        help="Step of these values (default: next step per metric).",
    )
    @line_magic
    def log_metric(self, line: str = ""):
        """Log metric values of the active run.

        Example: %log_metric acc=0.91 f1=0.88 --step 3
        """
        args = parse_arguments(self.log_metric, line)
        from dsmagic.tracking import log_metrics

        log_metrics(parse_metrics(args.pairs), step=args.step)

    @magic_arguments()
    @argument("pairs", nargs="+", metavar="KEY=VALUE", help="Tags of the active run.")
    @line_magic
    def set_tag(self, line: str = ""):
        """Set tags of the active run.

        Example: %set_tag stage=baseline owner=ana
        """
        args = parse_arguments(self.set_tag, line)
        from dsmagic.tracking import set_tags

        set_tags(parse_pairs(args.pairs, "tag", literal=True))

    @magic_arguments()
    @argument("path", help="File or folder to copy into the run's artifacts.")
    @argument("--name", "-n", default=None, help="Name to store it under (default: its file name).")
    @line_magic
    def log_artifact(self, line: str = ""):
        """Copy a file or folder into the active run's artifacts.

        Example: %log_artifact model.pkl --name models/rf.pkl
        """
        args = parse_arguments(self.log_artifact, line)
        from dsmagic.tracking import log_artifact

        name = log_artifact(args.path, args.name)
        print(f"logged artifact {name!r}")

    @magic_arguments()
    @argument("filter", nargs="*", help="MLflow-style filter with and/or and parentheses.")
    @argument("--order-by", "-o", action="append", default=None, metavar="FIELD [ASC|DESC]",
              help="Sort key such as 'metrics.acc DESC'; repeat for more.")  # fmt: skip
    @argument("--experiment", "-e", default=None, help="Only runs of this experiment.")
    @argument("--limit", "-n", type=int, default=None, help="At most this many runs.")
    @argument("--all-columns", action="store_true",
              help="Show every column, also those empty in every run listed.")  # fmt: skip
    @argument("--group-by", "-g", action="append", default=None, metavar="FIELD",
              help="Aggregate runs by this key, e.g. params.model; repeat for more.")  # fmt: skip
    @line_magic
    def runs(self, line: str = ""):
        """Search runs and show them as a table (the value is a RunTable; .frame is a DataFrame).

        The table shows the columns that hold a value in the runs listed and counts the others
        under it; --all-columns shows them too, .frame has every column.

        --group-by params.model aggregates the runs of each model (over seeds, say): per
        metric mean ± std [min, max], and the params that varied inside each group.

        Example: %runs metrics.acc > 0.9 and (params.model = 'rf' or params.model = 'gbm')
        """
        text, options = split_options(strip_comment(line))
        args = parse_arguments(self.runs, options)
        if args.group_by:
            from dsmagic.tracking import group_runs

            return group_runs(
                args.group_by, text or None, args.order_by, args.experiment, args.limit
            )
        from dsmagic.tracking import search_runs
        from dsmagic.tracking._frames import RunTable

        frame = search_runs(text or None, args.order_by, args.experiment, args.limit)
        return RunTable(frame, text or None, all_columns=args.all_columns)

    @magic_arguments()
    @argument("run_ids", nargs="+", help="Ids (or unique id prefixes) of the runs to compare.")
    @argument("--pivot", default=None, metavar="PARAM",
              help="Also lay the latest metrics out by one param, e.g. params.lr.")  # fmt: skip
    @line_magic
    def compare_runs(self, line: str = ""):
        """Compare runs: the params that differ, metrics at their last and best step, curves;
        for two runs, the environment and cells that changed.

        Example: %compare_runs 3f2a9c1d 8b7e6a5f --pivot params.lr
        """
        args = parse_arguments(self.compare_runs, line)
        from dsmagic.tracking import compare_runs

        return compare_runs(args.run_ids, args.pivot)

    @magic_arguments()
    @argument("run_id", nargs="?", help="Run id or prefix (default: the active run).")
    @line_magic
    def run_info(self, line: str = ""):
        """Show a run: status, params, metrics, tags, artifacts.

        Example: %run_info 3f2a9c1d
        """
        args = parse_arguments(self.run_info, line)
        from dsmagic.tracking import active_run, get_run

        if args.run_id:
            return get_run(args.run_id)
        run = active_run()
        if run is None:
            raise UsageError("no active run: give a run id, e.g. %run_info 3f2a9c1d")
        return run.snapshot()
