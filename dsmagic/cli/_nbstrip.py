"""``dsmagic nbstrip --install|--uninstall|--status``: nbstripout's git filter in this repository.

The filter itself is nbstripout's (https://github.com/kynan/nbstripout): this module only
checks where it is run and calls nbstripout's own ``install`` / ``uninstall`` / ``status``
for the current repository (``git config --local`` and ``.git/info/attributes``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys

from dsmagic.errors import DsmagicError

_LOCAL = ["git", "config", "--local"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "nbstrip",
        help="keep notebooks in git without outputs (nbstripout's git filter)",
        description="Set up nbstripout's git filter in the current repository: notebooks are "
        "committed without outputs and execution counts; the files on disk keep them.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    for flag, text in [
        ("install", "install the filter in this repository"),
        ("uninstall", "remove the filter from this repository"),
        ("status", "say whether the filter is installed (exit 0 if so, else 1)"),
    ]:
        action.add_argument(f"--{flag}", action="store_const", const=flag, dest="action", help=text)
    parser.set_defaults(handler=_nbstrip)


def _nbstrip(args: argparse.Namespace) -> int:
    top = _repository()
    nbstripout = _nbstripout()
    if args.action == "status":
        installed = _quiet(nbstripout.status, _LOCAL, verbose=False) == 0
        if installed:
            print(f"nbstripout's git filter is installed in {top}")
            return 0
        print(f"nbstripout's git filter is not installed in {top}: run dsmagic nbstrip --install")
        return 1
    if args.action == "install":
        code = _quiet(nbstripout.install, _LOCAL, python=sys.executable)
        done = f"installed nbstripout's git filter in {top}: notebooks are committed stripped"
    else:
        code = _quiet(nbstripout.uninstall, _LOCAL)
        done = f"removed nbstripout's git filter from {top}"
    if code != 0:
        raise DsmagicError(f"nbstripout could not {args.action} its git filter in {top}")
    print(done)
    return 0


def _repository() -> str:
    """The current repository's top folder, or a one-line error outside one."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DsmagicError("git is not installed: install git, then run this again") from None
    if found.returncode != 0:
        raise DsmagicError(
            "not inside a git repository: cd into your project's repository (or run git init)"
        )
    return found.stdout.strip()


def _nbstripout():
    try:
        import nbstripout
    except ImportError:
        raise DsmagicError("nbstripout is not installed: pip install nbstripout") from None
    return nbstripout


def _quiet(function, *args, **kwargs) -> int:
    """Call one of nbstripout's functions; its own messages only matter when it fails."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = int(function(*args, **kwargs))
    if code != 0 and err.getvalue().strip():
        print(err.getvalue().strip().splitlines()[0], file=sys.stderr)
    return code
