"""Datasets, dataset versions and lineage.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DOUBLE = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("created_at", DOUBLE, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_datasets"),
        sa.UniqueConstraint("name", name="uq_datasets_name"),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("dataset_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("columns", sa.Integer, nullable=False),
        sa.Column("stats", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", DOUBLE, nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("source", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dataset_versions"),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name="fk_dataset_versions_dataset_id_datasets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_dataset_versions_run_id_runs", ondelete="SET NULL"
        ),
        sa.UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_dataset_version"),
        sa.UniqueConstraint(
            "dataset_id", "fingerprint", name="uq_dataset_versions_dataset_fingerprint"
        ),
    )
    op.create_index("ix_dataset_versions_fingerprint", "dataset_versions", ["fingerprint"])
    op.create_index("ix_dataset_versions_run_id", "dataset_versions", ["run_id"])
    op.create_table(
        "lineage",
        sa.Column("child_id", sa.Integer, nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("transformation", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("child_id", "parent_id", name="pk_lineage"),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["dataset_versions.id"],
            name="fk_lineage_child_id_dataset_versions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["dataset_versions.id"],
            name="fk_lineage_parent_id_dataset_versions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_lineage_parent_id", "lineage", ["parent_id"])


def downgrade() -> None:
    op.drop_table("lineage")
    op.drop_table("dataset_versions")
    op.drop_table("datasets")
