"""A message that asks several things, cut into its parts ("qui peut candidater et à quel prix ?").

The NLU model gives one intent per message; the channel (bot/channels.py) has each
part read by the model too, and the dialogue answers every question and keeps every
answer ("on est 18, et au fait c'est financé par qui ?"). A message without a
question is never cut: "une association de 40 salariés et on est à Lyon" stays one.
"""
from __future__ import annotations

import re

from bot.dialogue.cues import is_question

MAX_PARTS = 3
_GREETING = re.compile(r"^(?:bonjour|bonsoir|salut|slt|bjr|hello|coucou|re)\b[\s,!.]*", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*(?:\?+|[,;]|\bet\b|\bpuis\b|\bmais\b|\bainsi que\b|\baussi\b)\s*", re.IGNORECASE)
_ASKS = re.compile(r"\b(?:combien|comment|quand|qui|quel\w*|pourquoi|pk|où|cb|koi|quoi|est-ce|est ce|peut-on|faut-il"
                   r"|y a-t-il|gratuit|payant)\b|\?", re.IGNORECASE)


def question_parts(text: str) -> list[str]:
    """The parts of a message that asks something besides another question or an answer; the message without
    its opening greeting when it has one and says more ("Bonjour, je voudrais être rappelé"); else []."""
    original = (text or "").strip()
    text = _GREETING.sub("", original)
    if not text or text.startswith("/"):
        return []
    parts = _parts(text)
    if not parts and text != original and len(text.split()) >= 3:
        return [text]  # "Bonjour à vous" stays a greeting
    return parts


def _parts(text: str) -> list[str]:
    """Chunks between separators, a new part at each chunk that asks; kept only when one of them asks."""
    chunks = [chunk for chunk in _SEPARATOR.split(text) if chunk and chunk.strip()]
    marks = [bool(_ASKS.search(chunk)) for chunk in chunks]
    groups: list[list[str]] = []
    for chunk, asks in zip(chunks, marks):
        if not groups or asks:
            groups.append([chunk])
        else:
            groups[-1].append(chunk)
    parts = [", ".join(group).strip() for group in groups]
    parts = [part + " ?" if _ASKS.search(part) else part for part in parts]
    parts = [part for part in parts if len(part.split()) >= 2]
    if len(parts) < 2 or not any(_ASKS.search(part) or is_question(part) for part in parts[1:]):
        return []
    if "?" not in text and sum(bool(is_question(part)) for part in parts) < 2:
        return []  # "notre filiale, qui est une PME": a relative "qui", not a second question
    return parts[:MAX_PARTS]
