"""First-use surprises (issue 11, pipeline part): an empty pipeline is refused before a
tracked run exists; a canvas never silently ignores ``template=``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import dsmagic as dm
from dsmagic.errors import DsmagicError
from dsmagic.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[2]


def test_an_empty_pipeline_is_refused_and_creates_no_tracked_run(dsmagic_home, tmp_path):
    with pytest.raises(DsmagicError, match="has no steps, so there is nothing to run") as info:
        Pipeline("empty").run()
    assert "\n" not in str(info.value)
    path = Pipeline("empty").save(tmp_path / "empty.dspipe.json")
    result = subprocess.run([sys.executable, "-m", "dsmagic.cli", "pipeline", "run", str(path)],
                            capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert result.returncode == 2 and "has no steps" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert dm.search_runs().empty
    assert Pipeline("empty").runs() == []


@pytest.mark.skipif(
    not (REPO / "dsmagic" / "static" / "canvas.js").is_file(), reason="canvas bundle not built"
)
def test_a_canvas_refuses_a_template_for_a_file_that_exists(tmp_path, monkeypatch):
    from dsmagic.widget import Canvas

    monkeypatch.chdir(tmp_path)
    Canvas("churn.dspipe.json", template="classification")  # a new file: the template
    before = (tmp_path / "churn.dspipe.json").read_bytes()
    with pytest.raises(DsmagicError, match="already exists, so template='regression'") as info:
        Canvas("churn.dspipe.json", template="regression")
    assert "Canvas('churn.dspipe.json')" in str(info.value) and "\n" not in str(info.value)
    assert (tmp_path / "churn.dspipe.json").read_bytes() == before
    assert Canvas("churn.dspipe.json").pipeline.to_json().encode() == before  # opens as is
