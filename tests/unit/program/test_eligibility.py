"""Tests of bot.program.eligibility: every rule of the program page, every unknown answer, the verdict order."""

import json
from dataclasses import FrozenInstanceError, fields, replace

import pytest

from bot.program.eligibility import (
    CRITERIA,
    MESSAGES,
    QuizAnswers,
    Reason,
    Verdict,
    evaluate,
    needs_agreement,
    needs_headcount,
)

ELIGIBLE_PME = QuizAnswers(
    structure_type="pme",
    headcount=35,
    in_region=True,
    place="Lyon (69)",
    role="dirigeant",
    novelty="yes",
    working_life="yes",
    lasting_change="yes",
    stakeholders="yes",
)


def reason(answers: QuizAnswers, criterion: str) -> Reason:
    return {r.criterion: r for r in evaluate(answers).reasons}[criterion]


def test_a_pme_meeting_every_criterion_is_eligible():
    verdict = evaluate(ELIGIBLE_PME)
    assert verdict.outcome == "eligible"
    assert all(r.ok is True for r in verdict.reasons)


def test_reasons_come_in_the_order_of_the_criteria():
    assert CRITERIA == (
        "structure",
        "headcount",
        "region",
        "submitter",
        "novelty",
        "working_life",
        "lasting_change",
        "stakeholders",
    )
    assert tuple(r.criterion for r in evaluate(QuizAnswers()).reasons) == CRITERIA


def test_every_reason_is_one_french_sentence():
    for answers in (ELIGIBLE_PME, QuizAnswers(), replace(ELIGIBLE_PME, structure_type="public", in_region=False)):
        for r in evaluate(answers).reasons:
            assert r.message and r.message.endswith(".") and "{" not in r.message, r


def test_nothing_answered_is_to_check():
    verdict = evaluate(QuizAnswers())
    assert verdict.outcome == "to_check"
    assert all(r.ok is None for r in verdict.reasons)


@pytest.mark.parametrize(
    "structure_type, ok",
    [
        ("pme", True),
        ("association", True),
        ("collectif", True),
        ("grande_entreprise", False),
        ("public", False),
        ("independant", False),
        (None, None),
        ("cooperative de la lune", None),  # a value no parser gives: treated as not answered
    ],
)
def test_structure(structure_type, ok):
    assert reason(replace(ELIGIBLE_PME, structure_type=structure_type), "structure").ok is ok


def test_structure_messages():
    assert reason(replace(ELIGIBLE_PME, structure_type="association"), "structure").message == (
        "Structure : association, c'est bien un des publics du dispositif."
    )
    excluded = reason(replace(ELIGIBLE_PME, structure_type="grande_entreprise"), "structure").message
    assert "PME" in excluded and "associations de moins de 250 salariés" in excluded and "collectifs" in excluded
    independant = reason(replace(ELIGIBLE_PME, structure_type="independant"), "structure").message
    assert "qualité de vie au travail des salariés" in independant


@pytest.mark.parametrize(
    "structure_type, headcount, ok",
    [
        ("pme", 1, True),
        ("pme", 249, True),
        ("pme", 250, False),
        ("pme", 251, False),
        ("pme", 5000, False),
        ("association", 249, True),
        ("association", 250, False),
        ("pme", 0, None),
        ("association", 0, None),
        ("pme", None, None),
        (None, 35, True),
        (None, 300, False),
        ("collectif", None, True),  # represented by a project holder: no limit
        ("collectif", 900, True),
        ("grande_entreprise", None, None),
        ("public", 3000, False),
        ("independant", 0, None),
    ],
)
def test_headcount(structure_type, headcount, ok):
    answers = replace(ELIGIBLE_PME, structure_type=structure_type, headcount=headcount)
    assert reason(answers, "headcount").ok is ok


