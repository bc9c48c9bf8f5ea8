"""``dsmagic import mlflow --uri URI``: bring another tracker's history into the store."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    importing = subparsers.add_parser("import", help="import runs from another tracker")
    sources = importing.add_subparsers(dest="source", metavar="SOURCE", required=True)
    mlflow = sources.add_parser(
        "mlflow", help="an MLflow store: database URI, tracking server URL or mlruns folder"
    )
    mlflow.add_argument("--uri", required=True, help="e.g. sqlite:///mlflow.db or ./mlruns")
    mlflow.add_argument("--no-artifacts", action="store_true", help="skip the artifact files")
    mlflow.set_defaults(handler=_mlflow)


def _mlflow(args: argparse.Namespace) -> int:
    from dsmagic.tracking._mlflow_import import import_mlflow

    print(import_mlflow(args.uri, artifacts=not args.no_artifacts))
    return 0
