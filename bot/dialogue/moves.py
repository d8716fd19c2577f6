"""What a message asks for, from the NLU's intent and the words themselves: one "kind" per message.

The intent is the model's guess; the cues of `bot.dialogue.cues` correct it where
the words are unambiguous ("reprendre le test" is a resume even if the model hears
"recommencer", an insult is never a question on the program).
"""
from __future__ import annotations

import re

from bot import quiz
from bot.dialogue import cues
from bot.dialogue.reading import FALLBACK, Reading, button_intent
from bot.french import normalize

INTENT_KINDS = {
    "stop_quiz": "stop", "restart_quiz": "restart", "resume": "resume", "start_quiz": "start_quiz",
    "ask_estimate": "estimate", "ask_human": "human", "why_question": "why", "correct_answer": "correct",
    "faq": "faq", "greet": "greet", "thank": "thank", "goodbye": "goodbye", "capabilities": "capabilities",
    "out_of_scope": "out_of_scope", "english": "english", "affirm": "affirm", "deny": "deny",
    "dont_know": "dont_know", "inform": "inform", FALLBACK: "unclear", "choose": "choose",
}
SOCIAL = ("greet", "thank", "capabilities", "out_of_scope", "english")
FLOW_REQUESTS = {"start_quiz": "quiz", "estimate": "estimate", "human": "contact"}
COST_TOPICS = ("cout", "appui_court", "appui_long", "types_appui", "duree")
_DAYS_WITH_UNIT = re.compile(r"\d+(?:[.,]\d+)? ?(?:jours?|journees?|jrs?|j)\b|\b(?:un|une|deux|trois|quatre|cinq|six|sept"
                             r"|huit|neuf|dix|onze|douze|treize|quatorze|quinze) (?:jours?|journees?)\b")
# An estimate is asked in these words (or given days or a rate); "combien pour nous ?" asks the cost in general.
_ESTIMATE_WORDS = re.compile(r"\b(?:estim\w*|simul\w*|calcul\w*|chiffr\w*|devis|appui (?:court|long)|tarif|tjm)\b")
_QUIZ_REQUEST = re.compile(r"\b(?:faire|passer|lancer|commencer|commence|demarrer|demarre|refaire|essayer|tenter) "
                           r"(?:le |votre |ce |un |ton )?"
                           r"(?:test|teste|quiz+|questionnaire)\b|\btester (?:mon|notre|le|son) projet\b"
                           r"|\bje (?:teste|fais le test|passe le test|refais le test)\b"
                           r"|\b(?:on|je) (?:peut|peux|pourrait|pourrais) (?:le )?tester\b|\bpeut-on (?:le )?tester\b"
                           r"|^\W*(?:le |un |votre )?(?:test|quiz+|questionnaire)(?: d'eligibilite)?\b")
# "c'est plafonné à combien ?" asks the page's caps, not an estimate.
_CAP_WORDS = re.compile(r"\b(?:plafon\w*|au maximum|maximum|au max|au plus)\b")
_EXCESS = re.compile(r"\b(?:depassement|au-dela du plafond|au dela du plafond|surcout|le reste au-dessus)\b")
_SELF = re.compile(r"\b(?:on|nous|notre|nos|mon|ma|mes|je|j'|moi)\b")
_ASKING_ESTIMATE = re.compile(r"\b(?:estim\w*|simul\w*|chiffrage|chiffrer|calcul\w*)\b")
_MONEY = re.compile(r"\d ?(?:€|euros?\b|eur\b|k€|keur)|\b(?:tarif|tjm|taux journalier|prix de journee)\b")


