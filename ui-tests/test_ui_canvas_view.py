"""The canvas' view as a person meets it: readable at the first fit, room for the graph,
the wheel scrolls the notebook, the keyboard stays with the canvas."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from _lab import (
    CANVAS,
    box,
    canvas_notebook,
    drag_between,
    eventually,
    handle,
    inside,
    node,
    on_screen_px,
    open_and_run,
    overlaps,
    read_pipeline,
    reveal,
    scroller_top,
    select_for_keys,
    viewport,
    wait_for_keyboard,
    wait_for_settled_view,
    write_notebook,
)
from playwright.sync_api import expect

FILE = "churn.dspipe.json"
TITLE = f"{CANVAS} .react-flow__node .dsm-canvas-node-title"
PANE = f"{CANVAS} .dsm-canvas-flow"


def _shot(page, name: str) -> None:
    """With DSMAGIC_UI_SHOTS=folder, keep screenshots to look at the UI by eye."""
    folder = os.environ.get("DSMAGIC_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.locator(CANVAS).first.screenshot(path=str(Path(folder) / f"{name}.png"))


def _fit(page) -> dict:
    page.locator(f"{CANVAS} .react-flow__controls-fitview").click()
    return wait_for_settled_view(page)


def _close(a: dict, b: dict) -> bool:
    return all(abs(a[k] - b[k]) < 1.0 for k in ("x", "y")) and abs(a["zoom"] - b["zoom"]) < 1e-3


def test_first_view_is_readable_fitted_and_panels_give_the_graph_room(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    expect(page.locator(f"{CANVAS} .react-flow__node")).to_have_count(9)
    expect(node(page, "data")).to_be_visible()  # measured (React Flow hides it until then)
    first = wait_for_settled_view(page)
    # Titles are readable at the first view: at least 11 px on screen.
    assert on_screen_px(page, TITLE) >= 11, (first, on_screen_px(page, TITLE))
    # The first step is wholly in view (not clipped), and the first view is the fit.
    assert inside(box(node(page, "data")), box(page.locator(PANE))), first
    _shot(page, "first-view")
    assert _close(_fit(page), first), (first, viewport(page))
    # Side panels collapse: the graph gets the whole width, and is fitted again.
    widget = box(page.locator(CANVAS))
    pane = box(page.locator(PANE))
    assert pane["width"] < 0.7 * widget["width"]
    page.locator("[data-action='toggle-palette']").click()
    page.locator("[data-action='toggle-side']").click()
    expect(page.locator(f"{CANVAS} .dsm-canvas-palette")).to_have_count(0)
    expect(page.locator(f"{CANVAS} .dsm-canvas-side")).to_have_count(0)
    eventually(lambda: box(page.locator(PANE))["width"] > 0.95 * widget["width"])
    wide = wait_for_settled_view(page)
    assert inside(box(node(page, "data")), box(page.locator(PANE)))
    assert on_screen_px(page, TITLE) >= 11
    assert _close(_fit(page), wide)
    _shot(page, "panels-collapsed")
    # And back.
    page.locator("[data-action='toggle-side']").click()
    expect(page.locator(f"{CANVAS} .dsm-canvas-side")).to_be_visible()


def test_at_480_px_the_graph_is_usable(page, lab, workdir):
    # Notebook 7 without side panels: the output area is about as wide as the window.
    page.set_viewport_size({"width": 560, "height": 900})
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"), app="notebook")
    widget = box(page.locator(CANVAS))
    assert 420 <= widget["width"] <= 540, widget
    expect(page.locator(f"{CANVAS} .react-flow__node")).to_have_count(9)
    wait_for_settled_view(page)
    # The panels start collapsed: the graph has the width, readable, the first step in view.
    expect(page.locator(f"{CANVAS} .dsm-canvas-side")).to_have_count(0)
    expect(page.locator(f"{CANVAS} .dsm-canvas-palette")).to_have_count(0)
    assert box(page.locator(PANE))["width"] > 0.95 * widget["width"]
    assert on_screen_px(page, TITLE) >= 11
    assert inside(box(node(page, "data")), box(page.locator(PANE)))
    # Every toolbar button is on screen (the toolbar wraps, nothing is cut off).
    buttons = page.locator(f"{CANVAS} .dsm-canvas-toolbar button")
    for i in range(buttons.count()):
        assert inside(box(buttons.nth(i)), widget), buttons.nth(i).inner_text()
    _shot(page, "narrow")
    # A step can be picked and edited.
    page.locator("[data-action='toggle-side']").click()
    reveal(page, "impute")
    node(page, "impute").click()
    expect(page.locator(".dsm-canvas-form")).to_contain_text("strategy")


def test_wheel_scrolls_the_notebook_and_ctrl_wheel_zooms(page, lab, workdir):
    notebook = write_notebook(
        workdir, "wheel.ipynb",
        "print('\\n'.join(f'line {i}' for i in range(60)))",
        f"import dsmagic as dm\ncanvas = dm.Canvas({FILE!r}, template='classification')\ncanvas",
        "print('\\n'.join(f'after {i}' for i in range(60)))",
    )  # fmt: skip
    open_and_run(page, lab, notebook)
    expect(page.locator(f"{CANVAS} .react-flow__node")).to_have_count(9)
    page.locator(CANVAS).first.scroll_into_view_if_needed()
    before = wait_for_settled_view(page)
    pane = box(page.locator(PANE))
    page.mouse.move(pane["x"] + pane["width"] / 2, pane["y"] + 40)
    top = scroller_top(page)
    page.mouse.wheel(0, 200)
    eventually(lambda: scroller_top(page) > top + 50)
    assert _close(wait_for_settled_view(page), before), "the wheel moved the graph"
    # Ctrl+wheel zooms (as a pinch does), and leaves the notebook where it is.
    pane = box(page.locator(PANE))
    page.mouse.move(pane["x"] + pane["width"] / 2, pane["y"] + pane["height"] / 2)
    top = scroller_top(page)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    eventually(lambda: viewport(page)["zoom"] > before["zoom"] * 1.05)
    assert abs(scroller_top(page) - top) < 2


def test_ctrl_z_right_after_delete_and_after_toolbar_actions(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    steps = lambda: set(read_pipeline(workdir, FILE)["steps"])  # noqa: E731
    # The Delete key, then Ctrl+Z at once: the step is back.
    select_for_keys(page, "roc")
    page.keyboard.press("Delete")
    expect(node(page, "roc")).to_have_count(0)
    eventually(lambda: "roc" not in steps())
    wait_for_keyboard(page)
    page.keyboard.press("Control+z")
    expect(node(page, "roc")).to_have_count(1)
    eventually(lambda: "roc" in steps())
    # The toolbar's Delete button, then Ctrl+Z.
    select_for_keys(page, "metrics")
    page.locator("[data-action='delete']").click()
    expect(node(page, "metrics")).to_have_count(0)
    wait_for_keyboard(page)
    page.keyboard.press("Control+z")
    expect(node(page, "metrics")).to_have_count(1)
    # Redo from the toolbar (the step goes again), then Ctrl+Z brings it back.
    page.locator("[data-action='redo']").click()
    eventually(lambda: "metrics" not in steps())
    wait_for_keyboard(page)
    page.keyboard.press("Control+z")
    eventually(lambda: "metrics" in steps())
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(1)


def _drop(page, step_type: str, x: float, y: float) -> None:
    page.drag_and_drop(f".dsm-canvas-palette-item[data-step-type='{step_type}']",
                       f"{CANVAS} .react-flow__pane", target_position={"x": x, "y": y})  # fmt: skip


def _new_step(page, known: set[str]) -> str:
    ids = page.locator(f"{CANVAS} .react-flow__node").evaluate_all(
        "els => els.map(e => e.dataset.id)"
    )
    fresh = set(ids) - known
    assert len(fresh) == 1, (ids, known)
    return fresh.pop()


def test_drops_stay_put_in_view_connections_do_not_pan_and_paste_is_clear(page, lab, workdir):
    new = "new.dspipe.json"
    open_and_run(page, lab, canvas_notebook(workdir, new))
    count = page.locator(f"{CANVAS} .react-flow__node")
    before = wait_for_settled_view(page)
    # The first drop does not re-fit (zoom in on) the view.
    _drop(page, "sklearn_dataset", 120, 120)
    expect(count).to_have_count(1)
    data = _new_step(page, set())
    assert _close(wait_for_settled_view(page), before)
    # A drop at the pane's right edge lands wholly in view, not under the side panel.
    pane = box(page.locator(f"{CANVAS} .react-flow__pane"))
    _drop(page, "select_target", pane["width"] - 6, 140)
    expect(count).to_have_count(2)
    target = _new_step(page, {data})
    assert inside(box(node(page, target)), box(page.locator(PANE)))
    assert _close(wait_for_settled_view(page), before)
    # Dragging a connection to the very edge of the pane does not pan the view.
    view = viewport(page)
    start = box(handle(page, data, "data", "source"))
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    right = pane["x"] + pane["width"] - 3
    page.mouse.move(right, pane["y"] + pane["height"] / 2, steps=10)
    for dy in range(20):  # linger at the edge, as a hand would
        page.mouse.move(right, pane["y"] + pane["height"] / 2 + dy, steps=2)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
    end = box(handle(page, target, "data", "target"))
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()
    assert _close(viewport(page), view), (view, viewport(page))
    expect(page.locator(f"{CANVAS} .react-flow__edge")).to_have_count(1)
    # Copy and paste: the copy lands clear of the original.
    select_for_keys(page, data)
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(count).to_have_count(3)
    copy = _new_step(page, {data, target})
    original, pasted = box(node(page, data)), box(node(page, copy))
    assert not overlaps(original, pasted), (original, pasted)
    assert pasted["y"] - (original["y"] + original["height"]) >= 20, (original, pasted)
    eventually(lambda: len(read_pipeline(workdir, new)["steps"]) == 3)
    # Palette search matches step names, not category names.
    page.locator(".dsm-canvas-search").fill("roc")
    expect(page.locator(".dsm-canvas-palette-item[data-step-type='roc_curve']")).to_be_visible()
    expect(page.locator(".dsm-canvas-category[data-category='preprocessing']")).to_have_count(0)
    page.locator(".dsm-canvas-search").fill("")
    # Templates… asks before replacing the graph; No keeps it.
    answers: list[str] = []

    def answer(dialog) -> None:
        answers.append(dialog.message)
        dialog.accept() if len(answers) > 1 else dialog.dismiss()

    page.on("dialog", answer)
    page.locator("select[aria-label='Templates']").select_option("classification")
    eventually(lambda: len(answers) == 1)
    assert "Replace the 3 steps" in answers[0]
    expect(count).to_have_count(3)
    assert len(read_pipeline(workdir, new)["steps"]) == 3
    page.locator("select[aria-label='Templates']").select_option("classification")
    expect(count).to_have_count(9)
    eventually(lambda: len(read_pipeline(workdir, new)["steps"]) == 9)
    assert inside(box(node(page, "data")), box(page.locator(PANE)))


def test_drop_connect_30_steps_every_saved_edge_is_drawn(page, lab, workdir):
    new = "chain.dspipe.json"
    open_and_run(page, lab, canvas_notebook(workdir, new))
    page.locator("[data-action='toggle-side']").click()
    expect(page.locator(f"{CANVAS} .dsm-canvas-side")).to_have_count(0)
    for _ in range(4):  # to about half size: 30 steps side by side in view
        page.locator(f"{CANVAS} .react-flow__controls-zoomout").click()
    assert wait_for_settled_view(page)["zoom"] < 0.55
    count = page.locator(f"{CANVAS} .react-flow__node")
    pane = box(page.locator(f"{CANVAS} .react-flow__pane"))
    cols, rows = 6, 5
    dx, dy = (pane["width"] - 80) / cols, (pane["height"] - 60) / rows
    kinds = ["impute", "standard_scale", "minmax_scale", "robust_scale"]
    order = ["sklearn_dataset", "select_target"] + [kinds[i % 4] for i in range(28)]
    ids: list[str] = []
    for i, kind in enumerate(order):
        x, y = 60 + (i % cols) * dx, 40 + (i // cols) * dy
        _drop(page, kind, x, y)
        expect(count).to_have_count(i + 1)
        ids.append(_new_step(page, set(ids)))
        if i:
            source = handle(page, ids[i - 1], "data", "source")
            drag_between(page, source, handle(page, ids[i], "data", "target"))
            expect(page.locator(f"{CANVAS} .react-flow__edge")).to_have_count(i)
    _shot(page, "chain-30")
    expected = {f"{a}.data->{b}.data" for a, b in itertools.pairwise(ids)}
    saved = eventually(lambda: (
        {f"{e['source']}.{e['source_port']}->{e['target']}.{e['target_port']}"
         for e in read_pipeline(workdir, new)["edges"]} == expected
    ) and expected)  # fmt: skip
    drawn = page.locator(f"{CANVAS} .react-flow__edge").evaluate_all(
        "els => els.map(e => e.dataset.id)"
    )
    assert set(drawn) == saved
    # Every drawn edge has a visible path (not a zero-length one at a missing port).
    lengths = page.locator(f"{CANVAS} .react-flow__edge path.react-flow__edge-path").evaluate_all(
        "els => els.map(p => p.getTotalLength())"
    )
    assert len(lengths) == 29 and min(lengths) > 5, lengths
