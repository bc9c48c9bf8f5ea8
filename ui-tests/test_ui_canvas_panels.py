"""The canvas' side panels read as a person reads them: the run's log tail, the export
preview of every file, the diff and links whole, and both themes legible."""

from __future__ import annotations

import os
from pathlib import Path

from _lab import (
    CANVAS,
    box,
    canvas_notebook,
    eventually,
    inside,
    node,
    open_and_run,
    open_notebook,
    read_pipeline,
    reveal,
    run_all,
    write_notebook,
)
from playwright.sync_api import expect

FILE = "churn.dspipe.json"


def _shot(page, name: str, selector: str = CANVAS) -> None:
    folder = os.environ.get("DSMAGIC_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.locator(selector).first.screenshot(path=str(Path(folder) / f"{name}.png"))


def _not_cut(locator) -> None:
    """Nothing of the element's text is hidden: no sideways overflow."""
    width = locator.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert width[0] <= width[1] + 1, width


def test_run_log_streams_each_step_and_the_run_link_is_whole(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    log = page.locator(f"{CANVAS} .dsm-canvas-log")
    page.locator("[data-tab='run']").click()
    expect(log).to_contain_text("no run yet")
    page.locator("[data-action='run']").click()
    # During the run: a line per step as it starts and ends.
    expect(log).to_contain_text("▶ data running", timeout=120_000)
    expect(page.locator(f"{CANVAS} .react-flow__node .dsm-canvas-light[data-status='done']")
           ).to_have_count(9, timeout=180_000)  # fmt: skip
    expect(page.locator("[data-run-status='done']")).to_be_visible()
    # After it: every step, what the steps printed, and how the run ended.
    for step in ("data", "target", "impute", "scale", "split", "model", "metrics", "roc", "save"):
        expect(log).to_contain_text(f"✓ {step} done")
    expect(log).to_contain_text("saved model to")
    expect(log).to_contain_text("run done")
    text = log.inner_text()
    assert text.index("▶ save running") < text.index("saved model to") < text.index("✓ save done")
    _not_cut(log)
    # The tail shows the newest line.
    at_end = log.evaluate("el => el.scrollTop + el.clientHeight >= el.scrollHeight - 4")
    assert at_end
    # The tracked run's id and the executed notebook (its link or path) are shown whole.
    panel = box(page.locator(f"{CANVAS} .dsm-canvas-panel"))
    parts = page.locator(f"{CANVAS} .dsm-canvas-run code, {CANVAS} .dsm-canvas-run a")
    expect(parts).to_have_count(2)
    for rect in parts.evaluate_all(
        "els => els.flatMap(el => [...el.getClientRects()].map(r => ({x: r.x, y: r.y,"
        " width: r.width, height: r.height})))"
    ):
        assert inside(rect, panel), (rect, panel)
    _shot(page, "run-log")


def test_export_preview_shows_every_file_highlighted_without_breaking_lines(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    page.locator("[data-tab='export']").click()
    code = page.locator(f"{CANVAS} pre.dsm-canvas-code")
    page.locator("select[aria-label='export format']").select_option("script")
    page.get_by_role("button", name="Preview").click()
    expect(code).to_contain_text("def main(", timeout=60_000)
    # Highlighted: keywords, strings and comments are marked.
    for kind in ("keyword", "string", "comment"):
        assert code.locator(f".dsm-canvas-tok-{kind}").count() > 0, kind
    # Lines are not broken: the block is exactly as tall as its lines.
    lines, height, line = code.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [el.textContent.replace(/\\n$/, '').split('\\n').length,"
        " el.scrollHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom),"
        " parseFloat(s.lineHeight)]; }"
    )
    assert abs(height - lines * line) < line, (lines, height, line)
    assert "def main(" in code.inner_text()  # not "def ma\nin("
    _shot(page, "export-script")
    # The Docker bundle: every file it writes, each readable.
    page.locator("select[aria-label='export format']").select_option("docker")
    page.get_by_role("button", name="Preview").click()
    files = page.locator(f"{CANVAS} .dsm-canvas-file")
    expect(files.first).to_be_visible(timeout=60_000)
    names = files.evaluate_all("els => els.map(e => e.dataset.file)")
    assert set(names) == {"pipeline.py", "requirements.txt", "Dockerfile", "docker-compose.yml",
                          ".dockerignore", "README.md"}, names  # fmt: skip
    page.locator(f"{CANVAS} .dsm-canvas-file[data-file='Dockerfile']").click()
    expect(code).to_contain_text("FROM ")
    expect(code.locator(".dsm-canvas-tok-keyword").first).to_have_text("FROM")
    page.locator(f"{CANVAS} .dsm-canvas-file[data-file='requirements.txt']").click()
    expect(code).to_contain_text("scikit-learn")
    _shot(page, "export-docker")
    # The zip: the notebook and the pipeline file too.
    page.locator("select[aria-label='export format']").select_option("zip")
    page.get_by_role("button", name="Preview").click()
    expect(
        page.locator(f"{CANVAS} .dsm-canvas-file[data-file='pipeline.dspipe.json']")
    ).to_be_visible(timeout=60_000)
    page.locator(f"{CANVAS} .dsm-canvas-file[data-file='pipeline.ipynb']").click()
    expect(code).to_contain_text("# %%")
    page.locator(f"{CANVAS} .dsm-canvas-file[data-file='pipeline.dspipe.json']").click()
    expect(code).to_contain_text('"steps"')


def test_diff_text_is_shown_whole(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    page.locator("[data-tab='versions']").click()
    page.locator("#dsm-canvas-version-name").fill("v1")
    page.get_by_role("button", name="Save version").click()
    expect(page.locator(".dsm-canvas-version-list li[data-version='v1']")).to_be_visible()
    reveal(page, "impute")
    node(page, "impute").click()
    page.locator(".dsm-canvas-field[data-param='strategy'] select").select_option(label="mean")
    eventually(
        lambda: read_pipeline(workdir, FILE)["steps"]["impute"]["params"]["strategy"] == "mean"
    )
    page.locator("[data-tab='versions']").click()
    item = page.locator(".dsm-canvas-version-list li[data-version='v1']")
    item.get_by_role("button", name="Diff with current").click()
    text = page.locator(".dsm-canvas-diff pre")
    expect(text).to_contain_text("strategy 'median' -> 'mean'")
    _not_cut(text)
    assert inside(box(text), box(page.locator(f"{CANVAS} .dsm-canvas-panel")))
    _shot(page, "diff")


def _contrast(page, selector: str) -> float:
    """WCAG contrast of an element's text colour (blended over its step's background, as
    drawn) against that background."""
    return page.locator(selector).first.evaluate(
        """el => {
          const paint = document.createElement('canvas').getContext('2d');
          const rgb = c => { paint.clearRect(0, 0, 1, 1); paint.fillStyle = c;
            paint.fillRect(0, 0, 1, 1); return [...paint.getImageData(0, 0, 1, 1).data]; };
          const lum = ([r, g, b]) => { const f = v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const bg = rgb(getComputedStyle(el.closest('.dsm-canvas-node')).backgroundColor);
          const ink = rgb(getComputedStyle(el).color);
          const fg = ink.slice(0, 3).map((v, i) => v * ink[3] / 255 + bg[i] * (1 - ink[3] / 255));
          const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        }"""
    )


def _dark_theme(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text="JupyterLab Dark").first.click()
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")


def test_dark_theme_step_ids_port_labels_and_eda_charts_are_legible(page, lab, workdir):
    frame = (
        "import pandas as pd\n"
        "df = pd.DataFrame({'age': [20, 30, 40, 50] * 50, 'plan': ['a', 'b'] * 100})"
    )
    notebook = write_notebook(
        workdir, "dark.ipynb",
        f"import dsmagic as dm\ncanvas = dm.Canvas({FILE!r}, template='classification')\ncanvas",
        frame, "%load_ext dsmagic\n%eda df",
    )  # fmt: skip
    open_notebook(page, lab, notebook)
    _dark_theme(page)
    run_all(page)
    expect(page.locator(f"{CANVAS}.dsm-canvas-dark")).to_have_count(1, timeout=60_000)
    expect(page.locator(f"{CANVAS} .react-flow__node")).to_have_count(9)
    ids = f"{CANVAS} .react-flow__node[data-id='impute'] .dsm-canvas-node-id"
    ports = f"{CANVAS} .react-flow__node[data-id='impute'] .dsm-canvas-port-label"
    # Small text (ids, port labels): 7:1, WCAG's enhanced level, as they are 9-10 px on
    # screen at the readable fit.
    assert _contrast(page, ids) >= 7
    assert _contrast(page, ports) >= 7
    _shot(page, "dark-canvas")
    # The EDA charts sit on the page's own (dark) background, not on white boxes.
    svg = page.locator(".jp-OutputArea-output .dsm-chart svg.marks")
    expect(svg.first).to_be_attached(timeout=60_000)
    fills = svg.first.evaluate(
        "el => [getComputedStyle(el).backgroundColor,"
        " ...[...el.querySelectorAll('rect.background, path.background')].map("
        " r => getComputedStyle(r).fill)]"
    )
    white = {"rgb(255, 255, 255)", "#ffffff", "white"}
    assert not white & set(fills), fills
    label = svg.first.locator("text").first.evaluate("el => getComputedStyle(el).fill")
    assert label not in {"rgb(0, 0, 0)", "#000000"}, label
    _shot(page, "dark-eda", ".jp-OutputArea-output .dsm-chart")
