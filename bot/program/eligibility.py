"""Quiz verdict: the program page's criteria applied to the visitor's answers, with a reason for each."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, Tuple

from bot.program.french import format_number

ELIGIBLE, NOT_ELIGIBLE, TO_CHECK = "eligible", "not_eligible", "to_check"
CRITERIA = (
    "structure",
    "headcount",
    "region",
    "submitter",
    "novelty",
    "working_life",
    "lasting_change",
    "stakeholders",
)
HEADCOUNT_LIMIT = 250  # "des PME, des associations de moins de 250 salariés"
PROJECT_CRITERIA = ("novelty", "working_life", "lasting_change", "stakeholders")

# Everything the visitor reads, one sentence each, facts as on the program page.
MESSAGES: Dict[str, str] = {
    "structure:pme": "Structure : PME, c'est bien un des publics du dispositif.",
    "structure:association": "Structure : association, c'est bien un des publics du dispositif.",
    "structure:collectif": "Structure : collectif d'entreprises, c'est bien un des publics du dispositif.",
    "structure:grande_entreprise": (
        "Structure : le dispositif s'adresse aux PME, aux associations de moins de "
        "250 salariés et aux collectifs d'entreprises, pas aux grandes entreprises."
    ),
    "structure:public": (
        "Structure : le dispositif s'adresse aux PME, aux associations de moins de 250 salariés "
        "et aux collectifs d'entreprises, pas aux structures publiques."
    ),
    "structure:independant": (
        "Structure : le dispositif s'adresse aux PME, associations et collectifs d'entreprises, "
        "pour un projet qui améliore la qualité de vie au travail des salariés, "
        "pas à un indépendant seul."
    ),
    "structure:unknown": (
        "Structure : à préciser, le dispositif s'adresse aux PME, aux associations de moins de "
        "250 salariés et aux collectifs d'entreprises."
    ),
    "headcount:ok": "Effectif : {count}, c'est bien moins de 250 salariés.",
    "headcount:too_many": (
        "Effectif : {count}, or le dispositif s'adresse aux PME et associations de moins de 250 salariés."
    ),
    "headcount:zero": (
        "Effectif sans salarié : à confirmer avec l'Aract, le projet doit améliorer la qualité de vie "
        "au travail des salariés."
    ),
    "headcount:collectif": "Effectif : sans objet pour un collectif, représenté par un porteur de projet.",
    "headcount:not_asked": "Effectif : sans objet, la structure n'est pas un des publics du dispositif.",
    "headcount:unknown": (
        "Effectif : à préciser, le dispositif s'adresse aux PME et associations de moins de 250 salariés."
    ),
    "region:in": "Territoire : {place}, en Auvergne-Rhône-Alpes, c'est bien le territoire du dispositif.",
    "region:in_no_place": "Territoire : Auvergne-Rhône-Alpes, c'est bien le territoire du dispositif.",
    "region:out": (
        "Territoire : {place}, hors Auvergne-Rhône-Alpes, or le dispositif est piloté par l'Aract "
        "Auvergne-Rhône-Alpes et financé par la Région Auvergne-Rhône-Alpes : à confirmer avec l'Aract."
    ),
    "region:out_no_place": (
        "Territoire : hors Auvergne-Rhône-Alpes, or le dispositif est piloté par l'Aract "
        "Auvergne-Rhône-Alpes et financé par la Région Auvergne-Rhône-Alpes : à confirmer avec "
        "l'Aract."
    ),
    "region:unknown": (
        "Territoire : à préciser, le dispositif est piloté par l'Aract Auvergne-Rhône-Alpes et "
        "financé par la Région Auvergne-Rhône-Alpes."
    ),
    "submitter:dirigeant": "Dossier : en tant que dirigeant, vous pouvez présenter le projet.",
    "submitter:representant_salaries:yes": (
        "Dossier : en tant que représentant des salariés, vous pouvez présenter "
        "le projet, avec l'accord du dirigeant que vous avez."
    ),
    "submitter:representant_salaries:no": (
        "Dossier : un représentant des salariés présente le projet avec l'accord du dirigeant, qu'il vous faut obtenir."
    ),
    "submitter:representant_salaries:unknown": (
        "Dossier : un représentant des salariés présente le projet avec l'accord du dirigeant, à confirmer."
    ),
    "submitter:porteur_collectif:yes": (
        "Dossier : en tant que représentant de l'organisation porteuse, vous pouvez "
        "présenter le projet, avec l'accord des organisations concernées que vous "
        "avez."
    ),
    "submitter:porteur_collectif:no": (
        "Dossier : le représentant de l'organisation porteuse présente le projet avec "
        "l'accord des organisations concernées, qu'il vous faut obtenir."
    ),
    "submitter:porteur_collectif:unknown": (
        "Dossier : le représentant de l'organisation porteuse présente le projet "
        "avec l'accord des organisations concernées, à confirmer."
    ),
    "submitter:salarie": (
        "Dossier : à confirmer avec l'Aract : le dossier est présenté par un dirigeant, un "
        "représentant des salariés avec l'accord du dirigeant, ou le représentant de "
        "l'organisation porteuse."
    ),
    "submitter:benevole": (
        "Dossier : à confirmer avec l'Aract : il est présenté par un dirigeant (pour une association, "
        "un membre de son bureau), un représentant des salariés avec l'accord du dirigeant, ou le "
        "représentant de l'organisation porteuse."
    ),
    "submitter:externe": (
        "Dossier : il est présenté par un dirigeant, un représentant des salariés ou un "
        "représentant de l'organisation porteuse, pas par un intervenant extérieur."
    ),
    "submitter:unknown": (
        "Dossier : à préciser, il est présenté par un dirigeant, un représentant des salariés "
        "(avec l'accord du dirigeant) ou un représentant de l'organisation porteuse (avec "
        "l'accord des organisations concernées)."
    ),
    "project:yes": "Le projet doit {criterion} : c'est votre cas.",
    "project:no": "Le projet doit {criterion} : ce n'est pas encore le cas.",
    "project:unknown": "Le projet doit {criterion} : à préciser.",
    "criterion:novelty": "avoir une dimension novatrice pour l'entreprise et le territoire",
    "criterion:working_life": "améliorer la qualité de vie au travail des salariés",
    "criterion:lasting_change": (
        "modifier durablement les pratiques de l'entreprise (management, organisation du travail, dialogue social...)"
    ),
    "criterion:stakeholders": (
        "mobiliser l'ensemble des parties concernées (salariés, clients, fournisseurs, riverains usagers...)"
    ),
}
ACCEPTED_STRUCTURES = ("pme", "association", "collectif")
EXCLUDED_STRUCTURES = ("grande_entreprise", "public", "independant")
AGREEMENT_ROLES = ("representant_salaries", "porteur_collectif")  # "avec l'accord du dirigeant / des organisations"


@dataclass(frozen=True)
class QuizAnswers:
    """The visitor's answers to the quiz, as parsed by bot.program.french and bot.program.places."""

    structure_type: str | None = None
    headcount: int | None = None
    in_region: bool | None = None
    place: str | None = None
    role: str | None = None
    agreement: str | None = None
    novelty: str | None = None
    working_life: str | None = None
    lasting_change: str | None = None
    stakeholders: str | None = None


