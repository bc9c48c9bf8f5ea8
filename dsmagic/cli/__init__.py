"""The ``dsmagic`` command. Each area registers its sub-commands from its own module.

Errors caused by input, or by a store that cannot be used, are printed as one line
(``dsmagic: ...``) with exit code 2; any other failure is one line with exit code 1.
``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
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
    "dsmagic.cli._nbstrip",
    "dsmagic.cli._import",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dsmagic", description="dsmagic: tracking, data versions, EDA and pipelines."
    )
    parser.add_argument("--version", action="version", version=f"dsmagic {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback when a command fails"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(f"dsmagic: {_one_line(exc, debug=args.debug)}", file=sys.stderr)
        return 2 if isinstance(exc, (DsmagicError, OSError)) else 1


def _one_line(exc: Exception, *, debug: bool) -> str:
    if isinstance(exc, DsmagicError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {text[0] if text else 'no message'}"
    return message if debug else f"{message} (run `dsmagic --debug ...` for the traceback)"


if __name__ == "__main__":
    sys.exit(main())
