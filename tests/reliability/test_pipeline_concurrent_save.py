"""Two processes saving the same ``.dspipe.json``: the second save of a file that changed
since it was loaded is refused with a one-line message, never a silent overwrite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dsmagic.errors import DsmagicError
from dsmagic.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[2]

# Load the file, say so, wait for the go file, add a step named after this process, save.
WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from dsmagic.errors import DsmagicError
    from dsmagic.pipeline import Pipeline

    path, step, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    p = Pipeline.load(path)
    p.add_step("sklearn_dataset", step)
    print("loaded", flush=True)
    while not go.exists():
        time.sleep(0.0005)
    try:
        p.save(path)
        print("saved", flush=True)
    except DsmagicError as exc:
        print("refused", exc, flush=True)
    """
)


def start(path: Path, step: str, go: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", WORKER, str(path), step, str(go)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_two_processes_saving_at_once_never_lose_a_save_silently(tmp_path):
    path = tmp_path / "shared.dspipe.json"
    for round_ in range(8):
        Pipeline("shared").save(path)
        go = tmp_path / f"go{round_}"
        workers = {name: start(path, name, go) for name in ("first", "second")}
        for worker in workers.values():
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "loaded"
        go.touch()
        outcome = {}
        for name, worker in workers.items():
            out, err = worker.communicate(timeout=60)
            assert worker.returncode == 0, err
            outcome[name] = out.strip()
        saved = [name for name, text in outcome.items() if text == "saved"]
        refused = [text for text in outcome.values() if text.startswith("refused")]
        assert len(saved) == 1 and len(refused) == 1, outcome
        assert "changed on disk since this pipeline loaded or saved it" in refused[0]
        assert "overwrite=True" in refused[0] and len(refused[0].splitlines()) == 1
        assert set(json.loads(path.read_text())["steps"]) == set(saved)


def test_a_refused_save_names_the_file_and_overwrite_or_reload_proceed(tmp_path):
    path = tmp_path / "p.dspipe.json"
    mine = Pipeline("mine")
    mine.save(path)
    mine.add_step("sklearn_dataset", "data")
    mine.save(path)  # its own saves never trip the check
    theirs = Pipeline.load(path)
    theirs.add_step("select_target", "target")
    theirs.save(path)
    before = path.read_bytes()
    mine.set_params("data", name="wine")
    with pytest.raises(DsmagicError, match=r"'.*p\.dspipe\.json' changed on disk") as info:
        mine.save(path)
    assert "\n" not in str(info.value)
    assert path.read_bytes() == before  # nothing written
    again = Pipeline.load(path)  # reload: their step is there; edit and save
    again.set_params("data", name="wine")
    again.save(path)
    mine.save(path, overwrite=True)  # or replace their version on purpose
    assert set(Pipeline.load(path).steps) == {"data"}
    # A file that was deleted meanwhile is simply written again.
    path.unlink()
    mine.save(path)
    assert path.is_file()


@pytest.mark.skipif(
    not (REPO / "dsmagic" / "static" / "canvas.js").is_file(), reason="canvas bundle not built"
)
def test_canvas_autosave_keeps_working_and_reports_a_file_changed_elsewhere(tmp_path):
    from dsmagic.widget import Canvas

    path = tmp_path / "c.dspipe.json"
    canvas = Canvas(path)
    for index in range(5):  # every edit autosaves; its own saves never conflict
        reply = canvas.handle({"op": "add_step", "id": index, "type": "sklearn_dataset"})
        assert reply is not None and reply["ok"], reply
        assert canvas.save_error == "" and not canvas.dirty
    assert len(Pipeline.load(path).steps) == 5
    subprocess.run([sys.executable, "-c", "from dsmagic.pipeline import Pipeline as P; "
                    f"p = P.load({str(path)!r}); p.rename('elsewhere'); p.save({str(path)!r})"],
                   env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)  # fmt: skip
    reply = canvas.handle({"op": "add_step", "id": 9, "type": "sklearn_dataset"})
    assert reply is not None and reply["ok"]  # the edit stands in the canvas ...
    assert canvas.dirty and "changed on disk" in canvas.save_error  # ... and says why unsaved
    assert Pipeline.load(path).name == "elsewhere"
    canvas.reload()
    assert canvas.pipeline.name == "elsewhere" and len(canvas.pipeline) == 5
    canvas.handle({"op": "add_step", "id": 10, "type": "sklearn_dataset"})
    assert canvas.save_error == "" and len(Pipeline.load(path).steps) == 6