@dataclass(frozen=True)
class Reason:
    """One criterion: met (True), not met (False) or to check (None), with a French sentence."""

    criterion: str
    ok: bool | None
    message: str


@dataclass(frozen=True)
class Verdict:
    """Outcome of the quiz and the reasons behind it, in the order of CRITERIA."""

    outcome: str
    reasons: Tuple[Reason, ...]

    def to_dict(self, answers: QuizAnswers) -> dict[str, object]:
        """The "eligibility" custom message of the design contract."""
        return {
            "verdict": self.outcome,
            "reasons": [{"criterion": r.criterion, "ok": r.ok, "message": r.message} for r in self.reasons],
            "answers": asdict(answers),
        }


def needs_agreement(role: str | None) -> bool:
    """Whether the submitter needs someone's agreement (employee representative, collective's holder)."""
    return role in AGREEMENT_ROLES


def needs_headcount(structure_type: str | None) -> bool:
    """Whether to ask the headcount: the 250 limit is for PME and associations, not collectives."""
    return structure_type not in ("collectif", "grande_entreprise", "public")


def evaluate(answers: QuizAnswers) -> Verdict:
    """Verdict on the answers: not_eligible if a criterion fails, to_check if one is unsure, else eligible."""
    reasons = (
        _structure(answers.structure_type),
        _headcount(answers.structure_type, answers.headcount),
        _region(answers.in_region, answers.place),
        _submitter(answers.role, answers.agreement),
    ) + tuple(_project(name, getattr(answers, name)) for name in PROJECT_CRITERIA)
    return Verdict(_outcome(reasons), reasons)


