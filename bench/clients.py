"""The two ways a visitor reaches the assistant, timed the same way: REST and socket.io.

Latency of a message = from the moment the visitor sends it to the moment the
last bot message of that turn is received.

- REST: the webhook answers with the whole turn, so that is the response time.
- socket.io: bot messages arrive one by one as `bot_uttered` events. The visitor
  emits `user_uttered` with a socket.io acknowledgement: the server acknowledges
  only when its handler has returned, that is after Rasa has run the whole
  prediction loop and emitted every message of the turn (on the same
  connection, so before the ack). The ack therefore marks the end of the turn
  exactly, with no guessed quiet period and no knowledge of the expected final
  message; the latency is taken at the last `bot_uttered` before it (the ack
  itself follows within microseconds). A `bot_uttered` arriving after the ack
  would be counted as `late` (it never should). The browser widget does not ask
  for acks, but an ack does not change the server's work: one small packet.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import List, Optional

import aiohttp
import httpx
import socketio

from bench.scenarios import APOLOGY, TOO_FAST

TURN_TIMEOUT = 30.0

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15.1 (resolved beside Rasa) builds its client WebSocket with
    # aiohttp.ClientWSTimeout, new in aiohttp 3.10; Rasa pins aiohttp 3.9.5, whose
    # ws_connect takes the close timeout as a float. Without this, the Python client
    # cannot upgrade to WebSocket as browsers do. The servers are not affected.
    def _ws_close_timeout(ws_close: float = 10.0, ws_receive: Optional[float] = None) -> float:
        return ws_close

    aiohttp.ClientWSTimeout = _ws_close_timeout


@dataclass
class Turn:
    """One message and its reply, as the visitor experienced it."""

    text: str
    started: float  # time.monotonic() when sent (or scheduled, in the steady-rate mode)
    latency: float = 0.0  # seconds to the last message of the reply
    first: float = 0.0  # seconds to the first message (socket.io; equals latency over REST)
    replies: List[dict] = field(default_factory=list)
    error: Optional[str] = None


def classify(replies: List[dict]) -> Optional[str]:
    """An error as the visitor sees it: nothing, or the channel's apology or refusal instead of an answer."""
    if not replies:
        return "empty reply"
    joined = " ".join(reply.get("text") or "" for reply in replies)
    if APOLOGY in joined:
        return "apology (technical problem)"
    if TOO_FAST in joined:
        return "refused (too fast)"
    return None


class RestVisitor:
    """POST /webhooks/rest/webhook {"sender", "message"}; the response lists the whole turn."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, prefix: str = "bench") -> None:
        self.http = http
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = f"{prefix}-{uuid.uuid4().hex}"

    async def open(self) -> None:
        """Nothing to open: every message is one request."""

    async def close(self) -> None:
        """Nothing to close: the HTTP client is shared."""

    async def say(self, text: str, started: Optional[float] = None) -> Turn:
        """Send one message; the turn ends with the HTTP response."""
        turn = Turn(text, started if started is not None else time.monotonic())
        try:
            response = await self.http.post(
                self.url, json={"sender": self.sender, "message": text}, timeout=TURN_TIMEOUT
            )
            turn.latency = turn.first = time.monotonic() - turn.started
            if response.status_code != 200:
                turn.error = f"HTTP {response.status_code}"
                return turn
            turn.replies = response.json()
        except httpx.TimeoutException:
            turn.latency = time.monotonic() - turn.started
            turn.error = "timeout"
            return turn
        except httpx.HTTPError as error:
            turn.latency = time.monotonic() - turn.started
            turn.error = f"{error.__class__.__name__}"
            return turn
        turn.error = classify(turn.replies)
        return turn


class SocketVisitor:
    """The widget's protocol: session_request / session_confirm, then user_uttered / bot_uttered."""

    def __init__(
        self,
        base_url: str,
        origin: Optional[str] = None,
        path: str = "socket.io",
        prefix: str = "bench",
        transports: Optional[list] = None,
    ) -> None:
        self.base_url = base_url
        self.origin = origin
        self.path = path
        self.transports = transports
        self.sender = f"{prefix}-{uuid.uuid4().hex}"
        self.http: Optional[aiohttp.ClientSession] = None
        self.sio: Optional[socketio.AsyncClient] = None
        self.confirmed = asyncio.Event()
        self.inbox: list = []  # (arrival time, message) of the current turn
        self.in_turn = False
        self.late = 0
        self.connect_seconds = 0.0
        self.transport = ""

    async def open(self) -> None:
        """Connect as a browser would (Origin header; cookies kept, even for 127.0.0.1, for sticky proxies)."""
        start = time.monotonic()
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.sio = socketio.AsyncClient(http_session=self.http, reconnection=False)
        self.sio.on("session_confirm", self._on_confirm)
        self.sio.on("bot_uttered", self._on_bot)
        headers = {"Origin": self.origin} if self.origin else {}
        await self.sio.connect(
            self.base_url,
            headers=headers,
            socketio_path=self.path,
            transports=self.transports,
            wait_timeout=TURN_TIMEOUT,
        )
        await self.sio.emit("session_request", {"session_id": self.sender})
        await asyncio.wait_for(self.confirmed.wait(), TURN_TIMEOUT)
        self.transport = self.sio.transport()
        self.connect_seconds = time.monotonic() - start

    async def _on_confirm(self, *_args) -> None:
        self.confirmed.set()

    async def _on_bot(self, message) -> None:
        if not self.in_turn:
            self.late += 1
            return
        self.inbox.append((time.monotonic(), message if isinstance(message, dict) else {"text": str(message)}))

    async def close(self) -> None:
        """Disconnect and close this visitor's own HTTP session."""
        try:
            if self.sio is not None and self.sio.connected:
                await self.sio.disconnect()
        finally:
            if self.http is not None:
                await self.http.close()

    async def say(self, text: str, started: Optional[float] = None) -> Turn:
        """Send one message; the turn ends with the server's acknowledgement (see the module docstring)."""
        turn = Turn(text, started if started is not None else time.monotonic())
        acknowledged = asyncio.Event()
        self.inbox = []
        self.in_turn = True
        try:
            await self.sio.emit(
                "user_uttered", {"message": text, "session_id": self.sender}, callback=lambda *_: acknowledged.set()
            )
            await asyncio.wait_for(acknowledged.wait(), TURN_TIMEOUT)
        except asyncio.TimeoutError:
            turn.error = "timeout (no end of turn)"
        except socketio.exceptions.SocketIOError as error:
            turn.error = f"{error.__class__.__name__}"
        finally:
            self.in_turn = False
            ended = time.monotonic()
        turn.replies = [message for _, message in self.inbox]
        if self.inbox:
            turn.first = self.inbox[0][0] - turn.started
            turn.latency = self.inbox[-1][0] - turn.started
        else:
            turn.first = turn.latency = ended - turn.started
        if turn.error is None:
            turn.error = classify(turn.replies)
        return turn
