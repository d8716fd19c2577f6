"""What simulated visitors say: our assistant's realistic mix, and the starter assistant's.

A visitor is a generator: it yields the next message and receives the bot's
replies to it (a list of Rasa messages: `text`, `buttons`, `custom`), so it can
click a button of the last reply or answer the quiz question actually asked,
as a person would. It records what it saw in `Outcome` for the report.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Callable, Generator, List, Optional

Replies = List[dict]
Visitor = Generator[str, Replies, None]

# Phrases that mark a reply the benchmark counts separately (texts of domain/ and bot/rasa_ext/channels.py).
NOT_UNDERSTOOD = ("pas sûr d'avoir bien compris", "Je n'arrive pas à lire votre réponse")
APOLOGY = "problème technique"
TOO_FAST = "beaucoup de messages à la fois"


@dataclass
class Outcome:
    """What one conversation reached: the report counts verdicts, estimates and misunderstandings."""

    messages: int = 0
    quiz_verdict: Optional[str] = None
    estimate: bool = False
    not_understood: int = 0
    expected: tuple = ()

    @property
    def complete(self) -> bool:
        """Every milestone the script aims at was reached."""
        return all(getattr(self, name) for name in self.expected)


def texts(replies: Replies) -> str:
    """All texts of a turn, joined, with French no-break spaces made plain."""
    joined = "\n".join(reply.get("text") or "" for reply in replies)
    return joined.replace("\u202f", " ").replace("\u00a0", " ")


def custom(replies: Replies, key: str) -> Optional[dict]:
    """The custom payload `key` of a turn (eligibility, funding), if any."""
    for reply in replies:
        payload = reply.get("custom") or {}
        if isinstance(payload, dict) and key in payload:
            return payload[key]
    return None


def click(replies: Replies, title: str, fallback: str) -> str:
    """The payload of the button whose title contains `title`; `fallback` if the turn has no such button.

    REST replies carry `buttons`; Rasa's socket.io output sends the same buttons as `quick_replies`.
    """
    for reply in replies:
        for button in (reply.get("buttons") or []) + (reply.get("quick_replies") or []):
            if title.lower() in (button.get("title") or "").lower():
                return button["payload"]
    return fallback


# --- Our assistant -------------------------------------------------------------------------

FAQ_QUESTIONS = [
    "C'est quoi exactement ce dispositif d'appui-conseil ?",
    "Quelles organisations sont visées par ce programme ?",
    "les groupements d'employeurs sont-ils concernés ?",
    "Quelles formes d'accompagnement proposez-vous ?",
    "L'appui court, ça dure combien de jours ?",
    "Quel est le reste à charge pour l'entreprise ?",
    "Un élu du personnel a-t-il le droit de présenter le dossier ?",
    "Qui siège au comité qui choisit les projets ?",
    "Est-ce que je choisis moi-même le consultant ?",
    "Ce programme est financé par quel organisme ?",
    "Où dois-je envoyer mon dossier de candidature ?",
    "Jusqu'à quand peut-on postuler ?",
]

ESTIMATE_QUESTIONS = [
    "combien pour 4 jours à 900 € ?",
    "Combien devrons-nous payer pour dix jours d'appui long ?",
    "appui court de 3 jours à 950 € par jour",
    "c'est combien pour nous ?",
]

# How each quiz question can be recognised in the assistant's wording (as tests/e2e/test_quiz.py does).
QUESTION_MARKS = {
    "structure_type": ("type de structure",),
    "headcount": ("salariés compte", "nombre de salariés"),
    "place": ("située", "ce lieu"),
    "role": ("votre fonction",),
    "agreement": ("l'accord",),
    "novelty": ("novateur", "nouveau pour votre structure"),
    "working_life": ("qualité de vie au travail", "conditions de travail des salariés"),
    "lasting_change": ("durablement", "de façon durable"),
    "stakeholders": ("parties concernées", "personnes concernées"),
}
QUIZ_PROGRESS = re.compile(r"[Qq]uestion \d+ sur \d+")

# Personas: a button title to click ("click:…") or free text, for each question they may be asked.
PERSONAS = [
    {
        "opening": "Je voudrais savoir si mon projet peut être retenu",
        "structure_type": "click:Une association",
        "headcount": "on est 42",
        "place": "Villeurbanne",
        "role": "je suis la directrice",
        "novelty": "oui",
        "working_life": "oui bien sûr",
        "lasting_change": "tout à fait",
        "stakeholders": "click:Oui",
    },
    {
        "opening": "click:Tester mon projet",
        "structure_type": "une PME",
        "headcount": "click:De 50 à 249",
        "place": "dans le 38",
        "role": "élu au CSE",
        "agreement": "click:Oui",
        "novelty": "oui",
        "working_life": "pas vraiment",
        "lasting_change": "oui",
        "stakeholders": "click:Je ne sais pas",
    },
    {
        "opening": "je voudrais faire le test d'éligibilité",
        "structure_type": "un groupement d'employeurs",
        "role": "je suis chargée de mission du groupement",
        "agreement": "oui",
        "place": "Grenoble",
        "novelty": "click:Oui",
        "working_life": "oui",
        "lasting_change": "oui",
        "stakeholders": "oui",
    },
    {
        "opening": "est-ce qu'on rentre dans les clous pour ce programme ?",
        "structure_type": "click:Une PME",
        "headcount": "trente-cinq salariés",
        "place": "Bordeaux",
        "role": "click:Dirigeant",
        "novelty": "oui",
        "working_life": "click:Oui",
        "lasting_change": "click:Oui",
        "stakeholders": "oui",
    },
]


def _answer(replies: Replies, answer: str, fallback: str) -> str:
    if answer.startswith("click:"):
        return click(replies, answer[len("click:") :], fallback)
    return answer


def asked_question(replies: Replies) -> Optional[str]:
    """Which quiz question the turn asks, or None when the quiz is over (or was never started)."""
    text = texts(replies)
    match = next(reversed(list(QUIZ_PROGRESS.finditer(text))), None)  # the last one
    if match is None:
        return None
    question_text = text[match.end() :]
    for question, marks in QUESTION_MARKS.items():
        if any(mark in question_text for mark in marks):
            return question
    return "unknown"


def assistant_visitor(rng: random.Random, outcome: Outcome) -> Visitor:
    """A visitor of the program's page: hello, a question, the whole quiz, an estimate, another question, bye."""
    outcome.expected = ("quiz_verdict", "estimate")
    persona = dict(rng.choice(PERSONAS))
    replies = yield rng.choice(["Bonjour", "bonjour !", "Salut", "Bonjour, j'ai quelques questions"])
    replies = yield rng.choice(FAQ_QUESTIONS)
    replies = yield _answer(replies, persona.pop("opening"), "/start_quiz")
    for _ in range(12):  # eight questions at most, plus a few re-asks
        question = asked_question(replies)
        if question is None:
            break
        answer = persona.pop(question, None) or "click:Je ne sais pas"
        replies = yield _answer(replies, answer, "je ne sais pas")
    verdict = custom(replies, "eligibility")
    outcome.quiz_verdict = verdict.get("verdict") if verdict else None
    replies = yield rng.choice(ESTIMATE_QUESTIONS)
    for _ in range(4):  # the estimate asks only what is missing: the kind of support, then the days
        if custom(replies, "funding"):
            break
        if click(replies, "Estimer pour ma structure", ""):  # a cost question in general: the offer of an estimate
            replies = yield click(replies, "Estimer pour ma structure", "/ask_estimate")
        elif click(replies, "Appui court", ""):
            replies = yield click(replies, "Appui court", "Appui court")
        else:
            replies = yield "3"
    outcome.estimate = custom(replies, "funding") is not None
    replies = yield rng.choice(FAQ_QUESTIONS)
    replies = yield rng.choice(["merci", "Merci beaucoup", "super, merci"])
    yield rng.choice(["au revoir", "bonne journée, au revoir"])


