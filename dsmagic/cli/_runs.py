"""``dsmagic runs list|show|compare`` and ``dsmagic experiments list``."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    runs = subparsers.add_parser("runs", help="list, show and compare runs")
    verbs = runs.add_subparsers(dest="verb", metavar="VERB", required=True)

    listing = verbs.add_parser("list", help="runs matching a filter")
    listing.add_argument("filter", nargs="?", default=None, help='e.g. "metrics.acc > 0.9"')
    listing.add_argument("--order-by", "-o", action="append", default=None)
    listing.add_argument("--experiment", "-e", default=None)
    listing.add_argument(
        "--limit", "-n", type=int, default=None,
        help="at most this many runs (default 50; every run when grouping)",
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help="print JSON records (every column)")
    listing.add_argument(
        "--all-columns", action="store_true", help="show every column, also the empty ones"
    )
    listing.add_argument(
        "--group-by", "-g", action="append", default=None, metavar="FIELD",
        help="aggregate runs by this key (e.g. params.model); repeat for more",
    )  # fmt: skip
    listing.set_defaults(handler=_list)

    show = verbs.add_parser("show", help="one run in full")
    show.add_argument("run_id", help="run id or unique prefix")
    show.add_argument("--cells", action="store_true", help="also print the recorded cells")
    show.add_argument("--env", action="store_true", help="also print the recorded environment")
    show.set_defaults(handler=_show)

    compare = verbs.add_parser("compare", help="params and metrics of runs side by side")
    compare.add_argument("run_ids", nargs="+")
    compare.add_argument(
        "--pivot", default=None, help="latest metrics by one param, e.g. params.lr"
    )
    compare.set_defaults(handler=_compare)

    again = subparsers.add_parser(
        "reproduce", help="a notebook and requirements.txt to run a run again"
    )
    again.add_argument("run_id", help="run id or unique prefix")
    again.add_argument("--into", default=".", help="folder to write into (default: here)")
    again.add_argument("--force", action="store_true", help="replace files already there")
    again.set_defaults(handler=_reproduce)

    experiments = subparsers.add_parser("experiments", help="list experiments")
    experiment_verbs = experiments.add_subparsers(dest="verb", metavar="VERB", required=True)
    experiment_verbs.add_parser("list", help="experiments with their run counts").set_defaults(
        handler=_experiments
    )


def _list(args: argparse.Namespace) -> int:
    from dsmagic.tracking import TrackingClient
    from dsmagic.tracking._frames import RunTable

    client = TrackingClient()
    limit = args.limit if args.limit is not None or args.group_by else 50
    frame = client.search_runs(args.filter, args.order_by, args.experiment, limit, args.group_by)
    if args.json:
        print(frame.to_json(orient="records", date_format="iso"))
    elif args.group_by:
        from dsmagic.tracking._groups import RunGroups, group_keys

        print(RunGroups(frame, group_keys(args.group_by), args.filter)._display_text())
    else:
        table = RunTable(frame, args.filter, all_columns=args.all_columns, source="cli")
        print(table._display_text())
    return 0


def _show(args: argparse.Namespace) -> int:
    from dsmagic.tracking import TrackingClient

    client = TrackingClient()
    run = client.get_run(args.run_id)
    print(run._display_text())
    if args.env:
        print(json.dumps(client.environment(run.id), indent=2))
    if args.cells:
        for cell in client.cells(run.id):
            print(f"--- In [{cell['execution_count']}] ({'ok' if cell['success'] else 'error'})")
            print(cell["source"])
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from dsmagic.tracking import reproduce

    path = reproduce(args.run_id, args.into, overwrite=args.force)
    print(f"wrote {path} and {path.parent / 'requirements.txt'}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from dsmagic.tracking import TrackingClient

    print(TrackingClient().compare_runs(args.run_ids, args.pivot)._display_text())
    return 0


def _experiments(args: argparse.Namespace) -> int:
    from dsmagic.tracking import TrackingClient

    frame = TrackingClient().list_experiments()
    print("no experiments yet" if frame.empty else frame.to_string(index=False))
    return 0
