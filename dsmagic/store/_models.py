"""Tables of the tracking store.

The schema is owned by the Alembic migrations in ``migrations/versions``; these
declarations mirror the head revision and are checked against it by the tests.
"""

from __future__ import annotations

import math

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    types,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class NanFloat(types.TypeDecorator[float]):
    """A float column where NaN is stored as NULL on every backend.

    SQLite silently turns NaN into NULL and PostgreSQL sorts NaN above every
    number; storing NaN as NULL everywhere gives one behaviour: NaN round-trips
    and never satisfies a comparison.
    """

    impl = Float(precision=53)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or math.isnan(value):
            return None
        return float(value)

    def process_result_value(self, value, dialect):
        return math.nan if value is None else float(value)


def is_negative_zero(value: float | None) -> bool:
    """Whether ``value`` is -0.0, which a metric's ``negative_zero`` column records."""
    return value == 0 and math.copysign(1.0, value) < 0


def signed(value: float | None, negative_zero: bool | None) -> float:
    """A stored metric value as logged, from its ``value`` and ``negative_zero`` columns."""
    if negative_zero:
        return -0.0
    return math.nan if value is None else value


def negative_zero_column() -> Mapped[bool | None]:
    # SQLite stores every zero of a FLOAT column as the integer 0, dropping the sign of
    # -0.0; this column keeps it, so `value` stays a plain number for search and indexes.
    # True where the logged value was -0.0, NULL otherwise (rows written before revision
    # 0007 on PostgreSQL keep the sign in `value` itself). See `signed`.
    return mapped_column(Boolean(create_constraint=False), nullable=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Experiment(Base):
    __tablename__ = "experiments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(250), unique=True)
    created_at: Mapped[float] = mapped_column(Float(precision=53))


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), index=True)
    name: Mapped[str] = mapped_column(String(250), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    start_time: Mapped[float] = mapped_column(Float(precision=53), index=True)
    end_time: Mapped[float | None] = mapped_column(Float(precision=53))
    heartbeat: Mapped[float] = mapped_column(Float(precision=53))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"), index=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    process_started: Mapped[float] = mapped_column(Float(precision=53))
    notebook_path: Mapped[str | None] = mapped_column(Text)
    # Params, tags and latest metrics packed for search; NULL means "read the tables"
    # (see dsmagic.store._summaries).
    summary: Mapped[str | None] = mapped_column(Text)


class Param(Base):
    __tablename__ = "params"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    # The value as a number when it reads as one, so `params.n > 100` compares numbers.
    value_num: Mapped[float | None] = mapped_column(Float(precision=53))
    # Covering indexes: a filter on a param is answered from the index alone.
    __table_args__ = (
        Index("ix_params_key_value_run", "key", "value", "run_id"),
        Index("ix_params_key_num_run", "key", "value_num", "run_id"),
        {"sqlite_with_rowid": False},
    )


class Tag(Base):
    __tablename__ = "tags"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    __table_args__ = (
        Index("ix_tags_key_value_run", "key", "value", "run_id"),
        {"sqlite_with_rowid": False},
    )


class Metric(Base):
    """Every logged point: the history of a metric."""

    __tablename__ = "metrics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(250))
    step: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(NanFloat, nullable=True)
    timestamp: Mapped[float] = mapped_column(Float(precision=53))
    negative_zero: Mapped[bool | None] = negative_zero_column()
    __table_args__ = (Index("ix_metrics_run_key_step", "run_id", "key", "step"),)


class LatestMetric(Base):
    """The latest point of each metric of a run, kept for fast search."""

    __tablename__ = "latest_metrics"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    value: Mapped[float] = mapped_column(NanFloat, nullable=True)
    step: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[float] = mapped_column(Float(precision=53))
    negative_zero: Mapped[bool | None] = negative_zero_column()
    __table_args__ = (
        Index("ix_latest_metrics_key_value_run", "key", "value", "run_id"),
        {"sqlite_with_rowid": False},
    )


class Artifact(Base):
    __tablename__ = "artifacts"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(1000), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float(precision=53))


class Cell(Base):
    """Source of a cell executed while a run was active."""

    __tablename__ = "cells"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    execution_count: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    started_at: Mapped[float] = mapped_column(Float(precision=53))
    finished_at: Mapped[float] = mapped_column(Float(precision=53))
    success: Mapped[bool] = mapped_column(types.Boolean)


class RunEnvironment(Base):
    """What a run needs to be reproduced: interpreter, packages, git state."""

    __tablename__ = "run_environments"
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
