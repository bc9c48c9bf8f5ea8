"""Pipeline versions in the store: save, list, fetch (restore and diff build on these)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dsmagic.errors import DsmagicError, NotFoundError
from dsmagic.pipeline import _graph
from dsmagic.pipeline._graph import State
from dsmagic.store import get_database
from dsmagic.store._models_pipeline import PipelineVersion

_TABLE = PipelineVersion.__table__
MAX_NAME = 250


@dataclass(frozen=True)
class Version:
    id: int
    pipeline: str
    name: str
    description: str
    tags: list[str]
    parent: str | None
    created_at: float
    document: str = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "pipeline": self.pipeline, "name": self.name,
                "description": self.description, "tags": list(self.tags),
                "parent": self.parent, "created_at": self.created_at}  # fmt: skip


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise DsmagicError(f"version name must be 1-{MAX_NAME} characters, got {name!r}")
    return name


def save(state: State, name: str, description: str, tags: list[str], parent: str | None):
    _check_name(name)
    if not isinstance(description, str):
        raise DsmagicError(f"description must be a string, got {description!r}")
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
        raise DsmagicError(f"tags must be a list of strings, got {tags!r}")
    document = _graph.dumps(state.to_dict())
    database = get_database()

    def work(connection):
        parent_id = None
        if parent is not None:
            parent_id = connection.execute(
                select(_TABLE.c.id).where(_TABLE.c.pipeline == state.id, _TABLE.c.name == parent)
            ).scalar()
            if parent_id is None:
                raise NotFoundError(f"parent version {parent!r} does not exist")
        exists = connection.execute(
            select(_TABLE.c.id).where(_TABLE.c.pipeline == state.id, _TABLE.c.name == name)
        ).scalar()
        if exists is not None:
            raise DsmagicError(
                f"pipeline {state.name!r} already has a version {name!r}; pick another name"
            )
        connection.execute(
            _TABLE.insert().values(
                pipeline=state.id, name=name, description=description,
                tags=json.dumps(sorted(set(tags))), parent_id=parent_id,
                document=document, created_at=time.time(),
            )
        )  # fmt: skip

    try:
        database.run_with_retry(work)
    except IntegrityError:
        raise DsmagicError(
            f"pipeline {state.name!r} already has a version {name!r}; pick another name"
        ) from None
    return get(state.id, name)


def _rows(pipeline_id: str, name: str | None = None) -> list[Version]:
    parent = _TABLE.alias("parent")
    query = (
        select(_TABLE, parent.c.name.label("parent_name"))
        .select_from(_TABLE.outerjoin(parent, parent.c.id == _TABLE.c.parent_id))
        .where(_TABLE.c.pipeline == pipeline_id)
        .order_by(_TABLE.c.id)
    )
    if name is not None:
        query = query.where(_TABLE.c.name == name)
    with get_database().read() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        Version(
            row["id"],
            row["pipeline"],
            row["name"],
            row["description"],
            json.loads(row["tags"]),
            row["parent_name"],
            row["created_at"],
            row["document"],
        )
        for row in rows
    ]


def list_versions(pipeline_id: str) -> list[Version]:
    return _rows(pipeline_id)


def get(pipeline_id: str, name: str) -> Version:
    _check_name(name)
    found = _rows(pipeline_id, name)
    if not found:
        names = ", ".join(v.name for v in _rows(pipeline_id)) or "none saved yet"
        raise NotFoundError(f"no version {name!r} of this pipeline (versions: {names})")
    return found[0]


def version_for(state: State) -> Version | None:
    """The newest saved version whose graph equals ``state`` (what a run links to)."""
    wanted = state.semantics()
    for version in reversed(_rows(state.id)):
        if _graph.parse(version.document).semantics() == wanted:
            return version
    return None
