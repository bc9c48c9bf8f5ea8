"""A pipeline file cannot make `dsmagic pipeline run` unpickle a file it did not write.

Each test plants a hostile pickle (unpickling it creates a marker file) where the runner
would look for a cached step result: under a folder a traversal or absolute pipeline id
points at, or in the pipeline's real cache folder without a valid signature. Runs go
through the real CLI in a subprocess and through the Python API, in real kernels, on
SQLite and PostgreSQL; the marker must never appear.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from dsmagic.errors import DsmagicError
from dsmagic.pipeline import Pipeline, _cache
from dsmagic.pipeline._codegen._program import build

pytestmark = pytest.mark.kernel

REPO = Path(__file__).resolve().parents[2]


class Hostile:
    """Unpickling this creates ``path`` (a stand-in for any code an attacker chooses)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture
def home(dsmagic_home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return dsmagic_home


def pipeline_doc(pipeline_id: str) -> dict:
    p = Pipeline("iris")
    p.add_step("sklearn_dataset", "data")
    p.add_step("select_target", "target")
    p.connect("data", "target")
    doc = p.to_dict()
    doc["id"] = pipeline_id
    return doc


def data_step_hash() -> str:
    """The (deterministic) hash of the 'data' step: the cache file name an attacker knows."""
    doc = pipeline_doc("anything")
    program = build(Pipeline.from_dict(doc))
    return _cache.step_hashes(program, {"target": ["data"]}, {"data": version("scikit-learn")})[
        "data"
    ]


def plant(folder: Path, marker: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    entry = folder / f"{data_step_hash()}.pkl"
    entry.write_bytes(pickle.dumps({"df_data": Hostile(marker)}))
    return entry


def write_file(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc))
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "dsmagic.cli", "pipeline", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600)  # fmt: skip


@pytest.mark.parametrize("kind", ["traversal", "absolute"])
def test_an_id_that_is_a_path_is_refused_and_its_planted_cache_never_runs(home, tmp_path, kind):
    marker = tmp_path / "PWNED"
    shipped = tmp_path / ".cache_x"  # what a cloned repository can contain
    # cache root = <home>/artifacts/pipeline-cache: three levels up is tmp_path
    pipeline_id = "../../../.cache_x" if kind == "traversal" else str(shipped)
    plant(shipped, marker)
    _cache.cache_root().mkdir(parents=True)  # as after any earlier run: ".." then resolves
    path = write_file(tmp_path / "evil.dspipe.json", pipeline_doc(pipeline_id))

    run = cli("run", str(path), cwd=tmp_path)
    assert not marker.exists(), "the planted pickle ran"
    assert run.returncode == 2 and "pipeline id" in run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    validate = cli("validate", str(path), cwd=tmp_path)
    assert validate.returncode == 2, validate.stdout + validate.stderr
    assert validate.stdout == ""
    [line] = validate.stderr.splitlines()
    assert "pipeline id" in line and "must be 1-64 letters" in line
    with pytest.raises(DsmagicError, match="pipeline id"):
        Pipeline.load(path)
    with pytest.raises(DsmagicError, match="pipeline id"):
        Pipeline.from_dict(pipeline_doc(pipeline_id))
    assert not marker.exists()


def forge(entry: Path, how: str) -> None:
    """Give a planted entry the kind of signature an attacker can make."""
    signature = entry.with_suffix(".sig")
    digest = hashlib.sha256(entry.read_bytes()).hexdigest()
    if how == "unsigned":
        signature.unlink(missing_ok=True)
    elif how == "forged":
        signature.write_text(json.dumps({"sha256": digest, "hmac": "0" * 64}))
    elif how == "other-key":  # signed properly, but with a key that is not this user's
        import hmac

        message = f"dsmagic-cache/{_cache.CACHE_FORMAT}/{entry.parent.name}/{entry.name}/{digest}"
        mac = hmac.new(b"k" * 32, message.encode(), hashlib.sha256).hexdigest()
        signature.write_text(json.dumps({"sha256": digest, "hmac": mac}))


