"""The sign of a metric logged as -0.0.

Revision ID: 0007
Revises: 0006

SQLite stores every zero of a FLOAT column as the integer 0, so -0.0 read back as 0.0.
``metrics`` and ``latest_metrics`` get a ``negative_zero`` column, true where the logged
value was -0.0; ``value`` stays the plain number that searches compare and indexes sort.
Both are a plain ADD COLUMN (no table rewrite, no back-fill): zeros SQLite stored before
have lost their sign already, and PostgreSQL keeps it in ``value``, which readers trust
where ``negative_zero`` is NULL.
"""

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("metrics", "latest_metrics")
COLUMN = "negative_zero"
# The triggers of migration 0006 on latest_metrics, which a batch rebuild of it drops.
_SUMMARY_TRIGGERS = (
    "CREATE TRIGGER tr_latest_metrics_{name}_summary AFTER {event} ON latest_metrics "
    "BEGIN UPDATE runs SET summary = NULL WHERE id = {row}.run_id; END"
)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column(COLUMN, sa.Boolean(create_constraint=False)))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN keeps the table's triggers; SQLite has it from 3.35.
    native = op.get_bind().dialect.name != "sqlite" or sqlite3.sqlite_version_info >= (3, 35)
    for table in TABLES:
        if native:
            op.drop_column(table, COLUMN)
            continue
        with op.batch_alter_table(table) as batch:
            batch.drop_column(COLUMN)
        if table == "latest_metrics":
            for event in ("INSERT", "UPDATE", "DELETE"):
                row = "OLD" if event == "DELETE" else "NEW"
                op.execute(_SUMMARY_TRIGGERS.format(name=event.lower(), event=event, row=row))
