"""The graph model: editing, the .dspipe.json format, migrations, undo/redo, bad input."""

from __future__ import annotations

import json

import pytest

from dsmagic import DsmagicError, NotFoundError
from dsmagic.pipeline import SCHEMA_VERSION, Pipeline


def small() -> Pipeline:
    p = Pipeline("churn")
    p.add_step("sklearn_dataset", "data", name="iris")
    p.add_step("select_target", "target")
    p.add_step("train_test_split", "split")
    p.add_step("logistic_regression", "model")
    p.connect("data", "target")
    p.connect("target", "split")
    p.connect("split", "model")
    return p


def test_steps_expose_type_params_and_position():
    p = Pipeline()
    step_id = p.add_step("impute", strategy="median", position=(10, 20))
    step = p.steps[step_id]
    assert step.type == "impute"
    assert step.params["strategy"] == "median"
    assert step.params["columns"] == []  # defaults filled in
    assert step.position == (10.0, 20.0)
    p.set_params(step_id, strategy="mean")
    assert p.steps[step_id].params["strategy"] == "mean"
    with pytest.raises(TypeError):
        p.steps[step_id].params["strategy"] = "x"  # read-only: edits go through the API


def test_connect_picks_ports_by_type_and_replaces_a_single_input():
    p = small()
    assert [str(e) for e in p.edges] == [
        "data.data -> target.data",
        "split.data -> model.data",
        "target.data -> split.data",
    ]
    p.add_step("sklearn_dataset", "other", name="wine")
    p.connect("other", "target")  # the target's only input is re-connected
    assert "data.data -> target.data" not in [str(e) for e in p.edges]
    assert p.order() == ["data", "other", "target", "split", "model"]


def test_json_is_deterministic_sorted_and_keeps_layout_apart(tmp_path):
    p = small()
    path = p.save(tmp_path / "churn.dspipe.json")
    text = path.read_text()
    doc = json.loads(text)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert list(doc) == sorted(doc)
    assert set(doc["layout"]) == set(doc["steps"])
    assert "position" not in json.dumps(doc["steps"])
    again = Pipeline.load(path)
    assert again.to_json() == text
    assert again.id == p.id
    # Moving a step changes only the layout section.
    again.move_step("model", 500, 80)
    changed = json.loads(again.to_json())
    assert changed["steps"] == doc["steps"] and changed["edges"] == doc["edges"]
    assert changed["layout"]["model"] == {"x": 500.0, "y": 80.0}