# --- Rasa's starter assistant (`rasa init`) -------------------------------------------------

STARTER_GREETINGS = ["hello", "hi", "good morning", "hey there"]
STARTER_MOODS = ["I am sad", "great", "very good", "I feel very sad", "perfect", "not good"]


def starter_visitor(rng: random.Random, outcome: Outcome, length: int = 17) -> Visitor:
    """greet, mood, did that help, are you a bot, … up to `length` messages (as long as ours), then bye."""
    sent = 0
    while sent < length - 1:
        replies = yield rng.choice(STARTER_GREETINGS)
        replies = yield rng.choice(STARTER_MOODS)
        sent += 2
        if "did that help" in texts(replies).lower() and sent < length - 1:
            replies = yield rng.choice(["yes", "no", "of course", "never"])
            sent += 1
        if sent < length - 1:
            replies = yield "are you a bot?"
            sent += 1
    yield rng.choice(["bye", "goodbye", "see you later"])


VisitorFactory = Callable[[random.Random, Outcome], Visitor]

MIXES: dict = {
    "assistant": assistant_visitor,
    "starter": starter_visitor,
}


@dataclass
class ConversationLog:
    """What one visitor sent and received, turn by turn, for the checks against the tracker store."""

    sender: str
    turns: list = field(default_factory=list)  # (sent text, [received texts]) in the order sent
    unordered: list = field(default_factory=list)  # (first, last) turn indexes sent at once: any order is right
