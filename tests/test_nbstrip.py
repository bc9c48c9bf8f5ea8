"""`dsmagic nbstrip`: nbstripout's git filter, set up in a real repository with real git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest


def _env(home: Path) -> dict[str, str]:
    """git and dsmagic with no trace of the user's own git configuration."""
    return {
        **os.environ,
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_AUTHOR_NAME": "Ana",
        "GIT_AUTHOR_EMAIL": "ana@example.org",
        "GIT_COMMITTER_NAME": "Ana",
        "GIT_COMMITTER_EMAIL": "ana@example.org",
    }


def dsmagic(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dsmagic.cli", "nbstrip", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def notebook_with_outputs() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("print('secret result')", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="secret result\n")]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    nbformat.validate(notebook)
    return notebook


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = _env(tmp_path)
    folder = tmp_path / "project"
    folder.mkdir()
    git(folder, env, "init", "-q")
    return folder, env


def test_install_commits_notebooks_without_outputs(repo):
    folder, env = repo
    nbformat.write(notebook_with_outputs(), folder / "nb.ipynb")

    done = dsmagic(folder, env, "--install")
    assert done.returncode == 0, done.stderr
    assert "installed nbstripout's git filter" in done.stdout

    git(folder, env, "add", "nb.ipynb")
    git(folder, env, "commit", "-q", "-m", "a notebook")
    committed = json.loads(git(folder, env, "show", "HEAD:nb.ipynb"))
    assert "".join(committed["cells"][0]["source"]) == "print('secret result')"
    assert committed["cells"][0]["outputs"] == []
    assert committed["cells"][0]["execution_count"] is None
    assert "secret result" not in git(folder, env, "show", "HEAD:nb.ipynb").replace(
        "print('secret result')", ""
    )
    # the notebook on disk keeps its outputs, and git sees nothing to commit
    on_disk = nbformat.read(folder / "nb.ipynb", as_version=4)
    assert on_disk.cells[0].outputs[0]["text"] == "secret result\n"
    assert git(folder, env, "status", "--porcelain") == ""


def test_status_install_uninstall(repo):
    folder, env = repo
    before = dsmagic(folder, env, "--status")
    assert before.returncode == 1
    assert "not installed" in before.stdout and "dsmagic nbstrip --install" in before.stdout

    assert dsmagic(folder, env, "--install").returncode == 0
    assert dsmagic(folder, env, "--install").returncode == 0  # twice is harmless
    after = dsmagic(folder, env, "--status")
    assert after.returncode == 0 and "is installed" in after.stdout
    attributes = (folder / ".git" / "info" / "attributes").read_text()
    assert attributes.count("*.ipynb filter=nbstripout") == 1

    removed = dsmagic(folder, env, "--uninstall")
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert dsmagic(folder, env, "--status").returncode == 1
    nbformat.write(notebook_with_outputs(), folder / "nb.ipynb")
    git(folder, env, "add", "nb.ipynb")
    git(folder, env, "commit", "-q", "-m", "with outputs")
    assert "secret result\\n" in git(folder, env, "show", "HEAD:nb.ipynb")


@pytest.mark.parametrize("action", ["--install", "--uninstall", "--status"])
def test_outside_a_repository_is_one_line(tmp_path, action):
    env = _env(tmp_path)
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path)  # never find a repository above tmp_path
    folder = tmp_path / "plain"
    folder.mkdir()
    done = dsmagic(folder, env, action)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert "not inside a git repository" in done.stderr
    assert not (folder / ".gitattributes").exists()
