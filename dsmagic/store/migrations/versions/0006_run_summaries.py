"""A packed summary of each run's params, tags and latest metrics, for fast search.

Revision ID: 0006
Revises: 0005

``runs.summary`` is written by the store with the values; the triggers added here set it
to NULL whenever anything changes params, tags or latest_metrics, so it is never stale
(NULL is read from the tables). Existing runs are back-filled.
"""

import sqlalchemy as sa
from alembic import op

from dsmagic.store import _summaries

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("params", "tags", "latest_metrics")
_BATCH = 2000

_PG_FUNCTION = """
CREATE FUNCTION dsmagic_forget_run_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE runs SET summary = NULL WHERE id = OLD.run_id;
        RETURN OLD;
    END IF;
    UPDATE runs SET summary = NULL WHERE id = NEW.run_id;
    RETURN NEW;
END
$$
"""


def _sqlite_trigger(table: str, event: str) -> str:
    row = "OLD" if event == "DELETE" else "NEW"
    return (
        f"CREATE TRIGGER tr_{table}_{event.lower()}_summary AFTER {event} ON {table} "  # noqa: S608
        f"BEGIN UPDATE runs SET summary = NULL WHERE id = {row}.run_id; END"
    )


def upgrade() -> None:
    # A plain ADD COLUMN: batch mode would rebuild the table.
    op.add_column("runs", sa.Column("summary", sa.Text, nullable=True))
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER tr_{table}_summary AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE PROCEDURE dsmagic_forget_run_summary()"
            )
    else:
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(_sqlite_trigger(table, event))
    run_ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM runs ORDER BY id"))]
    for start in range(0, len(run_ids), _BATCH):
        chunk = run_ids[start : start + _BATCH]
        _summaries.write(connection, _summaries.load(connection, chunk, signed=False))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER tr_{table}_summary ON {table}")
        op.execute("DROP FUNCTION dsmagic_forget_run_summary()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER tr_{table}_{event}_summary")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("summary")
