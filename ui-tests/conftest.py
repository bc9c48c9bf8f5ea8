"""Browser tests of the pipeline canvas: a real JupyterLab server on a free localhost port,
real headless Debian Chromium driven by Playwright (no browser download).

A failed test leaves a screenshot; its path is printed with the failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = os.environ.get("DSMAGIC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(tempfile.gettempdir()) / "dsmagic-ui-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server serving ``root``, with dsmagic's store under root/.dsmagic."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        config = root.parent / f"{root.name}-config"
        (config / "labconfig").mkdir(parents=True, exist_ok=True)
        # No news pop-up over the notebook.
        (config / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
        ))  # fmt: skip
        settings = config / "lab-settings"
        for name, values in {
            "notebook-extension/tracker": {"autoStartDefaultKernel": True},
            "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        }.items():
            target = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items() if k != "DSMAGIC_URI"}
        env.update(
            DSMAGIC_HOME=str(root / ".dsmagic"),
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_RUNTIME_DIR=str(config / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            PYTHONUNBUFFERED="1",
        )
        self.log = open(config / "server.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={config / 'ws'}",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--ServerApp.port_retries=0", "--allow-root"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=root,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                self.api("GET", "/api/status")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; see {self.log.name}") from None
                time.sleep(0.3)

    def api(self, method: str, path: str, body: object = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", method=method, data=data,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def start_kernel(self, notebook: Path) -> None:
        """A kernel session for the notebook, so the page opens without asking for one."""
        path = notebook.relative_to(self.root).as_posix()
        session = {"path": path, "name": notebook.name, "type": "notebook",
                   "kernel": {"name": "python3"}}  # fmt: skip
        self.api("POST", "/api/sessions", session)

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> LabServer:
    server = LabServer(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_FLAGS)  # fmt: skip
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, lab, request):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: m.type == "error" and messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(str(e)))
    page.set_default_timeout(30_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failure: {shot}")
        except Exception as exc:
            print(f"\n(no screenshot: {exc})")
        if messages:
            print("browser console errors:\n" + "\n".join(messages[-20:]))
    context.close()
    try:
        lab.shutdown_kernels()
    except OSError:
        pass


@pytest.fixture
def workdir(lab, request) -> Path:
    """A fresh folder under the server root for one test's notebook and files."""
    folder = lab.root / request.node.name.replace("[", "_").replace("]", "")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    return folder
