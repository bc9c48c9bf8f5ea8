"""``dsmagic db upgrade|status``: the schema of the store."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="the store's schema")
    verbs = db.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("upgrade", help="migrate the store to this version's schema").set_defaults(
        handler=_upgrade
    )
    verbs.add_parser("status", help="where the store is and its schema revision").set_defaults(
        handler=_status
    )


def _upgrade(args: argparse.Namespace) -> int:
    from dsmagic.config import current_settings
    from dsmagic.store import Database

    database = Database(current_settings().uri)
    before, after = database.upgrade()
    if before == after:
        print(f"{database.safe_uri}: already at revision {after}")
    else:
        print(f"{database.safe_uri}: upgraded from {before or 'empty'} to {after}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from dsmagic.config import current_settings
    from dsmagic.store import Database, known_revisions

    settings = current_settings()
    database = Database(settings.uri)
    current = database.current_revision()
    head = known_revisions()[-1]
    print(f"database:  {database.safe_uri}")
    print(f"artifacts: {settings.artifact_root}")
    if current is None:
        state = "empty (created on first use)"
    elif current == head:
        state = "up to date"
    elif current in known_revisions():
        state = "older: run `dsmagic db upgrade`"
    else:
        state = "newer than this dsmagic: run `pip install -U dsmagic`"
    print(f"revision:  {current or '-'} (this dsmagic: {head}) — {state}")
    return 0
