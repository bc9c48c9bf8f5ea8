"""Helpers: write a notebook, open it in JupyterLab (or Notebook 7), run it, find the canvas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

CANVAS = ".dsm-canvas"


def write_notebook(folder: Path, name: str, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    path = folder / name
    nbformat.write(nb, str(path))
    return path


def open_notebook(page, lab, notebook: Path, app: str = "lab") -> None:
    """Open the notebook in the browser with its kernel started and idle."""
    relative = notebook.relative_to(lab.root).as_posix()
    lab.start_kernel(notebook)
    route = "lab/tree" if app == "lab" else "notebooks"
    page.goto(f"{lab.url}/{route}/{relative}?reset&token={lab.token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle'], "
                 ".jp-KernelStatus-success, .jp-NotebookKernelStatus").first.wait_for(
        state="attached", timeout=60_000)  # fmt: skip
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        dialog.wait_for(timeout=1500)
        dialog.click()
    except Exception:
        pass  # no kernel dialog: the session we started was picked up


def run_all(page) -> None:
    """Run every cell from the Run menu, as a person would. Right after the page loads the
    menu can be there before the notebook is wired to its kernel: then try again."""
    prompt = page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first
    for _attempt in range(4):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        for _ in range(50):
            if re.search(r"\[(\*|\d+)\]", prompt.inner_text()):
                return
            page.wait_for_timeout(100)
    raise AssertionError("the notebook's cells did not start running")


def open_and_run(page, lab, notebook: Path, app: str = "lab") -> None:
    """Open the notebook, run all its cells and wait for the canvas."""
    open_notebook(page, lab, notebook, app)
    run_all(page)
    page.locator(CANVAS).first.wait_for(timeout=60_000)
    page.locator(f"{CANVAS} .react-flow__renderer").first.wait_for()


def canvas_notebook(folder: Path, file: str, template: str | None = None) -> Path:
    args = repr(file) + (f", template={template!r}" if template else "")
    return write_notebook(
        folder, "canvas.ipynb", f"import dsmagic as dm\ncanvas = dm.Canvas({args})\ncanvas"
    )


def read_pipeline(folder: Path, file: str) -> dict:
    return json.loads((folder / file).read_text())


def node(page, step: str):
    return page.locator(f"{CANVAS} .react-flow__node[data-id='{step}']")


def handle(page, step: str, port: str, kind: str):
    return node(page, step).locator(f".react-flow__handle.{kind}[data-handleid='{port}']")


def drag_between(page, source, target) -> None:
    """Press on one element, move in steps (as a hand would), release on the other."""
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
    page.mouse.up()


def eventually(check, timeout: float = 10.0, interval: float = 0.1):
    """Poll ``check`` until it returns a truthy value (files written by the kernel)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {check}")
        time.sleep(interval)


def select_step(page, step: str) -> None:
    """Click a step until its parameter form shows (the first click can land while the
    page is still laying the canvas out, notably in Notebook 7)."""
    from playwright.sync_api import expect

    form = page.locator(".dsm-canvas-form")
    reveal(page, step)
    for attempt in range(3):
        node(page, step).click()
        try:
            expect(form.first).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def select_for_keys(page, step: str) -> None:
    """Click a step and wait until it shows as selected and the canvas has the keyboard,
    as a person would look before pressing Delete or Ctrl+C (under load the click's
    re-render can land after the key press otherwise)."""
    from playwright.sync_api import expect

    target = node(page, step)
    reveal(page, step)
    for attempt in range(3):
        target.click()
        try:
            expect(target).to_have_class(re.compile(r"\bselected\b"), timeout=5_000)
            wait_for_keyboard(page)
            return
        except AssertionError:
            if attempt == 2:
                raise


def wait_for_keyboard(page) -> None:
    """Wait until the keyboard focus is inside the canvas (on it or on one of its steps)."""
    page.wait_for_function(f"() => !!document.activeElement?.closest({CANVAS!r})", timeout=5_000)


# -- the canvas' view (zoom, pan, boxes), read as a person sees it ----------------------
def viewport(page) -> dict:
    """The flow's pan and zoom, from React Flow's viewport transform."""
    transform = page.locator(f"{CANVAS} .react-flow__viewport").first.evaluate(
        "el => getComputedStyle(el).transform"
    )
    match = re.match(r"matrix\(([^,]+), [^,]+, [^,]+, [^,]+, ([^,]+), ([^)]+)\)", transform)
    if not match:
        return {"x": 0.0, "y": 0.0, "zoom": 1.0}
    zoom, x, y = (float(v) for v in match.groups())
    return {"x": x, "y": y, "zoom": zoom}


def on_screen_px(page, selector: str) -> float:
    """The font size of the first element matching ``selector`` as drawn on screen (CSS
    font size times the flow's zoom)."""
    size = page.locator(selector).first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    return size * viewport(page)["zoom"]


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on the page"
    return found


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)  # fmt: skip


def overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])  # fmt: skip


def wait_for_settled_view(page, timeout: float = 10.0) -> dict:
    """Wait until the view stops moving (no change over eight animation frames)."""
    import time

    deadline = time.monotonic() + timeout
    last = viewport(page)
    still = 0
    while still < 8:
        if time.monotonic() > deadline:
            raise AssertionError(f"the canvas view kept moving: {last}")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
        now = viewport(page)
        still = still + 1 if now == last else 0
        last = now
    return last


def scroller_top(page) -> float:
    """How far the notebook is scrolled (its nearest scrolling ancestor of the canvas)."""
    return page.locator(CANVAS).first.evaluate(
        """el => { let p = el.parentElement;
                   const scrolls = q => q.scrollHeight > q.clientHeight + 1
                          && /(auto|scroll)/.test(getComputedStyle(q).overflowY);
                   while (p && !scrolls(p)) p = p.parentElement;
                   return p ? p.scrollTop : document.scrollingElement.scrollTop; }"""
    )


def reveal(page, step: str) -> None:
    """Pan the canvas, by dragging its background as a person does, until the step is
    wholly in view (a graph wider than the pane at a readable zoom is panned, not shrunk)."""
    flow = page.locator(f"{CANVAS} .dsm-canvas-flow").first
    for _ in range(8):
        pane, target = box(flow), box(node(page, step))
        if inside(target, pane, slack=-8):
            return
        limit_x, limit_y = pane["width"] / 2 - 30, pane["height"] / 2 - 30
        dx = pane["x"] + pane["width"] / 2 - (target["x"] + target["width"] / 2)
        dy = pane["y"] + pane["height"] / 2 - (target["y"] + target["height"] / 2)
        dx, dy = max(-limit_x, min(dx, limit_x)), max(-limit_y, min(dy, limit_y))
        # Start on empty background, on the side the drag moves away from.
        x0 = pane["x"] + pane["width"] / 2 - dx
        for y0 in (pane["y"] + 20, pane["y"] + pane["height"] - 20, pane["y"] + pane["height"] / 4):
            on_pane = page.evaluate(
                "([x, y]) => !!document.elementFromPoint(x, y)?.classList.contains("
                "'react-flow__pane')",
                [x0, y0],
            )
            if on_pane:
                break
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move(x0 + dx, y0 + dy, steps=8)
        page.mouse.up()
        wait_for_settled_view(page)
    raise AssertionError(f"could not pan step {step!r} into view")
