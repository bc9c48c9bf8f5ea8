"""Captured cells, run environments, numeric parameter values, covering indexes.

Revision ID: 0002
Revises: 0001
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DOUBLE = sa.Float(precision=53)
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def upgrade() -> None:
    # A plain ADD COLUMN: batch mode would rebuild the table and lose WITHOUT ROWID.
    op.add_column("params", sa.Column("value_num", DOUBLE, nullable=True))
    params = sa.table(
        "params", sa.column("run_id"), sa.column("key"), sa.column("value"), sa.column("value_num")
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(params.c.run_id, params.c.key, params.c.value)).all()
    numeric = [
        {"r": run_id, "k": key, "n": float(value)}
        for run_id, key, value in rows
        if NUMBER.match(value.strip())
    ]
    if numeric:
        connection.execute(
            params.update()
            .where(params.c.run_id == sa.bindparam("r"), params.c.key == sa.bindparam("k"))
            .values(value_num=sa.bindparam("n")),
            numeric,
        )
    # Covering indexes, so filters on metrics, params and tags never visit the tables.
    for table in ("params", "tags", "latest_metrics"):
        op.drop_index(f"ix_{table}_key_value", table_name=table)
        op.create_index(f"ix_{table}_key_value_run", table, ["key", "value", "run_id"])
    op.create_index("ix_params_key_num_run", "params", ["key", "value_num", "run_id"])
    op.create_table(
        "cells",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("execution_count", sa.Integer, nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("started_at", DOUBLE, nullable=False),
        sa.Column("finished_at", DOUBLE, nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cells"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_cells_run_id_runs", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_cells_run_id", "cells", ["run_id"])
    op.create_table(
        "run_environments",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", name="pk_run_environments"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_run_environments_run_id_runs", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_params_key_num_run", table_name="params")
    for table in ("params", "tags", "latest_metrics"):
        op.drop_index(f"ix_{table}_key_value_run", table_name=table)
        op.create_index(f"ix_{table}_key_value", table, ["key", "value"])
    op.drop_table("run_environments")
    op.drop_table("cells")
    with op.batch_alter_table("params") as batch:
        batch.drop_column("value_num")