def test_headcount_messages():
    assert reason(replace(ELIGIBLE_PME, headcount=35), "headcount").message == (
        "Effectif : 35 salariés, c'est bien moins de 250 salariés."
    )
    assert "1 salarié," in reason(replace(ELIGIBLE_PME, headcount=1), "headcount").message
    assert "1\u202f200 salariés" in reason(replace(ELIGIBLE_PME, headcount=1200), "headcount").message
    assert "moins de 250 salariés" in reason(replace(ELIGIBLE_PME, headcount=250), "headcount").message
    zero = reason(replace(ELIGIBLE_PME, headcount=0), "headcount").message
    assert "sans salarié : à confirmer avec l'Aract" in zero
    assert "qualité de vie au travail des salariés" in zero
    collectif = reason(replace(ELIGIBLE_PME, structure_type="collectif", headcount=None), "headcount").message
    assert "sans objet pour un collectif" in collectif


@pytest.mark.parametrize("in_region, ok", [(True, True), (False, None), (None, None)])
def test_region(in_region, ok):
    assert reason(replace(ELIGIBLE_PME, in_region=in_region), "region").ok is ok


def test_outside_the_region_is_never_eligible():
    verdict = evaluate(replace(ELIGIBLE_PME, in_region=False, place="Paris (75)"))
    assert verdict.outcome == "to_check"
    message = reason(replace(ELIGIBLE_PME, in_region=False, place="Paris (75)"), "region").message
    assert "Paris (75)" in message
    assert "Aract Auvergne-Rhône-Alpes" in message and "Région Auvergne-Rhône-Alpes" in message
    assert "à confirmer avec l'Aract" in message


def test_region_messages_without_a_place():
    assert "{" not in reason(replace(ELIGIBLE_PME, place=None), "region").message
    assert "{" not in reason(replace(ELIGIBLE_PME, in_region=False, place=None), "region").message
    assert "Lyon (69)" in reason(ELIGIBLE_PME, "region").message


@pytest.mark.parametrize(
    "role, agreement, ok",
    [
        ("dirigeant", None, True),
        ("dirigeant", "no", True),  # a manager needs nobody's agreement
        ("representant_salaries", "yes", True),
        ("representant_salaries", "no", False),
        ("representant_salaries", "unknown", None),
        ("representant_salaries", None, None),
        ("porteur_collectif", "yes", True),
        ("porteur_collectif", "no", False),
        ("porteur_collectif", "unknown", None),
        ("porteur_collectif", None, None),
        ("salarie", None, None),
        ("salarie", "yes", None),
        ("externe", None, False),
        (None, None, None),
    ],
)
def test_submitter(role, agreement, ok):
    assert reason(replace(ELIGIBLE_PME, role=role, agreement=agreement), "submitter").ok is ok


def test_submitter_messages_name_the_agreement_needed():
    refused = reason(replace(ELIGIBLE_PME, role="representant_salaries", agreement="no"), "submitter").message
    assert "l'accord du dirigeant" in refused
    refused = reason(replace(ELIGIBLE_PME, role="porteur_collectif", agreement="no"), "submitter").message
    assert "l'accord des organisations concernées" in refused
    salarie = reason(replace(ELIGIBLE_PME, role="salarie"), "submitter").message
    assert salarie.startswith("Dossier : à confirmer avec l'Aract")
    assert "un dirigeant, un représentant des salariés avec l'accord du dirigeant" in salarie
    externe = reason(replace(ELIGIBLE_PME, role="externe"), "submitter").message
    assert "pas par un intervenant extérieur" in externe


PROJECT_TEXT = {
    "novelty": "avoir une dimension novatrice pour l'entreprise et le territoire",
    "working_life": "améliorer la qualité de vie au travail des salariés",
    "lasting_change": (
        "modifier durablement les pratiques de l'entreprise (management, organisation du travail, dialogue social...)"
    ),
    "stakeholders": (
        "mobiliser l'ensemble des parties concernées (salariés, clients, fournisseurs, riverains usagers...)"
    ),
}


