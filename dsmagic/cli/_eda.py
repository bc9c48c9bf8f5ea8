"""``dsmagic eda FILE.csv|FILE.parquet --html out.html``."""

from __future__ import annotations

import argparse
from pathlib import Path

from dsmagic.errors import DsmagicError

_READERS = {".csv": "read_csv", ".tsv": "read_csv", ".parquet": "read_parquet",
            ".pq": "read_parquet"}  # fmt: skip


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eda", help="profile a CSV or Parquet file", description="Profile a CSV or Parquet "
        "file: statistics, relations, alerts; optionally an HTML report."
    )  # fmt: skip
    parser.add_argument("file", help="a .csv, .tsv or .parquet file")
    parser.add_argument("--html", default=None, metavar="PATH", help="write the report here")
    parser.add_argument("--json", default=None, metavar="PATH", help="write statistics as JSON")
    parser.add_argument("--target", "-t", default=None, help="column to predict")
    parser.add_argument("--compare", "-c", default=None, metavar="FILE",
                        help="second file (e.g. test): drift per column")  # fmt: skip
    parser.add_argument("--sample", "-s", type=float, default=None,
                        help="rows (100000) or share (0.1) to analyse")  # fmt: skip
    parser.add_argument("--time-budget", type=float, default=None, metavar="SECONDS",
                        help="switch to a stated sample above this (default 60)")  # fmt: skip
    parser.set_defaults(handler=_eda)


def read_table(path_text: str):
    import pandas as pd

    path = Path(path_text)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise DsmagicError(f"{path_text!r}: dsmagic eda reads .csv, .tsv and .parquet files")
    if not path.is_file():
        raise DsmagicError(f"{path_text!r}: no such file")
    options = {"sep": "\t"} if path.suffix.lower() == ".tsv" else {}
    try:
        return getattr(pd, reader)(path, **options)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DsmagicError(f"cannot read {path_text!r}: {first}") from None


def _eda(args: argparse.Namespace) -> int:
    from dsmagic.eda import eda

    frame = read_table(args.file)
    other = read_table(args.compare) if args.compare else None
    sample = args.sample
    if sample is not None and sample >= 1 and sample.is_integer():
        sample = int(sample)
    report = eda(frame, target=args.target, compare=other, sample=sample,
                 time_budget=args.time_budget, title=Path(args.file).name)  # fmt: skip
    print(repr(report))
    if args.html:
        print(f"wrote {report.to_html(args.html)}")
    if args.json:
        report.to_json(args.json)
        print(f"wrote {args.json}")
    return 0
