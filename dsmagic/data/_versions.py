"""Tracking, finding and loading dataset versions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsmagic._display import RichDisplay
from dsmagic.errors import DsmagicError, NotFoundError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DatasetVersion",
    "list_datasets",
    "list_versions",
    "load_data",
    "resolve_version",
    "run_datasets",
    "track_data",
]

# \Z, not $: "$" also matches before a final newline, and "name\n" is not a name.
_NAME = re.compile(r"\A[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
_HEX = re.compile(r"\A[0-9a-f]{4,32}\Z")
_NUMBER = re.compile(r"\Av?([0-9]+)\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_NAME = 250
MAX_VERSION = 2**31 - 1  # the store's version column is a 32-bit integer


@dataclass
class DatasetVersion(RichDisplay):
    """One stored version of a dataset: ``name@version``, its fingerprint and statistics."""

    _display_kind = "data-version"

    id: int
    name: str
    version: int
    fingerprint: str
    rows: int
    columns: int
    stats: dict[str, Any]
    path: str
    size: int
    created_at: float
    run_id: str | None = None
    source: str | None = None
    parents: list[str] = field(default_factory=list)
    created: bool = False  # True when this call stored it

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def load(self) -> pd.DataFrame:
        return load_data(self)

    def __repr__(self) -> str:
        return self._display_text()

    def _display_data(self) -> dict[str, Any]:
        return {"ref": self.ref, **{k: v for k, v in self.__dict__.items() if k != "created"}}

    def _display_text(self) -> str:
        from dsmagic.data._display import version_text

        return version_text(self)

    def _display_html(self) -> str:
        from dsmagic.data._display import version_html

        return version_html(self)

    def _display_css(self) -> str:
        from dsmagic.data._display import CSS

        return CSS


def validate_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise DsmagicError(f"dataset name must be a non-empty string, got {name!r}")
    control = _CONTROL.search(name)
    if control:
        raise DsmagicError(
            f"dataset name {name!r} holds the control character {control.group()!r}: names are "
            "letters, digits, '_', '-' and '.', e.g. customers_clean"
        )
    if len(name) > MAX_NAME:
        raise DsmagicError(f"dataset name is {len(name)} characters; the limit is {MAX_NAME}")
    if not _NAME.match(name) or name in (".", ".."):
        raise DsmagicError(
            f"dataset name {name!r} may only hold letters, digits, '_', '-' and '.' (no '/', "
            "'\\', '@' or spaces), e.g. customers_clean"
        )
    return name


def _entity(row: dict[str, Any], parents: list[str] | None = None, created: bool = False):
    values = dict(row)
    values["stats"] = json.loads(values["stats"]) if isinstance(values["stats"], str) else {}
    return DatasetVersion(**values, parents=parents or [], created=created)


def _parent_refs(version_id: int) -> list[str]:
    from dsmagic.data import _store

    edges = _store.edges([version_id], "up")
    rows = _store.versions_by_ids(e["parent_id"] for e in edges)
    return [f"{rows[e['parent_id']]['name']}@{rows[e['parent_id']]['version']}" for e in edges]


def _with_parents(row: dict[str, Any], created: bool = False) -> DatasetVersion:
    return _entity(row, _parent_refs(row["id"]), created)


# -- resolving references -------------------------------------------------------------------
def resolve_version(ref: Any) -> DatasetVersion:
    """``"name@3"``, ``"name@latest"``, ``"name"`` (latest), ``"name@3fa9c1"`` or a bare
    fingerprint prefix (at least 6 hex characters) to a stored version."""
    from dsmagic.data import _store

    if isinstance(ref, DatasetVersion):
        ref = ref.ref
    if not isinstance(ref, str) or not ref.strip():
        raise DsmagicError(
            f"a dataset reference is a string like 'customers@2', got {type(ref).__name__}"
        )
    control = _CONTROL.search(ref)
    if control:
        raise DsmagicError(
            f"dataset reference {ref!r} holds the control character {control.group()!r}: "
            "write it like 'customers@2'"
        )
    text = ref.strip()
    name, at, spec = text.partition("@")
    if not at:
        if name in _store.dataset_names():
            spec = "latest"
        elif _HEX.match(name.lower()) and len(name) >= 6:
            return _by_prefix(name.lower(), None)
        else:
            raise NotFoundError(_unknown_dataset(name))
    validate_name(name)
    spec = spec.strip().lower()
    if spec in ("latest", ""):
        row = _store.version_by_number(name, None)
        if row is None:
            raise NotFoundError(_unknown_dataset(name))
        return _with_parents(row)
    number = _NUMBER.match(spec)
    if number:
        digits = number.group(1).lstrip("0") or "0"
        # A number the store cannot hold is no version (and no driver error either).
        fits = len(digits) <= 10 and int(digits) <= MAX_VERSION
        row = _store.version_by_number(name, int(digits)) if fits else None
        if row is None:
            numbers = _store.dataset_version_numbers(name)
            if not numbers:
                raise NotFoundError(_unknown_dataset(name))
            raise NotFoundError(
                f"{name} has no version {_shorten(digits)}: it has versions "
                f"{numbers[0]} to {numbers[-1]} (or use {name}@latest)"
            )
        return _with_parents(row)
    if _HEX.match(spec):
        return _by_prefix(spec, name)
    raise DsmagicError(
        f"cannot read version {spec!r} of {name}: use a number ({name}@2), 'latest' or a "
        "fingerprint prefix of at least 4 hex characters"
    )


def _shorten(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} digits)"


def _by_prefix(prefix: str, name: str | None) -> DatasetVersion:
    from dsmagic.data import _store

    rows = _store.versions_by_prefix(prefix, name)
    where = f" in {name}" if name else ""
    if not rows:
        raise NotFoundError(f"no version{where} has a fingerprint starting with {prefix!r}")
    if len(rows) > 1:
        refs = ", ".join(f"{r['name']}@{r['version']}" for r in rows[:5])
        raise DsmagicError(
            f"fingerprint prefix {prefix!r} matches several versions ({refs}): give more of it"
            + ("" if name else " or name the dataset, e.g. name@prefix")
        )
    return _with_parents(rows[0])


def _unknown_dataset(name: str) -> str:
    from dsmagic.data import _store

    known = _store.dataset_names()
    hint = f"known: {', '.join(known[:10])}" if known else "none is tracked yet"
    return f"no dataset named {name!r} ({hint}); track one with dm.track_data(df, name)"


# -- the API ------------------------------------------------------------------------------
def _parent_ids(parent: Any) -> list[int]:
    import pandas as pd

    from dsmagic.data import _store
    from dsmagic.data._fingerprint import fingerprint

    items = parent if isinstance(parent, list | tuple) else [parent]
    ids = []
    for item in items:
        if isinstance(item, pd.DataFrame):
            rows = _store.versions_by_prefix(fingerprint(item))
            if not rows:
                raise DsmagicError(
                    "parent= got a DataFrame that is not tracked: track it first, or pass its "
                    "reference like 'raw@1'"
                )
            ids.append(rows[0]["id"])
        else:
            ids.append(resolve_version(item).id)
    return ids


def track_data(
    frame: Any,
    name: str,
    parent: Any = None,
    *,
    source: str | None = None,
) -> DatasetVersion:
    """Store ``frame`` as a version of dataset ``name`` (once per content).

    ``parent`` is a reference (``"raw@1"``), a DatasetVersion, a tracked DataFrame, or a
    list of them. Called from a notebook cell, the tracked frames that cell reads are
    recorded as parents too, with the cell's source as the transformation. Inside an
    active run the version is linked to the run.
    """
    import pandas as pd

    from dsmagic.data import _kernel, _storage, _store
    from dsmagic.data._fingerprint import fingerprint

    name = validate_name(name)
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise DsmagicError(f"track_data needs a pandas DataFrame, got {type(frame).__name__}")
    explicit = _parent_ids(parent) if parent is not None else []
    digest = fingerprint(frame)
    cell_source, cell_parents = _kernel.cell_inputs(frame)
    source = source if source is not None else cell_source
    run_id = _active_run_id()
    existing = _store.find_version(name, digest)
    parents = [(i, "explicit", source) for i in explicit]
    parents += [(i, "cell", cell_source) for i in cell_parents if i not in explicit]
    if existing is not None:
        linked = {e["parent_id"] for e in _store.edges([existing["id"]], "up")}
        fresh_run = bool(run_id) and existing["run_id"] is None
        if not fresh_run and all(p[0] in linked or p[0] == existing["id"] for p in parents):
            version = _with_parents(existing)
            _kernel.remember(frame, version.id, version.fingerprint)
            return version
    values: dict[str, Any] = {"fingerprint": digest, "run_id": run_id, "source": source}
    if existing is None:
        from dsmagic.data._stats import compute_stats

        _storage.check_storable(frame)  # stored content passed this check already
        stats = json.dumps(compute_stats(frame), allow_nan=False, default=str)
        path, size = _storage.write_version(frame, digest)  # refuses before the row exists
        values.update(rows=len(frame), columns=frame.shape[1], stats=stats, path=path, size=size)
    version_id, created = _store.record_version(name, values, parents)
    row = _store.versions_by_ids([version_id])[version_id]
    version = _with_parents(row, created)
    _kernel.remember(frame, version.id, version.fingerprint)
    if run_id and created:
        _tag_run(version)
    return version


def _active_run_id() -> str | None:
    import sys

    fluent = sys.modules.get("dsmagic.tracking._fluent")
    run = fluent.active_run() if fluent is not None else None
    return run.id if run is not None else None


def _tag_run(version: DatasetVersion) -> None:
    from dsmagic.tracking._fluent import active_run

    run = active_run()
    if run is not None:
        run.set_tags({f"dsmagic.data.{version.name}": f"{version.ref} {version.fingerprint[:12]}"})


def load_data(ref: Any) -> pd.DataFrame:
    """The stored frame of ``ref`` (``"customers@2"``, ``"customers@latest"``, a
    fingerprint prefix or a DatasetVersion): values, dtypes, index and column order
    exactly as tracked."""
    from dsmagic.data import _kernel, _storage

    version = resolve_version(ref)
    frame = _storage.read_version(version.path)
    _kernel.remember(frame, version.id, version.fingerprint)
    _note_input(version)
    return frame


def _note_input(version: DatasetVersion) -> None:
    """Tag the active run with the version it read, so ``dm.reproduce`` can load it again."""
    import sys

    fluent = sys.modules.get("dsmagic.tracking._fluent")
    if fluent is None or fluent.active_run() is None:
        return
    from dsmagic.tracking._reproduce import INPUT_TAG

    try:
        fluent.set_tag(f"{INPUT_TAG}{version.name}", f"{version.name}@{version.version}")
    except DsmagicError:  # a dataset name a tag key cannot hold: the read goes unrecorded
        pass


def list_datasets() -> pd.DataFrame:
    """One row a dataset: name, versions, latest version, its rows/columns, last update."""
    import pandas as pd

    from dsmagic.data import _store

    latest: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for row in _store.all_versions():
        counts[row["name"]] = counts.get(row["name"], 0) + 1
        latest[row["name"]] = row
    records = [
        {
            "name": name,
            "versions": counts[name],
            "latest": row["version"],
            "rows": row["rows"],
            "columns": row["columns"],
            "fingerprint": row["fingerprint"][:16],
            "updated": pd.Timestamp(row["created_at"], unit="s").floor("s"),
        }
        for name, row in latest.items()
    ]
    columns = ["name", "versions", "latest", "rows", "columns", "fingerprint", "updated"]
    return pd.DataFrame(records, columns=columns)


def _version_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    from dsmagic.data import _store

    edges = _store.edges([r["id"] for r in rows], "up")
    by_id = _store.versions_by_ids({e["parent_id"] for e in edges})
    parents: dict[int, list[str]] = {}
    for e in edges:
        p = by_id[e["parent_id"]]
        parents.setdefault(e["child_id"], []).append(f"{p['name']}@{p['version']}")
    records = [
        {
            "name": r["name"],
            "version": r["version"],
            "ref": f"{r['name']}@{r['version']}",
            "fingerprint": r["fingerprint"],
            "rows": r["rows"],
            "columns": r["columns"],
            "size": r["size"],
            "created": pd.Timestamp(r["created_at"], unit="s").floor("s"),
            "run_id": r["run_id"],
            "parents": ", ".join(parents.get(r["id"], [])),
        }
        for r in rows
    ]
    columns = [
        "name",
        "version",
        "ref",
        "fingerprint",
        "rows",
        "columns",
        "size",
        "created",
        "run_id",
        "parents",
    ]
    return pd.DataFrame(records, columns=columns)


def list_versions(name: str) -> pd.DataFrame:
    """Every version of dataset ``name``, oldest first, with its parents."""
    from dsmagic.data import _store

    name = validate_name(name)
    rows = _store.all_versions(name=name)
    if not rows:
        raise NotFoundError(_unknown_dataset(name))
    return _version_frame(rows)


def run_datasets(run_id: Any) -> pd.DataFrame:
    """The dataset versions tracked while run ``run_id`` (id, prefix or Run) was active."""
    from dsmagic.data import _store
    from dsmagic.tracking import get_run

    run = get_run(getattr(run_id, "id", run_id))
    return _version_frame(_store.all_versions(run_id=run.id))
