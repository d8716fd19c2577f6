"""A message that asks several things, cut into its parts ("qui peut candidater et à quel prix ?").

The NLU model gives one intent per message; the channel (bot/rasa_ext/channels.py) has each
part read by the model too, and the dialogue answers every question and keeps every
answer ("on est 18, et au fait c'est financé par qui ?"). A message without a
question is never cut: "une association de 40 salariés et on est à Lyon" stays one.
"""

from __future__ import annotations

import re

from bot.dialogue.cues import is_question
from bot.program.quiz import prefill

MAX_PARTS = 3
_GREETING = re.compile(r"^(?:bonjour|bonsoir|salut|slt|bjr|hello|coucou|re)\b[\s,!.]*", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*(?:\?+|[,;]|\bet\b|\bpuis\b|\bmais\b|\bainsi que\b|\baussi\b)\s*", re.IGNORECASE)
_ASKS = re.compile(
    r"\b(?:combien|comment|quand|qui|quel\w*|pourquoi|pk|où|cb|koi|quoi|est-ce|est ce|peut-on|faut-il"
    r"|y a-t-il|gratuit|payant)\b|\?",
    re.IGNORECASE,
)


def question_parts(text: str) -> list[str]:
    """The parts of a message that asks something besides another question or an answer; the message without
    its opening greeting when it has one and says more ("Bonjour, je voudrais être rappelé"); else []."""
    original = (text or "").strip()
    text = _GREETING.sub("", original)
    if not text or text.startswith("/"):
        return []
    if len(text.split()) > 40:
        last = _last_question(text)
        if last:
            return [last]  # a long story ending on a question: the question is what to answer
    parts = _parts(text)
    if not parts and text != original and len(text.split()) >= 3:
        return [text]  # "Bonjour à vous" stays a greeting
    return parts


def _last_question(text: str) -> str | None:
    sentences = [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+", text) if sentence.strip()]
    if len(sentences) > 1 and sentences[-1].endswith("?"):
        return sentences[-1]
    return None


def _parts(text: str) -> list[str]:
    """Chunks between separators, a new part at each chunk that asks; kept only when one of them asks."""
    pieces = _SEPARATOR.split(text)
    ends = [match.group() for match in _SEPARATOR.finditer(text)] + [""]
    groups: list[tuple[list[str], bool]] = []
    for chunk, end in zip(pieces, ends):
        if not chunk or not chunk.strip():
            continue
        asks = bool(_ASKS.search(chunk)) or "?" in end  # "… il se réunit souvent ?" asks without a question word
        if not groups or asks:
            groups.append(([chunk], asks))
        else:
            groups[-1][0].append(chunk)
    parts = [", ".join(chunks).strip() + (" ?" if asks else "") for chunks, asks in groups]
    parts = [part for part in parts if len(part.split()) >= 2]
    if len(parts) < 2 or not any(_ASKS.search(part) or is_question(part) for part in parts[1:]):
        return []
    # A statement before a question is its own part only when it answers something ("on est 18, et … ?");
    # "le dossier de candidature, je l'envoie à qui ?" is one question about its opening words.
    first = parts[0]
    if not (
        _ASKS.search(first)
        or is_question(first)
        or prefill(first)
        or re.search(r"\d", first)
        or re.match(r"^\W*(?:oui|non|ouais|nan|si)\b", first, re.IGNORECASE)
    ):
        return []
    if "?" not in text and sum(bool(is_question(part)) for part in parts) < 2:
        return []  # "notre filiale, qui est une PME": a relative "qui", not a second question
    return parts[:MAX_PARTS]
