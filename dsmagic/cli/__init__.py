"""The ``dsmagic`` command. Each area registers its sub-commands from its own module.

Errors caused by input are printed as one line (``dsmagic: ...``) with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dsmagic._version import __version__
from dsmagic.errors import DsmagicError

# Modules with a ``register(subparsers)`` function, in the order shown by --help.
COMMAND_MODULES = [
    "dsmagic.cli._runs",
    "dsmagic.cli._db",
    "dsmagic.cli._eda",
    "dsmagic.cli._pipeline",
    "dsmagic.cli._models",
    "dsmagic.cli._data",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dsmagic", description="dsmagic: tracking, data versions, EDA and pipelines."
    )
    parser.add_argument("--version", action="version", version=f"dsmagic {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except DsmagicError as exc:
        print(f"dsmagic: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
