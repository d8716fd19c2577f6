"""What a message asks for, from the NLU's intent and the words themselves: one "kind" per message.

The intent is the model's guess; the cues of `bot.dialogue.cues` correct it where
the words are unambiguous ("reprendre le test" is a resume even if the model hears
"recommencer", an insult is never a question on the program).
"""

from __future__ import annotations

import re

from bot.dialogue import cues
from bot.dialogue.reading import FALLBACK, Reading, button_intent
from bot.program import quiz
from bot.program.french import normalize

INTENT_KINDS = {
    "stop_quiz": "stop",
    "restart_quiz": "restart",
    "resume": "resume",
    "start_quiz": "start_quiz",
    "ask_estimate": "estimate",
    "ask_human": "human",
    "why_question": "why",
    "correct_answer": "correct",
    "faq": "faq",
    "greet": "greet",
    "thank": "thank",
    "goodbye": "goodbye",
    "capabilities": "capabilities",
    "out_of_scope": "out_of_scope",
    "english": "english",
    "affirm": "affirm",
    "deny": "deny",
    "dont_know": "dont_know",
    "inform": "inform",
    FALLBACK: "unclear",
    "choose": "choose",
}
SOCIAL = ("greet", "thank", "capabilities", "out_of_scope", "english", "announce")
FLOW_REQUESTS = {"start_quiz": "quiz", "estimate": "estimate", "human": "contact"}
COST_TOPICS = ("cout", "appui_court", "appui_long", "types_appui", "duree")
_DAYS_WITH_UNIT = re.compile(
    r"\d+(?:[.,]\d+)? ?(?:jours?|journees?|jrs?|j)\b|\b(?:un|une|deux|trois|quatre|cinq|six|sept"
    r"|huit|neuf|dix|onze|douze|treize|quatorze|quinze) (?:jours?|journees?)\b"
)
# An estimate is asked in these words (or given days or a rate); "combien pour nous ?" asks the cost first.
_ESTIMATE_WORDS = re.compile(r"\b(?:estim\w*|simul\w*|calcul\w*|chiffr\w*|devis|appui (?:court|long)|tarif|tjm)\b")
_QUIZ_REQUEST = re.compile(
    r"\bje (?:veux|voudrais|souhaite|souhaiterais|aimerais) (?:le |la |vous )?tester\b"
    r"|\btestez[- ](?:nous|moi|notre|mon)\b|\btestons\b"
    r"|\b(?:faire|passer|lancer|commencer|commence|demarrer|demarre|refaire|essayer|tenter) "
    r"(?:le |votre |ce |un |ton )?"
    r"(?:test|teste|quiz+|questionnaire)\b|\btester (?:mon|notre|le|son) projet\b"
    r"|\bje (?:teste|fais le test|passe le test|refais le test)\b"
    r"|\b(?:on|je) (?:peut|peux|pourrait|pourrais) (?:le )?tester\b|\bpeut-on (?:le )?tester\b"
    r"|^\W*(?:le |un |votre )?(?:test|quiz+|questionnaire)(?: d'eligibilite)?\b"
    # "je souhaiterais savoir, si ce n'est pas trop demander, si notre projet pourrait être retenu"
    r"|\bsavoir\b[^.?!]{0,60}\bsi (?:notre|mon|ma|nos) (?:projet|structure|association|asso|entreprise|dossier)\b"
    r"[^.?!]{0,40}\b(?:retenu\w*|eligible\w*|accepte\w*|accompagne\w*|selectionne\w*|beneficier)\b"
)
# "c'est plafonné à combien ?" asks the page's caps, not an estimate.
_CAP_WORDS = re.compile(r"\b(?:plafon\w*|au maximum|maximum|au max|au plus)\b")
_EXCESS = re.compile(r"\b(?:depassement|au-dela du plafond|au dela du plafond|surcout|le reste au-dessus)\b")
_PERSON_WORDS = re.compile(
    r"\b(?:humain\w*|conseill\w+|personne|quelqu'un|quelqu un|rappel\w*|rapel\w*|(?:re)?contact\w*|appel\w*|joindre"
    r"|telephone\w*|tel|relation|aract|interlocut\w+|referent\w*|parler|echanger|discuter|agent"
    r"|operat\w+|entretien\w*|entretenir|rdv|rendez-vous|passez-moi|responsable|avec (?:l'|votre )equipe)\b"
)
_ANNOUNCES_QUESTION = re.compile(
    r"^\W*(?:(?:bonjour|bonsoir|salut|hello)\W+)?(?:(?:alors|oui|ok|bon|euh|en fait)\W+)?"
    r"(?:j'ai|j'aurais|nous avons|nous aurions|on a|on aurait|je voudrais poser|je peux (?:vous )?poser|puis-je (?:vous )?poser)"
    r" (?:une|quelques|plusieurs|des|deux|trois|encore une|une autre|d'autres|1|2|3) (?:petites? |autres? )?"
    r"(?:questions?|renseignements?|interrogations?|precisions? a (?:vous )?demander)"
    r"(?: (?:a vous poser|pour vous|sur (?:le|ce|votre) (?:dispositif|programme)))?\W*$"
)
_QUIZ_WORDS = re.compile(
    r"\b(?:test\w*|quiz+|questionnaire|eligib\w*|verifi\w*|droit|recevable|retenu\w*|accept\w*"
    r"|eligible|concerne\w*|rentr\w*|entr\w* dans|candidat\w*|postul\w*)\b"
)
_COST_WORDS = re.compile(
    r"\b(?:combien|cout\w*|coute\w*|prix|pa[iy]\w*|tarif\w*|charge|budget|financ\w*|revien\w*"
    r"|debours\w*|montant|somme|factur\w*|euros?|gratuit|cher|reste)\b|€"
)
_VAT = re.compile(r"\b(?:tva|taxes?|hors taxes?|toutes taxes|ht ou ttc|ttc ou ht)\b")
# How a request for the test is put without its words: "mon projet a-t-il une chance", "ça colle pour nous".
_ASKS_FOR_US = re.compile(r"\b(?:projet|chances?|savoir si|voir si|pour nous|pour moi)\b")
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
    words = normalize(text)  # read once: every check below looks at the same normalized words
    if cues.is_hostile(text):
        return "out_of_scope"
    if kind in ("greet", "thank", "goodbye") and not cues.says_small_talk(kind, text):
        kind = "unclear"  # "une équipe super motivée !" is no thanks, "heu" no goodbye
    if kind in ("stop", "resume", "restart") and not _control_cue(kind, text):
        kind = "unclear"  # the model's control intents need their words: "pas envie de répondre" stops nothing
    if cues.is_noise(text):
        return "noise"  # gibberish: asked again with buttons, never read as a topic
    if kind == "dont_know" and not cues.is_dont_know(text) and not cues.is_refusal(text) and len(text.split()) <= 3:
        kind = "unclear"  # "euh…" hesitates, it does not say "je ne sais pas"
    if kind == "dont_know" and not cues.is_dont_know(text) and "?" in text:
        kind = "faq"  # "qui décide au final ?" asks; only the words "je ne sais pas" say one does not know
    if _ANNOUNCES_QUESTION.search(words):
        return "announce"  # "j'ai quelques questions": the question is still to come
    if cues.looks_english(text):
        kind = "english"
    if cues.is_resume(text) and kind in ("restart", "start_quiz", "resume", "unclear", "stop", "inform"):
        return "resume"
    if cues.is_restart(text) and kind in ("resume", "start_quiz", "unclear", "correct", "deny", "affirm", "inform"):
        return "restart"  # "non finalement si, on recommence": the words say restart
    if (
        kind in ("unclear", "correct", "deny", "resume", "restart", "inform", "affirm", "dont_know", "faq", "human")
        and cues.is_stop(text)
        and not cues.asks_for_a_person(text)
        and not cues.is_question(text)
        and len(text.split()) <= 12
    ):
        return "stop"  # "en fait non, laissez tomber": the words say stop
    if kind != "stop" and _pausing(text):
        return "stop"
    person = cues.asks_for_a_person(text)
    if kind == "human" and not person and not _PERSON_WORDS.search(words):
        kind = "unclear"  # "j'ai quelques questions", "quelques-uns, je dirais": no request for a person
    if kind == "start_quiz" and not _QUIZ_WORDS.search(words) and not _ASKS_FOR_US.search(words):
        if reading.confidence < 0.8 or not cues.is_question(text):
            kind = "unclear"  # "le bleu canard, je pense" asks for no test, however sure the model is
    if (
        kind == "estimate"
        and reading.confidence < 0.9
        and not carries_estimate(text)
        and not reading.entities
        and not (_ESTIMATE_WORDS.search(words) or _COST_WORDS.search(words))
    ):
        kind = "unclear"  # "on a fêté nos 30 ans, ça compte pour le dossier ?" asks for no estimate
    if kind in ("faq", "unclear", "inform", "greet", "capabilities", "why", "estimate", "cost") and person:
        return "human"
    if (
        kind in ("unclear", "faq", "inform", "affirm", "human", "start_quiz", "correct", "capabilities")
        and not person
        and _ASKING_ESTIMATE.search(words)
    ):
        return "estimate"
    if _EXCESS.search(words) and cues.asks_something(text):
        return "excess"  # "le dépassement, qui le paie ?": not on the page, to confirm with the Aract
    if _VAT.search(words) and cues.asks_something(text) and not carries_estimate(text):
        return "vat"  # "on peut récupérer la TVA ?": the page gives amounts HT, nothing more
    if (
        kind in ("faq", "unclear", "inform", "greet", "estimate", "correct", "capabilities", "cost")
        or (kind == "human" and not person)
    ) and _QUIZ_REQUEST.search(words):
        return "start_quiz"  # "asso de 30 salariés à Rennes, on peut faire le test ?"
    if kind == "faq" and len([fact for fact in quiz.prefill(text) if fact != "in_region"]) >= 2 and _SELF.search(words):
        return "start_quiz"  # "on est une PME de 40 salariés à Lyon, c'est pour nous ?": their structure, their test
    if kind in ("start_quiz", "inform") and cues.asks_something(text) and not _SELF.search(words):
        return "faq"  # "et les associations, elles peuvent ?" asks the rule, for others
    if kind == "english" and cues.english_topic(text) == "human":
        return "human"
    if kind in ("faq", "unclear", "inform") and reading.topic in COST_TOPICS and carries_estimate(text):
        return "estimate"
    if (
        kind != "stop"
        and not person
        and not carries_estimate(text)
        and cues.asks_something(text)
        and cues.topic_named(text)
        and not _QUIZ_REQUEST.search(words)
    ):
        return "faq"  # "qui finance tout ça ?": the topic its words name (see `topic_of`), whatever the model heard
    if (
        kind == "estimate"
        and not carries_estimate(text)
        and not reading.entities
        and (not _ESTIMATE_WORDS.search(words) or _CAP_WORDS.search(words))
    ):
        return "cost"  # "à quel prix ?", "combien pour nous ?": the page's answer first (see `for_themselves`)
    return kind


def for_themselves(text: str) -> bool:
    """ "C'est combien pour nous ?": a cost question about the visitor's own structure (not its caps)."""
    words = normalize(text)
    return bool(_SELF.search(words)) and not _CAP_WORDS.search(words)


def _control_cue(kind: str, text: str) -> bool:
    return (
        cues.is_stop(text)
        if kind == "stop"
        else cues.is_resume(text)
        if kind == "resume"
        else cues.is_restart(text) or bool(re.search(r"\b(?:recommenc\w*|refai\w*|redemarr\w*)\b", normalize(text)))
    )


def _pausing(text: str) -> bool:
    """ "On met en pause, je reviendrai plus tard": a stop that keeps the answers, whatever the model heard."""
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
