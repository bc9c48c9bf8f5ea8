"""Tables of the pipeline engine: saved versions of pipelines and their runs."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dsmagic.store._models import Base


class PipelineVersion(Base):
    __tablename__ = "pipeline_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pipeline: Mapped[str] = mapped_column(String(250), index=True)  # the pipeline's stable id
    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)  # JSON list
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("pipeline_versions.id"))
    document: Mapped[str] = mapped_column(Text)  # the .dspipe.json content
    created_at: Mapped[float] = mapped_column(Float(precision=53))
    __table_args__ = (
        UniqueConstraint("pipeline", "name", name="uq_pipeline_versions_pipeline_name"),
    )


class PipelineRun(Base):
    __tablename__ = "pipeline_runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_versions.id", ondelete="SET NULL"), index=True
    )
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[float] = mapped_column(Float(precision=53))
    finished_at: Mapped[float | None] = mapped_column(Float(precision=53))
    steps: Mapped[str] = mapped_column(Text)  # JSON: per-step status, timings, logs
