"""Writes that collide are run again, not surfaced: on PostgreSQL two transactions that
lock the same runs in opposite orders deadlock, and the server aborts one of them."""

from __future__ import annotations

import threading

from sqlalchemy import select, update

import dsmagic as dm
from dsmagic.store import get_database
from dsmagic.store._tracking_store import runs_t


def test_two_writers_locking_runs_in_opposite_orders_both_succeed(dsmagic_home, store_uri):
    first = dm.start_run("first")
    dm.end_run()
    second = dm.start_run("second")
    dm.end_run()
    database = get_database(store_uri)
    # Each writer holds one row and then wants the other's: a deadlock on PostgreSQL, the
    # first time round. SQLite takes the write lock at BEGIN, so there the writers queue.
    both_hold_one = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(order: list[str], name: str) -> None:
        attempts = []

        def work(connection) -> None:
            attempts.append(1)
            for position, run_id in enumerate(order):
                connection.execute(update(runs_t).where(runs_t.c.id == run_id).values(name=name))
                if position == 0 and len(attempts) == 1:
                    try:
                        both_hold_one.wait(timeout=3)
                    except threading.BrokenBarrierError:
                        pass  # SQLite: the other writer waits for our lock, not at the barrier

        try:
            database.run_with_retry(work)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=([first.id, second.id], "by-a")),
        threading.Thread(target=writer, args=([second.id, first.id], "by-b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with database.engine.connect() as connection:
        names = dict(connection.execute(select(runs_t.c.id, runs_t.c.name)).all())
    # Whichever writer committed last wrote both rows: never a mix of the two.
    assert names[first.id] == names[second.id]
    assert names[first.id] in {"by-a", "by-b"}
