"""The staff's own notes on a conversation: reviewed or not, tags, a note (never written to Rasa's table)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.leads import clean_text
from bot.records.staff_models import ConversationReview, ConversationTag

MAX_TAGS = 10
MAX_NOTE = 5000


def parse_tags(text: str) -> list[str]:
    """ "relance, faq manquante" → ["faq manquante", "relance"]: comma-separated, lower case, unique."""
    tags = {clean_text(part, 50).lower() for part in (text or "").split(",")}
    return sorted(tag for tag in tags if tag)[:MAX_TAGS]


def get_review(session: Session, sender_id: str) -> ConversationReview | None:
    """The review of a conversation, if the staff saved one."""
    return session.get(ConversationReview, sender_id)


def save_review(
    session: Session, sender_id: str, reviewed: bool, tags: list[str], note: str, actor: str
) -> ConversationReview:
    """Replace the review, tags and note of a conversation."""
    review = get_review(session, sender_id) or ConversationReview(sender_id=sender_id)
    review.reviewed = reviewed
    review.note = clean_text(note, MAX_NOTE, multiline=True) or None
    review.updated_by = actor
    session.add(review)
    session.execute(sa.delete(ConversationTag).where(ConversationTag.sender_id == sender_id))
    session.add_all(ConversationTag(sender_id=sender_id, tag=tag) for tag in tags)
    session.flush()
    return review