def test_cli_run_ignores_an_unsigned_or_forged_cache_entry(home, tmp_path):
    marker = tmp_path / "PWNED"
    path = write_file(tmp_path / "iris.dspipe.json", pipeline_doc("iris-pipeline"))
    folder = _cache.cache_root() / "iris-pipeline"

    for how in ("unsigned", "forged"):
        forge(plant(folder, marker), how)
        result = cli("run", str(path), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "data: done" in result.stdout and "data: cached" not in result.stdout
        assert not marker.exists()
    validate = cli("validate", str(path), cwd=tmp_path)
    assert validate.returncode == 0 and "no issues" in validate.stdout


def test_python_api_recomputes_a_bad_entry_then_trusts_only_its_own(home, tmp_path):
    marker = tmp_path / "PWNED"
    pipeline = Pipeline.from_dict(pipeline_doc("iris-pipeline"))
    entry = plant(_cache.cache_root() / "iris-pipeline", marker)
    forge(entry, "other-key")

    first = pipeline.run()
    assert first.status == "done", first.summary()
    assert first.steps["data"].status == "done"
    assert not marker.exists()
    # The run replaced the planted entry with its own, signed one: the next run uses it.
    second = pipeline.run()
    assert second.status == "done", second.summary()
    assert second.steps["data"].status == "cached"
    assert not marker.exists()


def test_an_entry_swapped_after_its_check_is_not_unpickled(home, tmp_path):
    """The kernel re-checks the bytes it unpickles against the digest that was verified."""
    marker = tmp_path / "PWNED"
    folder = _cache.cache_dir("swap")
    folder.mkdir(parents=True)
    partial, entry = folder / "x.part", folder / f"{'a' * 64}.pkl"
    partial.write_bytes(pickle.dumps({"df_data": 1}))
    _cache.seal(partial, entry)
    digest = _cache.verified_digest(entry)
    assert digest is not None
    entry.write_bytes(pickle.dumps({"df_data": Hostile(marker)}))  # swapped in between
    assert _cache.verified_digest(entry) is None
    namespace: dict = {}
    with pytest.raises(RuntimeError, match="changed while it was loaded"):
        exec(_cache.load_code(entry, digest), namespace)
    assert not marker.exists() and "df_data" not in namespace


def test_the_cache_key_is_private_and_outside_the_dsmagic_home(home, tmp_path):
    from dsmagic.pipeline import _secret

    _secret.sign("x")
    key = _secret.key_path()
    assert key.is_file() and (key.stat().st_mode & 0o777) == 0o600
    assert home not in key.parents and tmp_path / "config" in key.parents
    assert _secret.sign("x") == _secret.sign("x")  # the same key on every call


@pytest.mark.parametrize("problem", ["damaged", "unwritable"])
def test_without_a_usable_key_nothing_is_cached_or_loaded(home, tmp_path, monkeypatch, problem):
    from dsmagic import DsmagicWarning
    from dsmagic.pipeline import _secret

    if problem == "damaged":
        _secret.key_path().parent.mkdir(parents=True)
        _secret.key_path().write_text("not a key\n")
    else:  # the config folder cannot be made: its parent is a file
        (tmp_path / "blocked").write_text("")
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "blocked"))
    marker = tmp_path / "PWNED"
    forge(plant(_cache.cache_root() / "iris-pipeline", marker), "forged")
    pipeline = Pipeline.from_dict(pipeline_doc("iris-pipeline"))
    with pytest.warns(DsmagicWarning, match="pipeline steps are not cached: no usable cache key"):
        run = pipeline.run()
    assert run.status == "done", run.summary()
    assert {s.status for s in run.steps.values()} == {"done"}
    assert not marker.exists()
    assert sorted(p.suffix for p in (_cache.cache_root() / "iris-pipeline").iterdir()) == [
        ".pkl",
        ".sig",
    ]  # only the planted entry: the run wrote nothing it could not sign
