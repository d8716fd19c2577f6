"""Tests of bot.program.french: what visitors type in French, and the amounts they read back."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.program.french import (
    format_eur,
    format_number,
    normalize,
    parse_headcount,
    parse_number,
    parse_role,
    parse_structure_type,
    parse_yes_no,
)

NNBSP = "\u202f"  # narrow no-break space: thousands
NBSP = "\u00a0"  # no-break space: before "€" and "HT"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Éligible ?", "eligible ?"),
        ("  Nous   sommes\tà  Saint-Étienne ", "nous sommes a saint-etienne"),
        ("L’association d’insertion", "l'association d'insertion"),
        ("MISE EN ŒUVRE", "mise en oeuvre"),
        ("Rhône‑Alpes", "rhone-alpes"),  # non-breaking hyphen
        ("1\u202f200\u00a0€", "1 200 €"),
        ("Puy-de-Dôme", "puy-de-dome"),
        ("", ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("35", Decimal(35)),
        ("nous sommes 1 200", Decimal(1200)),
        (f"1{NNBSP}200 salariés", Decimal(1200)),
        (f"1{NBSP}200", Decimal(1200)),
        ("1.5", Decimal("1.5")),
        ("1,5 jour", Decimal("1.5")),
        ("1.200", Decimal("1.2")),  # a dot is a decimal point, never a thousands separator
        ("trente-cinq", Decimal(35)),
        ("deux cent cinquante personnes", Decimal(250)),
        ("un", Decimal(1)),
        ("deux", Decimal(2)),
        ("dix", Decimal(10)),
        ("mille", Decimal(1000)),
        ("1,2 k€", Decimal(1200)),
        ("2k", Decimal(2000)),
        ("3 keur", Decimal(3000)),
        ("une cinquantaine", Decimal(50)),
        ("à peu près 80 et pas 90", Decimal(80)),
        ("-3", Decimal(-3)),
        ("20-30", Decimal(20)),
        ("le 69003", Decimal(69003)),
        ("QUARANTE DEUX", Decimal(42)),
        ("aucun", None),
        ("je ne sais pas", None),
        ("", None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_parse_number_kilo_is_a_whole_number():
    assert str(parse_number("1,2 k€")) == "1200"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("35", 35),
        ("trente-cinq salariés", 35),
        ("250", 250),
        ("on est une cinquantaine", 50),
        ("une dizaine", 10),
        ("une vingtaine de salariés", 20),
        ("une centaine", 100),
        ("une quinzaine de personnes", 15),
        ("deux centaines", 200),
        ("un millier", 1000),
        ("environ 120", 120),
        ("à peu près 80", 80),
        ("plus ou moins 50", 50),
        ("moins de 10", 9),
        ("moins de 250", 249),
        ("moins d'une dizaine", 9),
        ("un peu moins de cinquante", 49),
        ("pas plus de 10", 10),
        ("plus de 300", 301),
        ("un peu plus de 40", 41),
        ("au moins 300", 300),
        ("entre 20 et 30", 30),
        ("entre une vingtaine et une trentaine", 30),
        ("20 à 30 salariés", 30),
        ("20-30", 30),
        ("deux ou trois", 3),
        ("aucun salarié", 0),
        ("pas de salarié", 0),
        ("zéro", 0),
        ("0", 0),
        ("juste moi", 0),
        ("je suis seul", 0),
        ("je suis seule, sans employé", 0),
        ("je suis toute seule", 0),
        ("un salarié", 1),
        ("une seule salariée", 1),
        ("1 200", 1200),
        ("mille", 1000),
        ("nous sommes une PME de 80 personnes à Grenoble", 80),
        ("12 salariés et 3 stagiaires", 12),
        ("2,5 ETP", 3),  # rounded up: never hides a crossing of the limit
        ("69003", 69003),  # not a headcount, but a number: kept simple
        ("quelques dizaines", None),  # too vague for a figure: asked again
        ("une petite équipe", None),
        ("je ne sais pas", None),
        ("", None),
    ],
)
def test_parse_headcount(text, expected):
    assert parse_headcount(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("oui", "yes"),
        ("Oui !", "yes"),
        ("ouais", "yes"),
        ("ouai", "yes"),
        ("yes", "yes"),
        ("bien sûr", "yes"),
        ("oui bien sûr", "yes"),
        ("tout à fait", "yes"),
        ("absolument", "yes"),
        ("évidemment", "yes"),
        ("exactement", "yes"),
        ("carrément", "yes"),
        ("c'est le cas", "yes"),
        ("plutôt oui", "yes"),
        ("je pense que oui", "yes"),
        ("d'accord", "yes"),
        ("ok", "yes"),
        ("c'est l'objectif", "yes"),
        ("si", "yes"),
        ("non", "no"),
        ("NON.", "no"),
        ("nan", "no"),
        ("pas du tout", "no"),
        ("pas vraiment", "no"),
        ("non, pas vraiment", "no"),
        ("plutôt non", "no"),
        ("absolument pas", "no"),
        ("pas encore", "no"),
        ("je ne pense pas", "no"),
        ("pas spécialement", "no"),
        ("bien sûr que non", "no"),
        ("ce n'est pas le cas", "no"),
        ("pas d'accord", "no"),
        ("je ne sais pas", "unknown"),
        ("jsp", "unknown"),
        ("aucune idée", "unknown"),
        ("peut-être", "unknown"),
        ("pas sûr", "unknown"),
        ("je ne suis pas sûre", "unknown"),
        ("pas vraiment sûr", "unknown"),
        ("difficile à dire", "unknown"),
        ("je sais pas trop", "unknown"),
        ("j'en sais rien", "unknown"),
        ("en partie", "unknown"),
        ("à voir", "unknown"),
        ("oui et non", "unknown"),
        ("pas tout à fait", "unknown"),
        ("plus ou moins", "unknown"),
        ("plus ou moins 50", None),  # a figure, not a doubt
        ("banane", None),
        ("", None),
    ],
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PME", "pme"),
        ("une TPE", "pme"),
        ("une entreprise", "pme"),
        ("société", "pme"),
        ("SARL", "pme"),
        ("nous sommes une SAS", "pme"),
        ("une SA", "pme"),
        ("EURL", "pme"),
        ("SASU", "pme"),
        ("SASU, je suis seul", "independant"),
        ("une SASU sans salarié", "independant"),
        ("une SCOP", "pme"),
        ("SCIC", "pme"),
        ("start-up", "pme"),
        ("petite entreprise", "pme"),
        ("entreprise de 30 salariés", "pme"),
        ("une boîte de 12 personnes", "pme"),
        ("asso", "association"),
        ("une association", "association"),
        ("association loi 1901", "association"),
        ("une asso d'insertion", "association"),
        ("une association qui travaille avec la mairie", "association"),
        ("groupement d'employeurs", "collectif"),
        ("un GE", "collectif"),
        ("pôle de compétitivité", "collectif"),
        ("un cluster", "collectif"),
        ("réseau d'entreprises", "collectif"),
        ("collectif d'entreprises", "collectif"),
        ("acteur de territoire", "collectif"),
        ("un consortium", "collectif"),
        ("grande entreprise", "grande_entreprise"),
        ("un grand groupe", "grande_entreprise"),
        ("multinationale", "grande_entreprise"),
        ("une ETI", "grande_entreprise"),
        ("collectivité territoriale", "public"),
        ("mairie", "public"),
        ("une commune", "public"),
        ("le département", "public"),
        ("établissement public", "public"),
        ("administration", "public"),
        ("hôpital public", "public"),
        ("service de l'État", "public"),
        ("EPCI", "public"),
        ("université", "public"),
        ("auto-entrepreneur", "independant"),
        ("micro-entrepreneur", "independant"),
        ("indépendant", "independant"),
        ("freelance", "independant"),
        ("profession libérale", "independant"),
        ("je travaille seul", "independant"),
        ("je suis toute seule", "independant"),
        ("je suis seul dirigeant d'une PME de 20 salariés", "pme"),
        ("je suis au département RH d'une PME", "pme"),  # "département" is not the public body here
        ("sa boîte", "pme"),  # "sa" the possessive, not a SA; "boîte" decides
        ("sa structure", None),
        ("quel âge ?", None),  # "ge" only as a word
        ("rien de tout ça", None),
        ("", None),
    ],
)
def test_parse_structure_type(text, expected):
    assert parse_structure_type(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("gérant", "dirigeant"),
        ("je suis la gérante", "dirigeant"),
        ("gérant·e", "dirigeant"),
        ("co-gérant", "dirigeant"),
        ("directeur", "dirigeant"),
        ("directrice de l'association", "dirigeant"),
        ("directeur général", "dirigeant"),
        ("DG", "dirigeant"),
        ("PDG", "dirigeant"),
        ("présidente", "dirigeant"),
        ("le patron", "dirigeant"),
        ("fondatrice", "dirigeant"),
        ("chef d'entreprise", "dirigeant"),
        ("je dirige la boîte", "dirigeant"),
        ("président du CSE", "dirigeant"),  # the CSE is chaired by the employer
        ("directeur d'une PME membre du cluster", "dirigeant"),
        ("élu CSE", "representant_salaries"),
        ("membre du CSE", "representant_salaries"),
        ("représentant du personnel", "representant_salaries"),
        ("déléguée du personnel", "representant_salaries"),
        ("délégué syndical", "representant_salaries"),
        ("je représente les salariés", "representant_salaries"),
        ("animatrice du cluster", "porteur_collectif"),
        ("chargée de mission du pôle de compétitivité", "porteur_collectif"),
        ("chargé de mission au GE", "porteur_collectif"),
        ("représentant du groupement", "porteur_collectif"),
        ("je représente le collectif", "porteur_collectif"),
        ("coordinateur du réseau", "porteur_collectif"),
        ("salarié", "salarie"),
        ("DRH", "salarie"),
        ("directeur des ressources humaines", "salarie"),
        ("directrice RH", "salarie"),
        ("responsable RH", "salarie"),
        ("manager", "salarie"),
        ("cheffe de projet", "salarie"),
        ("chargé de mission", "salarie"),
        ("assistante de direction", "salarie"),
        ("comptable", "salarie"),
        ("consultant", "externe"),
        ("je suis consultante", "externe"),
        ("prestataire", "externe"),
        ("cabinet de conseil", "externe"),
        ("étudiant", "externe"),
        ("personne", None),
        ("", None),
    ],
)
def test_parse_role(text, expected):
    assert parse_role(text) == expected


@pytest.mark.parametrize(
    "amount, ht, expected",
    [
        (2400, True, f"2{NNBSP}400{NBSP}€{NBSP}HT"),
        (570, True, f"570{NBSP}€{NBSP}HT"),
        (Decimal("1234.5"), True, f"1{NNBSP}234,50{NBSP}€{NBSP}HT"),
        (Decimal("2280.00"), True, f"2{NNBSP}280{NBSP}€{NBSP}HT"),
        (Decimal("199.998"), True, f"200{NBSP}€{NBSP}HT"),
        (Decimal("0.005"), True, f"0,01{NBSP}€{NBSP}HT"),
        (0, True, f"0{NBSP}€{NBSP}HT"),
        (1000000, True, f"1{NNBSP}000{NNBSP}000{NBSP}€{NBSP}HT"),
        (3000, False, f"3{NNBSP}000{NBSP}€"),
        (Decimal("799.99"), False, f"799,99{NBSP}€"),
        (-1500, False, f"-1{NNBSP}500{NBSP}€"),
        (Decimal("-0.001"), False, f"0{NBSP}€"),
        (Decimal("-0.5"), False, f"-0,50{NBSP}€"),
        (1234.5, True, f"1{NNBSP}234,50{NBSP}€{NBSP}HT"),
    ],
)
def test_format_eur(amount, ht, expected):
    assert format_eur(amount, ht=ht) == expected


def test_format_eur_is_ht_by_default():
    assert format_eur(Decimal(1000)) == f"1{NNBSP}000{NBSP}€{NBSP}HT"


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "0"),
        (999, "999"),
        (1000, f"1{NNBSP}000"),
        (1200, f"1{NNBSP}200"),
        (Decimal("12345678"), f"12{NNBSP}345{NNBSP}678"),
        (Decimal("2.5"), "2,5"),
        (Decimal("1234.50"), f"1{NNBSP}234,5"),
        (Decimal("10.00"), "10"),
        (-250, "-250"),
        (Decimal("-0.5"), "-0,5"),
        (Decimal("0.0000001"), "0,0000001"),
        (Decimal("1E+3"), f"1{NNBSP}000"),
        (Decimal("-0"), "0"),
    ],
)
def test_format_number(n, expected):
    assert format_number(n) == expected


@pytest.mark.parametrize("value", ["beaucoup", Decimal("NaN"), float("inf")])
def test_formatting_rejects_what_is_not_a_number(value):
    with pytest.raises(ValueError):
        format_number(value)
    with pytest.raises(ValueError):
        format_eur(value)


@given(st.text(max_size=80))
def test_property_parsers_never_fail_on_any_text(text):
    assert parse_number(text) is None or isinstance(parse_number(text), Decimal)
    assert parse_headcount(text) is None or isinstance(parse_headcount(text), int)
    assert parse_yes_no(text) in (None, "yes", "no", "unknown")
    assert parse_structure_type(text) in (
        None,
        "pme",
        "association",
        "collectif",
        "grande_entreprise",
        "public",
        "independant",
    )
    assert parse_role(text) in (None, "dirigeant", "representant_salaries", "porteur_collectif", "salarie", "externe")


@given(st.integers(min_value=0, max_value=10**9))
def test_property_formatted_numbers_read_back(n):
    assert parse_number(format_number(n)) == n
    assert parse_headcount(format_number(n)) == n


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2))
def test_property_format_eur_groups_by_three_and_keeps_the_cents(amount):
    text = format_eur(amount)
    assert text.endswith(f"{NBSP}€{NBSP}HT")
    digits = text[: -len(f"{NBSP}€{NBSP}HT")]
    whole = digits.lstrip("-").split(",")[0]
    assert all(len(group) == 3 for group in whole.split(NNBSP)[1:])
    assert Decimal(digits.replace(NNBSP, "").replace(",", ".")) == amount


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).resolve().parents[3] / "bot" / "program").glob("*.py")), ids=lambda path: path.name
)
def test_the_program_rules_import_no_rasa_no_database_no_web(path):
    """bot/program/ is the program's rules in plain Python: a newcomer reads them without knowing Rasa."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    roots = {name.split(".")[0] for name in imported}
    assert not roots & {"rasa", "rasa_sdk", "sqlalchemy", "fastapi", "sanic"}, imported
    assert all(name.startswith("bot.program") for name in imported if name.startswith("bot")), imported
