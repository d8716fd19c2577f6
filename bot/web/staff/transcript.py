"""One conversation read back from Rasa's events: the chat, what was understood, the quiz and the estimate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.models import Lead
from bot.web.staff.events import EVENTS, has_events, is_not_understood_row, load_data, to_datetime


@dataclass
class Message:
    """One line of the chat: a visitor's message, an assistant's reply, or a session start."""

    kind: str  # visitor, assistant, session
    at: datetime | None
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    not_understood: bool = False
    buttons: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class Transcript:
    """Everything the conversation page shows about one sender."""

    sender_id: str
    messages: list[Message]
    eligibility: dict | None = None
    funding: dict | None = None
    leads: list = field(default_factory=list)

    @property
    def started(self) -> datetime | None:
        return next((m.at for m in self.messages if m.at), None)

    @property
    def turns(self) -> int:
        return sum(1 for m in self.messages if m.kind == "visitor")


def _visitor(data: dict, row) -> Message:
    parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    confidence = intent.get("confidence")
    return Message(
        "visitor",
        to_datetime(row.timestamp),
        str(data.get("text") or ""),
        intent=intent.get("name") or row.intent_name,
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        not_understood=False,  # set by the turn's record (or an older fallback action) that follows
    )


def _assistant(data: dict, row) -> Message:
    payload = data.get("data") if isinstance(data.get("data"), dict) else {}
    buttons = [str(b.get("title") or "") for b in payload.get("buttons") or [] if isinstance(b, dict)]
    custom = payload.get("custom") if isinstance(payload.get("custom"), dict) else {}
    return Message("assistant", to_datetime(row.timestamp), str(data.get("text") or ""), buttons=buttons, custom=custom)


def read_messages(rows) -> tuple[list[Message], dict | None, dict | None]:
    """Turn event rows (in id order) into chat lines, plus the last quiz verdict and estimate sent."""
    messages: list[Message] = []
    eligibility = funding = None
    last_visitor: Message | None = None
    for row in rows:
        data = load_data(row.data)
        if row.type_name == "user":
            last_visitor = _visitor(data, row)
            messages.append(last_visitor)
        elif row.type_name == "bot":
            message = _assistant(data, row)
            if isinstance(message.custom.get("eligibility"), dict):
                eligibility = message.custom["eligibility"]
            if isinstance(message.custom.get("funding"), dict):
                funding = message.custom["funding"]
            messages.append(message)
        elif row.type_name == "session_started" and messages:
            messages.append(Message("session", to_datetime(row.timestamp)))
        elif is_not_understood_row(row) and last_visitor is not None:
            last_visitor.not_understood = True
    return messages, eligibility, funding


def load_transcript(session: Session, sender_id: str) -> Transcript | None:
    """The conversation of this sender, or None if the tracker store has none."""
    if not has_events(session):
        return None
    rows = session.execute(sa.select(EVENTS).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)).all()
    if not rows:
        return None
    messages, eligibility, funding = read_messages(rows)
    leads = session.execute(sa.select(Lead).where(Lead.conversation_id == sender_id).order_by(Lead.id)).scalars().all()
    if eligibility is None and leads and leads[-1].verdict:
        lead = leads[-1]
        eligibility = {
            "verdict": lead.verdict,
            "reasons": lead.verdict_reasons or [],
            "answers": lead.quiz_answers or {},
        }
    if funding is None and leads and leads[-1].funding:
        funding = leads[-1].funding
    return Transcript(sender_id, messages, eligibility, funding, leads)
