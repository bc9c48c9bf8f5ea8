"""Versions in the store (SQLite and PostgreSQL): save, list, diff, restore."""

from __future__ import annotations

import pytest

from dsmagic import DsmagicError, NotFoundError
from dsmagic.pipeline import Pipeline


def test_save_list_diff_and_restore_versions(dsmagic_home):
    p = Pipeline.from_template("classification", name="churn")
    v1 = p.save_version("v1", description="baseline", tags=["baseline"])
    assert (v1.name, v1.parent, v1.tags) == ("v1", None, ["baseline"])
    with p.batch("tweaks"):
        p.set_params("impute", strategy="mean")
        p.set_params("model", n_estimators=50, max_depth=4)
        p.remove_step("roc")
        p.add_step("confusion_matrix", "confusion")
        p.connect("model", "confusion")
        p.move_step("save", 999, 999)
    v2 = p.save_version("v2", description="mean impute", tags=["tuned", "mean"])
    assert v2.parent == "v1" and v2.tags == ["mean", "tuned"]
    assert [v.name for v in p.versions()] == ["v1", "v2"]

    diff = p.diff("v1", "v2")
    assert diff.added == ["confusion"] and diff.removed == ["roc"]
    changes = {c.step: c.params for c in diff.changed}
    assert changes["impute"] == {"strategy": ("median", "mean")}
    assert changes["model"] == {"max_depth": (None, 4), "n_estimators": (100, 50)}
    assert diff.edges_added == ["model.model -> confusion.model"]
    assert diff.edges_removed == ["model.model -> roc.model"]
    assert diff.moved == ["save"]
    text = str(diff)
    assert "~ step impute: strategy 'median' -> 'mean'" in text and "+ step confusion" in text
    assert diff.to_dict()["steps_changed"][0]["params"]["strategy"] == {
        "old": "median",
        "new": "mean",
    }

    p.restore("v1")
    assert p.steps["impute"].params["strategy"] == "median" and "roc" in p.steps
    assert p.diff("v1").empty
    p.undo()  # restoring is an edit like any other
    assert p.steps["impute"].params["strategy"] == "mean"
    v3 = p.save_version("v3")
    assert v3.parent == "v2"


def test_bad_version_requests_leave_pipeline_and_store_unchanged(dsmagic_home):
    p = Pipeline.from_template("regression")
    p.save_version("v1")
    before = p.to_json()
    with pytest.raises(NotFoundError, match=r"no version 'v9'.*versions: v1"):
        p.restore("v9")
    with pytest.raises(DsmagicError, match="already has a version 'v1'"):
        p.save_version("v1")
    with pytest.raises(NotFoundError, match="parent version 'nope' does not exist"):
        p.save_version("v2", parent="nope")
    with pytest.raises(DsmagicError, match="version name must be"):
        p.save_version("")
    with pytest.raises(DsmagicError, match="tags must be a list of strings"):
        p.save_version("v2", tags="x")  # type: ignore[arg-type]
    assert p.to_json() == before
    assert [v.name for v in p.versions()] == ["v1"]


def test_versions_follow_the_pipeline_file(dsmagic_home, tmp_path):
    p = Pipeline.from_template("regression")
    p.save_version("first")
    p.save(tmp_path / "r.dspipe.json")
    again = Pipeline.load(tmp_path / "r.dspipe.json")
    assert [v.name for v in again.versions()] == ["first"]
    assert again.get_version("first").to_json() == p.to_json()
    assert Pipeline.from_template("regression").versions() == []  # another pipeline id
