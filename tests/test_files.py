"""``dsmagic._files``: the one way dsmagic writes a user's file (atomic, durable, right mode)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from dsmagic import DsmagicError
from dsmagic._files import atomic_file, atomic_path, inside, write_atomic


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_a_new_file_gets_the_mode_open_would_give(tmp_path, umask, mask):
    umask(mask)
    write_atomic(tmp_path / "new.txt", "text")
    assert mode(tmp_path / "new.txt") == 0o666 & ~mask
    assert (tmp_path / "new.txt").read_text() == "text"


def test_a_replaced_file_keeps_its_mode_and_gets_the_new_bytes(tmp_path, umask):
    umask(0o077)
    path = tmp_path / "old.bin"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"\x00new")
    assert (mode(path), path.read_bytes()) == (0o640, b"\x00new")
    assert os.listdir(tmp_path) == ["old.bin"]


def test_missing_folders_are_made(tmp_path):
    write_atomic(tmp_path / "a" / "b" / "c.txt", "x")
    assert (tmp_path / "a" / "b" / "c.txt").read_text() == "x"


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_a_failure_leaves_the_old_file_and_no_temporary_file(tmp_path, error):
    path = tmp_path / "kept.txt"
    path.write_text("old")
    with pytest.raises(error), atomic_file(path) as file:
        file.write(b"half of the new")
        raise error("stop")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["kept.txt"]


def test_a_folder_is_refused_in_one_line_and_left_alone(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "inside.txt").write_text("mine")
    with pytest.raises(DsmagicError, match=r"is a folder: give a file name inside it$"):
        write_atomic(tmp_path / "folder", "x")
    assert os.listdir(tmp_path / "folder") == ["inside.txt"]
    assert sorted(os.listdir(tmp_path)) == ["folder"]


def test_a_named_temporary_file_is_used_and_removed_on_failure(tmp_path):
    target = tmp_path / "data.parquet"
    temporary = tmp_path / ".data.123.tmp"
    with pytest.raises(RuntimeError), atomic_path(target, temporary) as path:
        assert path == temporary
        path.write_bytes(b"partial")
        raise RuntimeError
    assert os.listdir(tmp_path) == []
    with atomic_path(target, temporary) as path:
        path.write_bytes(b"whole")
    assert os.listdir(tmp_path) == ["data.parquet"]
    assert target.read_bytes() == b"whole"


def test_the_content_reaches_the_disk_before_the_rename(tmp_path, monkeypatch):
    # The real calls run; the order they ran in is recorded (a crash after the rename must
    # find the new content on disk, not an empty file).
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        return real_fsync(descriptor)

    def replace(source, target):
        events.append(("replace", str(target)))
        return real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(tmp_path / "f.txt", "x")
    kinds = [kind for kind, _ in events]
    assert kinds == ["fsync", "replace", "fsync"]
    assert Path(events[0][1]).parent == tmp_path and events[0][1] != str(tmp_path / "f.txt")
    assert events[2][1] == str(tmp_path)  # the folder entry too


def test_a_reader_never_sees_half_a_file(tmp_path):
    path = tmp_path / "big.txt"
    contents = [c * 2_000_000 for c in "ab"]
    write_atomic(path, contents[0])
    seen: set[int] = set()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            text = path.read_text()
            seen.add(len(text))
            assert text in contents

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(20):
            write_atomic(path, contents[i % 2])
    finally:
        stop.set()
        reader.join()
    assert seen == {2_000_000}


def test_inside_refuses_a_path_that_leads_out(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path)
    assert inside(tmp_path / "root", "a/b.csv") == (tmp_path / "root" / "a" / "b.csv").resolve()
    for escape in ("../x", "link/x", "/etc/passwd"):
        with pytest.raises(DsmagicError, match="leads outside"):
            inside(tmp_path / "root", escape, "data file")
