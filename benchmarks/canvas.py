"""Pipeline canvas speed, measured in a real browser.

Run:  .venv/bin/python benchmarks/canvas.py      (or `make bench`)

Starts JupyterLab on a free localhost port and headless Debian Chromium (/usr/bin/chromium)
driven by Playwright, opens a notebook showing a 300-step pipeline in the canvas and
measures, in the page:

- render: from the cell's start in the kernel until all 300 steps are on screen and the
  page has painted twice after that (interactive);
- drag: frames per second while a step is dragged across the canvas for ~2 s;
- Python edit: from ``canvas.pipeline.add_step(...)`` in the kernel until the new step is in
  the page (kernel and browser clocks are the same machine's clock), 20 edits;
- the size of the minified bundle.

Writes the "## Canvas" section of benchmarks/RESULTS.md. No reference tool: the targets are
the issue's (300 steps interactive < 1.5 s, drag >= 30 fps, Python edit < 100 ms,
bundle < 1 MB).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STEPS = 300
EDITS = 20
CHROMIUM = os.environ.get("DSMAGIC_CHROMIUM", "/usr/bin/chromium")
sys.path.insert(0, str(HERE))
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "ui-tests" / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def big_pipeline(path: Path) -> None:
    from dsmagic.pipeline import Pipeline

    p = Pipeline("big")
    kinds = ["impute", "standard_scale", "minmax_scale", "robust_scale"]

    def at(i: int) -> tuple[float, float]:
        return ((i % 20) * 260.0, (i // 20) * 140.0)

    with p.batch("build"):
        ids = [p.add_step("sklearn_dataset", "data", name="breast_cancer", position=at(0)),
               p.add_step("select_target", "target", target="target", position=at(1))]  # fmt: skip
        for i in range(2, STEPS - 3):
            ids.append(p.add_step(kinds[i % 4], f"prep{i}", position=at(i)))
        ids.append(p.add_step("train_test_split", "split", position=at(STEPS - 3)))
        ids.append(p.add_step("logistic_regression", "model", position=at(STEPS - 2)))
        ids.append(p.add_step("classification_metrics", "metrics", position=at(STEPS - 1)))
        for a, b in itertools.pairwise(ids):
            p.connect(a, b)
    assert len(p.steps) == STEPS and not p.errors()
    p.save(path)


KERNEL_EDITS = f"""
import json, threading, time
from pathlib import Path

