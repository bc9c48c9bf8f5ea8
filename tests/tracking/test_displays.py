"""Rich displays: text/plain always, everything escaped, CSS scoped to the output."""

from __future__ import annotations

import json
import re

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
