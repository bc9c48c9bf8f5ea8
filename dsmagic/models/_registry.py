"""The model registry: named models, numbered versions pointing at run artifacts, aliases."""

from __future__ import annotations

import datetime as _dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from dsmagic._display import RichDisplay
from dsmagic._html import esc, table
from dsmagic.errors import DsmagicError, NotFoundError
from dsmagic.models import _save
from dsmagic.store import get_database
from dsmagic.store._models_registry import ModelAlias, ModelVersion, RegisteredModel

models_t = RegisteredModel.__table__
versions_t = ModelVersion.__table__
aliases_t = ModelAlias.__table__

_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")
_NAME = re.compile(r"^[\w\-. ]+$")
_RETRIES = 5


def _when(timestamp: float) -> str:
    return _dt.datetime.fromtimestamp(timestamp).isoformat(sep=" ", timespec="seconds")


def validate_model_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise DsmagicError(f"model name must be non-empty text, got {name!r}")
    if len(name) > 250 or not _NAME.match(name):
        raise DsmagicError(
            f"model name {name!r} may use letters, digits, '_', '-', '.' and spaces "
            "(up to 250 characters); '@' separates a version or alias when loading"
        )
    return name


def validate_alias(alias: Any) -> str:
    if not isinstance(alias, str) or not _ALIAS.match(alias):
        raise DsmagicError(
            f"alias {alias!r} must start with a letter and use letters, digits, '_' or '-', "
            "e.g. 'production'"
        )
    if alias.lower() == "latest":
        raise DsmagicError("'latest' always means the newest version; choose another alias")
    return alias


