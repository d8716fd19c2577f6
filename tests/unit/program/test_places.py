"""Tests of bot.program.places: is the structure in Auvergne-Rhône-Alpes, the program's territory?"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.program.places import DEPARTMENTS, REGION_CITIES, REGION_DEPARTMENTS, Place, department_place, parse_place


@pytest.mark.parametrize(
    "text, label, department",
    [
        ("69", "Rhône (69)", "69"),
        ("01", "Ain (01)", "01"),
        ("on est dans le 63", "Puy-de-Dôme (63)", "63"),
        ("département 38", "Isère (38)", "38"),
        ("département 3", "Allier (03)", "03"),
        ("38000", "Isère (38)", "38"),
        ("69003", "Rhône (69)", "69"),
        ("notre siège est au 15000", "Cantal (15)", "15"),
        ("Lyon", "Lyon (69)", "69"),
        ("à Lyon 3e", "Lyon (69)", "69"),
        ("Villeurbanne", "Villeurbanne (69)", "69"),
        ("Grenoble 38000", "Grenoble (38)", "38"),
        ("st etienne", "Saint-Étienne (42)", "42"),
        ("saint etienne", "Saint-Étienne (42)", "42"),
        ("St-Étienne", "Saint-Étienne (42)", "42"),
        ("clermont", "Clermont-Ferrand (63)", "63"),
        ("Clermont-Ferrand", "Clermont-Ferrand (63)", "63"),
        ("le puy", "Le Puy-en-Velay (43)", "43"),
        ("Le Puy-en-Velay", "Le Puy-en-Velay (43)", "43"),
        ("Annecy", "Annecy (74)", "74"),
        ("Chambéry", "Chambéry (73)", "73"),
        ("Valence", "Valence (26)", "26"),
        ("Vienne", "Vienne (38)", "38"),
        ("Roanne", "Roanne (42)", "42"),
        ("bourg en bresse", "Bourg-en-Bresse (01)", "01"),
        ("Montluçon", "Montluçon (03)", "03"),
        ("vichy", "Vichy (03)", "03"),
        ("Aurillac", "Aurillac (15)", "15"),
        ("Saint-Flour", "Saint-Flour (15)", "15"),
        ("Privas", "Privas (07)", "07"),
        ("Annonay", "Annonay (07)", "07"),
        ("montelimar", "Montélimar (26)", "26"),
        ("Die", "Die (26)", "26"),
        ("à Fontaine", "Fontaine (38)", "38"),
        ("Romans sur Isère", "Romans-sur-Isère (26)", "26"),
        ("Villefranche", "Villefranche-sur-Saône (69)", "69"),
        ("Thonon", "Thonon-les-Bains (74)", "74"),
        ("Aix-les-Bains", "Aix-les-Bains (73)", "73"),
        ("Saint-Martin-d'Hères", "Saint-Martin-d'Hères (38)", "38"),
        ("Décines", "Décines-Charpieu (69)", "69"),
        ("Chamonix", "Chamonix-Mont-Blanc (74)", "74"),
        ("Riom", "Riom (63)", "63"),
        ("Yssingeaux", "Yssingeaux (43)", "43"),
        ("haute savoie", "Haute-Savoie (74)", "74"),
        ("Haute-Loire", "Haute-Loire (43)", "43"),
        ("la Loire", "Loire (42)", "42"),
        ("puy de dome", "Puy-de-Dôme (63)", "63"),
        ("en Ardèche", "Ardèche (07)", "07"),
        ("Isère", "Isère (38)", "38"),
        ("dans l'Ain", "Ain (01)", "01"),
        ("Métropole de Lyon", "Métropole de Lyon (69)", "69"),
        ("dans le Grand Lyon", "Métropole de Lyon (69)", "69"),
        ("région grenobloise", "région grenobloise (38)", "38"),
        ("Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes", None),
        ("auvergne rhone alpes", "Auvergne-Rhône-Alpes", None),
        ("AURA", "Auvergne-Rhône-Alpes", None),
        ("en aura", "Auvergne-Rhône-Alpes", None),
        ("Auvergne", "Auvergne", None),
        ("Rhône-Alpes", "Rhône-Alpes", None),
        ("dans la région", "Auvergne-Rhône-Alpes", None),
    ],
)
def test_places_in_the_region(text, label, department):
    assert parse_place(text) == Place(label, department, True)


@pytest.mark.parametrize(
    "text, label, department",
    [
        ("Paris", "Paris (75)", "75"),
        ("à Paris", "Paris (75)", "75"),
        ("75011", "Paris (75)", "75"),
        ("Marseille", "Marseille (13)", "13"),
        ("Toulouse", "Toulouse (31)", "31"),
        ("Bordeaux", "Bordeaux (33)", "33"),
        ("Lille", "Lille (59)", "59"),
        ("Nantes", "Nantes (44)", "44"),
        ("Dijon", "Dijon (21)", "21"),
        ("Besançon", "Besançon (25)", "25"),
        ("Nîmes", "Nîmes (30)", "30"),
        ("Le Havre", "Le Havre (76)", "76"),
        ("Tours", "Tours (37)", "37"),
        ("à tours", "Tours (37)", "37"),
        ("Mâcon", "Mâcon (71)", "71"),
        ("Saint-Étienne-du-Rouvray", "Saint-Étienne-du-Rouvray (76)", "76"),
        ("dans le 13", "Bouches-du-Rhône (13)", "13"),
        ("33", "Gironde (33)", "33"),
        ("2A", "Corse-du-Sud (2A)", "2A"),
        ("dans le 2B", "Haute-Corse (2B)", "2B"),
        ("20000", "Corse-du-Sud (2A)", "2A"),
        ("20200", "Haute-Corse (2B)", "2B"),
        ("971", "Guadeloupe (971)", "971"),
        ("97400", "La Réunion (974)", "974"),
        ("La Réunion", "La Réunion (974)", "974"),
        ("976", "Mayotte (976)", "976"),
        ("Bouches-du-Rhône", "Bouches-du-Rhône (13)", "13"),
        ("Saône-et-Loire", "Saône-et-Loire (71)", "71"),
        ("Loire-Atlantique", "Loire-Atlantique (44)", "44"),
        ("dans la Vienne", "Vienne (86)", "86"),
        ("Haute-Vienne", "Haute-Vienne (87)", "87"),
        ("dans le Nord", "Nord (59)", "59"),
        ("Gironde", "Gironde (33)", "33"),
    ],
)
def test_places_outside_the_region_with_a_department(text, label, department):
    assert parse_place(text) == Place(label, department, False)


@pytest.mark.parametrize(
    "text, label",
    [
        ("Île-de-France", "Île-de-France"),
        ("en région parisienne", "Île-de-France"),
        ("Bretagne", "Bretagne"),
        ("Occitanie", "Occitanie"),
        ("PACA", "Provence-Alpes-Côte d'Azur"),
        ("Provence", "Provence"),
        ("Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté"),
        ("Nouvelle-Aquitaine", "Nouvelle-Aquitaine"),
        ("Grand Est", "Grand Est"),
        ("Hauts-de-France", "Hauts-de-France"),
        ("Normandie", "Normandie"),
        ("Pays de la Loire", "Pays de la Loire"),
        ("Centre-Val de Loire", "Centre-Val de Loire"),
        ("Corse", "Corse"),
        ("Genève", "Genève (Suisse)"),
        ("en Suisse", "Suisse"),
        ("Belgique", "Belgique"),
        ("pas dans la région", "hors Auvergne-Rhône-Alpes"),
        ("hors Auvergne-Rhône-Alpes", "hors Auvergne-Rhône-Alpes"),
        ("98000", "outre-mer"),
    ],
)
def test_regions_and_countries_outside(text, label):
    assert parse_place(text) == Place(label, None, False)


@pytest.mark.parametrize(
    "text",
    [
        "comparaison",  # "Paris" only as a word
        "parisianisme",
        "il y aura 20 salariés",  # "aura", the verb
        "plusieurs tours de table",  # "tours", the noun
        "une fontaine",
        "une réunion d'équipe",
        "j'ai 63 salariés",  # a number that is no department
        "2024",
        "99",
        "00000",
        "10000 €",
        "en France",
        "dans les Alpes",  # Savoie or Hautes-Alpes: ask again
        "je ne sais pas",
        "",
    ],
)
def test_unknown_places(text):
    assert parse_place(text) is None


def test_earliest_place_wins():
    assert parse_place("Lyon, mais le siège est à Paris").label == "Lyon (69)"
    assert parse_place("Paris, avec une antenne à Lyon").label == "Paris (75)"


def test_the_twelve_region_departments():
    names = {code: DEPARTMENTS[code] for code in REGION_DEPARTMENTS}
    assert names == {
        "01": "Ain",
        "03": "Allier",
        "07": "Ardèche",
        "15": "Cantal",
        "26": "Drôme",
        "38": "Isère",
        "42": "Loire",
        "43": "Haute-Loire",
        "63": "Puy-de-Dôme",
        "69": "Rhône",
        "73": "Savoie",
        "74": "Haute-Savoie",
    }


@pytest.mark.parametrize("code", sorted(DEPARTMENTS))
def test_every_department_number_and_name(code):
    expected = department_place(code)
    assert expected.in_region is (code in REGION_DEPARTMENTS)
    assert parse_place(f"département {code}") == expected
    assert parse_place(f"le département de {DEPARTMENTS[code]}") == expected


@pytest.mark.parametrize("code, names", sorted(REGION_CITIES.items()))
def test_every_region_city_is_in_its_department(code, names):
    for name in names.split():
        place = parse_place(name.replace("_", " "))
        assert place is not None and place.department == code and place.in_region, name


def test_department_place_rejects_unknown_codes():
    assert department_place("96") is None
    assert department_place("00") is None
    assert department_place("2a") == Place("Corse-du-Sud (2A)", "2A", False)


@given(st.text(max_size=80))
def test_property_parse_place_never_fails(text):
    place = parse_place(text)
    assert place is None or (isinstance(place.label, str) and place.in_region in (True, False))


@pytest.mark.parametrize(
    "text, label",
    [
        ("je suis le gérant de cette PME lyonnaise", "Lyon (69)"),
        ("une asso grenobloise", "Grenoble (38)"),
        ("une scop ardéchoise de 12 salariés", "Ardèche (07)"),
        ("une boîte parisienne", "Paris (75)"),
        ("une association burgienne", "Bourg-en-Bresse (01)"),
    ],
)
def test_the_adjective_of_a_city_or_department_names_it(text, label):
    assert parse_place(text).label == label
