"""Shared fixtures: a temporary database, and the real servers started once per run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.http import CLIENT

ROOT = Path(__file__).resolve().parents[1]
MODEL = Path(os.environ.get("MODEL_PATH") or ROOT / "models" / "assistant.tar.gz")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Conversation:
    """One visitor talking to the assistant over the REST channel."""

    def __init__(self, base_url: str, sender: str | None = None) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = sender or f"test-{uuid.uuid4()}"
        self.replies: list[dict] = []

    def say(self, text: str) -> list[dict]:
        """Send one message; every message must get at least one reply."""
        response = CLIENT.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        self.replies = response.json()
        assert self.replies, f"no reply to {text!r}"
        return self.replies

    @property
    def text(self) -> str:
        """All reply texts of the last turn, joined, with French spaces made plain."""
        joined = "\n".join(reply.get("text") or "" for reply in self.replies)
        return joined.replace("\u202f", " ").replace("\u00a0", " ")

    @property
    def buttons(self) -> list[dict]:
        """Buttons of the last turn."""
        return [button for reply in self.replies for button in reply.get("buttons") or []]

    def custom(self, key: str) -> dict | None:
        """The custom payload `key` of the last turn, if any."""
        for reply in self.replies:
            custom = reply.get("custom") or {}
            if key in custom:
                return custom[key]
        return None

    def click(self, title: str) -> list[dict]:
        """Click the button whose title contains `title` (case-insensitive)."""
        for button in self.buttons:
            if title.lower() in button["title"].lower():
                return self.say(button["payload"])
        raise AssertionError(f"no button {title!r} in {[b['title'] for b in self.buttons]}")


def _wait_for(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the assistant exited with code {process.returncode} before answering")
        try:
            response = httpx.post(url, json={"sender": "readiness-probe", "message": "bonjour"}, timeout=30)
            if response.status_code == 200 and response.json():
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the assistant did not answer on {url} within {timeout:.0f} s")


def wait_for_page(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the assistant exited with code {process.returncode} before serving {url}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"no page at {url} within {timeout:.0f} s")


class MailBox:
    """What a real SMTP server (aiosmtpd on loopback) received."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"envelope_to": list(envelope.rcpt_tos), "message": message})
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.messages


class SmtpServer:
    """A real SMTP server on a free loopback port; stop() and start() simulate an outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.box = MailBox()
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """One SMTP server for the run; tests look at the messages they caused."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_available() -> bool:
    import sqlalchemy as sa

    try:
        with sa.create_engine(POSTGRES_URL).connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database brought to the latest schema, on SQLite and on this machine's PostgreSQL."""
    import sqlalchemy as sa

    from bot.records.db import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        if not postgres_available():
            pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: start it (see README) to run this case")
        url = POSTGRES_URL
        with sa.create_engine(url).begin() as connection:
            for table in (
                "staff_lead_notes",
                "staff_tags",
                "staff_reviews",
                "staff_users",
                "staff_audit",
                "outbox",
                "leads",
                "erasures",
                "alembic_version",
                "events",
            ):
                connection.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    upgrade(url)
    yield url


def server_env(var_dir: Path) -> dict:
    """Environment of the assistant's processes on free loopback ports, a fresh SQLite file under var_dir, our model."""
    return {
        **os.environ,
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'bot.db'}",
        "MODEL_PATH": str(MODEL),
        "RASA_TELEMETRY_ENABLED": "false",
    }


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, smtp_server) -> Iterator[dict]:
    """The real Rasa and action servers (`python -m bot run`) on free ports, a fresh SQLite file, a real SMTP server."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    var_dir = tmp_path_factory.mktemp("var")
    env = {
        **server_env(var_dir),
        "EXTRA_WEB_PORT": str(free_port()),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_TIMEOUT": "3",
    }
    # The site's own origins, plus a second web app some browser tests start.
    env["SITE_ORIGINS"] = ",".join(
        f"http://{host}:{port}"
        for host, port in (
            ("127.0.0.1", env["WEB_PORT"]),
            ("localhost", env["WEB_PORT"]),
            ("127.0.0.1", env["EXTRA_WEB_PORT"]),
        )
    )
    log_path = var_dir / "assistant.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{env['RASA_PORT']}"
        try:
            _wait_for(f"{base_url}/webhooks/rest/webhook", process, timeout=240)
            web_url = f"http://127.0.0.1:{env['WEB_PORT']}"
            wait_for_page(f"{web_url}/healthz", process, timeout=60)
            yield {
                "url": base_url,
                "web_url": web_url,
                "env": env,
                "log": log_path,
                "process": process,
                "smtp": smtp_server,
            }
        except RuntimeError as error:
            pytest.fail(f"{error}\n--- log ---\n{log_path.read_text(errors='replace')[-6000:]}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def chat(assistant) -> Conversation:
    """A new visitor's conversation."""
    return Conversation(assistant["url"])


def make_tracker(
    slots: dict | None = None,
    text: str = "",
    intent: str = "inform",
    entities: list | None = None,
    active_loop: str | None = None,
):
    """A real rasa-sdk Tracker after a visitor's message, for action tests."""
    from rasa_sdk import Tracker

    return Tracker(
        sender_id="action-test",
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture(scope="module")
def browser():
    """Debian's headless chromium driven by Playwright, one per test module."""
    from tests.browser import chromium_path, launch

    if chromium_path() is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium; make test does it as root): browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def pytest_terminal_summary(terminalreporter):
    """The figures of the conversation suites (walks, pass rates), shown even when everything passed."""
    import sys as _sys

    lines = []
    for name in ("tests.conversations.test_properties", "tests.conversations.test_heldout"):
        module = _sys.modules.get(name)
        if module is not None:
            lines += module.summary()
    if lines:
        terminalreporter.section("conversations")
        for line in lines:
            terminalreporter.write_line(line)