def test_schema_version_1_files_are_migrated(tmp_path):
    old = {
        "schema_version": 1,
        "name": "legacy",
        "nodes": [
            {"id": "data", "type": "sklearn_dataset", "params": {"name": "iris"}, "x": 1, "y": 2},
            {"id": "target", "type": "select_target", "params": {}},
        ],
        "links": [{"source": "data:data", "target": "target:data"}],
    }
    path = tmp_path / "legacy.dspipe.json"
    path.write_text(json.dumps(old))
    p = Pipeline.load(path)
    assert p.name == "legacy"
    assert p.steps["data"].position == (1.0, 2.0)
    assert [str(e) for e in p.edges] == ["data.data -> target.data"]
    assert json.loads(p.to_json())["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema_version": 99, "id": "x"}', "newer than this dsmagic"),
        ('{"schema_version": "2", "id": "x"}', "no integer 'schema_version'"),
        ('{"schema_version": 2, "id": "x", "colour": 1}', "unknown field(s) colour"),
        (
            '{"schema_version": 2, "id": "x", "steps": {"a": {"type": "impute", "x": 1}}}',
            "unknown field(s) x",
        ),
        (
            '{"schema_version": 2, "id": "x", "steps": {"Bad Id": {"type": "impute"}}}',
            "step id 'Bad Id'",
        ),
        (
            '{"schema_version": 2, "id": "x", "edges": [{"source": "a", "source_port": "data", '
            '"target": "b", "target_port": "data"}]}',
            "names step 'a'",
        ),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_malformed_files_fail_with_a_clear_message(tmp_path, text, message):
    path = tmp_path / "bad.dspipe.json"
    path.write_text(text)
    with pytest.raises(DsmagicError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Pipeline.load(path)


def test_bad_edits_raise_and_leave_the_pipeline_unchanged():
    p = small()
    before = p.to_json()
    with pytest.raises(DsmagicError, match="to itself"):
        p.connect("model", "model")
    with pytest.raises(NotFoundError, match="no step 'ghost'"):
        p.remove_step("ghost")
    with pytest.raises(NotFoundError, match="unknown step type 'teleport'"):
        p.add_step("teleport")
    with pytest.raises(DsmagicError, match="cannot connect 'data' to 'model'"):
        p.connect("data", "model")
    with pytest.raises(DsmagicError, match="would create a cycle"), p.batch():
        p.add_step("deduplicate", "d1")
        p.add_step("deduplicate", "d2")
        p.connect("d1", "d2")
        p.connect("d2", "d1")
    with pytest.raises(DsmagicError, match="parameter 'test_size' must be less than 1"):
        p.set_params("split", test_size=1.5)
    with pytest.raises(DsmagicError, match="has no parameter 'depth'"):
        p.set_params("model", depth=3)
    with pytest.raises(NotFoundError, match="no edge"):
        p.disconnect("data", "model")
    assert p.to_json() == before


def test_every_kind_of_edit_undoes_and_redoes():
    p = small()
    states = [p.to_json()]
    edits = [
        lambda: p.add_step("impute", "imp"),
        lambda: p.move_step("imp", 5, 5),
        lambda: p.set_params("imp", strategy="mean"),
        lambda: p.disconnect("target", "split"),
        lambda: p.connect("target", "imp"),
        lambda: p.connect("imp", "split"),
        lambda: p.remove_step("model"),
        lambda: p.load_template("regression"),
    ]
    for edit in edits:
        edit()
        states.append(p.to_json())
    for expected in reversed(states[:-1]):
        assert p.undo() is not None
        assert p.to_json() == expected
    assert len(p.history()["undo"]) == 7  # the edits that built small()
    for expected in states[1:]:
        p.redo()
        assert p.to_json() == expected
    assert not p.can_redo


def test_history_is_at_least_50_deep_and_a_batch_is_one_step():
    p = Pipeline()
    for i in range(60):
        p.add_step("impute", f"s{i}")
    for _ in range(60):
        p.undo()
    assert len(p) == 0
    p.redo()
    with p.batch("add three"):
        p.add_step("impute", "a")
        p.add_step("impute", "b")
        p.add_step("impute", "c")
    assert p.history()["undo"][-1] == "add three"
    assert p.undo() == "add three"
    assert sorted(p.steps) == ["s0"]


def test_a_failing_batch_rolls_back_every_edit():
    p = small()
    before = p.to_json()
    with pytest.raises(DsmagicError), p.batch():
        p.add_step("impute", "imp")
        p.set_params("imp", strategy="nonsense")
    assert p.to_json() == before
    assert p.history()["undo"][-1] != "edits"


def test_observers_see_undo_availability():
    p = Pipeline()
    seen = []
    stop = p.observe(seen.append)
    p.add_step("impute", "a")
    p.undo()
    stop()
    p.redo()
    assert [(e["event"], e["can_undo"], e["can_redo"]) for e in seen] == [
        ("edit", True, False),
        ("undo", False, True),
    ]


def test_copy_and_paste_steps_with_their_edges():
    p = small()
    new_ids = p.paste(p.copy_steps(["split", "model"]))
    assert len(new_ids) == 2
    assert any(e.source == new_ids[0] and e.target == new_ids[1] for e in p.edges)
    assert p.steps[new_ids[1]].position[0] == p.steps["model"].position[0] + 40
    p.undo()
    assert set(p.steps) == {"data", "target", "split", "model"}


def test_templates_build_valid_pipelines():
    for name in ("classification", "regression", "imbalanced"):
        p = Pipeline.from_template(name)
        assert p.validate() == [], name
        assert not p.can_undo
    with pytest.raises(NotFoundError, match="no template 'nope'"):
        Pipeline.from_template("nope")


def test_notebook_display_escapes_names_and_shows_issues():
    p = Pipeline("<script>alert(1)</script>")
    p.add_step("select_target", "target", target="<b>y</b>")
    bundle = p._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;y&lt;/b&gt;" in html
    assert "input &#x27;data&#x27;" in html and "1 error(s)" in html
    assert bundle["text/plain"].startswith("<Pipeline '<script>")
    other = Pipeline.from_dict(p.to_dict())
    other.set_params("target", target="z")
    diff_html = p.diff(p, other)._repr_mimebundle_()["text/html"]
    assert "&#x27;&lt;b&gt;y&lt;/b&gt;&#x27;" in diff_html and "&#x27;z&#x27;" in diff_html
