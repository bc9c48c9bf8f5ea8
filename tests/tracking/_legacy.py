"""Build a store at schema revision 0001 with data, as an older dsmagic left it.

`python -m tests.tracking._legacy` rewrites tests/fixtures/store-rev0001.db.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from dsmagic.store._database import MIGRATIONS

RUN_ID = "a" * 32
FIXTURE = Path(__file__).parents[1] / "fixtures" / "store-rev0001.db"


def build(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            sa.text("INSERT INTO experiments (id, name, created_at) VALUES (1, 'legacy', 1.0e9)")
        )
        connection.execute(
            sa.text(
                "INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, "
                "heartbeat, parent_id, host, pid, process_started, notebook_path) VALUES "
                "(:id, 1, 'old-run', 'finished', 1.0e9, 1.0e9 + 60, 1.0e9 + 60, NULL, 'old-host', "
                "4242, 1.0e9, 'analysis.ipynb')"
            ),
            {"id": RUN_ID},
        )
        connection.execute(
            sa.text("INSERT INTO params (run_id, key, value) VALUES (:r, :k, :v)"),
            [{"r": RUN_ID, "k": "lr", "v": "0.01"}, {"r": RUN_ID, "k": "model", "v": "rf"}],
        )
        connection.execute(
            sa.text("INSERT INTO tags (run_id, key, value) VALUES (:r, 'owner', 'ana')"),
            {"r": RUN_ID},
        )
        connection.execute(
            sa.text(
                "INSERT INTO metrics (run_id, key, step, value, timestamp) "
                "VALUES (:r, 'loss', :s, :v, 1.0e9)"
            ),
            [{"r": RUN_ID, "s": step, "v": 1.0 / (step + 1)} for step in range(3)],
        )
        connection.execute(
            sa.text(
                "INSERT INTO latest_metrics (run_id, key, value, step, timestamp) "
                "VALUES (:r, 'loss', :v, 2, 1.0e9)"
            ),
            {"r": RUN_ID, "v": 1.0 / 3},
        )
    engine.dispose()


if __name__ == "__main__":
    FIXTURE.unlink(missing_ok=True)
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    build(f"sqlite:///{FIXTURE}")
    print(f"wrote {FIXTURE}")
