"""The canvas in JupyterLab, used as a person would: with the mouse and the keyboard."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
from _lab import (
    CANVAS,
    canvas_notebook,
    drag_between,
    eventually,
    handle,
    node,
    open_and_run,
    read_pipeline,
    reveal,
    select_for_keys,
    select_step,
    wait_for_keyboard,
    write_notebook,
)
from playwright.sync_api import expect

FILE = "churn.dspipe.json"


def _review_shot(page, name: str) -> None:
    """With DSMAGIC_UI_SHOTS=folder, keep screenshots to look at the UI by eye."""
    folder = os.environ.get("DSMAGIC_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.locator(CANVAS).first.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_widget_renders_a_template_with_palette_and_lights(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    nodes = page.locator(f"{CANVAS} .react-flow__node")
    expect(nodes).to_have_count(9)
    expect(page.locator(f"{CANVAS} .react-flow__edge")).to_have_count(8)
    # Every step of the template is configured: all lights are "ready".
    expect(
        page.locator(f"{CANVAS} .react-flow__node .dsm-canvas-light[data-status='ready']")
    ).to_have_count(9)
    expect(page.locator(f"{CANVAS} .dsm-canvas-category")).to_have_count(12)
    page.locator(".dsm-canvas-search").fill("smote")
    expect(page.locator(".dsm-canvas-palette-item[data-step-type='smote']")).to_be_visible()
    expect(page.locator(".dsm-canvas-palette-item[data-step-type='impute']")).to_have_count(0)
    expect(page.locator(f"{CANVAS} .react-flow__minimap")).to_be_visible()
    assert read_pipeline(workdir, FILE)["steps"]["model"]["type"] == "random_forest_classifier"
    select_step(page, "impute")
    expect(page.locator(".dsm-canvas-form")).to_contain_text("strategy")
    _review_shot(page, "light")
    for _ in range(3):
        page.locator(f"{CANVAS} .react-flow__controls-zoomin").click()
    _review_shot(page, "light-zoomed")
    page.evaluate("document.body.dataset.jpThemeLight = 'false'")
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text="JupyterLab Dark").first.click()
    expect(page.locator(f"{CANVAS}.dsm-canvas-dark")).to_have_count(1)
    _review_shot(page, "dark-zoomed")


def _drop(page, step_type: str, x: float, y: float) -> None:
    """Drag a palette entry onto the canvas at (x, y) of the flow pane."""
    page.drag_and_drop(f".dsm-canvas-palette-item[data-step-type='{step_type}']",
                       f"{CANVAS} .react-flow__pane", target_position={"x": x, "y": y})  # fmt: skip


def test_drag_from_palette_connect_and_refuse_a_wrong_connection(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, "new.dspipe.json"))
    expect(page.locator(".dsm-canvas-hint")).to_be_visible()
    _drop(page, "sklearn_dataset", 120, 120)
    _drop(page, "select_target", 420, 120)
    _drop(page, "logistic_regression", 420, 320)
    expect(page.locator(f"{CANVAS} .react-flow__node")).to_have_count(3)
    steps = eventually(lambda: len(read_pipeline(workdir, "new.dspipe.json")["steps"]) == 3
                       and read_pipeline(workdir, "new.dspipe.json")["steps"])  # fmt: skip
    ids = {s["type"]: k for k, s in steps.items()}
    data, target, model = ids["sklearn_dataset"], ids["select_target"], ids["logistic_regression"]
    # A frame output into a frame input: connected, and saved to the file.
    drag_between(page, handle(page, data, "data", "source"), handle(page, target, "data", "target"))
    expect(page.locator(f"{CANVAS} .react-flow__edge")).to_have_count(1)
    eventually(
        lambda: (
            read_pipeline(workdir, "new.dspipe.json")["edges"]
            == [{"source": data, "source_port": "data", "target": target, "target_port": "data"}]
        )
    )
    # A frame into a model's train/test split input: refused, with the reason shown.
    drag_between(page, handle(page, data, "data", "source"), handle(page, model, "data", "target"))
    toast = page.locator(".dsm-canvas-toast")
    expect(toast).to_contain_text("Connection refused")
    expect(toast).to_contain_text("split")
    expect(page.locator(f"{CANVAS} .react-flow__edge")).to_have_count(1)
    assert len(read_pipeline(workdir, "new.dspipe.json")["edges"]) == 1
    # The model step has an unconnected input: its light says so, with the message.
    light = node(page, model).locator(".dsm-canvas-light")
    expect(light).to_have_attribute("data-status", "unconfigured")
    expect(node(page, model).locator(".dsm-canvas-node-head")).to_have_attribute(
        "title", re.compile(r"^not configured\nerror: ")
    )
    page.locator("[data-tab='issues']").click()
    expect(page.locator(".dsm-canvas-issues")).to_contain_text(model)
    # Copy and paste with the keyboard: a new step of the same type, saved to the file.
    select_for_keys(page, data)
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.locator(f"{CANVAS} .react-flow__node")).to_have_count(4)
    eventually(lambda: len(read_pipeline(workdir, "new.dspipe.json")["steps"]) == 4)


def test_edit_a_parameter_with_validation_then_undo_and_redo_with_the_keyboard(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    reveal(page, "model")
    node(page, "model").click()
    field = page.locator(".dsm-canvas-field[data-param='n_estimators'] input")
    expect(field).to_have_value("100")
    field.fill("0")
    expect(
        page.locator(".dsm-canvas-field[data-param='n_estimators'] .dsm-canvas-field-error")
    ).to_contain_text("at least 1")
    field.press("Enter")
    assert read_pipeline(workdir, FILE)["steps"]["model"]["params"]["n_estimators"] == 100
    field.fill("250")
    field.press("Enter")
    eventually(
        lambda: read_pipeline(workdir, FILE)["steps"]["model"]["params"]["n_estimators"] == 250
    )
    undo = page.locator("[data-action='undo']")
    expect(undo).to_be_enabled()
    expect(page.locator("[data-action='redo']")).to_be_disabled()
    # Keyboard shortcuts reach the canvas, not JupyterLab (which would undo a cell edit).
    page.locator(f"{CANVAS} .react-flow__pane").click(position={"x": 30, "y": 30})
    wait_for_keyboard(page)
    page.keyboard.press("Control+z")
    eventually(
        lambda: read_pipeline(workdir, FILE)["steps"]["model"]["params"]["n_estimators"] == 100
    )
    expect(page.locator("[data-action='redo']")).to_be_enabled()
    page.keyboard.press("Control+Shift+z")
    eventually(
        lambda: read_pipeline(workdir, FILE)["steps"]["model"]["params"]["n_estimators"] == 250
    )
    page.keyboard.press("Control+z")
    eventually(
        lambda: read_pipeline(workdir, FILE)["steps"]["model"]["params"]["n_estimators"] == 100
    )
    page.keyboard.press("Control+y")
    eventually(
        lambda: read_pipeline(workdir, FILE)["steps"]["model"]["params"]["n_estimators"] == 250
    )
    # The notebook itself was untouched by those keys.
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(1)
    reveal(page, "model")
    node(page, "model").click()
    expect(field).to_have_value("250")


def test_save_a_version_diff_it_and_restore_it(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    page.locator("[data-tab='versions']").click()
    page.locator("#dsm-canvas-version-name").fill("v1")
    page.locator("#dsm-canvas-version-description").fill("median impute")
    page.get_by_role("button", name="Save version").click()
    expect(page.locator(".dsm-canvas-version-list li[data-version='v1']")).to_be_visible()
    reveal(page, "impute")
    node(page, "impute").click()
    page.locator(".dsm-canvas-field[data-param='strategy'] select").select_option(label="mean")
    eventually(
        lambda: read_pipeline(workdir, FILE)["steps"]["impute"]["params"]["strategy"] == "mean"
    )
    # Delete a step with the Delete key (JupyterLab would delete the cell instead).
    select_for_keys(page, "roc")
    page.keyboard.press("Delete")
    eventually(lambda: "roc" not in read_pipeline(workdir, FILE)["steps"])
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(1)
    page.locator("[data-tab='versions']").click()
    item = page.locator(".dsm-canvas-version-list li[data-version='v1']")
    item.get_by_role("button", name="Diff with current").click()
    text = page.locator(".dsm-canvas-diff pre")
    expect(text).to_contain_text("strategy 'median' -> 'mean'")
    expect(text).to_contain_text("- step roc")
    changed = page.locator(f"{CANVAS} .react-flow__node .dsm-canvas-node-changed")
    expect(changed).to_have_count(1)
    expect(node(page, "impute").locator(".dsm-canvas-node-changed")).to_have_count(1)
    expect(node(page, "removed:roc").locator(".dsm-canvas-node-removed")).to_have_count(1)
    item.get_by_role("button", name="Restore").click()
    strategy = lambda: read_pipeline(workdir, FILE)["steps"]["impute"]["params"]["strategy"]  # noqa: E731
    eventually(lambda: strategy() == "median")
    assert "roc" in read_pipeline(workdir, FILE)["steps"]
    expect(changed).to_have_count(0)
    expect(node(page, "removed:roc")).to_have_count(0)


def test_export_a_notebook_that_then_runs(page, lab, workdir):
    from nbclient import NotebookClient

    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    page.locator("[data-tab='export']").click()
    page.locator("select[aria-label='export format']").select_option("notebook")
    expect(page.get_by_role("button", name="Write files")).to_be_disabled()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".dsm-canvas-code")).to_contain_text(
        "RandomForestClassifier", timeout=60_000
    )
    page.get_by_role("button", name="Write files").click()
    link = page.locator(".dsm-canvas-written a[data-file='churn_export/pipeline.ipynb']")
    expect(link).to_be_visible()
    assert f"{workdir.name}/churn_export/pipeline.ipynb" in link.get_attribute("href")
    exported = workdir / "churn_export" / "pipeline.ipynb"
    nb = nbformat.read(str(exported), as_version=4)
    nbformat.validate(nb)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(exported.parent)}}).execute()  # fmt: skip
    assert any(
        o.get("output_type") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    ) or all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def test_run_turns_every_light_to_done(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "classification"))
    page.locator("[data-action='run']").click()
    expect(page.locator("[data-action='cancel']")).to_be_visible()
    lights = page.locator(f"{CANVAS} .react-flow__node .dsm-canvas-light[data-status='done']")
    expect(lights).to_have_count(9, timeout=180_000)
    expect(page.locator("[data-run-status='done']")).to_be_visible()
    expect(page.locator(".dsm-canvas-metrics")).to_contain_text("accuracy")
    expect(page.locator("[data-action='run']")).to_be_visible()


def test_a_malformed_file_shows_a_message_and_the_notebook_keeps_working(page, lab, workdir):
    bad = workdir / "bad.dspipe.json"
    bad.write_text('{"schema_version": 2, "steps": {')
    notebook = write_notebook(workdir, "bad.ipynb",
                              "import dsmagic as dm\ndm.Canvas('bad.dspipe.json')",
                              "print('still', 1 + 1)")  # fmt: skip
    open_and_run(page, lab, notebook)
    banner = page.locator(".dsm-canvas-banner-error")
    expect(banner).to_contain_text("Could not open the pipeline file")
    expect(banner).to_contain_text("bad.dspipe.json")
    expect(page.locator(".jp-OutputArea-output", has_text="still 2")).to_be_visible()
    assert bad.read_text() == '{"schema_version": 2, "steps": {'


def test_notebook7_smoke(page, lab, workdir):
    open_and_run(page, lab, canvas_notebook(workdir, FILE, "regression"), app="notebook")
    expect(page.locator(f"{CANVAS} .react-flow__node")).to_have_count(8)
    select_step(page, "model")
    expect(page.locator(".dsm-canvas-form")).to_contain_text("alpha")
