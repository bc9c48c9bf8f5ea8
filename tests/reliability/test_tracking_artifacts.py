"""log_artifact(folder) never follows a symlink out of the folder, nor round a loop."""

from __future__ import annotations

import os

import pytest

import dsmagic as dm


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "weights.bin").write_bytes(b"w" * 100)
    (folder / "sub" / "notes.txt").write_text("notes")
    return folder


def _nothing_stored(run_id: str) -> None:
    assert dm.get_run(run_id).artifacts == []
    root = dm.TrackingClient().artifact_root / run_id
    leftovers = [p for p in root.rglob("*")] if root.exists() else []
    assert leftovers == []


@pytest.mark.parametrize("target", ["/etc/passwd", "../../secret.txt"])
def test_a_link_out_of_the_folder_is_refused_and_nothing_is_copied(dsmagic_home, folder, target):
    (folder.parent / "secret.txt").write_text("secret")
    (folder / "sub" / "leak").symlink_to(target)
    refused = "'sub/leak' points outside"
    with dm.start_run("links") as run, pytest.raises(dm.DsmagicError, match=refused) as excinfo:
        dm.log_artifact(folder)
    assert "\n" not in str(excinfo.value)
    _nothing_stored(run.id)


@pytest.mark.parametrize("loop", ["pair", "dangling"])
def test_a_link_loop_or_a_dangling_link_is_one_line(dsmagic_home, folder, loop):
    if loop == "pair":
        os.symlink("b", folder / "a")
        os.symlink("a", folder / "b")
    else:
        os.symlink("missing", folder / "a")
    refused = r"the link '[ab]' points to nothing or round a loop"
    with dm.start_run("loops") as run, pytest.raises(dm.DsmagicError, match=refused):
        dm.log_artifact(folder)
    _nothing_stored(run.id)


def test_links_inside_the_folder_are_stored_as_links_that_stay_inside(dsmagic_home, folder):
    (folder / "latest").symlink_to(folder / "weights.bin")  # absolute, inside
    (folder / "sub" / "up").symlink_to("..")  # a folder link to an ancestor: never walked
    with dm.start_run("inside") as run:
        name = dm.log_artifact(folder)
    stored = dm.TrackingClient().artifact_path(run.id, name)
    latest = stored / "latest"
    assert latest.is_symlink() and os.readlink(latest) == "weights.bin"
    assert latest.read_bytes() == b"w" * 100
    assert (stored / "sub" / "up").is_symlink()
    assert (stored / "sub" / "up").resolve() == stored.resolve()
    (artifact,) = dm.get_run(run.id).artifacts
    assert artifact["size"] == 105  # the files, counted once
