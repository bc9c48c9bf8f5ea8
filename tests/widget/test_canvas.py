"""The canvas widget's model with a real Pipeline: what the view asks for lands in the
pipeline and its file, and what Python does shows up in the view's state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsmagic.pipeline import Pipeline
from dsmagic.widget import Canvas


def ask(canvas: Canvas, op: str, **args):
    """Send a request as the view does and return the reply's result (or raise its error)."""
    reply = canvas.handle({"op": op, "id": 7, **args})
    assert reply["id"] == 7
    if not reply["ok"]:
        raise AssertionError(reply["error"])
    return reply["result"]


def refused(canvas: Canvas, op: str, **args) -> str:
    reply = canvas.handle({"op": op, **args})
    assert reply["ok"] is False
    return reply["error"]


def on_disk(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_view_edits_land_in_the_pipeline_and_its_file(workdir):
    canvas = Canvas("churn.dspipe.json")
    path = workdir / "churn.dspipe.json"
    assert on_disk(path)["steps"] == {}
    data = ask(canvas, "add_step", type="sklearn_dataset", position=[0, 0])
    target = ask(canvas, "add_step", type="select_target", position=[260, 0])
    ask(canvas, "connect", source=data, target=target, source_port="data", target_port="data")
    ask(canvas, "set_params", step=data, params={"name": "wine"})
    assert canvas.pipeline.steps[data].params["name"] == "wine"
    saved = on_disk(path)
    assert saved["steps"][data]["params"]["name"] == "wine"
    assert saved["edges"] == [{"source": data, "source_port": "data", "target": target,
                               "target_port": "data"}]  # fmt: skip
    assert [s["id"] for s in canvas.graph["steps"]] == [data, target]
    assert canvas.dirty is False


def test_python_edits_show_in_the_view_state_at_once(workdir):
    canvas = Canvas(Pipeline.from_template("regression"))
    revision = canvas.graph["revision"]
    assert canvas.can_undo is False
    new = canvas.pipeline.add_step("robust_scale")
    assert new in [s["id"] for s in canvas.graph["steps"]]
    assert canvas.graph["revision"] == revision + 1
    assert canvas.can_undo is True
    # The new step is unconnected: the issues the view lists name it.
    assert any(i["step"] == new and i["severity"] == "error" for i in canvas.issues)
    canvas.pipeline = Pipeline.from_template("classification")
    assert len(canvas.graph["steps"]) == 9
    canvas.pipeline.remove_step("roc")
    assert "roc" not in [s["id"] for s in canvas.graph["steps"]]


def test_undo_and_redo_share_one_history_with_python(workdir):
    canvas = Canvas(Pipeline.from_template("classification"))
    ask(canvas, "set_params", step="model", params={"n_estimators": 250})
    assert canvas.pipeline.undo() == "set n_estimators of model"
    assert canvas.pipeline.steps["model"].params["n_estimators"] == 100
    assert canvas.can_redo is True
    ask(canvas, "redo")
    assert canvas.pipeline.steps["model"].params["n_estimators"] == 250
    canvas.pipeline.set_params("impute", strategy="mean")
    assert ask(canvas, "undo") == "set strategy of impute"
    assert canvas.pipeline.steps["impute"].params["strategy"] == "median"


def test_a_drag_of_several_steps_is_one_undo_step_and_unchanged_values_are_none(workdir):
    canvas = Canvas(Pipeline.from_template("classification"))
    ask(canvas, "move", moves={"data": [10, 20], "target": [300, 40.5]})
    assert canvas.pipeline.steps["target"].position == (300.0, 40.5)
    assert canvas.pipeline.history()["undo"] == ["move 2 steps"]
    ask(canvas, "set_params", step="model", params={"n_estimators": 100})  # the same value
    ask(canvas, "move", moves={"data": [10, 20]})  # not moved
    assert canvas.pipeline.history()["undo"] == ["move 2 steps"]
    ask(canvas, "undo")
    assert canvas.pipeline.steps["data"].position == (0.0, 0.0)


def test_delete_copy_paste_and_layout_are_one_step_each(workdir):
    canvas = Canvas(Pipeline.from_template("classification"))
    ask(canvas, "remove", steps=["roc", "save"],
        edges=[{"source": "model", "source_port": "model", "target": "metrics",
                "target_port": "model"}])  # fmt: skip
    assert set(canvas.pipeline.steps) == {"data", "target", "impute", "scale", "split", "model",
                                          "metrics"}  # fmt: skip
    assert not any(e.target == "metrics" for e in canvas.pipeline.edges)
    assert canvas.pipeline.history()["undo"] == ["delete"]
    clip = {"steps": {k: {"type": s.type, "params": dict(s.params), "note": s.note,
                          "position": list(s.position)}
                      for k, s in canvas.pipeline.steps.items() if k in ("impute", "scale")},
            "edges": [{"source": "impute", "source_port": "data", "target": "scale",
                       "target_port": "data"}]}  # fmt: skip
    pasted = ask(canvas, "paste", clip=clip, offset=[40, 40])
    assert len(pasted) == 2
    assert any(e.source == pasted[0] and e.target == pasted[1] for e in canvas.pipeline.edges)
    ask(canvas, "layout")
    positions = {k: s.position for k, s in canvas.pipeline.steps.items()}
    assert positions["data"][0] < positions["target"][0] < positions["impute"][0]
    assert positions["scale"][0] < positions["split"][0] < positions["model"][0]
    assert canvas.pipeline.history()["undo"] == ["delete", "paste", "auto-layout"]
    ask(canvas, "template", name="regression")
    assert canvas.pipeline.steps["model"].type == "ridge"
    ask(canvas, "undo")
    assert canvas.pipeline.steps["model"].type == "random_forest_classifier"


def test_bad_requests_get_a_reason_and_change_nothing(workdir):
    canvas = Canvas("p.dspipe.json", template="classification")
    before = (workdir / "p.dspipe.json").read_text()
    assert "gives data (frame)" in refused(canvas, "connect", source="data", target="model")
    assert "must be one of" in refused(canvas, "set_params", step="impute",
                                       params={"strategy": "__import__('os')"})  # fmt: skip
    assert "itself" in refused(canvas, "connect", source="model", target="model")
    assert "no step 'ghost'" in refused(canvas, "set_params", step="ghost", params={})
    assert "unknown canvas request 'exec'" in refused(canvas, "exec", code="1")
    assert "position must be" in refused(canvas, "add_step", type="impute", position="x")
    assert "unknown step type" in refused(canvas, "add_step", type="no_such_step")
    assert (workdir / "p.dspipe.json").read_text() == before
    assert canvas.can_undo is False


def test_a_malformed_file_shows_its_message_and_is_never_overwritten(workdir, capsys):
    path = workdir / "bad.dspipe.json"
    path.write_text('{"schema_version": 2, "steps": {')
    canvas = Canvas(str(path))
    assert "bad.dspipe.json" in canvas.load_error
    assert "not loaded" in repr(canvas)
    assert "bad.dspipe.json" in capsys.readouterr().err
    ask(canvas, "add_step", type="impute")  # editing still works, in memory
    assert path.read_text() == '{"schema_version": 2, "steps": {'
    assert "cannot connect" not in canvas.load_error
    path.write_text(Pipeline.from_template("regression").to_json())
    ask(canvas, "reload")
    assert canvas.load_error == ""
    assert len(canvas.graph["steps"]) == 8


def test_hostile_file_contents_are_reported_not_run(workdir):
    path = workdir / "evil.dspipe.json"
    path.write_text(json.dumps({"schema_version": 2, "id": "x", "name": "x", "steps": {
        "a": {"type": "__import__('os').system('touch pwned')", "params": {}}},
        "edges": [], "layout": {}}))  # fmt: skip
    canvas = Canvas(str(path))
    issues = canvas.issues if not canvas.load_error else [{"message": canvas.load_error}]
    assert issues
    assert not (workdir / "pwned").exists()


def test_export_previews_then_writes_next_to_the_notebook(workdir):
    canvas = Canvas("churn.dspipe.json", template="classification")
    preview = ask(canvas, "preview", format="script")
    assert "def main(" in preview["text"]
    assert "RandomForestClassifier" in ask(canvas, "preview", format="notebook")["text"]
    assert ask(canvas, "export", format="notebook")["files"] == ["churn_export/pipeline.ipynb"]
    assert (workdir / "churn_export" / "pipeline.ipynb").is_file()
    assert ask(canvas, "export", format="zip")["files"] == ["churn_export.zip"]
    assert "unknown export format" in refused(canvas, "export", format="exe")


def test_export_preview_shows_every_file_the_export_writes(workdir):
    canvas = Canvas("churn.dspipe.json", template="classification")
    for fmt in ("docker", "zip"):
        preview = ask(canvas, "preview", format=fmt)
        written = ask(canvas, "export", format=fmt)["files"]
        if fmt == "docker":
            names = {Path(f).relative_to("churn_export").as_posix() for f in written}
        else:
            import zipfile

            names = set(zipfile.ZipFile(workdir / written[0]).namelist())
        assert set(preview["files"]) == names, fmt
        assert set(preview["texts"]) == names, fmt  # every file readable in the preview
    assert preview["texts"]["Dockerfile"].startswith(("FROM", "#"))
    assert "# %%" in preview["texts"]["pipeline.ipynb"]


def test_run_log_has_a_line_per_step_and_each_steps_output(workdir):
    from dsmagic.widget._runs import RunFeed

    pushed: list[dict] = []
    feed = RunFeed(pushed.append, ["load", "fit"])
    events = [
        {"type": "run", "status": "running"},
        {"type": "step", "step": "load", "status": "running", "time": 10.0},
        {"type": "log", "step": "load", "text": "read 5 rows\nno missing"},
        {"type": "step", "step": "load", "status": "done", "time": 10.5},
        {"type": "step", "step": "fit", "status": "running", "time": 10.5},
        {"type": "step", "step": "fit", "status": "failed", "time": 12.0, "error": "bad y"},
        {"type": "run", "status": "failed", "error": "step fit failed"},
    ]
    for event in events:
        feed.on_event(event)
    assert pushed[-1]["log"].split("\n") == [
        "▶ load running", "read 5 rows", "no missing", "✓ load done in 0.5 s",
        "▶ fit running", "✗ fit failed in 1.5 s: bad y", "run failed",
    ]  # fmt: skip


def test_versions_save_list_diff_and_restore(dsmagic_home):
    canvas = Canvas("churn.dspipe.json", template="classification")
    ask(canvas, "save_version", name="v1", description="baseline")
    assert [v["name"] for v in canvas.versions] == ["v1"]
    ask(canvas, "set_params", step="impute", params={"strategy": "mean"})
    ask(canvas, "remove", steps=["roc"], edges=[])
    diff = ask(canvas, "diff", old="v1")
    assert [c["step"] for c in diff["steps_changed"]] == ["impute"]
    assert [(s["id"], s["type"]) for s in diff["removed"]] == [("roc", "roc_curve")]
    assert canvas.diff["steps_changed"][0]["params"]["strategy"] == {"old": "median", "new": "mean"}
    ask(canvas, "restore", name="v1")
    assert canvas.pipeline.steps["impute"].params["strategy"] == "median"
    assert canvas.diff == {}
    assert on_disk(Path("churn.dspipe.json"))["steps"]["impute"]["params"]["strategy"] == "median"
    assert "v9" in refused(canvas, "restore", name="v9")
    assert canvas.pipeline.steps["impute"].params["strategy"] == "median"


@pytest.mark.kernel
def test_a_run_turns_every_light_to_done(dsmagic_home):
    canvas = Canvas("churn.dspipe.json", template="classification")
    run = canvas.run()
    run.wait(300)
    status = canvas.feed.snapshot()
    assert status["status"] == "done", status["error"]
    assert set(status["steps"].values()) == {"done"}
    assert set(status["steps"]) == set(canvas.pipeline.steps)
    assert status["metrics"]["accuracy"] > 0.8
    assert status["run_id"]
    assert "a run of this pipeline is still going" not in str(canvas.handle({"op": "cancel"}))


@pytest.mark.kernel
def test_a_failed_run_shows_which_step_failed_and_why(dsmagic_home):
    Path("data.csv").write_text("a,b\n1,2\n3,4\n5,6\n7,8\n")
    pipeline = Pipeline("broken")
    read = pipeline.add_step("read_csv", path="data.csv")
    target = pipeline.add_step("select_target", target="no_such_column")
    pipeline.connect(read, target)
    pipeline.data_dir = Path.cwd()
    canvas = Canvas(pipeline)
    canvas.run().wait(300)
    status = canvas.feed.snapshot()
    assert status["status"] == "failed"
    assert status["steps"][target] == "failed"
    assert target in status["error"]
    assert "no_such_column" in status["errors"][target] + status["error"]


def test_canvas_magic_opens_a_file_and_reports_bad_files(ipython, capsys):
    widget = ipython.run_line_magic("canvas", "churn.dspipe.json --template regression")
    assert isinstance(widget, Canvas)
    assert ipython.user_ns["_canvas"] is widget
    assert on_disk(Path("churn.dspipe.json"))["steps"]["model"]["type"] == "ridge"
    Path("bad.dspipe.json").write_text("[1, 2")
    broken = ipython.run_line_magic("canvas", "bad.dspipe.json")
    assert "bad.dspipe.json" in broken.load_error
    assert "bad.dspipe.json" in capsys.readouterr().err


@pytest.mark.kernel
def test_example_notebook_runs(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path / ".dsmagic"))
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    path = Path(__file__).parents[2] / "examples" / "pipeline_canvas.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    outputs = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                      for c in cells for o in c.outputs)  # fmt: skip
    assert "application/vnd.jupyter.widget-view+json" in json.dumps(notebook.cells[1].outputs)
    assert "strategy 'median' -> 'mean'" in outputs
    assert "done" in outputs and "accuracy" in outputs
    assert (tmp_path / "pipeline_canvas" / "churn.dspipe.json").is_file()


def test_loading_the_extension_does_not_load_the_widget(tmp_path):
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shell.run_line_magic('load_ext', 'dsmagic')\n"
        "import dsmagic; dir(dsmagic)\n"
        "print(sorted(m for m in ('anywidget', 'ipywidgets', 'pandas', 'dsmagic.widget')"
        " if m in sys.modules), 'canvas' in shell.magics_manager.magics['line'])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "[] True"
