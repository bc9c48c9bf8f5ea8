"""``%eda``: exploratory analysis of a frame, shown as its sections finish."""

from __future__ import annotations

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from dsmagic.errors import DsmagicError
from dsmagic.magics._parsing import lookup_variable, parse_arguments, parse_value, user_namespace


def _sample(text: str | None):
    if text is None:
        return None
    value = parse_value(text.rstrip("%"))
    if text.endswith("%") and isinstance(value, int | float):
        value = value / 100
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DsmagicError(f"--sample takes rows (100000) or a share (0.1 or 10%), got {text!r}")
    return value


@magics_class
class EDAMagics(Magics):
    @magic_arguments()
    @argument("frame", help="Name of the DataFrame variable (or obj.attr).")
    @argument("--target", "-t", default=None, help="Column to predict: balance and associations.")
    @argument("--compare", "-c", default=None, metavar="FRAME",
              help="Second frame (e.g. test): side by side, with drift per column.")  # fmt: skip
    @argument("--html", default=None, metavar="PATH", help="Also write the report to this file.")
    @argument("--sample", "-s", default=None, help="Rows (100000) or share (0.1, 10%%) to use.")
    @argument("--time-budget", type=float, default=None, metavar="SECONDS",
              help="Switch to a stated sample above this (default 60 s).")  # fmt: skip
    @line_magic
    def eda(self, line: str = ""):
        """Exploratory analysis of a DataFrame: statistics, relations, alerts, charts.

        The report appears section by section; the finished report is also stored in
        the variable ``_eda``.

        Examples:
          %eda df
          %eda df --target churned --html report.html
          %eda train --compare test
        """
        args = parse_arguments(self.eda, line)
        from IPython.display import display

        from dsmagic.eda import eda

        namespace = user_namespace(self)
        frame = lookup_variable(namespace, args.frame, "the frame")
        other = lookup_variable(namespace, args.compare, "--compare") if args.compare else None
        sample = _sample(args.sample)
        # Shown with the first finished section, not before: eda() checks its arguments
        # first, and a bad one must leave nothing on screen but its error.
        handles: list = []

        def refresh(report) -> None:
            if handles:
                handles[0].update(report)
            else:
                handles.append(display(report, display_id=True))

        report = eda(frame, target=args.target, compare=other, sample=sample,
                     time_budget=args.time_budget, title=args.frame,
                     on_section=refresh)  # fmt: skip
        if handles and handles[0] is not None:
            handles[0].update(report)
        else:
            display(report)
        namespace["_eda"] = report
        if args.html:
            print(f"wrote {report.to_html(args.html)}")