def _outcome(reasons: Tuple[Reason, ...]) -> str:
    if any(reason.ok is False for reason in reasons):
        return NOT_ELIGIBLE
    if any(reason.ok is None for reason in reasons):
        return TO_CHECK
    return ELIGIBLE


def _structure(kind: str | None) -> Reason:
    if kind in ACCEPTED_STRUCTURES:  # "des PME, des associations ... ainsi qu'à des collectifs d'entreprises"
        return Reason("structure", True, MESSAGES[f"structure:{kind}"])
    if kind in EXCLUDED_STRUCTURES:
        # Large companies and public bodies are not on the page; a sole trader has no employees whose
        # quality of working life the project could improve.
        return Reason("structure", False, MESSAGES[f"structure:{kind}"])
    return Reason("structure", None, MESSAGES["structure:unknown"])


def _headcount(kind: str | None, count: int | None) -> Reason:
    if kind == "collectif":  # represented by a project holder: the 250 limit is for PME and associations
        return Reason("headcount", True, MESSAGES["headcount:collectif"])
    if count is None:
        key = "headcount:unknown" if needs_headcount(kind) else "headcount:not_asked"
        return Reason("headcount", None, MESSAGES[key])
    if count >= HEADCOUNT_LIMIT:  # "moins de 250 salariés": 250 itself is over the limit
        return Reason("headcount", False, MESSAGES["headcount:too_many"].format(count=_employees(count)))
    if count <= 0:  # the project must improve the employees' working life: the Aract decides
        return Reason("headcount", None, MESSAGES["headcount:zero"])
    return Reason("headcount", True, MESSAGES["headcount:ok"].format(count=_employees(count)))


def _employees(count: int) -> str:
    return f"{format_number(count)} salarié" + ("s" if count > 1 else "")


def _region(in_region: bool | None, place: str | None) -> Reason:
    suffix = "" if place else "_no_place"
    if in_region is True:
        return Reason("region", True, MESSAGES["region:in" + suffix].format(place=place))
    if in_region is False:  # run by the Aract and funded by the Région Auvergne-Rhône-Alpes: never "eligible"
        return Reason("region", None, MESSAGES["region:out" + suffix].format(place=place))
    return Reason("region", None, MESSAGES["region:unknown"])


def _submitter(role: str | None, agreement: str | None) -> Reason:
    if role == "dirigeant":  # "un dirigeant de l'entreprise ou de l'association concernée"
        return Reason("submitter", True, MESSAGES["submitter:dirigeant"])
    if role in AGREEMENT_ROLES:  # with the agreement of the manager / of the organisations concerned
        answer = agreement if agreement in ("yes", "no") else "unknown"
        ok = {"yes": True, "no": False}.get(answer)
        return Reason("submitter", ok, MESSAGES[f"submitter:{role}:{answer}"])
    if role in ("salarie", "benevole"):  # not in the page's list of who may present the project: the Aract decides
        return Reason("submitter", None, MESSAGES[f"submitter:{role}"])
    if role == "externe":  # "Cette personne référente remplit le dossier": someone of the structure
        return Reason("submitter", False, MESSAGES["submitter:externe"])
    return Reason("submitter", None, MESSAGES["submitter:unknown"])


def _project(name: str, answer: str | None) -> Reason:
    # "pour bénéficier du dispositif, ces projets doivent" meet all four criteria.
    key = answer if answer in ("yes", "no") else "unknown"
    ok = {"yes": True, "no": False}.get(key)
    message = MESSAGES[f"project:{key}"].format(criterion=MESSAGES[f"criterion:{name}"])
    return Reason(name, ok, message)
