"""Everything held on a person, in one place: find it, erase it, purge it past retention, replay an erasure.

The command line (`leads erase`, `purge`, `erasures replay`), the daily worker
and the staff app all call this module, so that an erasure removes the same
things wherever it starts: the person's leads and their staff notes, their
mails in the outbox and the `.eml` copies written for them, and every
conversation that holds their address (not only the one a lead came from),
with its stored events and the staff's review and tags. Each erasure is logged
with counts and hashed identifiers only, so that it can be applied again after
a backup is restored, without the log itself holding personal data.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.models import EVENTS, Erasure, Lead, OutboxMail, has_events, utcnow
from bot.records.staff_models import AuditEntry, ConversationReview, ConversationTag, LeadNote
from bot.settings import Settings


def subject_hash(kind: str, value: str) -> str:
    """What the erasure log keeps of an address or a conversation id: enough to find it again, not to read it."""
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


@dataclass
class Holdings:
    """What the assistant holds on a person or a conversation: rows to remove and files to delete."""

    leads: list[Lead] = field(default_factory=list)
    mails: list[OutboxMail] = field(default_factory=list)
    conversations: set[str] = field(default_factory=set)
    events: int = 0
    files: list[Path] = field(default_factory=list)


def conversations_mentioning(session: Session, text: str) -> set[str]:
    """Conversations whose stored events contain `text` (an address typed by the visitor, in any case)."""
    if not has_events(session) or not text.strip():
        return set()
    pattern = "%" + text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = sa.select(EVENTS.c.sender_id).where(sa.func.lower(EVENTS.c.data).like(pattern, escape="\\")).distinct()
    return set(session.execute(query).scalars())


def _event_count(session: Session, conversations: set[str]) -> int:
    if not conversations or not has_events(session):
        return 0
    query = sa.select(sa.func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(sorted(conversations)))
    return session.execute(query).scalar_one()


def _eml_files(outbox_dir: Path | None, mails: Iterable[OutboxMail], text: str = "") -> list[Path]:
    """The `.eml` copies of these mails, and any other that contains `text`."""
    if outbox_dir is None or not outbox_dir.is_dir():
        return []
    found = {outbox_dir / f"{mail.id:06d}.eml" for mail in mails}
    if text.strip():
        needle = text.strip().lower().encode()
        found |= {path for path in outbox_dir.glob("*.eml") if needle in path.read_bytes().lower()}
    return sorted(path for path in found if path.exists())


def find_person(session: Session, email: str, outbox_dir: Path | None = None) -> Holdings:
    """Everything held on the person with this address."""
    address = email.strip().lower()
    leads = list(session.execute(sa.select(Lead).where(sa.func.lower(Lead.email) == address)).scalars())
    lead_ids = [lead.id for lead in leads]
    mails = list(
        session.execute(
            sa.select(OutboxMail).where(
                sa.or_(OutboxMail.lead_id.in_(lead_ids or [-1]), sa.func.lower(OutboxMail.reply_to) == address)
            )
        ).scalars()
    )
    conversations = {lead.conversation_id for lead in leads if lead.conversation_id}
    conversations |= conversations_mentioning(session, address)
    return Holdings(
        leads, mails, conversations, _event_count(session, conversations), _eml_files(outbox_dir, mails, address)
    )


def find_conversation(session: Session, sender_id: str, outbox_dir: Path | None = None) -> Holdings:
    """A conversation, with the leads that came from it and their mails."""
    leads = list(session.execute(sa.select(Lead).where(Lead.conversation_id == sender_id)).scalars())
    mails = [mail for lead in leads for mail in lead.mails]
    return Holdings(leads, mails, {sender_id}, _event_count(session, {sender_id}), _eml_files(outbox_dir, mails))


def _remove(session: Session, holdings: Holdings, reason: str, subjects: list[str] | None) -> Erasure:
    """Delete what was found (staff rows first), log counts and hashes (none when `subjects` is None), then delete
    the files once the rows are gone."""
    lead_ids = [lead.id for lead in holdings.leads]
    conversations = sorted(holdings.conversations)
    session.execute(sa.delete(LeadNote).where(LeadNote.lead_id.in_(lead_ids or [-1])))
    for table in (ConversationReview, ConversationTag):
        session.execute(sa.delete(table).where(table.sender_id.in_(conversations or [""])))
    for mail in holdings.mails:
        session.delete(mail)
    for lead in holdings.leads:
        session.delete(lead)
    if conversations and has_events(session):
        session.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(conversations)))
    erasure = Erasure(
        reason=reason,
        leads=len(holdings.leads),
        mails=len(holdings.mails),
        events=holdings.events,
        subjects=None
        if subjects is None
        else sorted(set(subjects) | {subject_hash("conversation", sender) for sender in conversations}),
    )
    session.add(erasure)
    session.flush()
    for path in holdings.files:
        path.unlink(missing_ok=True)
    return erasure


def erase_person(session: Session, email: str, outbox_dir: Path | None = None, reason: str = "request") -> Erasure:
    """Erase everything held on the person with this address (right to erasure)."""
    return _remove(session, find_person(session, email, outbox_dir), reason, [subject_hash("email", email)])


def erase_conversation(session: Session, sender_id: str, outbox_dir: Path | None = None) -> Erasure:
    """Erase one conversation and the leads that came from it."""
    holdings = find_conversation(session, sender_id, outbox_dir)
    return _remove(session, holdings, "request", [subject_hash("email", lead.email) for lead in holdings.leads])


MIN_AGE = timedelta(days=30)  # as bot/settings.py: a shorter retention is a typing slip ("0d")


def parse_age(text: str, minimum: timedelta = MIN_AGE) -> timedelta:
    """ "3y", "18m", "90d" → a duration (years of 365 days, months of 30), at least `minimum`."""
    match = re.fullmatch(r"\s*(\d+)\s*([ymd])\s*", text or "")
    if not match:
        raise ValueError("durée attendue sous la forme 3y, 18m ou 90d")
    count, unit = int(match.group(1)), match.group(2)
    age = timedelta(days=count * {"y": 365, "m": 30, "d": 1}[unit])
    if age < minimum:
        raise ValueError(f"au moins {minimum.days} jours")
    return age


@dataclass(frozen=True)
class Retention:
    """How long each kind of record is kept (RETENTION_LEADS, RETENTION_CONVERSATIONS, RETENTION_AUDIT)."""

    leads: timedelta
    conversations: timedelta
    audit: timedelta

    def with_age(self, age: timedelta) -> Retention:
        """A purge asked by hand: leads older than `age`, and conversations without a lead too if `age` is
        shorter than their own retention."""
        return Retention(age, min(age, self.conversations), self.audit)

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(
            parse_age(settings.retention_leads),
            parse_age(settings.retention_conversations),
            parse_age(settings.retention_audit),
        )


def _last_event_before(session: Session, cutoff: datetime) -> set[str]:
    """Conversations whose latest event is older than the cutoff."""
    if not has_events(session):
        return set()
    query = (
        sa.select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(sa.func.max(EVENTS.c.timestamp) < cutoff.timestamp())
    )
    return set(session.execute(query).scalars())


def find_expired(
    session: Session, retention: Retention, outbox_dir: Path | None = None, now: datetime | None = None
) -> Holdings:
    """What is past its retention: old leads with their conversations and mails, and the conversations that led
    to no lead and have been quiet for longer than their retention (a conversation of a kept lead stays)."""
    now = now or utcnow()
    old_leads = list(session.execute(sa.select(Lead).where(Lead.created_at < now - retention.leads)).scalars())
    linked = session.execute(sa.select(Lead.conversation_id, Lead.created_at)).all()
    kept = {sender for sender, created in linked if sender and _aware(created) >= now - retention.leads}
    quiet = _last_event_before(session, now - retention.conversations) - {sender for sender, _ in linked}
    conversations = ({lead.conversation_id for lead in old_leads if lead.conversation_id} | quiet) - kept
    mails = [mail for lead in old_leads for mail in lead.mails]
    return Holdings(
        old_leads, mails, conversations, _event_count(session, conversations), _eml_files(outbox_dir, mails)
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def purge(
    session: Session, retention: Retention, outbox_dir: Path | None = None, now: datetime | None = None
) -> Erasure:
    """Remove what is past its retention, and the audit entries and erasure logs older than RETENTION_AUDIT."""
    now = now or utcnow()
    holdings = find_expired(session, retention, outbox_dir, now)
    session.execute(sa.delete(AuditEntry).where(AuditEntry.at < now - retention.audit))
    session.execute(sa.delete(Erasure).where(Erasure.erased_at < now - retention.audit))
    # No hashes for what retention removes: a restored backup is purged again by the same rule.
    return _remove(session, holdings, "retention", None)


def replay_erasures(session: Session, outbox_dir: Path | None = None) -> list[Erasure]:
    """Apply every logged erasure again (after a backup is restored): what matches a logged hash is erased."""
    wanted: set[str] = set()
    for subjects in session.execute(sa.select(Erasure.subjects).where(Erasure.reason != "retention")).scalars():
        wanted.update(subjects or ())
    if not wanted:
        return []
    done = []
    emails = {lead.email.strip().lower() for lead in session.execute(sa.select(Lead)).scalars()}
    for email in sorted(email for email in emails if subject_hash("email", email) in wanted):
        done.append(erase_person(session, email, outbox_dir, reason="replay"))
    if has_events(session):
        senders = set(session.execute(sa.select(EVENTS.c.sender_id).distinct()).scalars())
        for sender in sorted(sender for sender in senders if subject_hash("conversation", sender) in wanted):
            holdings = find_conversation(session, sender, outbox_dir)
            done.append(_remove(session, holdings, "replay", []))
    return done


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _conversation(session: Session, sender_id: str) -> list[dict[str, object]]:
    """The visitor's and the assistant's messages of a conversation, oldest first."""
    rows = session.execute(
        sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.timestamp, EVENTS.c.id)
    ).scalars()
    messages = []
    for data in rows:
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue
        if event.get("event") in ("user", "bot") and (event.get("text") or "").strip():
            when = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc).isoformat()
            who = "visiteur" if event["event"] == "user" else "assistant"
            messages.append({"at": when, "from": who, "text": event["text"]})
    return messages


def export_person(session: Session, email: str, outbox_dir: Path | None = None) -> dict[str, object]:
    """Everything held on the person with this address (right of access), as plain data."""
    holdings = find_person(session, email, outbox_dir)
    lead_ids = [lead.id for lead in holdings.leads]
    notes = {
        note.lead_id: note.note
        for note in session.execute(sa.select(LeadNote).where(LeadNote.lead_id.in_(lead_ids or [-1]))).scalars()
    }
    conversations = sorted(holdings.conversations)
    tags = session.execute(
        sa.select(ConversationTag).where(ConversationTag.sender_id.in_(conversations or [""]))
    ).scalars()
    reviews = session.execute(
        sa.select(ConversationReview).where(ConversationReview.sender_id.in_(conversations or [""]))
    ).scalars()
    skip = {"id", "conversation_id"}
    return {
        "address": email.strip().lower(),
        "exported_at": utcnow().isoformat(),
        "leads": [
            {
                **{
                    column.name: _jsonable(getattr(lead, column.name))
                    for column in Lead.__table__.columns
                    if column.name not in skip
                },
                "conversation": lead.conversation_id,
                "staff_note": notes.get(lead.id),
            }
            for lead in holdings.leads
        ],
        "mails": [
            {
                "to": mail.recipient,
                "subject": mail.subject,
                "body": mail.body,
                "status": mail.status,
                "created_at": _jsonable(mail.created_at),
                "sent_at": _jsonable(mail.sent_at),
            }
            for mail in holdings.mails
        ],
        "conversations": [{"id": sender, "messages": _conversation(session, sender)} for sender in conversations],
        "staff_tags": sorted({(tag.sender_id, tag.tag) for tag in tags}),
        "staff_reviews": [{"conversation": review.sender_id, "note": review.note} for review in reviews if review.note],
    }


def export_text(export: dict) -> str:
    """The export as a text a person can read."""
    lines = [f"Données conservées pour {export['address']} (extraites le {str(export['exported_at'])[:10]})", ""]
    for lead in export["leads"]:
        lines.append("Fiche contact :")
        lines += [f"  {name} : {value}" for name, value in lead.items() if value not in (None, "", [], {})]
        lines.append("")
    for mail in export["mails"]:
        lines += [
            f"Courriel à {mail['to']} ({mail['created_at']}) : {mail['subject']}",
            "  " + mail["body"].replace("\n", "\n  "),
            "",
        ]
    for conversation in export["conversations"]:
        lines.append(f"Conversation {conversation['id']} :")
        lines += [
            f"  [{message['at'][:16]}] {message['from']} : {message['text']}" for message in conversation["messages"]
        ]
        lines.append("")
    if not export["leads"] and not export["conversations"]:
        lines.append("Aucune donnée n'est conservée pour cette adresse.")
    return "\n".join(lines).rstrip() + "\n"