@dataclass
class RegisteredVersion(RichDisplay):
    """One version of a registered model: where it came from and how to load it."""

    _display_kind = "model-version"

    name: str
    version: int
    run_id: str | None
    artifact_path: str
    flavor: str
    model_class: str
    description: str
    created_at: float
    aliases: list[str] = field(default_factory=list)

    @property
    def uri(self) -> str:
        return f"{self.name}@{self.version}"

    def folder(self) -> Path:
        from dsmagic.tracking import default_client

        if self.run_id is None:
            raise NotFoundError(
                f"model {self.uri} has lost its run (deleted), so its files are gone"
            )
        return default_client().artifact_path(self.run_id, self.artifact_path)

    def load(self) -> Any:
        return _save.load_folder(self.folder())

    def manifest(self) -> dict[str, Any]:
        return _save.read_manifest(self.folder())

    def lineage(self) -> dict[str, Any]:
        """The run that produced this version and the data versions that run used."""
        from dsmagic.models._lineage import run_datasets

        return {
            "model": self.uri,
            "run_id": self.run_id,
            "artifact": self.artifact_path,
            "datasets": run_datasets(self.run_id) if self.run_id else [],
        }

    def __repr__(self) -> str:
        aliases = f" aliases={self.aliases}" if self.aliases else ""
        return (
            f"<ModelVersion {self.uri} {self.model_class}{aliases} run={(self.run_id or '-')[:8]}>"
        )

    def _display_text(self) -> str:
        lines = [
            f"Model {self.name!r} version {self.version}"
            + (f" ({', '.join(self.aliases)})" if self.aliases else ""),
            f"  class: {self.model_class} ({self.flavor})   registered: {_when(self.created_at)}",
            f"  run: {self.run_id or '(deleted)'}   artifact: {self.artifact_path}",
        ]
        if self.description:
            lines.append(f"  description: {self.description}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self._display_text())

    def _display_data(self) -> dict[str, Any]:
        return {"uri": self.uri, **self.__dict__}

    def _display_html(self) -> str:
        badges = "".join(
            f' <span class="dsm-badge dsm-finished">{esc(a)}</span>' for a in self.aliases
        )
        rows = [
            ("class", self.model_class),
            ("flavor", self.flavor),
            ("run", self.run_id or "(deleted)"),
            ("artifact", self.artifact_path),
            ("registered", _when(self.created_at)),
        ]
        if self.description:
            rows.append(("description", self.description))
        return (
            f'<div class="dsm-title">Model {esc(self.name)} v{self.version}{badges}</div>'
            + table(["", ""], rows)
        )


def _version_row(connection: Connection, name: str, row) -> RegisteredVersion:
    aliases = connection.execute(
        select(aliases_t.c.alias)
        .where(aliases_t.c.version_id == row.id)
        .order_by(aliases_t.c.alias)
    ).scalars()
    return RegisteredVersion(
        name=name,
        version=row.version,
        run_id=row.run_id,
        artifact_path=row.artifact_path,
        flavor=row.flavor,
        model_class=row.model_class,
        description=row.description,
        created_at=row.created_at,
        aliases=list(aliases),
    )


def _model_id(connection: Connection, name: str) -> int | None:
    return connection.execute(select(models_t.c.id).where(models_t.c.name == name)).scalar()


def _resolve_run(run: Any):
    from dsmagic.tracking import default_client, flush

    if run is None:
        raise DsmagicError("register_model needs the run (a run, or its id) the model belongs to")
    flush()
    return default_client().get_run(getattr(run, "id", run))


def register_model(
    run: Any, name: str, model: Any = None, *, description: str = "", artifact: str | None = None
) -> RegisteredVersion:
    """Register the model of ``run`` under ``name`` as its next version.

    ``model`` is saved into the run first (joblib + requirements) when given; otherwise
    the model logged in the run is used (``artifact`` picks one when there are several).
    """
    name = validate_model_name(name)
    if not isinstance(description, str):
        raise DsmagicError(f"description must be text, got {type(description).__name__}")
    stored = _resolve_run(run)
    if model is not None:
        artifact = _save.log_model(
            model, _free_name(stored, artifact or _save.DEFAULT_NAME), stored.id
        )
        stored = _resolve_run(stored.id)
    candidates = _save.logged_models(stored)
    if artifact is not None:
        candidates = [a for a in candidates if a["name"] == artifact]
        if not candidates:
            raise NotFoundError(f"run {stored.name!r} has no saved model named {artifact!r}")
    if not candidates:
        raise DsmagicError(
            f"run {stored.name!r} ({stored.id[:8]}) has no saved model: pass model=your_model, "
            "log one with dm.log_model(model), or turn on dm.autolog() before fit()"
        )
    chosen = candidates[-1]
    manifest = _save.read_manifest(Path(chosen["path"]))

    def work(connection: Connection) -> int:
        model_id = _model_id(connection, name)
        if model_id is None:
            model_id = connection.execute(
                models_t.insert().values(name=name, description="", created_at=time.time())
            ).inserted_primary_key[0]
        current = connection.execute(
            select(func.max(versions_t.c.version)).where(versions_t.c.model_id == model_id)
        ).scalar()
        number = (current or 0) + 1
        connection.execute(
            versions_t.insert().values(
                model_id=model_id,
                version=number,
                run_id=stored.id,
                artifact_path=chosen["name"],
                flavor=manifest.get("flavor", "python"),
                model_class=manifest.get("model_class", "unknown"),
                description=description,
                created_at=time.time(),
            )
        )
        return number

    database = get_database()
    for attempt in range(_RETRIES):
        try:
            number = database.run_with_retry(work)
            break
        except IntegrityError:  # another process took the same number: take the next
            if attempt == _RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return get_model_version(f"{name}@{number}")


def _free_name(run, wanted: str) -> str:
    taken = {a["name"] for a in run.artifacts}
    if wanted not in taken:
        return wanted
    index = 2
    while f"{wanted}-{index}" in taken:
        index += 1
    return f"{wanted}-{index}"


def _parse_ref(ref: Any) -> tuple[str, str]:
    if not isinstance(ref, str) or not ref.strip():
        raise DsmagicError(f"model reference must be text such as 'churn@3', got {ref!r}")
    name, _, selector = ref.partition("@")
    return validate_model_name(name.strip()), (selector.strip() or "latest")


def get_model_version(ref: str) -> RegisteredVersion:
    """``name@3``, ``name@latest`` (or plain ``name``), ``name@production``."""
    name, selector = _parse_ref(ref)
    with get_database().read() as connection:
        model_id = _model_id(connection, name)
        if model_id is None:
            known = connection.execute(select(models_t.c.name).order_by(models_t.c.name)).scalars()
            listing = ", ".join(list(known)[:10]) or "none yet"
            raise NotFoundError(f"no registered model named {name!r} (registered: {listing})")
        query = select(versions_t).where(versions_t.c.model_id == model_id)
        if selector.lower() == "latest":
            query = query.order_by(versions_t.c.version.desc()).limit(1)
        elif selector.lstrip("v").isdigit():
            query = query.where(versions_t.c.version == int(selector.lstrip("v")))
        else:
            query = query.where(
                versions_t.c.id.in_(
                    select(aliases_t.c.version_id).where(
                        aliases_t.c.model_id == model_id, aliases_t.c.alias == selector
                    )
                )
            )
        row = connection.execute(query).first()
        if row is None:
            aliases = connection.execute(
                select(aliases_t.c.alias).where(aliases_t.c.model_id == model_id)
            ).scalars()
            count = connection.execute(
                select(func.max(versions_t.c.version)).where(versions_t.c.model_id == model_id)
            ).scalar()
            raise NotFoundError(
                f"model {name!r} has no version or alias {selector!r} (versions 1-{count or 0}, "
                f"aliases: {', '.join(aliases) or 'none'}); try {name}@latest"
            )
        return _version_row(connection, name, row)


def load_model(ref: str) -> Any:
    """The model object of a registered version: ``load_model("churn@production")``."""
    return get_model_version(ref).load()


def set_alias(name: str, version: int | str, alias: str) -> RegisteredVersion:
    """Point ``alias`` (e.g. "production") of model ``name`` at ``version``; moves it if set."""
    name = validate_model_name(name)
    alias = validate_alias(alias)
    if isinstance(version, str) and version.lstrip("v").isdigit():
        version = int(version.lstrip("v"))
    if isinstance(version, bool) or not isinstance(version, int):
        raise DsmagicError(f"version must be a version number such as 3, got {version!r}")
    target = get_model_version(f"{name}@{version}")

    def work(connection: Connection) -> None:
        model_id = _model_id(connection, name)
        version_id = connection.execute(
            select(versions_t.c.id).where(
                versions_t.c.model_id == model_id, versions_t.c.version == target.version
            )
        ).scalar()
        connection.execute(
            aliases_t.delete().where(aliases_t.c.model_id == model_id, aliases_t.c.alias == alias)
        )
        connection.execute(
            aliases_t.insert().values(model_id=model_id, alias=alias, version_id=version_id)
        )

    get_database().run_with_retry(work)
    return get_model_version(f"{name}@{version}")


def delete_alias(name: str, alias: str) -> None:
    name = validate_model_name(name)
    alias = validate_alias(alias)
    get_model_version(name)  # a clear error for an unknown model

    def work(connection: Connection) -> int:
        model_id = _model_id(connection, name)
        return connection.execute(
            aliases_t.delete().where(aliases_t.c.model_id == model_id, aliases_t.c.alias == alias)
        ).rowcount

    if not get_database().run_with_retry(work):
        raise NotFoundError(f"model {name!r} has no alias {alias!r}")


def list_models():
    """Registered models: name, latest version, aliases, versions, when created."""
    import pandas as pd

    with get_database().read() as connection:
        models = connection.execute(select(models_t).order_by(models_t.c.name)).all()
        rows = []
        for model in models:
            latest = connection.execute(
                select(func.max(versions_t.c.version), func.count()).where(
                    versions_t.c.model_id == model.id
                )
            ).first()
            aliases = connection.execute(
                select(aliases_t.c.alias, versions_t.c.version)
                .join(versions_t, versions_t.c.id == aliases_t.c.version_id)
                .where(aliases_t.c.model_id == model.id)
                .order_by(aliases_t.c.alias)
            ).all()
            rows.append(
                {
                    "name": model.name,
                    "latest_version": latest[0],
                    "versions": latest[1],
                    "aliases": ", ".join(f"{a}=v{v}" for a, v in aliases),
                    "created_at": pd.to_datetime(model.created_at, unit="s"),
                }
            )
    columns = ["name", "latest_version", "versions", "aliases", "created_at"]
    return pd.DataFrame(rows, columns=columns)


def model_versions(name: str) -> list[RegisteredVersion]:
    """Every version of model ``name``, oldest first."""
    name = validate_model_name(name)
    get_model_version(name)
    with get_database().read() as connection:
        model_id = _model_id(connection, name)
        rows = connection.execute(
            select(versions_t)
            .where(versions_t.c.model_id == model_id)
            .order_by(versions_t.c.version)
        ).all()
        return [_version_row(connection, name, row) for row in rows]
