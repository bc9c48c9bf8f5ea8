"""Print the round-trip table: every case of _round_trip_cases.py tracked and loaded for real.

    PYTHONPATH=. python tests/data/round_trip_table.py [--markdown]

Each row is measured (track_data, then load_data and compare with
``pd.testing.assert_frame_equal`` and the fingerprint), not copied from the expectations.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings


def main(markdown: bool) -> int:
    os.environ["DSMAGIC_HOME"] = tempfile.mkdtemp(prefix="dsmagic-round-trips-")
    os.environ.pop("DSMAGIC_URI", None)
    import pandas as pd

    import dsmagic as dm
    from tests.data._round_trip_cases import CASES

    rows, exact, refused, wrong = [], 0, 0, 0
    for case in CASES:
        frame = case.build()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                version = dm.track_data(frame, "table")
                back = dm.load_data(version.ref)
            pd.testing.assert_frame_equal(back, frame, check_exact=True)
            same = dm.fingerprint(back) == dm.fingerprint(frame)
            result = "exact" if same else "LOST (fingerprint differs)"
        except dm.DsmagicError as exc:
            result = f"refused: {exc}"
        except (AssertionError, Warning) as exc:
            result = f"LOST: {str(exc).splitlines()[0]}"
        except Exception as exc:  # a traceback a user would see
            result = f"CRASH: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:120]}"
        expected = "exact" if case.refused is None else "refused"
        ok = result.startswith(expected)
        exact += result == "exact"
        refused += result.startswith("refused")
        wrong += not ok
        rows.append((case.id, result if ok else f"{result} (expected {expected})"))
    if markdown:
        print("| Case | Result |")
        print("|---|---|")
        for case_id, result in rows:
            cell = result.replace("|", "\\|")
            print(f"| `{case_id}` | {cell} |")
    else:
        width = max(len(c) for c, _ in rows)
        for case_id, result in rows:
            print(f"{case_id:<{width}}  {result}")
    print(f"\n{len(rows)} cases: {exact} exact, {refused} refused, {wrong} not as promised")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main("--markdown" in sys.argv))
