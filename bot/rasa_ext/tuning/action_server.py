"""Rasa's calls to the action server, and its reading of the answers (rasa 3.6.21; see bot/rasa_ext/tuning/__init__.py).

Checking the answers: Rasa checks every answer of the action server with
`jsonschema.validate(answer, schema)`, which first checks the schema itself
against the JSON Schema meta-schema (draft 2020-12, with `$dynamicRef`) and
builds a new validator at every call, two calls per quiz question: the largest
cost of the Rasa server in the benchmark before this fix. The schema never
changes, so it is checked once and its validator kept; each answer is still
checked in full, and an invalid one raises the same `ValidationError` (the one
`jsonschema.validate` would pick) with Rasa's message. Each event of an answer
must match exactly one of 23 event schemas (`oneOf`), and jsonschema tries all
of them, still a noticeable share of the server's time under load. Every one
of those schemas fixes the `event` name to a different constant, so an event
can only ever match the schema of its own name: the answer is first checked
against that one schema per event, a small part of that work, and only an
answer that fails this is checked again the full way, which decides (same
acceptance, same error). The outcome of an event's check is remembered by the
event's JSON text (4 096 of them), since the same events come back at every
quiz.

Calls: Rasa opens a new aiohttp session, and so a new TCP connection that the
action server sets up too, for every action it runs (one or two per message).
One session per endpoint is now kept open and its connections reused
(keep-alive, dropped after 4 s idle, under the 5 s after which Sanic closes
them on the action server's side); the requests themselves are Rasa's own
(same headers, authentication, timeout). The sessions are closed when the Rasa
server stops. They write the request's JSON (the whole conversation, large
by the end of the quiz) with ujson, which Rasa already depends on: in about
half the time of json's encoder, the same JSON data (json's own encoder takes
over for anything ujson refuses).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any, Dict, Optional, Text, Tuple

import aiohttp
import ujson
from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

_validators: Dict[type, Any] = {}
rasa_validate_action_result = RemoteAction._validate_action_result  # Rasa's own, for comparison in the tests


def _response_validator(action: RemoteAction) -> Any:
    """The validator of the action server's answers, built and its schema checked once per action class."""
    validator = _validators.get(type(action))
    if validator is None:
        schema = action.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _validators[type(action)] = cls(schema)
    return validator


KNOWN_EVENTS = 4096  # event checks remembered, in little memory


class EventChecks:
    """The answer schema split by event name: one validator for the answer around its events, one per event name.

    Only built when every alternative of the events' `oneOf` fixes `event` to its own constant (true of rasa
    3.6.21): then an event matches exactly one alternative if and only if it matches the base schema and the
    alternative of its name, which is what `is_valid` checks.
    """

    def __init__(self, schema: Dict[str, Any]) -> None:
        cls = validators.validator_for(schema)
        items = schema["properties"]["events"]["items"]
        base = {key: value for key, value in items.items() if key != "oneOf"}
        names = [alternative["properties"]["event"]["const"] for alternative in items["oneOf"]]
        if len(set(names)) != len(names):
            raise ValueError("event schemas share a name")
        outer = {
            **schema,
            "properties": {**schema["properties"], "events": {**schema["properties"]["events"], "items": {}}},
        }
        self.outer = cls(outer)
        self.by_name = {name: cls({"allOf": [base, alternative]}) for name, alternative in zip(names, items["oneOf"])}
        self.known: "OrderedDict[str, bool]" = OrderedDict()  # event's JSON text -> its check, the latest last

    def is_valid(self, result: Any) -> bool:
        if not self.outer.is_valid(result):
            return False
        return all(self._event_is_valid(event) for event in result.get("events") or [])

    def _event_is_valid(self, event: Any) -> bool:
        """The check of one event, remembered by its JSON text (which fixes its JSON value, all a schema sees):
        the same slot set to the same value comes back at every quiz, and would be checked again each time."""
        checks = self.by_name.get(event.get("event")) if isinstance(event, dict) else None
        if checks is None:
            return False
        try:
            text = ujson.dumps(event, sort_keys=True, ensure_ascii=False)
        except (OverflowError, TypeError, ValueError):
            return checks.is_valid(event)
        valid = self.known.get(text)
        if valid is None:
            valid = self.known[text] = checks.is_valid(event)
            if len(self.known) > KNOWN_EVENTS:
                self.known.popitem(last=False)
        else:
            self.known.move_to_end(text)
        return valid


_event_checks: Dict[type, Optional[EventChecks]] = {}


def _fast_checks(action: RemoteAction) -> Optional[EventChecks]:
    """The split schema of this action class, or None when the schema does not have the expected shape."""
    if type(action) not in _event_checks:
        try:
            _event_checks[type(action)] = EventChecks(action.action_response_format_spec())
        except (KeyError, TypeError, ValueError):
            logger.warning(
                "bot.rasa_ext.tuning: schema des réponses du serveur d'actions inattendu, vérification complète seule"
            )
            _event_checks[type(action)] = None
    return _event_checks[type(action)]


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Same contract as `RemoteAction._validate_action_result` in rasa 3.6.21, with a kept validator."""
    checks = _fast_checks(self)
    if checks is not None and checks.is_valid(result):
        return True
    error = best_match(_response_validator(self).iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


KEEP_ALIVE_SECONDS = 4  # Sanic (the action server) closes an idle connection after 5 s
rasa_endpoint_session = EndpointConfig.session  # Rasa's own, for comparison in the tests
_kept_sessions: Dict[Tuple[Any, ...], aiohttp.ClientSession] = {}


def dumps_json(value: Any) -> str:
    """The JSON text of a request body: ujson's encoding, or json's for what ujson refuses (same errors as Rasa's)."""
    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


class KeptSession:
    """What `EndpointConfig.session()` returns: the endpoint's open session, left open by `async with`."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc: Any) -> None:
        return None

    def __getattr__(self, name: Text) -> Any:
        return getattr(self.session, name)


def endpoint_session(self: EndpointConfig) -> Any:
    """`EndpointConfig.session` of rasa 3.6.21 kept open per endpoint settings and event loop, connections reused."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return rasa_endpoint_session(self)  # no loop to keep it on: Rasa's own, closed after use
    auth = tuple(sorted(self.basic_auth.items())) if self.basic_auth else None
    key = (loop, tuple(sorted((self.headers or {}).items())), auth)
    session = _kept_sessions.get(key)
    if session is None or session.closed:
        session = aiohttp.ClientSession(  # the settings of Rasa's session, plus the connector
            headers=self.headers,
            auth=aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth
            else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
            json_serialize=dumps_json,
        )
        _kept_sessions[key] = session
    return KeptSession(session)


async def close_kept_sessions(_app: Any = None, _loop: Any = None) -> None:
    """Sanic listener (before_server_stop): close the sessions kept on this event loop."""
    loop = asyncio.get_running_loop()
    for key in [key for key in _kept_sessions if key[0] is loop]:
        await _kept_sessions.pop(key).close()
