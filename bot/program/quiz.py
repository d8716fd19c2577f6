"""The eligibility quiz as a sequence of questions: which to ask, how to read answers, summary.

Slot values are normalised strings ("pme", "yes", "unknown"…) or a headcount
integer; `UNKNOWN` records a visitor who does not know, which the verdict
reads as "à confirmer".
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from bot.program.eligibility import EXCLUDED_STRUCTURES, HEADCOUNT_LIMIT, QuizAnswers, needs_agreement, needs_headcount
from bot.program.french import (
    fold,
    normalize,
    parse_headcount,
    parse_role,
    parse_staff_count,
    parse_structure_type,
    parse_yes_no,
)
from bot.program.places import parse_place

UNKNOWN = "unknown"

QUESTIONS = (
    "structure_type",
    "headcount",
    "place",
    "role",
    "agreement",
    "novelty",
    "working_life",
    "lasting_change",
    "stakeholders",
)
YES_NO_QUESTIONS = ("agreement", "novelty", "working_life", "lasting_change", "stakeholders")

STRUCTURE_VALUES = ("pme", "association", "collectif", "grande_entreprise", "public", "independant")
ROLE_VALUES = ("dirigeant", "representant_salaries", "porteur_collectif", "salarie", "benevole", "externe")

STRUCTURE_LABELS = {
    "pme": "PME",
    "association": "association",
    "collectif": "collectif d'entreprises",
    "grande_entreprise": "grande entreprise",
    "public": "structure publique",
    "independant": "indépendant sans salarié",
}
ROLE_LABELS = {
    "dirigeant": "dirigeant de la structure",
    "representant_salaries": "représentant des salariés",
    "porteur_collectif": "représentant de l'organisation porteuse",
    "salarie": "salarié de la structure",
    "benevole": "bénévole de la structure",
    "externe": "personne extérieure à la structure",
}
ANSWER_LABELS = {"yes": "oui", "no": "non", UNKNOWN: "à préciser"}
SUMMARY_LABELS = {
    "structure_type": "structure",
    "headcount": "effectif",
    "place": "lieu",
    "role": "vous êtes",
    "agreement": "accord obtenu",
    "novelty": "projet novateur",
    "working_life": "qualité de vie au travail",
    "lasting_change": "changement durable des pratiques",
    "stakeholders": "parties concernées mobilisées",
}


# "Je ne sais pas" to a question that is not yes/no: only an explicit don't-know counts
# ("bof" or "peut-être" say nothing about a headcount or a place).
_DONT_KNOW = re.compile(
    r"\b(je ne sais pas|je sais pas|sais pas|sait pas|jsp|aucune idee|ne sais plus|pas sur|inconnu|je ne connais pas)\b"
)


def _is_unknown(text: str) -> bool:
    # A long message telling the story of the structure may say "je ne sais pas si…": that is no answer.
    return len(text.split()) <= 12 and bool(_DONT_KNOW.search(normalize(text)))


# An understood answer: {"value": …}, and for a place whether it is in the region ("in_region").
Answer = dict[str, str | int | bool | None]


def _read_choice(parser: Callable[[str], str | None], allowed: tuple[str, ...]) -> Callable[[Any], Answer | None]:
    def read(value: Any) -> Answer | None:
        text = str(value)
        if text in allowed or text == UNKNOWN:
            return {"value": text}
        parsed = parser(text)
        if parsed is not None:
            return {"value": parsed}
        return {"value": UNKNOWN} if _is_unknown(text) else None

    return read


def _read_headcount(value: Any) -> Answer | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"value": int(value)} if value >= 0 else None
    text = str(value)
    if text == UNKNOWN or _is_unknown(text):
        return {"value": UNKNOWN}
    headcount = parse_headcount(text)
    return {"value": headcount} if headcount is not None and headcount >= 0 else None


def _read_place(value: Any) -> Answer | None:
    text = str(value)
    if text == UNKNOWN or _is_unknown(text):
        return {"value": UNKNOWN, "in_region": None}
    place = parse_place(text)
    if place is None:
        return None
    return {"value": place.label, "in_region": place.in_region}


def _read_yes_no(value: Any) -> Answer | None:
    text = str(value)
    if text in ANSWER_LABELS:
        return {"value": text}
    answer = parse_yes_no(text)
    return {"value": answer} if answer else None


READERS: dict[str, Callable[[Any], Answer | None]] = {
    "structure_type": _read_choice(parse_structure_type, STRUCTURE_VALUES),
    "headcount": _read_headcount,
    "place": _read_place,
    "role": _read_choice(parse_role, ROLE_VALUES),
    **{question: _read_yes_no for question in YES_NO_QUESTIONS},
}


def read_answer(question: str, value: Any, structure_type: str | None = None) -> Answer | None:
    """Understand an answer to one question: {"value": …, maybe "in_region"} or None.

    `structure_type`: the structure answered earlier ("je porte le dossier" holds a collective's project)."""
    if value is None:
        return None
    if question == "role" and structure_type:
        return _read_choice(lambda text: read_role(text, structure_type), ROLE_VALUES)(value)
    return READERS[question](value)


def answers_from_slots(slots: Mapping[str, Any]) -> QuizAnswers:
    """Build the verdict's input from slot values (UNKNOWN becomes None)."""

    def known(name: str) -> Any:
        value = slots.get(name)
        return None if value == UNKNOWN else value

    headcount = known("headcount")
    return QuizAnswers(
        structure_type=known("structure_type"),
        headcount=int(headcount) if headcount is not None else None,
        in_region=slots.get("in_region"),
        place=known("place"),
        role=known("role"),
        agreement=slots.get("agreement"),
        novelty=slots.get("novelty"),
        working_life=slots.get("working_life"),
        lasting_change=slots.get("lasting_change"),
        stakeholders=slots.get("stakeholders"),
    )


def _decided_early(slots: Mapping[str, Any]) -> bool:
    """A structure outside the page's public, or too many employees: the rest cannot change it."""
    if slots.get("structure_type") in EXCLUDED_STRUCTURES:
        return True
    headcount = slots.get("headcount")
    return (
        isinstance(headcount, (int, float))
        and needs_headcount(slots.get("structure_type"))
        and headcount >= HEADCOUNT_LIMIT
    )


def required_questions(slots: Mapping[str, Any]) -> list[str]:
    """The questions this visitor must answer, in order, given what is known so far."""
    if _decided_early(slots):
        return [question for question in QUESTIONS if slots.get(question) is not None]
    structure = slots.get("structure_type")
    questions = list(QUESTIONS)
    if structure is not None and not needs_headcount(None if structure == UNKNOWN else structure):
        questions.remove("headcount")
    if not needs_agreement(slots.get("role")):
        questions.remove("agreement")
    return questions


def next_question(slots: Mapping[str, Any]) -> str | None:
    """The first required question without an answer, or None when the quiz is complete."""
    return next((question for question in required_questions(slots) if slots.get(question) is None), None)


def progress(slots: Mapping[str, Any], question: str) -> tuple[int, int]:
    """Position of a question among those this visitor must answer: (3, 8)."""
    questions = required_questions(slots)
    if question not in questions:
        questions = questions + [question]
    return questions.index(question) + 1, len(questions)


def describe(question: str, value: Any) -> str:
    """One answer in French, as the summary shows it."""
    if value is None:
        return "—"
    if value == UNKNOWN:
        return ANSWER_LABELS[UNKNOWN]
    if question == "structure_type":
        return STRUCTURE_LABELS.get(value, str(value))
    if question == "role":
        return ROLE_LABELS.get(value, str(value))
    if question == "headcount":
        count = int(value)
        return f"{count} salarié" if count <= 1 else f"{count} salariés"
    if question in YES_NO_QUESTIONS:
        return ANSWER_LABELS.get(value, str(value))
    return str(value)


def summary(slots: Mapping[str, Any]) -> str:
    """All answers given, in one line: "structure : association ; effectif : 40 salariés ; …"."""
    parts = [
        f"{SUMMARY_LABELS[question]} : {describe(question, slots.get(question))}"
        for question in QUESTIONS
        if slots.get(question) is not None
    ]
    return " ; ".join(parts)


def prefill(text: str, known_structure: str | None = None) -> dict[str, Any]:
    """Facts a visitor states while asking to take the quiz ("une asso de 40 salariés à Lyon").

    `known_structure`: the structure answered earlier, which tells what "je porte le dossier" means.
    """
    facts: dict[str, Any] = {}
    structure = parse_structure_type(text)
    if structure == "pme" and not _SIZED_COMPANY.search(normalize(text)) and parse_headcount(text) is None:
        structure = None  # "le projet de ma boîte": a company, but of what size? the quiz asks
    if structure:
        facts["structure_type"] = structure
    headcount = parse_staff_count(text) if len(text.split()) > 12 else parse_headcount(text)
    place = parse_place(text)
    if place and place.department and headcount is not None and str(headcount) == place.department.lstrip("0"):
        # One number for two facts? "14 salariés dans le 63" has another place; "une PME dans le 38" has not.
        other = parse_place(re.sub(r"(?<!\d)0?%d(?!\d)" % headcount, " ", text, count=1))
        if other:
            place = other
        else:
            headcount = None
    # A lone number is ambiguous (a department? a headcount?): only a number next to
    # a structure or employees word is taken as a headcount.
    if headcount is not None and (structure or _mentions_staff(text)):
        facts["headcount"] = headcount
    if place:
        facts["place"] = place.label
        facts["in_region"] = place.in_region
    # "40 salariés" names the staff, not the visitor: a role needs the visitor speaking of themself.
    role = read_role(text, structure or known_structure) if _SPEAKS_OF_SELF.search(normalize(text)) else None
    if role:
        facts["role"] = role
        if needs_agreement(role) and _AGREEMENT_GIVEN.search(normalize(text)):
            facts["agreement"] = "yes"  # "je porte le projet pour le cluster, avec l'accord des entreprises"
    return facts


_AGREEMENT_GIVEN = re.compile(
    r"\b(?:avec (?:l'|leur |son |tout leur |le plein )?accord|(?:a|ont) donne (?:son|leur) accord"
    r"|(?:est|sont) (?:tous |toutes )?d'accord|accord de tous|(?:m'ont|m'a) mandate\w*"
    r"|mandate\w* par)\b"
)
# Carrying the project for a collective's members: the collective's holder, whatever the job title.
_CARRIES_PROJECT = re.compile(
    r"\bport\w* (?:le |un |ce |notre |la |cette )?(?:projet|dossier|demarche|candidature)\b"
    r"|\bporteu(?:r|se)\b|\bpour (?:les|nos|ses|leurs|tous les) (?:membres|adherents|entreprises)\b"
    r"|\bau nom (?:des|du|de)\b|\bcharge\w* de mission\b|\bcoordinat\w+\b|\banimat\w+\b"
)


# A message answering several yes/no questions at once: its clauses, each naming a criterion (_CRITERIA_WORDS, below).
_CLAUSE_BREAK = re.compile(r"[,;.!?]|\bet\b|\bmais\b")


def criteria_answers(text: str) -> dict[str, str]:
    """ "Oui pour la nouveauté, et oui aussi pour la qualité de vie": each criterion a clause names, with its answer."""
    found: dict[str, str] = {}
    last = None  # "oui pour la nouveauté et la qualité de vie": the second clause shares the first one's answer
    for clause in _CLAUSE_BREAK.split(normalize(text)):
        named = [
            criterion
            for criterion, pattern in _CRITERIA_WORDS.items()
            if criterion != "agreement" and pattern.search(clause)
        ]
        answer = parse_yes_no(clause) or ("no" if re.match(r"^\W*(?:aussi )?pas\b", clause) else None)
        negated = re.search(r"\b(?:pas|ne|n'|sans|jamais|moins)\b", clause)
        if not answer and negated:
            last = None  # "oui, même si ce n'est pas très innovant": no answer to carry on
        last = answer or last
        if len(named) == 1 and last:
            found[named[0]] = last
    return found


def read_role(text: str, structure_type: str | None = None) -> str | None:
    """The visitor's role; in a collective, whoever carries the project for its members is its holder."""
    role = parse_role(text)
    if (
        structure_type == "collectif"
        and role not in ("dirigeant", "representant_salaries", "porteur_collectif")
        and _CARRIES_PROJECT.search(normalize(text))
    ):
        return "porteur_collectif"
    return role


_SIZED_COMPANY = re.compile(
    r"\b(?:pmes?|tpes?|pmi|sarl|sas|sa|scop|scic|cooperatives?|petites?|start[- ]?ups?|insertion"
    r"|moyennes?)\b"
)
_SPEAKS_OF_SELF = re.compile(
    r"\b(je suis|c'est moi|moi c'est|moi,? je suis|j'y suis|j'en suis|j'suis|en tant que|je represente|moi-meme|mon role|ma fonction"
    r"|je (?:la |le |l')?(?:dirige|preside|gere)|je (?:porte|coordonne|anime|pilote))\b"
    # "Gérant d'une SARL de 12 salariés…": a message that opens with the visitor's title
    r"|^\W*(?:bonjour\W*)?(?:presidente?|directeur|directrice|gerante?|co-?gerante?|dg|pdg|dirigeante?"
    r"|elue?|delegue|coordinat\w+|charge\w* de mission|tresori\w+|responsable|patron\w*)\b"
)


def _mentions_staff(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("salari", "personne", "employ", "effectif", "collaborat", "etp", "agents"))


_PLACE_CUE = re.compile(r"\b(dans l[ea']|departement|situes?|bases?|implantes?|a|au|aux)\b")


_NEGATED = re.compile(
    r"\b(?:ne |n')?(?:sommes|est|suis|etait|etions|sont)? ?pas (?:du tout )?(?:une?|le|la|les|des|dans l[ea']? ?|a|au|en|de)? ?"
    r"[\w'-]+(?: (?:de|d')? ?salaries?)?",
    re.IGNORECASE,
)


def correction(text: str) -> dict[str, Any]:
    """Facts in a correction: as `prefill`, but a bare number ("on est 300") is a headcount; "pas X mais Y" is Y."""
    text = _NEGATED.sub(" ", fold(text))
    text = re.sub(r"\(\s*\d{2,3}\s*\)", " ", text)  # "Chambéry (73)": a department, never a headcount
    facts = prefill(text)
    if "headcount" in facts:
        return facts
    headcount = parse_headcount(text)
    if headcount is None:
        return facts
    # "on est 30" is a headcount, "on est dans le 38" a place: only a cue word makes it a place.
    if "place" in facts and _PLACE_CUE.search(normalize(text)):
        return facts
    facts.pop("place", None)
    facts.pop("in_region", None)
    facts["headcount"] = headcount
    return facts


# The project criteria by the words a visitor uses to name them in a correction ("en fait si, c'est nouveau pour nous").
_CRITERIA_WORDS = {
    "novelty": re.compile(r"\b(?:novat\w*|nouveaut\w*|nouveau|nouvelle|innov\w*|inedit\w*)\b"),
    "working_life": re.compile(r"\b(?:qualite de vie|qvt|qvct|conditions de travail|bien-etre|bien etre)\b"),
    "lasting_change": re.compile(r"\b(?:durabl\w*|pratiques|changement durable)\b"),
    "stakeholders": re.compile(
        r"\b(?:parties (?:concernees|prenantes)|mobilis\w*|tout le monde|les salaries sont associes)\b"
    ),
    "agreement": re.compile(r"\b(?:accord)\b"),
}
_YES_AFTER_ALL = re.compile(r"\b(?:en fait|mais|finalement|si) si\b|\bsi,|^si\b")


def criterion_correction(text: str) -> dict[str, Any]:
    """A yes/no criterion corrected in words: one criterion named, with a yes or a no."""
    normalized = normalize(text)
    named = [question for question, pattern in _CRITERIA_WORDS.items() if pattern.search(normalized)]
    if len(named) != 1:
        return {}
    answer = "yes" if _YES_AFTER_ALL.search(normalized) else parse_yes_no(text)
    return {named[0]: answer} if answer in ("yes", "no") else {}
