"""Magics for data versions and drift; each parses its line and calls one function."""

from __future__ import annotations

import re
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from dsmagic.magics._parsing import lookup_variable, parse_arguments

_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def _lookup(shell: Any, path: str) -> Any:
    return lookup_variable(shell.user_ns, path, "the frame")


def _frame_or_ref(shell: Any, text: str) -> Any:
    """A DataFrame variable of the notebook, else a dataset reference like ``customers@2``."""
    if _PATH.match(text) and text.split(".")[0] in shell.user_ns:
        return _lookup(shell, text)
    return text


@magics_class
class DataMagics(Magics):
    @magic_arguments()
    @argument("frame", help="Variable holding the DataFrame (or name.attribute).")
    @argument("--name", "-n", default=None, help="Dataset name (default: the variable name).")
    @argument(
        "--parent",
        "-p",
        action="append",
        default=[],
        metavar="REF",
        help="A version it was made from, e.g. raw@1; repeat for more.",
    )
    @line_magic
    def track_data(self, line: str = ""):
        """Store a DataFrame as a version of a dataset (once per content).

        The tracked frames this cell read become its parents, with the cell as the
        transformation; inside an active run the version is linked to the run.

        Example: %track_data df --name customers
        """
        args = parse_arguments(self.track_data, line)
        frame = _lookup(self.shell, args.frame)
        from dsmagic.data import track_data

        name = args.name or args.frame.replace(".", "_")
        return track_data(frame, name, parent=args.parent or None)

    @magic_arguments()
    @argument("reference", help="A DataFrame variable or a version such as customers@1.")
    @argument("current", help="A DataFrame variable or a version such as customers@2.")
    @argument("--columns", "-c", default=None, help="Comma-separated columns (default: shared).")
    @argument(
        "--method",
        "-m",
        default="auto",
        choices=["auto", "ks", "chi2", "wasserstein", "psi", "kl", "js"],
        help="Statistic for every column (default: auto, by type and size).",
    )
    @argument("--alpha", type=float, default=0.05, help="Significance level (default 0.05).")
    @argument(
        "--correction",
        default="bh",
        choices=["bh", "bonferroni", "none"],
        help="p-value correction across columns (default: bh, Benjamini-Hochberg).",
    )
    @argument(
        "--share",
        type=float,
        default=0.5,
        help="Dataset drifts when at least this share of columns drift (default 0.5).",
    )
    @line_magic
    def drift(self, line: str = ""):
        """Compare two data sets column by column: tests, effect sizes, verdicts, advice.

        Example: %drift customers@1 customers@2 --columns age,income
        """
        args = parse_arguments(self.drift, line)
        from dsmagic.data import drift

        columns = (
            [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
        )
        return drift(
            _frame_or_ref(self.shell, args.reference),
            _frame_or_ref(self.shell, args.current),
            columns=columns,
            method=args.method,
            alpha=args.alpha,
            correction=args.correction,
            share=args.share,
        )

    @magic_arguments()
    @argument("name", nargs="?", default=None, help="A dataset: list its versions.")
    @line_magic
    def datasets(self, line: str = ""):
        """List tracked datasets, or the versions of one.

        Example: %datasets customers
        """
        args = parse_arguments(self.datasets, line)
        from dsmagic.data import list_datasets, list_versions

        return list_versions(args.name) if args.name else list_datasets()

    @magic_arguments()
    @argument("reference", help="A version such as customers_clean@1.")
    @line_magic
    def lineage(self, line: str = ""):
        """Show what a version was made from, and what was made from it.

        Example: %lineage customers_clean@latest
        """
        args = parse_arguments(self.lineage, line)
        from dsmagic.data import lineage

        return lineage(args.reference)
