"""A visitor's message as the dialogue reads it: the text, the NLU's guesses, a button's values, its sub-questions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

FALLBACK = "nlu_fallback"
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w/]*)(?P<entities>\{.*\})?\s*$", re.DOTALL)


@dataclass(frozen=True)
class Reading:
    """What one message says, before the dialogue decides what it means in context."""

    text: str = ""
    intent: str = ""
    confidence: float = 0.0
    ranking: tuple = ()  # ((intent, confidence), ...), best first, nlu_fallback left out
    topic: str | None = None  # FAQ topic chosen by the response selector ("cout")
    topic_confidence: float = 0.0
    topic_ranking: tuple = ()  # ((topic, confidence), ...)
    entities: Mapping[str, Any] = field(default_factory=dict)
    button: bool = False  # a button's payload "/intent{...}", not typed words
    parts: tuple = ()  # one Reading per question when the message asks several

    @property
    def typed(self) -> str:
        """The words typed by the visitor ("" for a button payload)."""
        return "" if self.button else self.text

    def top(self, name: str) -> float:
        """Confidence the model gave to an intent, fallback aside."""
        return dict(self.ranking).get(name, 0.0)

    @property
    def understood_intent(self) -> str:
        """The intent, or the model's best guess when it fell back (for clarification)."""
        if self.intent != FALLBACK:
            return self.intent
        return self.ranking[0][0] if self.ranking else FALLBACK


def from_parse(parse: Mapping[str, Any] | None) -> Reading:
    """A Reading from Rasa's parse data (`tracker.latest_message`), parts included."""
    parse = parse or {}
    text = str(parse.get("text") or "")
    intent = parse.get("intent") or {}
    name = str(intent.get("name") or FALLBACK)
    ranking = tuple(
        (str(entry.get("name")), float(entry.get("confidence") or 0.0))
        for entry in parse.get("intent_ranking") or ()
        if entry.get("name") != FALLBACK
    )
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    topic = _topic(response.get("intent_response_key"))
    topic_ranking = tuple(
        (_topic(entry.get("intent_response_key")), float(entry.get("confidence") or 0.0))
        for entry in selector.get("ranking") or ()
    )
    entities = {
        entity.get("entity"): entity.get("value") for entity in parse.get("entities") or () if entity.get("entity")
    }
    button = bool(_PAYLOAD.match(text))
    if button:
        entities = {**entities, **_payload_entities(text)}
    metadata = parse.get("metadata") or {}
    parts = tuple(from_parse(part) for part in metadata.get("parts") or () if isinstance(part, Mapping))
    return Reading(
        text=text,
        intent=name,
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        topic=topic,
        topic_confidence=float(response.get("confidence") or 0.0),
        topic_ranking=topic_ranking,
        entities=entities,
        button=button,
        parts=parts,
    )


def _topic(key: Any) -> str | None:
    """ "faq/cout" -> "cout"."""
    if not isinstance(key, str) or "/" not in key:
        return None
    return key.split("/", 1)[1]


def _payload_entities(text: str) -> dict:
    """Values carried by a button payload: /ask_estimate{"estimate_change": "days"}."""
    match = _PAYLOAD.match(text)
    if not match or not match.group("entities"):
        return {}
    try:
        values = json.loads(match.group("entities"))
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def button_intent(text: str) -> str | None:
    """The intent a button payload names ("/start_quiz" -> "start_quiz"), or None for typed words."""
    match = _PAYLOAD.match(text or "")
    return match.group("intent") if match else None
