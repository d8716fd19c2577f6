"""Helpers of the hostile-input, fault and doors suites: raw REST calls, a socket.io visitor, a Rasa stack of our own."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.conftest import MODEL, ROOT, server_env
from tests.http import CLIENT

# What the channels (bot/rasa_ext/channels.py) and the dialogue answer; tests compare with the words a visitor reads.
APOLOGY = "problème technique"
PRICE_QUESTION = "combien ça coûte ?"


def plain(text: str) -> str:
    """French narrow and non-breaking spaces made plain, for comparisons."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def answers_the_price(text: str) -> bool:
    """The FAQ answer on cost: 20 % for the structure, at most 1 000 € HT (short support)."""
    text = plain(text)
    return "1 000 € HT" in text and "20 %" in text


def post_raw(base_url: str, body: bytes | str, headers: dict | None = None, timeout: float = 60) -> httpx.Response:
    """POST any bytes to the REST webhook, as a hostile client would."""
    content = body.encode("utf-8") if isinstance(body, str) else body
    return CLIENT.post(
        f"{base_url}/webhooks/rest/webhook",
        content=content,
        timeout=timeout,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def post_json(base_url: str, payload, timeout: float = 60) -> httpx.Response:
    """POST a JSON value; json.dumps escapes lone surrogates that httpx's own encoder would refuse."""
    return post_raw(base_url, json.dumps(payload), timeout=timeout)


def reply_text(response: httpx.Response) -> str:
    """The texts a visitor reads from a REST answer: bot messages, or the French error of a 4xx."""
    data = response.json()
    if isinstance(data, dict):
        return plain(str(data.get("error", "")))
    return plain("\n".join(message.get("text") or "" for message in data))


class SocketVisitor:
    """A visitor on the socket.io channel (HTTP long-polling: the websocket client of python-engineio 4.15
    needs a newer aiohttp than Rasa allows; the websocket handshake is checked with `websockets` instead)."""

    def __init__(self, base_url: str, origin: str, session_id: str | None = None) -> None:
        import socketio

        self.base_url = base_url
        self.origin = origin
        self.session_id = session_id or f"sio-{uuid.uuid4().hex}"
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: list[dict] = []
        self.confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._on_bot_uttered)
        self.client.on("session_confirm", self._on_session_confirm)

    async def _on_bot_uttered(self, data) -> None:
        self.received.append(data)

    async def _on_session_confirm(self, data) -> None:
        self.confirmed.set()

    async def connect(self, session: bool = True) -> None:
        await self.client.connect(
            self.base_url,
            headers={"Origin": self.origin},
            transports=["polling"],
            socketio_path="/socket.io",
            wait_timeout=10,
        )
        if session:
            await self.client.emit("session_request", {"session_id": self.session_id})
            await asyncio.wait_for(self.confirmed.wait(), timeout=10)

    async def say(self, data, timeout: float = 30, settle: float = 0.8) -> str:
        """Emit `user_uttered` with any payload; wait for the first reply and those that follow within `settle` s."""
        before = len(self.received)
        await self.client.emit("user_uttered", data)
        deadline = time.monotonic() + timeout
        while len(self.received) == before and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert len(self.received) > before, f"no socket.io reply within {timeout:.0f} s to {str(data)[:80]!r}"
        count = -1
        while count != len(self.received):
            count = len(self.received)
            await asyncio.sleep(settle)
        return plain("\n".join(message.get("text") or "" for message in self.received[before:]))

    async def close(self) -> None:
        await self.client.disconnect()
        # python-engineio leaves its aiohttp session to the garbage collector; close it to keep the log clean.
        session = getattr(self.client.eio, "http", None)
        if session is not None and not session.closed:
            await session.close()


def site_origin(assistant: dict) -> str:
    """An origin the assistant accepts (the first of SITE_ORIGINS, or the default the channels use)."""
    origins = assistant["env"].get("SITE_ORIGINS") or "http://127.0.0.1:8000"
    return origins.split(",")[0].strip()


class HangingServer:
    """Accepts connections on a port, reads what comes, never answers: an action server that hangs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(connection)  # kept open, never answered

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()  # a thread still in accept() would keep the port answering after close()
        for connection in self.connections:
            connection.close()
        self.sock.close()


class Stack:
    """Rasa and the action server started separately (same commands as `python -m bot run`), so that a test can
    stop, hang or restart one of them; the supervisor would stop everything when one child ends."""

    def __init__(self, var_dir: Path, extra_env: dict | None = None) -> None:
        from bot.settings import load_settings

        self.var_dir = var_dir
        self.env = {**server_env(var_dir), **(extra_env or {})}
        self.settings = load_settings(self.env)
        self.url = f"http://127.0.0.1:{self.settings.rasa_port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def _service(self, name: str):
        from bot.cli import services

        return next(service for service in services(self.settings) if service.name == name)

    def start(self, name: str) -> subprocess.Popen:
        service = self._service(name)
        log_path = self.var_dir / f"{name}.log"
        self.logs[name] = log_path
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                list(service.command),
                cwd=ROOT,
                env={**self.env, **service.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start_actions(self, timeout: float = 120) -> None:
        """Start rasa-sdk and wait for its own health answer (not just any listener on the port)."""
        process = self.start("actions")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the action server exited with code {process.returncode}:\n{self.log_tail('actions')}"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{self.settings.actions_port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the action server did not answer within {timeout:.0f} s:\n{self.log_tail('actions')}")

    def start_rasa(self, timeout: float = 300) -> None:
        process = self.start("rasa")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"rasa exited with code {process.returncode}:\n{self.log_tail('rasa')}")
            try:
                response = post_json(self.url, {"sender": "readiness-probe", "message": "bonjour"}, timeout=30)
                if response.status_code == 200 and response.json():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError(f"rasa did not answer within {timeout:.0f} s:\n{self.log_tail('rasa')}")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def log_tail(self, name: str, chars: int = 4000) -> str:
        path = self.logs.get(name)
        return path.read_text(errors="replace")[-chars:] if path and path.exists() else ""


def running_stack(tmp_path_factory, name: str, extra_env: dict) -> Iterator[Stack]:
    """A Stack on a fresh SQLite file, both servers started; stopped when the caller's fixture ends."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    from bot.records.db import upgrade

    stack = Stack(tmp_path_factory.mktemp(name), extra_env)
    upgrade(stack.settings.database_url)
    try:
        stack.start_actions()
        stack.start_rasa()
        yield stack
    except RuntimeError as error:
        pytest.fail(str(error))
    finally:
        stack.stop_all()


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    """Our own Rasa and action server on a fresh SQLite file, replies given up after 3 s."""
    yield from running_stack(tmp_path_factory, "stack", {"REPLY_TIMEOUT_SECONDS": "3"})


def python_bot(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m bot …` in the project, with this environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
