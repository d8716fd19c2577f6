"""The REST and socket.io channels as the public site needs them.

With the rest of `bot/rasa_ext/`, this is the only part of `bot/`
that imports Rasa: `credentials.yml` names its classes, so only the Rasa server
loads it. Compared with Rasa's own channels it
checks every request before it reaches the NLU (types, sizes, control
characters, sender ids), answers in French when it refuses something, limits
the socket.io origins to the site's, sends custom payloads (eligibility,
funding) over socket.io (Rasa 3.6 fails on them), and apologises in French
when the dialogue cannot answer (action server down or hanging).

The dialogue (NLU, policies, SQL tracker store) mostly runs without giving the
event loop back, so a message being processed holds every other visitor's
request, and a count of pending messages alone never sees a flood (requests
reach their handler one at a time). Each sender therefore also has a message
budget (a token bucket: RATE_BURST at once, then RATE_PER_SECOND); beyond it
the channel refuses at once, which costs nothing. Without it, a burst of
messages from one sender held every other visitor up for many seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
import warnings
from collections import Counter
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import engineio
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.dialogue.splitting import question_parts
from bot.program.french import format_number
from bot.rasa_ext.tuning import action_server, memory
from bot.settings import load_settings

logger = logging.getLogger(__name__)

# Rasa warns with the visitor's whole message when a "/intent{...}" payload is malformed or names entities the
# domain lacks: whatever a visitor types that way (an email address, fake log lines) would reach the log. Our own
# buttons' payloads are checked by the end-to-end tests instead.
warnings.filterwarnings("ignore", message=r"Failed to parse arguments in line", category=UserWarning)

MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_METADATA_CHARS = 2000  # nothing of ours reads visitor metadata; room for a page URL or a locale
MAX_PENDING_PER_SENDER = (
    3  # a person waits for the answer; queued ones wait on Rasa's lock (1 s steps) and would time out
)
# Read from the one settings source (bot/settings.py), as every process does.
SETTINGS = load_settings()
# Per sender: this many messages at once, then this many per second (no person types faster).
RATE_BURST = SETTINGS.sender_message_burst
RATE_PER_SECOND = SETTINGS.sender_messages_per_second
REPLY_TIMEOUT_SECONDS = SETTINGS.reply_timeout_seconds
# A page asks for its session once per connection (and again after a reconnection): more is a client cycling ids.
MAX_SESSION_REQUESTS_PER_CONNECTION = 5
SENDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}")  # whole string (fullmatch): `$` would let "id\n" in
# Control characters other than tab and newline; NUL cannot even be stored by PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Half an emoji (a lone UTF-16 surrogate, valid in JSON as "\\ud83d") cannot be encoded as UTF-8: spaCy fails on it.
LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")

TOO_LONG = (
    "Votre message est trop long ({length} caractères) : je lis au plus {limit} caractères. "
    "Pouvez-vous poser votre question plus brièvement ?"
)
EMPTY = "Je n'ai reçu aucun texte. Posez-moi votre question sur l'Appui-conseil à l'innovation sociale."
TOO_FAST = (
    "Vous envoyez beaucoup de messages à la fois : je réponds d'abord aux précédents, réessayez dans quelques secondes."
)
TECHNICAL_PROBLEM = (
    "Désolé, je rencontre un problème technique et ne peux pas vous répondre pour l'instant. "
    "Réessayez dans un moment, ou écrivez à {help_email}."
)


def keep_conversations_alive(app: Any) -> None:
    """After Rasa's circuit breaker trips, the conversation listens again (Rasa's `on_circuit_break` hook).

    Rasa stops predicting after too many actions for one message, without the final
    `action_listen`; at the next message it counts those actions again and trips at
    once, so every later message, "recommencer" and /restart included, got nothing.
    With one action per message (bot/rasa_ext/dialogue_policy.py) the breaker should never
    trip; if it does, the visitor gets the French apology and the next message is
    handled from a clean state.
    """
    processor = getattr(getattr(getattr(app, "ctx", None), "agent", None), "processor", None)
    if processor is not None:
        processor.on_circuit_break = listen_after_circuit_break


def listen_after_circuit_break(tracker: Any, output_channel: Any, nlg: Any) -> None:
    """Close the turn the breaker cut short, as `action_listen` would have (the tracker is saved right after)."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted

    logger.error("circuit breaker tripped for a conversation: it listens again for the next message")
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def help_email() -> str:
    """The help contact shown when the assistant cannot answer."""
    return SETTINGS.help_email


