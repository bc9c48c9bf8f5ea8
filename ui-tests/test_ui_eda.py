"""The EDA report's charts, drawn by the bundled Vega-Lite in real Chromium: inline in a
JupyterLab notebook, and in the standalone HTML file opened with the network cut off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _lab import open_notebook, run_all, write_notebook
from playwright.sync_api import expect

FRAME = (
    "import numpy as np, pandas as pd\n"
    "rng = np.random.default_rng(0)\n"
    "df = pd.DataFrame({'age': rng.normal(40, 9, 500).round(),\n"
    "                   'income': rng.lognormal(10, 0.6, 500),\n"
    "                   'plan': rng.choice(['basic', 'pro', 'team'], 500),\n"
    "                   'churned': rng.random(500) < 0.2})"
)


def test_eda_magic_draws_its_charts_inline_in_jupyterlab(page, lab, workdir):
    notebook = write_notebook(workdir, "eda.ipynb", FRAME, "%load_ext dsmagic\n%eda df")
    open_notebook(page, lab, notebook)
    run_all(page)
    report = page.locator(".jp-OutputArea-output .dsm-chart")
    expect(report.first).to_be_attached(timeout=60_000)
    # The report is shown while it computes: count the charts once it says it is done.
    output = page.locator(".jp-OutputArea-output")
    expect(output.get_by_text("computed in", exact=False).first).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-OutputArea-output .eda-pending")).to_have_count(0)
    charts = report.count()
    assert charts >= 4  # a histogram or bar chart per column
    # Every chart was drawn by Vega-Lite as SVG, and its text stand-in removed.
    expect(page.locator(".jp-OutputArea-output .dsm-chart svg.marks")).to_have_count(charts)
    expect(page.locator(".jp-OutputArea-output .dsm-chart-text")).to_have_count(0)


def test_the_html_file_draws_its_charts_offline(page, tmp_path: Path):
    import dsmagic as dm

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=2_000),
            "y": rng.exponential(size=2_000),
            "kind": rng.choice(list("abcd"), 2_000),
        }
    )
    target = tmp_path / "report.html"
    dm.eda(frame, target="kind").to_html(target)
    asked: list[str] = []

    def only_the_file(route):
        asked.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(target.as_uri())
    charts = page.locator(".dsm-chart")
    assert charts.count() >= 4
    expect(page.locator(".dsm-chart svg.marks")).to_have_count(charts.count())
    assert [url for url in asked if not url.startswith("file:")] == []
