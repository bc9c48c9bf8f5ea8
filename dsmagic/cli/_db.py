"""``dsmagic db upgrade|status``: the schema of the store."""

from __future__ import annotations

import argparse
from pathlib import Path


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
    head = known_revisions()[-1]
    local = Path(settings.home, "dsmagic.db")
    if settings.uri == f"sqlite:///{local}" and not local.exists():
        # Status only looks: it does not create a store (nor its folder) that is not there.
        print(f"database:  {settings.uri}")
        print(f"artifacts: {settings.artifact_root}")
        print(f"revision:  - (this dsmagic: {head}) — no store yet (created on first use)")
        return 0
    database = Database(settings.uri)
    current = database.current_revision()
    print(f"database:  {database.safe_uri}")
    print(f"artifacts: {settings.artifact_root}")
    state = database.describe_revision(current)
    print(f"revision:  {current or '-'} (this dsmagic: {head}) — {state}")
    return 0
