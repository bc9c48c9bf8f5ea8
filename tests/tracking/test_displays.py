"""Rich displays: text/plain always, everything escaped, CSS scoped to the output."""

from __future__ import annotations

import json
import re

import pandas as pd

import dsmagic as dm
from dsmagic.tracking._frames import RunTable

HOSTILE = "<script>alert('x')</script>"


def _check_html(html: str) -> None:
    assert "<script>" not in html and "&lt;script&gt;" in html
    scope = re.search(r'<div id="(dsm-[0-9a-f]+)"', html).group(1)
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    selectors = [rule.split("{")[0].strip() for rule in css.split("}") if "{" in rule]
    assert selectors and all(s.startswith(f"#{scope}") for s in selectors), selectors


def test_run_search_and_comparison_displays(dsmagic_home):
    ids = []
    for index in range(2):
        with dm.start_run(HOSTILE, tags={"note": HOSTILE}) as run:
            dm.log_param("model", HOSTILE + str(index))
            dm.log_metric("acc", 0.5 + index / 10)
        ids.append(run.id)
    stored = dm.get_run(ids[0])
    shown_as = [
        (stored, "run"),
        (RunTable(dm.search_runs(), "x"), "run-table"),
        (dm.compare_runs(ids), "comparison"),
    ]
    for shown, kind in shown_as:
        bundle = shown._repr_mimebundle_()
        mime = f"application/vnd.dsmagic.{kind}.v1+json"
        assert set(bundle) == {"text/plain", "text/html", mime}
        assert bundle["text/plain"]
        _check_html(bundle["text/html"])
        # The renderer's data is plain JSON and keeps the user's text as text.
        assert HOSTILE in json.dumps(bundle[mime])
    assert "finished" in stored._repr_mimebundle_()["text/plain"]


def test_empty_search_says_so(dsmagic_home):
    table = RunTable(dm.search_runs("metrics.acc > 2"), "metrics.acc > 2")
    assert table._repr_mimebundle_()["text/plain"] == "no runs match 'metrics.acc > 2'"


# The identifying columns first, then the ones holding a value.
SHOWN = ["run_id", "run_name", "experiment", "status", "start_time", "end_time",
         "metrics.acc", "params.lr", "params.model"]  # fmt: skip
EMPTY = ["parent_id", *(f"params.opt_{i:02d}" for i in range(36)), "tags.note"]
NOTE = (
    "38 of 47 columns hidden (38 empty in the runs shown): `%runs ... --all-columns` shows them; "
    "`.frame` is the full DataFrame"
)


def _wide_runs() -> None:
    """Two runs logging a 38-key config whose values are mostly empty, as argparse defaults."""
    config = {f"opt_{i:02d}": "" for i in range(36)}
    for model, acc in (("rf", 0.91), ("gbm", 0.95)):
        with dm.start_run(f"{model}-run", experiment="churn", tags={"note": ""}):
            dm.log_params({**config, "model": model, "lr": 0.1})
            dm.log_metric("acc", acc)


def test_a_wide_mostly_empty_result_shows_only_the_filled_columns(dsmagic_home):
    _wide_runs()
    frame = dm.search_runs()
    assert frame.shape == (2, 48)  # 47 and parent_run_id, MLflow's name for parent_id
    table = RunTable(frame)
    bundle = table._repr_mimebundle_()
    lines = bundle["text/plain"].splitlines()
    assert lines[0] == "2 run(s)" and lines[1].split() == SHOWN
    assert lines[-1] == NOTE
    assert "gbm-run" in lines[2] and "0.95" in lines[2] and len(lines) == 5
    data = bundle["application/vnd.dsmagic.run-table.v1+json"]
    assert data["columns"] == SHOWN and data["hidden_columns"] == EMPTY
    assert [len(row) for row in data["rows"]] == [len(SHOWN)] * 2
    html = bundle["text/html"]
    assert re.findall(r"<th>(.*?)</th>", html) == SHOWN
    summary = re.search(r"<details[^>]*><summary>(.*?)</summary>(.*?)</details>", html)
    assert summary.group(1).startswith("38 of 47 columns hidden")
    assert "<code>%runs ... --all-columns</code>" in summary.group(1)
    assert re.findall(r"<code>(.*?)</code>", summary.group(2)) == EMPTY
    # Code gets the full result, as before.
    assert table.frame is frame
    pd.testing.assert_frame_equal(dm.search_runs(), frame)


def test_all_columns_shows_every_column(dsmagic_home):
    _wide_runs()
    table = RunTable(dm.search_runs(), all_columns=True)
    bundle = table._repr_mimebundle_()
    lines = bundle["text/plain"].splitlines()
    # Every column of the frame but parent_run_id, in the frame's order.
    every = [*SHOWN[:6], "parent_id", *SHOWN[6:], *EMPTY[1:]]
    assert lines[1].split() == every
    assert len(lines) == 4 and "hidden" not in bundle["text/plain"]
    data = bundle["application/vnd.dsmagic.run-table.v1+json"]
    assert len(data["columns"]) == 47 and data["hidden_columns"] == []
    assert len(re.findall(r"<th>", bundle["text/html"])) == 47
    assert "<details" not in bundle["text/html"]


def test_the_rich_views_judge_columns_on_the_rows_they_show(dsmagic_home):
    with dm.start_run("old"):
        dm.log_params({"model": "rf", "depth": 3})
    for name in ("new-1", "new-2"):
        with dm.start_run(name):
            dm.log_param("model", "gbm")
    table = RunTable(dm.search_runs(order_by="attributes.run_name"))
    table._limit = 2  # the views show the first two runs: new-1, new-2
    bundle = table._repr_mimebundle_()
    data = bundle["application/vnd.dsmagic.run-table.v1+json"]
    assert "params.depth" not in data["columns"] and "params.depth" in data["hidden_columns"]
    assert "params.depth" not in re.findall(r"<th>(.*?)</th>", bundle["text/html"])
    assert "showing 2 of 3" in bundle["text/html"]
    # The text shows every run, so the one value of params.depth is there.
    assert "params.depth" in bundle["text/plain"].splitlines()[1]


def test_a_table_of_many_filled_columns_keeps_twelve_metrics_first_and_varying_params(
    dsmagic_home,
):
    """Autolog and tuning runs side by side: every column holds a value somewhere."""
    for index in range(3):
        with dm.start_run(f"fit-{index}", tags={"dsmagic.autolog": "sklearn"}):
            dm.log_metrics({f"score_{k}": index / 10 + k for k in range(4)})
            dm.log_params({f"default_{k}": "same" for k in range(20)})  # equal in every run
            dm.log_params({"lr": 10.0**-index, "depth": index + 2})  # what tells runs apart
    table = RunTable(dm.search_runs())
    text = table._repr_mimebundle_()["text/plain"]
    header = text.splitlines()[1].split()
    assert header[:5] == ["run_id", "run_name", "experiment", "status", "start_time"]
    values = header[5:]
    assert len(values) == 12
    assert {f"metrics.score_{k}" for k in range(4)} | {"params.lr", "params.depth"} <= set(values)
    assert "tags.dsmagic.autolog" not in header
    assert text.splitlines()[-1].startswith(
        "17 of 34 columns hidden (1 empty in the runs shown, 1 of dsmagic's own tags, "
        "15 past the first 12 with values)"
    )
    assert len(text.splitlines()[2].split()[0]) == 8  # the run id's unique prefix
    data = table._repr_mimebundle_()["application/vnd.dsmagic.run-table.v1+json"]
    assert data["columns"] == header and "tags.dsmagic.autolog" in data["hidden_columns"]