def _edits():
    while not Path("ready").exists():
        time.sleep(0.05)
    marks = {{}}
    for i in range({EDITS}):
        time.sleep(0.4)
        before = time.time()
        xy = (2000.0 + (i % 5) * 220, 700.0 + (i // 5) * 90)  # in view
        canvas.pipeline.add_step("robust_scale", f"edit{{i}}", position=xy)
        marks[f"edit{{i}}"] = [before, time.time()]
    Path("marks.json").write_text(json.dumps(marks))

threading.Thread(target=_edits, daemon=True).start()
"""

WATCH = """
([steps, edits]) => {
  window.__bench = { seen: {} };
  // Interactive: every step element React Flow put in the page is measured and shown
  // (above 150 steps only the steps in view are in the page), then two frames painted.
  const tick = () => {
    if (!window.__bench.root && document.querySelector('.dsm-canvas'))
      window.__bench.root = Date.now();
    const nodes = [...document.querySelectorAll('.dsm-canvas .react-flow__node')];
    const shown = nodes.length > 0 && nodes.every((n) => n.style.visibility !== 'hidden');
    if (!window.__bench.rendered && !window.__bench.pending && shown) {
      window.__bench.pending = true;
      window.__bench.inPage = nodes.length;
      requestAnimationFrame(() => requestAnimationFrame(() => {
        window.__bench.rendered = Date.now();
      }));
    }
    for (let i = 0; i < edits; i++) {
      const id = 'edit' + i;
      const sel = `.dsm-canvas .react-flow__node[data-id="${id}"]`;
      if (!window.__bench.seen[id] && document.querySelector(sel))
        window.__bench.seen[id] = Date.now();
    }
  };
  const what = { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] };
  new MutationObserver(tick).observe(document.body, what);
}
"""

FRAMES = """
() => {
  window.__frames = [];
  const loop = (t) => {
    window.__frames.push(t);
    if (!window.__stop) requestAnimationFrame(loop);
  };
  window.__stop = false;
  requestAnimationFrame(loop);
}
"""


def measure() -> dict:
    import nbformat
    from playwright.sync_api import sync_playwright

    ui = _load("ui_conftest", "conftest.py")  # the browser tests' server and browser set-up
    lab_helpers = _load("ui_lab", "_lab.py")
    root = Path(tempfile.mkdtemp(prefix="dsmagic-canvas-bench-"))
    lab_root = root / "lab"
    lab_root.mkdir()
    big_pipeline(lab_root / "big.dspipe.json")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import time\n_t0 = time.time()\nimport dsmagic as dm\n"
            "canvas = dm.Canvas('big.dspipe.json', height=800)\n"
            "open('t0', 'w').write(repr([_t0, time.time()]))\ncanvas"
        ),
        nbformat.v4.new_code_cell(KERNEL_EDITS),
    ]
    notebook = lab_root / "bench.ipynb"
    nbformat.write(nb, str(notebook))
    lab = ui.LabServer(lab_root)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=ui.CHROMIUM_FLAGS)  # fmt: skip
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(120_000)
            lab_helpers.open_notebook(page, lab, notebook)
            page.evaluate(WATCH, [STEPS, EDITS])
            lab_helpers.run_all(page)
            try:
                page.wait_for_function("() => window.__bench && window.__bench.rendered")
            except Exception:
                shot = Path(tempfile.gettempdir()) / "dsmagic-canvas-bench.png"
                page.screenshot(path=str(shot))
                raise RuntimeError(f"the canvas did not render; see {shot}") from None
            rendered = page.evaluate("window.__bench.rendered") / 1000
            in_page = page.evaluate("window.__bench.inPage")
            mounted = page.evaluate("window.__bench.root") / 1000
            started, built = json.loads((lab_root / "t0").read_text())
            render_s = rendered - started
            kernel_s = built - started
            flow_s = rendered - mounted

            # Drag one step in a circle for ~2 s while counting frames.
            handle = page.locator(
                ".dsm-canvas .react-flow__node[data-id='prep150'] .dsm-canvas-node-title"
            )
            box = handle.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.evaluate(FRAMES)
            t = time.perf_counter()
            moves = 0
            while time.perf_counter() - t < 2.0:
                moves += 1
                page.mouse.move(x + 200 * ((moves % 40) / 40), y + 80 * ((moves % 20) / 20))
            page.evaluate("window.__stop = true")
            page.mouse.up()
            frames = page.evaluate("window.__frames")
            gaps = [b - a for a, b in itertools.pairwise(frames)]
            fps = (len(frames) - 1) / ((frames[-1] - frames[0]) / 1000)
            worst_gap = max(gaps)
            p95_gap = sorted(gaps)[int(len(gaps) * 0.95)]

            (lab_root / "ready").write_text("go")
            deadline = time.monotonic() + 120
            while not (lab_root / "marks.json").exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            page.wait_for_function(f"() => Object.keys(window.__bench.seen).length >= {EDITS}")
            seen = page.evaluate("window.__bench.seen")
            marks = json.loads((lab_root / "marks.json").read_text())
            latencies = sorted((seen[k] / 1000 - marks[k][0]) * 1000 for k in marks)
            kernel_ms = sorted((marks[k][1] - marks[k][0]) * 1000 for k in marks)
            browser.close()
    finally:
        lab.stop()
    bundle = (ROOT / "dsmagic" / "static" / "canvas.js").stat().st_size
    load = os.getloadavg()[0]
    return {
        "render_s": render_s, "kernel_s": kernel_s, "fps": fps, "worst_gap_ms": worst_gap,
        "p95_gap_ms": p95_gap, "moves": moves, "edit_ms": latencies, "kernel_ms": kernel_ms,
        "bundle": bundle, "load": load, "in_page": in_page, "flow_s": flow_s,
    }  # fmt: skip


def report(r: dict) -> str:
    from _results import write_section

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    edits, kernel = r["edit_ms"], r["kernel_ms"]
    median_edit = statistics.median(edits)
    chromium = os.popen(f"{CHROMIUM} --version 2>/dev/null").read().strip() or "Chromium"
    names = ("dsmagic", "jupyterlab", "anywidget", "playwright")
    versions = ", ".join(f"{name} {version(name)}" for name in names)
    browser_s = r["render_s"] - r["kernel_s"]
    render = (f"{r['render_s']:.2f} s (kernel: import and `dm.Canvas(...)` {r['kernel_s']:.2f} s; "
              f"then display and bundle load {browser_s - r['flow_s']:.2f} s; from the editor in "
              f"the page to the steps painted {r['flow_s']:.2f} s)")  # fmt: skip
    drag = (f"{r['fps']:.0f} fps (p95 frame {r['p95_gap_ms']:.0f} ms, "
            f"worst {r['worst_gap_ms']:.0f} ms)")  # fmt: skip
    edit = (
        f"median {median_edit:.0f} ms, max {max(edits):.0f} ms (of which `add_step` in the "
        f"kernel, with validation and autosave: median {statistics.median(kernel):.0f} ms)"
    )
    rows = [
        (f"{{n}}-step pipeline: cell start to the steps in view painted (interactive; "
         f"{r['in_page']} step elements in the page)", render,
         f"< 1.5 s: {verdict(r['render_s'] < 1.5)}"),
        (f"dragging one step over the {{n}}-step graph ({r['moves']} pointer moves in 2 s)",
         drag, f">= 30 fps: {verdict(r['fps'] >= 30)}"),
        (f"Python `canvas.pipeline.add_step()` until the step is in the page, {len(edits)} "
         "edits on {n}+ steps", edit, f"< 100 ms: {verdict(median_edit < 100)}"),
        ("minified bundle `dsmagic/static/canvas.js`", f"{r['bundle'] / 1024:.0f} KiB",
         f"< 1 MB: {verdict(r['bundle'] < 1_000_000)}"),
    ]  # fmt: skip
    table = ["| Measure | Result | Target |", "|---|---|---|"]
    table += [f"| {a.format(n=STEPS)} | {b} | {c} |" for a, b, c in rows]
    lines = [
        f"Command: `.venv/bin/python benchmarks/canvas.py`. {os.cpu_count()} CPUs "
        f"({platform.machine()}), Python {platform.python_version()}, {versions}, {chromium} "
        f"headless; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 1-minute load average "
        f"{r['load']:.2f} during the run (other work on the machine slows every figure). No "
        "reference tool: measured against the issue's targets.",
        "",
        *table,
        "",
        "How: the render time runs from `time.time()` at the start of the notebook cell that "
        f"creates `dm.Canvas('big.dspipe.json')` (a chain of {STEPS} steps on a 20-wide grid) to "
        "the page's `Date.now()` two animation frames after every step element in the page is "
        "measured and shown (a MutationObserver; above 150 steps the canvas puts only the steps "
        "in view in the page, the minimap shows all). The drag counts `requestAnimationFrame` "
        "callbacks while Playwright moves the pressed mouse. Each Python edit runs from "
        "`time.time()` before `add_step` "
        "(validation of the whole graph, the trait sync, the file autosave) to `Date.now()` when "
        "the step's element appears; kernel and page read the same machine clock. Edit times "
        f"(ms): {', '.join(f'{e:.0f}' for e in edits)}.",
    ]
    body = "\n".join(lines)
    write_section("Canvas", body)
    return body


if __name__ == "__main__":
    print(report(measure()))