def site_origins() -> List[str]:
    """Origins allowed to open the chat (SITE_ORIGINS, comma-separated; set by `python -m bot run`)."""
    return list(SETTINGS.site_origins)


class Refusal(ValueError):
    """A message the channel answers itself, without the dialogue."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def clean_text(value: Any) -> str:
    """The visitor's text made safe for the NLU and the database, or a Refusal with a French reason."""
    if not isinstance(value, str):
        raise TypeError("message")
    text = LONE_SURROGATES.sub("", CONTROL_CHARACTERS.sub(" ", value)).strip()
    if not text:
        raise Refusal(EMPTY)
    if len(text) > MAX_MESSAGE_CHARS:
        raise Refusal(TOO_LONG.format(length=format_number(len(text)), limit=format_number(MAX_MESSAGE_CHARS)))
    return text


def valid_sender(value: Any) -> bool:
    """Sender ids are short printable tokens (the widget sends random UUIDs)."""
    return isinstance(value, str) and bool(SENDER_ID.fullmatch(value))


def clean_metadata(value: Any) -> Dict[Text, Any]:
    """Metadata is optional and must be a small JSON object; anything else is dropped.

    Rasa stores it with the message in the tracker store and reloads it on every
    turn: without a cap, each message could add up to MAX_BODY_BYTES to a conversation.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict) or len(json.dumps(value)) > MAX_METADATA_CHARS:
        return {}
    return value


class SenderLimiter:
    """Per sender: a budget of messages (token bucket) and a cap on those still waiting for their answer."""

    def __init__(
        self,
        limit: int = MAX_PENDING_PER_SENDER,
        burst: int = RATE_BURST,
        rate: float = RATE_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.burst, self.rate, self.clock = limit, burst, rate, clock
        self.pending: Counter = Counter()
        self.buckets: Dict[str, Tuple[float, float]] = {}  # sender -> (tokens left, when counted)

    def acquire(self, sender: str) -> bool:
        """Take one message from the sender's budget, or say no (the caller refuses in French)."""
        now = self.clock()
        tokens, last = self.buckets.get(sender, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1 and self.pending[sender] < self.limit
        self.buckets[sender] = (tokens - 1 if allowed else tokens, now)
        if allowed:
            self.pending[sender] += 1
        if len(self.buckets) > 10_000:
            self._forget_idle(now)
        return allowed

    def release(self, sender: str) -> None:
        self.pending[sender] -= 1
        if self.pending[sender] <= 0:
            del self.pending[sender]

    def _forget_idle(self, now: float) -> None:
        """Senders whose budget is full again need no entry: keeps memory bounded."""
        refill = self.burst / self.rate
        for sender, (_, last) in list(self.buckets.items()):
            if now - last > refill and sender not in self.pending:
                del self.buckets[sender]


class Budgets:
    """A message passes when every budget it draws on allows it: its sender's, and those of its connection and
    client address when known (one client cycling sender ids still meets the other two)."""

    def __init__(self) -> None:
        self.sender = SenderLimiter()
        self.connection = SenderLimiter()
        self.address = SenderLimiter(
            limit=SETTINGS.address_message_burst,
            burst=SETTINGS.address_message_burst,
            rate=SETTINGS.address_messages_per_second,
        )

    def acquire(self, sender: str, connection: Optional[str] = None, address: Optional[str] = None) -> bool:
        taken = []
        for limiter, key in ((self.sender, sender), (self.connection, connection), (self.address, address)):
            if key is None:
                continue
            if not limiter.acquire(key):
                for earlier, earlier_key in taken:
                    earlier.release(earlier_key)
                return False
            taken.append((limiter, key))
        return True

    def release(self, sender: str, connection: Optional[str] = None, address: Optional[str] = None) -> None:
        for limiter, key in ((self.sender, sender), (self.connection, connection), (self.address, address)):
            if key is not None:
                limiter.release(key)


def client_address(request: Any) -> Optional[str]:
    """The visitor's address: the one a trusted proxy forwards, else the peer's; None for a client on this
    machine without a proxy (development, tests), which no address budget limits."""
    peer = getattr(request, "ip", None) or ""
    if peer in SETTINGS.trusted_proxies:
        forwarded = [part.strip() for part in (request.headers.get("x-forwarded-for") or "").split(",") if part.strip()]
        return forwarded[-1] if forwarded else None  # the last hop, added by our own proxy
    return peer or None


def has_binary(value: Any) -> bool:
    """A socket.io packet with binary attachments (bytes anywhere in its data): nothing of ours sends one."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return True
    if isinstance(value, dict):
        return any(has_binary(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_binary(item) for item in value)
    return False


async def with_parts(app: Any, text: str, metadata: Dict[Text, Any]) -> Dict[Text, Any]:
    """A message with several questions carries each one read by the model (`metadata["parts"]`), so that the
    dialogue answers them all; the model itself gives one intent per message."""
    parts = question_parts(text)
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if not parts or agent is None:
        return metadata
    try:
        parsed = [await agent.parse_message(part) for part in parts]
    except Exception:  # the whole message is still understood as one
        logger.exception("could not read the parts of a message")
        return metadata
    return {**metadata, "parts": [_brief(parse) for parse in parsed]}


def _brief(parse: Dict[Text, Any]) -> Dict[Text, Any]:
    """What the dialogue reads of a part's parse: text, intent and the FAQ answer, rankings cut short."""
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    return {
        "text": parse.get("text"),
        "intent": parse.get("intent"),
        "intent_ranking": (parse.get("intent_ranking") or [])[:3],
        "response_selector": {
            "faq": {
                "response": {key: response.get(key) for key in ("intent_response_key", "confidence")},
                "ranking": [
                    {key: entry.get(key) for key in ("intent_response_key", "confidence")}
                    for entry in (selector.get("ranking") or [])[:3]
                ],
            }
        },
    }


async def answer_or_apologise(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    replied: Callable[[], bool],
    apologise: Callable[[str], Awaitable[None]],
) -> None:
    """Run the dialogue; when it fails, hangs or says nothing, send the French apology instead of silence."""
    try:
        await asyncio.wait_for(on_new_message(message), timeout=REPLY_TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        logger.error("no reply within %.0f s (action server slow?)", REPLY_TIMEOUT_SECONDS)
    except Exception:  # the dialogue's own errors must not reach the visitor as a 500
        logger.exception("the dialogue failed on a message")
    if not replied():
        await apologise(TECHNICAL_PROBLEM.format(help_email=help_email()))


def _error(status: int, text: str) -> HTTPResponse:
    # A refused burst may be sent again after a second (the budget gives back at least one message by then).
    headers = {"Retry-After": "1"} if status == 429 else None
    return response.json({"error": text}, status=status, headers=headers)


class SiteRestInput(InputChannel):
    """`POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`, answered with a list of messages."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        self.budgets = Budgets()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("site_rest_webhook", __name__)

        @webhook.listener("before_server_start")
        async def cap_body(app, _loop) -> None:
            app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

        # The model is loaded before the server starts (Rasa's own listener): give its leftovers back.
        webhook.listener("after_server_start")(memory.release_free_memory_every_minute)

        @webhook.listener("after_server_start")
        async def hook_circuit_breaker(app, _loop) -> None:
            keep_conversations_alive(app)

        webhook.listener("before_server_stop")(memory.stop_releasing_free_memory)
        webhook.listener("before_server_stop")(action_server.close_kept_sessions)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = json.loads(request.body or b"")
            except ValueError:
                return _error(400, "Requête invalide : le corps doit être un objet JSON.")
            if not isinstance(body, dict):
                return _error(400, "Requête invalide : le corps doit être un objet JSON.")
            sender = body.get("sender")
            if not valid_sender(sender):
                return _error(
                    400,
                    "Requête invalide : « sender » doit être un identifiant de 1 à 128 caractères (lettres, chiffres, - _ . : @).",
                )
            try:
                text = clean_text(body.get("message"))
            except TypeError:
                return _error(400, "Requête invalide : « message » doit être un texte.")
            except Refusal as refusal:
                return response.json([{"recipient_id": sender, "text": refusal.text}])
            address = client_address(request)
            if not self.budgets.acquire(sender, address=address):
                return _error(429, TOO_FAST)
            try:
                collector = CollectingOutputChannel()

                async def apologise(text: str) -> None:
                    await collector.send_text_message(sender, text)

                metadata = await with_parts(request.app, text, clean_metadata(body.get("metadata")))
                message = UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
                await answer_or_apologise(on_new_message, message, lambda: bool(collector.messages), apologise)
                return response.json(collector.messages)
            finally:
                self.budgets.release(sender, address=address)

        return webhook


class _EngineIOServer(engineio.AsyncServer):
    """Engine.IO without its own CORS headers: Rasa's `--cors` (sanic-cors) already sets them on every route.

    Both together send Access-Control-Allow-Origin twice, which browsers reject,
    so the widget's HTTP long-polling fallback would fail. The origin check
    itself (cors_allowed_origins) stays.
    """

    def _cors_headers(self, environ):
        return []


class SiteAsyncServer(AsyncServer):
    """socket.io server on the Engine.IO server above."""

    def _engineio_server_class(self):
        return _EngineIOServer


class SiteSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, with custom payloads sent as `{"custom": {...}}` and a count of what was sent."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response_: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response_)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SiteSocketIOInput(InputChannel):
    """The widget's channel: one room per session id, origins limited to the site's."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        socketio_path: Text = "/socket.io",
    ) -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.sio: Optional[AsyncServer] = None
        self.budgets = Budgets()
        self.app: Any = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return SiteSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = SiteAsyncServer(
            async_mode="sanic", cors_allowed_origins=site_origins(), max_http_buffer_size=MAX_BODY_BYTES
        )
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "site_socketio_webhook", __name__)
        sessions: Dict[str, str] = {}  # socket id -> session id

        @webhook.listener("before_server_start")
        async def keep_app(app, _loop) -> None:
            self.app = app  # the agent, loaded by Rasa at start, reads the parts of multi-question messages

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        addresses: Dict[str, Optional[str]] = {}  # socket id -> client address
        session_requests: Counter = Counter()  # socket id -> session requests on this connection

        @sio.on("connect")
        async def connect(sid: Text, environ: Dict[Text, Any], *_auth: Any) -> None:
            addresses[sid] = client_address(environ.get("sanic.request"))

        @sio.on("disconnect")
        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)
            addresses.pop(sid, None)
            session_requests.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any = None) -> None:
            session_requests[sid] += 1
            if has_binary(data) or session_requests[sid] > MAX_SESSION_REQUESTS_PER_CONNECTION:
                await sio.disconnect(sid)  # a client cycling session ids, or sending what no page sends
                return
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_sender(requested) else uuid.uuid4().hex
            sessions[sid] = session_id
            # python-socketio 5.9.0 (pinned): enter_room is still synchronous.
            sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any = None) -> None:
            if has_binary(data):
                await sio.disconnect(sid)
                return
            session_id = sessions.get(sid)
            if session_id is None:
                await sio.emit(
                    self.bot_message_evt,
                    {"text": "Session inconnue : rechargez la page pour reprendre la conversation."},
                    room=sid,
                )
                return
            output = SiteSocketIOOutput(sio, self.bot_message_evt)
            try:
                text = clean_text(data.get("message") if isinstance(data, dict) else None)
            except TypeError:
                await output.send_text_message(
                    session_id, "Je n'ai pas pu lire ce message : envoyez du texte, s'il vous plaît."
                )
                return
            except Refusal as refusal:
                await output.send_text_message(session_id, refusal.text)
                return
            address = addresses.get(sid)
            if not self.budgets.acquire(session_id, sid, address):
                await output.send_text_message(session_id, TOO_FAST)
                return
            try:
                metadata = await with_parts(self.app, text, clean_metadata(data.get("metadata")))
                message = UserMessage(text, output, session_id, input_channel=self.name(), metadata=metadata)

                async def apologise(text: str) -> None:
                    await output.send_text_message(session_id, text)

                await answer_or_apologise(on_new_message, message, lambda: output.sent > 0, apologise)
            finally:
                self.budgets.release(session_id, sid, address)

        return webhook
