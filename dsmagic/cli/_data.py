"""``dsmagic data list|versions|show|lineage|drift``."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    data = subparsers.add_parser("data", help="tracked datasets, versions, lineage and drift")
    verbs = data.add_subparsers(dest="verb", metavar="VERB", required=True)

    listing = verbs.add_parser("list", help="tracked datasets with their latest version")
    listing.add_argument("--json", action="store_true", help="print JSON records")
    listing.set_defaults(handler=_list)

    versions = verbs.add_parser("versions", help="every version of one dataset")
    versions.add_argument("name")
    versions.add_argument("--json", action="store_true", help="print JSON records")
    versions.set_defaults(handler=_versions)

    show = verbs.add_parser("show", help="one version with its statistics")
    show.add_argument("reference", help="e.g. customers@2, customers@latest, 3fa9c1")
    show.set_defaults(handler=_show)

    lineage = verbs.add_parser("lineage", help="what a version was made from, and what from it")
    lineage.add_argument("reference", help="e.g. customers_clean@1")
    lineage.add_argument("--code", action="store_true", help="also print the transformations")
    lineage.set_defaults(handler=_lineage)

    drift = verbs.add_parser("drift", help="compare two versions column by column")
    drift.add_argument("reference", help="e.g. customers@1")
    drift.add_argument("current", help="e.g. customers@2")
    drift.add_argument("--columns", "-c", default=None, help="comma-separated columns")
    drift.add_argument(
        "--method",
        "-m",
        default="auto",
        choices=["auto", "ks", "chi2", "wasserstein", "psi", "kl", "js"],
    )
    drift.add_argument("--alpha", type=float, default=0.05)
    drift.add_argument("--correction", default="bh", choices=["bh", "bonferroni", "none"])
    drift.add_argument("--share", type=float, default=0.5)
    drift.add_argument("--json", action="store_true", help="print the report as JSON")
    drift.add_argument(
        "--fail-on-drift",
        action="store_true",
        help="exit with status 1 when the dataset drifts (for CI checks)",
    )
    drift.set_defaults(handler=_drift)


def _print_frame(frame, as_json: bool, empty: str) -> None:
    if as_json:
        print(frame.to_json(orient="records", date_format="iso"))
    elif frame.empty:
        print(empty)
    else:
        print(frame.to_string(index=False))


def _list(args: argparse.Namespace) -> int:
    from dsmagic.data import list_datasets

    _print_frame(list_datasets(), args.json, "no datasets tracked yet")
    return 0


def _versions(args: argparse.Namespace) -> int:
    from dsmagic.data import list_versions

    frame = list_versions(args.name)
    if not args.json:
        frame = frame.drop(columns=["name"]).assign(fingerprint=frame["fingerprint"].str[:16])
    _print_frame(frame, args.json, "no versions")
    return 0


def _show(args: argparse.Namespace) -> int:
    from dsmagic.data import get_version
    from dsmagic.data._display import _column_rows

    version = get_version(args.reference)
    print(repr(version))
    for row in _column_rows(version.stats):
        print("  " + " | ".join(str(cell) for cell in row))
    return 0


def _lineage(args: argparse.Namespace) -> int:
    from dsmagic.data import lineage

    graph = lineage(args.reference)
    print(repr(graph))
    if args.code:
        for edge in graph.upstream + graph.downstream:
            if edge.transformation:
                print(f"--- {edge.parent} → {edge.child}")
                print(edge.transformation)
    return 0


def _drift(args: argparse.Namespace) -> int:
    from dsmagic.data import drift

    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    report = drift(
        args.reference,
        args.current,
        columns=columns,
        method=args.method,
        alpha=args.alpha,
        correction=args.correction,
        share=args.share,
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print(report._display_text())
    return 1 if args.fail_on_drift and report.drifted else 0
