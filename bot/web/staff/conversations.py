"""The list of conversations read from Rasa's tracker store, with their summary, filters and paging."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.models import Lead, OutboxMail
from bot.records.staff_models import ConversationReview, ConversationTag
from bot.web.staff.events import (
    EVENTS,
    HANDOFF_STATUSES,
    QUIZ_ACTIONS,
    VERDICTS,
    fallback_condition,
    has_events,
    json_fragment,
    load_data,
    to_datetime,
    verdict_pattern,
)

PARIS = ZoneInfo("Europe/Paris")
PER_PAGE = 25
YES_NO = ("yes", "no")


@dataclass(frozen=True)
class Filters:
    """What the staff asked for on the list page; empty means "any"."""

    verdict: str = ""  # eligible, not_eligible, to_check, none
    lead: str = ""  # yes, no
    handoff: str = ""
    fallback: str = ""
    reviewed: str = ""
    tag: str = ""
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "Filters":
        """Read the query string, ignoring values the form cannot send."""

        def choice(name: str, allowed: tuple) -> str:
            value = (query.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            verdict=choice("verdict", VERDICTS + ("none",)),
            lead=choice("lead", YES_NO),
            handoff=choice("handoff", YES_NO),
            fallback=choice("fallback", YES_NO),
            reviewed=choice("reviewed", YES_NO),
            tag=(query.get("tag") or "").strip()[:50],
            date_from=_date(query.get("from")),
            date_to=_date(query.get("to")),
            text=(query.get("q") or "").strip()[:200],
        )


@dataclass
class ConversationRow:
    """One line of the list."""

    sender_id: str
    started: datetime
    last: datetime
    turns: int
    verdict: str | None
    leads: int
    handoffs: int
    fallback: bool
    quiz: bool
    reviewed: bool
    tags: list[str] = field(default_factory=list)
    first_message: str = ""


@dataclass
class Page:
    """One page of rows and where it sits in the whole list."""

    rows: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def day_start(day: date) -> float:
    """Midnight of a day in Paris, as a tracker timestamp."""
    return datetime.combine(day, time.min, tzinfo=PARIS).timestamp()


def _summary():
    """Per sender: first and last event, visitor messages, fallback, quiz, id of the last bot event of each verdict."""
    e = EVENTS.c

    def flag(condition):
        return sa.func.max(sa.case((condition, 1), else_=0))

    def last_verdict(verdict: str):
        return sa.func.max(
            sa.case((sa.and_(e.type_name == "bot", e.data.like(verdict_pattern(verdict))), e.id), else_=None)
        ).label(f"v_{verdict}")

    turns = sa.func.sum(sa.case((e.type_name == "user", 1), else_=0))
    return (
        sa.select(
            e.sender_id,
            sa.func.min(e.timestamp).label("started"),
            sa.func.max(e.timestamp).label("last"),
            turns.label("turns"),
            flag(fallback_condition()).label("fallback"),
            flag(e.action_name.in_(QUIZ_ACTIONS)).label("quiz"),
            *(last_verdict(v) for v in VERDICTS),
        )
        .group_by(e.sender_id)
        # Opening the chat starts a session; only conversations where the visitor wrote count.
        .having(turns > 0)
        .subquery("summary")
    )


def conversation_table():
    """Subquery: one row per conversation with everything the list shows and filters on."""
    s = _summary()
    leads = (
        sa.select(
            Lead.conversation_id.label("cid"),
            sa.func.count(Lead.id).label("leads"),
            sa.func.max(Lead.verdict).label("lead_verdict"),
        )
        .where(Lead.conversation_id.isnot(None))
        .group_by(Lead.conversation_id)
        .subquery("lead_counts")
    )
    mails = (
        sa.select(Lead.conversation_id.label("cid"), sa.func.count(OutboxMail.id).label("handoffs"))
        .join(OutboxMail, OutboxMail.lead_id == Lead.id)
        .where(OutboxMail.status.in_(HANDOFF_STATUSES))
        .group_by(Lead.conversation_id)
        .subquery("handoff_counts")
    )
    review = ConversationReview.__table__
    eligible, not_eligible, to_check = s.c.v_eligible, s.c.v_not_eligible, s.c.v_to_check
    # The last verdict sent in the conversation wins (a visitor may redo the quiz); else the lead's.
    verdict = sa.case(
        (
            sa.and_(
                eligible.isnot(None),
                eligible >= sa.func.coalesce(not_eligible, 0),
                eligible >= sa.func.coalesce(to_check, 0),
            ),
            "eligible",
        ),
        (sa.and_(not_eligible.isnot(None), not_eligible >= sa.func.coalesce(to_check, 0)), "not_eligible"),
        (to_check.isnot(None), "to_check"),
        else_=leads.c.lead_verdict,
    )
    return (
        sa.select(
            s.c.sender_id,
            s.c.started,
            s.c.last,
            s.c.turns,
            s.c.fallback,
            s.c.quiz,
            verdict.label("verdict"),
            sa.func.coalesce(leads.c.leads, 0).label("leads"),
            sa.func.coalesce(mails.c.handoffs, 0).label("handoffs"),
            sa.case((review.c.reviewed == sa.true(), 1), else_=0).label("reviewed"),
        )
        .select_from(
            s.outerjoin(leads, leads.c.cid == s.c.sender_id)
            .outerjoin(mails, mails.c.cid == s.c.sender_id)
            .outerjoin(review, review.c.sender_id == s.c.sender_id)
        )
        .subquery("conversations")
    )


def senders_matching(session: Session, text: str) -> set[str]:
    """Conversations where a visitor or assistant message contains the text (case-insensitive)."""
    if not text:
        return set()
    variants = {text, text.lower(), text.upper(), text[:1].upper() + text[1:]}
    fragments = {json_fragment(variant).lower() for variant in variants}
    e = EVENTS.c
    # The data column holds JSON with escaped accents: narrow down in SQL, then check the message text itself.
    rows = session.execute(
        sa.select(e.sender_id, e.data).where(
            e.type_name.in_(("user", "bot")),
            sa.or_(*(sa.func.lower(e.data).contains(fragment, autoescape=True) for fragment in fragments)),
        )
    )
    needle = text.casefold()
    found = {sender for sender, data in rows if needle in str(load_data(data).get("text") or "").casefold()}
    exact = session.execute(sa.select(e.sender_id).where(e.sender_id == text).limit(1)).scalars().first()
    return found | ({exact} if exact else set())


def _conditions(session: Session, conv, filters: Filters) -> list:
    c = conv.c
    conditions = []
    if filters.verdict == "none":
        conditions.append(c.verdict.is_(None))
    elif filters.verdict:
        conditions.append(c.verdict == filters.verdict)
    for name, column in (
        ("lead", c.leads),
        ("handoff", c.handoffs),
        ("fallback", c.fallback),
        ("reviewed", c.reviewed),
    ):
        value = getattr(filters, name)
        if value:
            conditions.append(column > 0 if value == "yes" else column == 0)
    if filters.tag:
        tagged = sa.select(ConversationTag.sender_id).where(ConversationTag.tag == filters.tag)
        conditions.append(c.sender_id.in_(tagged))
    if filters.date_from:
        conditions.append(c.last >= day_start(filters.date_from))
    if filters.date_to:
        conditions.append(c.started < day_start(filters.date_to + timedelta(days=1)))
    if filters.text:
        conditions.append(c.sender_id.in_(sorted(senders_matching(session, filters.text)) or [""]))
    return conditions


def list_conversations(session: Session, filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of conversations, newest activity first."""
    if not has_events(session):
        return Page([], 0, 1, per_page)
    conv = conversation_table()
    where = _conditions(session, conv, filters)
    total = session.execute(sa.select(sa.func.count()).select_from(conv).where(*where)).scalar_one()
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = (
        session.execute(
            sa.select(conv)
            .where(*where)
            .order_by(conv.c.last.desc(), conv.c.sender_id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .mappings()
        .all()
    )
    items = [
        ConversationRow(
            sender_id=row["sender_id"],
            started=to_datetime(row["started"]),
            last=to_datetime(row["last"]),
            turns=int(row["turns"] or 0),
            verdict=row["verdict"],
            leads=int(row["leads"]),
            handoffs=int(row["handoffs"]),
            fallback=bool(row["fallback"]),
            quiz=bool(row["quiz"]),
            reviewed=bool(row["reviewed"]),
        )
        for row in rows
    ]
    ids = [item.sender_id for item in items]
    tags, firsts = tags_of(session, ids), first_messages(session, ids)
    for item in items:
        item.tags, item.first_message = tags.get(item.sender_id, []), firsts.get(item.sender_id, "")
    return Page(items, total, page, per_page)


def first_messages(session: Session, sender_ids: list[str]) -> dict[str, str]:
    """The visitor's first message in each of these conversations (what they came for)."""
    if not sender_ids:
        return {}
    e = EVENTS.c
    first_ids = (
        sa.select(sa.func.min(e.id)).where(e.sender_id.in_(sender_ids), e.type_name == "user").group_by(e.sender_id)
    )
    rows = session.execute(sa.select(e.sender_id, e.data).where(e.id.in_(first_ids)))
    return {sender: str(load_data(data).get("text") or "") for sender, data in rows}


def tags_of(session: Session, sender_ids: list[str]) -> dict[str, list[str]]:
    """Tags of these conversations, sorted."""
    if not sender_ids:
        return {}
    found: dict[str, list[str]] = {}
    for sender, tag in session.execute(
        sa.select(ConversationTag.sender_id, ConversationTag.tag)
        .where(ConversationTag.sender_id.in_(sender_ids))
        .order_by(ConversationTag.tag)
    ):
        found.setdefault(sender, []).append(tag)
    return found


def all_tags(session: Session) -> list[str]:
    """Every tag in use, for the filter's suggestions."""
    return session.execute(sa.select(ConversationTag.tag).distinct().order_by(ConversationTag.tag)).scalars().all()