def kind_of(reading: Reading) -> str:
    """The kind of move: "stop", "faq", "estimate", "inform", "unclear"…"""
    text = reading.typed
    intent = button_intent(reading.text) if reading.button else reading.intent
    kind = INTENT_KINDS.get(intent or FALLBACK, "unclear")
    if reading.button:
        return kind
    if cues.is_hostile(text):
        return "out_of_scope"
    if kind in ("greet", "thank", "goodbye") and not cues.says_small_talk(kind, text):
        kind = "unclear"  # "une équipe super motivée !" is no thanks, "heu" no goodbye
    if kind in ("stop", "resume", "restart") and not _control_cue(kind, text):
        kind = "unclear"  # the model's control intents need their words: "pas envie de répondre" stops nothing
    if cues.is_noise(text):
        return "noise"  # gibberish: asked again with buttons, never read as a topic
    if cues.looks_english(text):
        kind = "english"
    if cues.is_resume(text) and kind in ("restart", "start_quiz", "resume", "unclear", "stop", "inform"):
        return "resume"
    if cues.is_restart(text) and kind in ("resume", "start_quiz", "unclear"):
        return "restart"
    if kind in ("unclear", "correct", "deny", "resume", "restart", "inform", "affirm", "dont_know", "faq", "human") \
            and cues.is_stop(text) and not cues.asks_for_a_person(text) and not cues.is_question(text) \
            and len(text.split()) <= 12:
        return "stop"  # "en fait non, laissez tomber": the words say stop
    if kind != "stop" and _pausing(text):
        return "stop"
    person = cues.asks_for_a_person(text)
    if kind in ("faq", "unclear", "inform", "greet", "capabilities", "why", "estimate", "cost") and person:
        return "human"
    if kind in ("unclear", "faq", "inform", "affirm", "human", "start_quiz", "correct") and not person \
            and _ASKING_ESTIMATE.search(normalize(text)):
        return "estimate"
    if _EXCESS.search(normalize(text)) and cues.asks_something(text):
        return "excess"  # "le dépassement, qui le paie ?": not on the page, to confirm with the Aract
    if kind in ("faq", "unclear", "inform", "greet", "estimate", "correct", "capabilities", "cost") \
            and _QUIZ_REQUEST.search(normalize(text)):
        return "start_quiz"  # "asso de 30 salariés à Rennes, on peut faire le test ?"
    if kind == "faq" and len([fact for fact in quiz.prefill(text) if fact != "in_region"]) >= 2 \
            and _SELF.search(normalize(text)):
        return "start_quiz"  # "on est une PME de 40 salariés à Lyon, c'est pour nous ?": their structure, their test
    if kind in ("start_quiz", "inform") and cues.asks_something(text) and not _SELF.search(normalize(text)):
        return "faq"  # "et les associations, elles peuvent ?" asks the rule, for others
    if kind == "english" and cues.english_topic(text) == "human":
        return "human"
    if cues.asks_something(text) and cues.topic_named(text) and not person and kind not in ("estimate", "stop") \
            and not _QUIZ_REQUEST.search(normalize(text)):
        return "faq"  # "qui finance tout ça ?": the topic its words name (see `topic_of`), whatever the model heard
    if kind in ("faq", "unclear", "inform") and reading.topic in COST_TOPICS and carries_estimate(text):
        return "estimate"
    if kind == "estimate" and not carries_estimate(text) and not reading.entities and (
            not _ESTIMATE_WORDS.search(normalize(text)) or _CAP_WORDS.search(normalize(text))):
        return "cost"  # "à quel prix ?" asks the cost in general: the answer, and a button to estimate
    return kind


def _control_cue(kind: str, text: str) -> bool:
    return (cues.is_stop(text) if kind == "stop" else cues.is_resume(text) if kind == "resume"
            else cues.is_restart(text) or bool(re.search(r"\b(?:recommenc\w*|refai\w*|redemarr\w*)\b", normalize(text))))


def _pausing(text: str) -> bool:
    """"On met en pause, je reviendrai plus tard": a stop that keeps the answers, whatever the model heard."""
    return cues.is_stop(text) and bool(re.search(r"\b(?:pause|plus tard|reviendrai|reviens|demain)\b", normalize(text)))


def carries_estimate(text: str) -> bool:
    """Days or an amount written out: "7 jours d'appui court", "à 900 € la journée"."""
    normalized = normalize(text)
    return bool(_DAYS_WITH_UNIT.search(normalized) or _MONEY.search(normalized))


def flow_requested(kind: str) -> str | None:
    return FLOW_REQUESTS.get(kind)


def topic_of(reading: Reading) -> str | None:
    """The FAQ topic of a question: a button's, the one its words name beyond doubt, else the model's."""
    return reading.entities.get("topic") or cues.topic_named(reading.typed) or reading.topic
