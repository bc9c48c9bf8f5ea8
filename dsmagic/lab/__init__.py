"""dsmagic inside JupyterLab: a Jupyter server extension and the prebuilt Lab extension.

The server extension adds read-only JSON endpoints under ``/dsmagic/api/`` to the Jupyter
server itself: no port of its own, and every request goes through the server's token or
cookie authentication and its XSRF check. The Lab extension (built from
``labextension/lab``, shipped in the wheel's shared data) shows them in the "dsmagic"
sidebar.

The store is the kernel's: ``DSMAGIC_HOME`` and ``DSMAGIC_URI`` as the server process sees
them, a relative ``DSMAGIC_HOME`` (and the default ``.dsmagic``) taken from the server's root
directory.
"""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "dsmagic.lab"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "../labextension", "dest": "dsmagic"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    from dsmagic.lab._handlers import register

    register(server_app)
