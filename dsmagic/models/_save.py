"""Saving a model into a run's artifacts: the pickle (joblib), its environment, and
a small manifest that says how to load it back."""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dsmagic._files import file_sha256
from dsmagic.errors import DsmagicError

MANIFEST = "dsmagic_model.json"
MODEL_FILE = "model.joblib"
REQUIREMENTS = "requirements.txt"
DEFAULT_NAME = "model"


def model_class(model: Any) -> str:
    kind = type(model)
    return f"{kind.__module__}.{kind.__qualname__}"


def flavor(model: Any) -> str:
    module = type(model).__module__.split(".")[0]
    return {"sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm"}.get(
        module, "python"
    )


def requirements(model: Any) -> list[str]:
    """Pinned versions of the packages the model's pickle needs."""
    from importlib import metadata

    wanted = {"scikit-learn", "joblib", "numpy", "scipy", "pandas"}
    top = type(model).__module__.split(".")[0]
    wanted.add({"sklearn": "scikit-learn"}.get(top, top))
    steps = getattr(model, "steps", None) or []
    for _, step in steps:
        part = type(step).__module__.split(".")[0]
        wanted.add({"sklearn": "scikit-learn"}.get(part, part))
    lines = []
    for name in sorted(wanted):
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return lines


def write_model_folder(model: Any, folder: Path) -> dict[str, Any]:
    from dsmagic.tuning._require import require

    joblib = require("joblib", "saving a model")

    if model is None:
        raise DsmagicError("model is None: pass the fitted model object")
    try:
        joblib.dump(model, folder / MODEL_FILE)
    except Exception as exc:
        raise DsmagicError(
            f"cannot save the {type(model).__name__} model with joblib: {exc}"
        ) from exc
    needed = requirements(model)
    manifest: dict[str, Any] = {
        "flavor": flavor(model),
        "model_class": model_class(model),
        "file": MODEL_FILE,
        "sha256": file_sha256(folder / MODEL_FILE),
        "python": platform.python_version(),
        "saved_at": time.time(),
        "requirements": needed,
    }
    for attribute in ("feature_names_in_", "classes_"):
        value = getattr(model, attribute, None)
        if value is not None:
            manifest[attribute.rstrip("_")] = [str(v) for v in list(value)[:1000]]
    (folder / REQUIREMENTS).write_text("\n".join(needed) + "\n")
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def log_model(model: Any, name: str = DEFAULT_NAME, run: Any = None) -> str:
    """Save ``model`` (joblib + requirements) as artifact folder ``name`` of a run.

    ``run`` is a run, run id, or None for the active run. Returns the artifact name.
    """
    from dsmagic.tracking import active_run, default_client
    from dsmagic.tracking import log_artifact as fluent_log_artifact

    client = default_client()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        folder.mkdir()
        write_model_folder(model, folder)
        if run is None:
            if active_run() is None:
                return fluent_log_artifact(folder, name)
            run = active_run()
        run_id = client.get_run(getattr(run, "id", run)).id
        return client.log_artifact(run_id, folder, name)


def logged_models(run) -> list[dict[str, Any]]:
    """Artifacts of ``run`` that are saved models, oldest first."""
    found = []
    for artifact in run.artifacts:
        path = Path(artifact["path"])
        if path.is_dir() and (path / MANIFEST).is_file():
            found.append(artifact)
    return sorted(found, key=lambda a: a["created_at"])


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise DsmagicError(f"the saved model at {folder} is unreadable ({exc})") from exc


def load_folder(folder: Path) -> Any:
    import joblib

    manifest = read_manifest(folder)
    path = folder / manifest.get("file", MODEL_FILE)
    if not path.is_file():
        raise DsmagicError(f"the saved model file {path} is missing")
    if manifest.get("sha256") and file_sha256(path) != manifest["sha256"]:
        raise DsmagicError(
            f"the saved model file {path} does not match its recorded checksum: it was changed "
            "after saving, so dsmagic will not unpickle it"
        )
    try:
        return joblib.load(path)
    except Exception as exc:
        raise DsmagicError(
            f"cannot load the model saved at {path} ({type(exc).__name__}: {exc}); it needs "
            f"{', '.join(manifest.get('requirements', [])) or 'the packages it was saved with'}"
            f" (python {manifest.get('python', sys.version.split()[0])})"
        ) from exc