@pytest.mark.parametrize("criterion", sorted(PROJECT_TEXT))
@pytest.mark.parametrize(
    "answer, ok, outcome",
    [("yes", True, "eligible"), ("no", False, "not_eligible"), ("unknown", None, "to_check"), (None, None, "to_check")],
)
def test_project_criteria(criterion, answer, ok, outcome):
    answers = replace(ELIGIBLE_PME, **{criterion: answer})
    r = reason(answers, criterion)
    assert r.ok is ok
    assert PROJECT_TEXT[criterion] in r.message  # named as on the program page
    assert evaluate(answers).outcome == outcome


@pytest.mark.parametrize(
    "changes, outcome",
    [
        ({}, "eligible"),
        ({"structure_type": "association", "headcount": 249}, "eligible"),
        (
            {"structure_type": "collectif", "headcount": None, "role": "porteur_collectif", "agreement": "yes"},
            "eligible",
        ),
        ({"role": "representant_salaries", "agreement": "yes"}, "eligible"),
        ({"headcount": 250}, "not_eligible"),
        ({"structure_type": "grande_entreprise", "headcount": None}, "not_eligible"),
        ({"headcount": 0}, "to_check"),
        ({"in_region": False}, "to_check"),
        ({"in_region": None, "place": None}, "to_check"),
        ({"role": "salarie"}, "to_check"),
        # a failed criterion wins over any unsure one
        ({"in_region": False, "headcount": 300}, "not_eligible"),
        ({"novelty": "unknown", "stakeholders": "no"}, "not_eligible"),
        ({"role": "externe", "in_region": None}, "not_eligible"),
        ({"structure_type": "independant", "headcount": 0, "in_region": False}, "not_eligible"),
        ({"novelty": "unknown", "working_life": "unknown"}, "to_check"),
    ],
)
def test_outcome(changes, outcome):
    assert evaluate(replace(ELIGIBLE_PME, **changes)).outcome == outcome


@pytest.mark.parametrize(
    "role, expected",
    [
        ("representant_salaries", True),
        ("porteur_collectif", True),
        ("dirigeant", False),
        ("salarie", False),
        ("externe", False),
        (None, False),
    ],
)
def test_needs_agreement(role, expected):
    assert needs_agreement(role) is expected


@pytest.mark.parametrize(
    "structure_type, expected",
    [
        ("pme", True),
        ("association", True),
        ("independant", True),
        (None, True),
        ("collectif", False),
        ("grande_entreprise", False),
        ("public", False),
    ],
)
def test_needs_headcount(structure_type, expected):
    assert needs_headcount(structure_type) is expected


def test_to_dict_follows_the_design_contract():
    answers = replace(ELIGIBLE_PME, in_region=False, place="Genève (Suisse)", novelty="unknown")
    payload = evaluate(answers).to_dict(answers)
    assert set(payload) == {"verdict", "reasons", "answers"}
    assert payload["verdict"] == "to_check"
    assert [r["criterion"] for r in payload["reasons"]] == list(CRITERIA)
    for r in payload["reasons"]:
        assert set(r) == {"criterion", "ok", "message"}
        assert r["ok"] in (True, False, None) and isinstance(r["message"], str)
    assert payload["answers"] == {f.name: getattr(answers, f.name) for f in fields(QuizAnswers)}
    assert json.loads(json.dumps(payload)) == payload  # plain JSON, ok: true/false/null


def test_to_dict_keeps_unanswered_fields():
    answers = QuizAnswers()
    assert evaluate(answers).to_dict(answers)["answers"] == dict.fromkeys(f.name for f in fields(QuizAnswers))


def test_values_are_frozen():
    verdict = evaluate(ELIGIBLE_PME)
    with pytest.raises(FrozenInstanceError):
        verdict.outcome = "eligible"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        ELIGIBLE_PME.headcount = 12  # type: ignore[misc]
    assert isinstance(verdict, Verdict) and isinstance(verdict.reasons, tuple)


def test_messages_say_the_page_facts():
    text = " ".join(MESSAGES.values())
    assert "moins de 250 salariés" in text
    assert "Aract Auvergne-Rhône-Alpes" in text
    assert "riverains usagers" in text
