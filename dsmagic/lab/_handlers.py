"""The server extension's endpoints: thin skins over the tracking client.

Every handler is a Jupyter ``APIHandler`` behind ``tornado.web.authenticated``, so the
server's token or cookie and its XSRF check apply; nothing here opens a port. Store work
is blocking SQL, so it runs on the server's thread pool, never on the event loop.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from dsmagic.errors import DsmagicError
from dsmagic.lab._store import store_location

API = "dsmagic/api"
_MAX_PAGE = 500


def _number(value: float) -> float | str:
    # JSON has no NaN or infinity; the sidebar shows these spelled out.
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _run_json(run: Any) -> dict[str, Any]:
    return {
        "id": run.id,
        "name": run.name,
        "experiment": run.experiment,
        "status": run.status,
        "start_time": run.start_time,
        "end_time": run.end_time,
        "parent_id": run.parent_id,
        "params": run.params,
        "metrics": {key: _number(value) for key, value in run.metrics.items()},
        "tags": run.tags,
    }


class _StoreHandler(APIHandler):
    def _location(self) -> tuple[Path, str]:
        return store_location(self.settings["server_root_dir"])

    def _client(self):
        from dsmagic.tracking import TrackingClient

        home, uri = self._location()
        return TrackingClient(uri, artifact_root=home / "artifacts")

    def _no_store_yet(self) -> bool:
        home, uri = self._location()
        return uri == f"sqlite:///{home / 'dsmagic.db'}" and not (home / "dsmagic.db").exists()

    async def _answer(self, work) -> None:
        """Run ``work`` off the event loop; a DsmagicError is a 400 with its one line."""
        loop = tornado.ioloop.IOLoop.current()
        try:
            body = await loop.run_in_executor(None, work)
        except DsmagicError as exc:
            self.set_status(400)
            body = {"error": str(exc)}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, allow_nan=False))


class StatusHandler(_StoreHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        def work() -> dict[str, Any]:
            from dsmagic.store import get_database

            home, uri = self._location()
            if self._no_store_yet():
                return {"store": uri, "home": str(home), "revision": None, "exists": False}
            database = get_database(uri)
            revision = database.current_revision()
            return {
                "store": database.safe_uri,
                "home": str(home),
                "revision": revision,
                "state": database.describe_revision(revision),
                "exists": True,
            }

        await self._answer(work)


class ExperimentsHandler(_StoreHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        def work() -> dict[str, Any]:
            if self._no_store_yet():
                return {"experiments": []}
            return {"experiments": self._client().store.list_experiments()}

        await self._answer(work)


class RunsHandler(_StoreHandler):
    """``GET ?filter=&order_by=&experiment=&limit=``: runs matching, as ``dm.search_runs``."""

    @tornado.web.authenticated
    async def get(self) -> None:
        text = self.get_argument("filter", "").strip() or None
        order_by = self.get_argument("order_by", "").strip() or None
        experiment = self.get_argument("experiment", "").strip() or None
        limit_text = self.get_argument("limit", "200")

        def work() -> dict[str, Any]:
            try:
                limit = int(limit_text)
            except ValueError:
                raise DsmagicError(f"limit must be a whole number, got {limit_text!r}") from None
            if not 1 <= limit <= _MAX_PAGE:
                raise DsmagicError(f"limit must be between 1 and {_MAX_PAGE}, got {limit}")
            from dsmagic.tracking._search import compile_filter, compile_order_by

            # A bad filter is an error even before the first run exists.
            compile_filter(text)
            compile_order_by(order_by)
            if self._no_store_yet():
                return {"runs": [], "more": False}
            client = self._client()
            runs = client.search_run_objects(text, order_by, experiment, max_results=limit + 1)
            return {"runs": [_run_json(run) for run in runs[:limit]], "more": len(runs) > limit}

        await self._answer(work)


def register(server_app: Any) -> None:
    web_app = server_app.web_app
    base = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, API, "status"), StatusHandler),
            (url_path_join(base, API, "experiments"), ExperimentsHandler),
            (url_path_join(base, API, "runs"), RunsHandler),
        ],
    )
    server_app.log.info("dsmagic: sidebar endpoints at %s", url_path_join(base, API))
