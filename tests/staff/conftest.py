"""Fixtures of the staff app tests: conversations in the tracker store, a staff account, a real uvicorn server."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot.records.db import session_scope
from bot.settings import Settings, load_settings
from tests.conftest import free_port
from tests.staff.data import build_conversations

STAFF_EMAIL = "anne.martin@aract.fr"
STAFF_PASSWORD = "correct horse battery staple"


def make_settings(database_url: str, var_dir: Path, **extra: str) -> Settings:
    """Settings of the web app on the test database, with a key file under a temporary var/."""
    return load_settings({"DATABASE_URL": database_url, "VAR_DIR": str(var_dir), **extra})


@pytest.fixture
def conversations(database_url) -> dict:
    """The six conversations of tests/staff/data.py in the test database."""
    return build_conversations(database_url)


@pytest.fixture
def staff_account(database_url) -> tuple[str, str]:
    """One staff account, created as `python -m bot staff add` does."""
    from bot.web.staff.accounts import add_user

    with session_scope(database_url) as session:
        add_user(session, STAFF_EMAIL, STAFF_PASSWORD)
    return STAFF_EMAIL, STAFF_PASSWORD


class Server:
    """create_app(settings) served by a real uvicorn in a thread, on a free loopback port."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from bot.web.app import create_app

        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def server(database_url, tmp_path, conversations, staff_account) -> Iterator[Server]:
    """The web app with data and one staff account, on SQLite and on PostgreSQL."""
    running = Server(make_settings(database_url, tmp_path / "var")).start()
    yield running
    running.stop()


@dataclass
class StaffClient:
    """An HTTP client that logged in through the login form."""

    http: httpx.Client
    csrf: str

    def post_form(self, path: str, data: dict) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **data})


def csrf_in(page: str) -> str:
    """The CSRF token of the first form of a page."""
    return re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)


def log_in(http: httpx.Client, email: str, password: str) -> httpx.Response:
    """Fill the login form as a browser would (its token and cookie first)."""
    token = csrf_in(http.get("/staff/login").text)
    return http.post("/staff/login", data={"email": email, "password": password, "csrf_token": token, "next": "/staff"})


@pytest.fixture
def staff(server) -> Iterator[StaffClient]:
    """A logged-in staff member's HTTP client."""
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as http:
        response = log_in(http, STAFF_EMAIL, STAFF_PASSWORD)
        assert response.status_code == 303, response.text
        yield StaffClient(http, csrf_in(http.get("/staff").text))
