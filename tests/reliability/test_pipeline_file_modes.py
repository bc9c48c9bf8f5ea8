"""Files a pipeline writes get the mode a plain ``open()`` would give them: the user's umask
for a new file, the old file's mode for a replaced one (they were 0600 before)."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from dsmagic.pipeline import Pipeline

WRITERS: dict[str, Callable[[Pipeline, Path], object]] = {
    "save": lambda p, path: p.save(path),
    "to_script": lambda p, path: p.to_script(path),
    "to_notebook": lambda p, path: p.to_notebook(path),
    "to_requirements": lambda p, path: p.to_requirements(path),
    "export zip": lambda p, path: p.export(path),
}
NAMES = {"save": "p.dspipe.json", "to_script": "pipeline.py", "to_notebook": "p.ipynb",
         "to_requirements": "requirements.txt", "export zip": "bundle.zip"}  # fmt: skip


@pytest.fixture
def umask():
    """Set a real process umask for the test, then put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_a_new_file_gets_the_umask_mode(tmp_path, umask, writer, mask):
    umask(mask)
    path = tmp_path / NAMES[writer]
    WRITERS[writer](Pipeline.from_template("classification"), path)
    assert mode(path) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize(("existing", "mask"), [(0o644, 0o027), (0o640, 0o022), (0o664, 0o077)])
def test_a_replaced_file_keeps_its_mode(tmp_path, umask, writer, existing, mask):
    umask(mask)
    path = tmp_path / NAMES[writer]
    path.write_text("old")
    path.chmod(existing)
    WRITERS[writer](Pipeline.from_template("classification"), path)
    assert mode(path) == existing
    assert path.read_bytes() != b"old"


def test_a_folder_export_keeps_modes_and_the_zip_is_complete(tmp_path, umask):
    umask(0o027)
    p = Pipeline.from_template("regression")
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "pipeline.py").write_text("old")
    (out / "pipeline.py").chmod(0o644)
    written = p.export(out)
    modes = {path.name: mode(path) for path in written}
    assert modes.pop("pipeline.py") == 0o644
    assert set(modes.values()) == {0o640}
    [archive] = p.export(tmp_path / "b.zip")
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == sorted(str(w.relative_to(out)) for w in written)
