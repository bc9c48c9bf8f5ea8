"""Real Jupyter kernels for tests that need the kernel's life cycle."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.manager import start_new_kernel


@contextmanager
def kernel(cwd: Path, **env: str):
    """A fresh python3 kernel with the given environment, shut down afterwards."""
    full_env = {**os.environ, **env}
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=full_env)
    try:
        yield manager, client
    finally:
        client.stop_channels()
        if manager.is_alive():
            manager.shutdown_kernel(now=True)


def execute(client, code: str, timeout: float = 60) -> tuple[str, dict]:
    """Run ``code``; return (stdout+stderr text, reply content)."""
    output: list[str] = []

    def collect(message):
        if message["msg_type"] == "stream":
            output.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            output.append("\n".join(message["content"]["traceback"]))

    reply = client.execute_interactive(code, timeout=timeout, output_hook=collect)
    return "".join(output), reply["content"]


@contextmanager
def unix_socket_config():
    """nbclient config for a kernel on Unix sockets in a private folder: no TCP ports to race
    for when several kernels start at once, and no TCP warning (as the pipeline runner does)."""
    import shutil
    import tempfile

    from traitlets.config import Config

    sockets = tempfile.mkdtemp(prefix="dsmagic-kernel-")  # short: a socket path holds 107 bytes
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(sockets, "k")
    try:
        yield config
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
