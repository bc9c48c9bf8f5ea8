"""Pipeline versions and pipeline runs.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DOUBLE = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "pipeline_versions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("pipeline", sa.String(250), nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("created_at", DOUBLE, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pipeline_versions"),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["pipeline_versions.id"],
            name="fk_pipeline_versions_parent_id_pipeline_versions",
        ),
        sa.UniqueConstraint("pipeline", "name", name="uq_pipeline_versions_pipeline_name"),
    )
    op.create_index("ix_pipeline_versions_pipeline", "pipeline_versions", ["pipeline"])
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("version_id", sa.Integer, nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", DOUBLE, nullable=False),
        sa.Column("finished_at", DOUBLE, nullable=True),
        sa.Column("steps", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pipeline_runs"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["pipeline_versions.id"],
            name="fk_pipeline_runs_version_id_pipeline_versions",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_pipeline_runs_run_id_runs", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_pipeline_runs_version_id", "pipeline_runs", ["version_id"])
    op.create_index("ix_pipeline_runs_run_id", "pipeline_runs", ["run_id"])


def downgrade() -> None:
    op.drop_table("pipeline_runs")
    op.drop_table("pipeline_versions")
