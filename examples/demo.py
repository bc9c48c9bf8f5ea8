"""`make demo`: run the quickstart notebook headless and print what it did."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

EXAMPLES = Path(__file__).parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="dsmagic-demo-") as folder:
        os.environ["DSMAGIC_HOME"] = str(Path(folder) / ".dsmagic")
        os.environ.pop("DSMAGIC_URI", None)
        notebook = nbformat.read(EXAMPLES / "quickstart.ipynb", as_version=4)
        started = time.time()
        print(f"running examples/quickstart.ipynb in a fresh kernel (store in {folder}) ...")
        NotebookClient(
            notebook,
            timeout=600,
            resources={"metadata": {"path": folder}},
            # The kernel warns about its local TCP transport on every start; not news here.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        ).execute()
        print(f"executed {len(notebook.cells)} cells in {time.time() - started:.1f} s\n")

        from dsmagic.tracking import TrackingClient

        client = TrackingClient()
        runs = client.search_runs(experiment="quickstart", order_by="metrics.acc DESC")
        print(f"{len(runs)} runs tracked in experiment 'quickstart':")
        for row in runs.itertuples():
            parent = " (nested)" if isinstance(row.parent_run_id, str) else ""
            acc = runs.loc[row.Index, "metrics.acc"]
            shown = f"acc={acc:.4f}" if acc == acc else "(parent of the sweep, no acc)"
            print(f"  {row.run_name:<12} {row.status:<9} {shown}{parent}")
        best = runs.iloc[0]
        cells = client.cells(best["run_id"])
        environment = client.environment(best["run_id"]) or {}
        print(
            f"\nbest run: {best['run_name']} — {len(cells)} cells recorded, "
            f"{len(environment.get('packages', {}))} package versions captured"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
