"""Tables of data versioning: datasets, their versions, lineage, and links to runs."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dsmagic.store._models import Base


class Dataset(Base):
    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(250), unique=True)
    created_at: Mapped[float] = mapped_column(Float(precision=53))


class DatasetVersion(Base):
    __tablename__ = "dataset_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    columns: Mapped[int] = mapped_column(Integer)
    stats: Mapped[str] = mapped_column(Text)  # JSON
    path: Mapped[str] = mapped_column(Text)  # content-addressed file under artifacts/data/
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float(precision=53))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(Text)  # the cell that produced it, when known
    __table_args__ = (
        UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_dataset_version"),
        UniqueConstraint(
            "dataset_id", "fingerprint", name="uq_dataset_versions_dataset_fingerprint"
        ),
        Index("ix_dataset_versions_run_id", "run_id"),
    )


class Lineage(Base):
    """An edge: ``child`` was made from ``parent`` (explicitly, or by a recorded cell)."""

    __tablename__ = "lineage"
    child_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE"), primary_key=True
    )
    parent_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "explicit" | "cell"
    transformation: Mapped[str | None] = mapped_column(Text)
