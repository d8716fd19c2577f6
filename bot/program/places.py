"""Where a structure is: Auvergne-Rhône-Alpes (the program's territory) or elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Pattern, Sequence, Tuple

from bot.program.french import fold, normalize


@dataclass(frozen=True)
class Place:
    """A recognised place: label for messages, department code when known, in the region or not."""

    label: str
    department: str | None
    in_region: bool | None


REGION_LABEL = "Auvergne-Rhône-Alpes"

# The program is run by the Aract Auvergne-Rhône-Alpes and funded by the Région: its 12 departments.
REGION_DEPARTMENTS = frozenset({"01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"})

DEPARTMENTS = {
    "01": "Ain",
    "02": "Aisne",
    "03": "Allier",
    "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes",
    "07": "Ardèche",
    "08": "Ardennes",
    "09": "Ariège",
    "10": "Aube",
    "11": "Aude",
    "12": "Aveyron",
    "13": "Bouches-du-Rhône",
    "14": "Calvados",
    "15": "Cantal",
    "16": "Charente",
    "17": "Charente-Maritime",
    "18": "Cher",
    "19": "Corrèze",
    "2A": "Corse-du-Sud",
    "2B": "Haute-Corse",
    "21": "Côte-d'Or",
    "22": "Côtes-d'Armor",
    "23": "Creuse",
    "24": "Dordogne",
    "25": "Doubs",
    "26": "Drôme",
    "27": "Eure",
    "28": "Eure-et-Loir",
    "29": "Finistère",
    "30": "Gard",
    "31": "Haute-Garonne",
    "32": "Gers",
    "33": "Gironde",
    "34": "Hérault",
    "35": "Ille-et-Vilaine",
    "36": "Indre",
    "37": "Indre-et-Loire",
    "38": "Isère",
    "39": "Jura",
    "40": "Landes",
    "41": "Loir-et-Cher",
    "42": "Loire",
    "43": "Haute-Loire",
    "44": "Loire-Atlantique",
    "45": "Loiret",
    "46": "Lot",
    "47": "Lot-et-Garonne",
    "48": "Lozère",
    "49": "Maine-et-Loire",
    "50": "Manche",
    "51": "Marne",
    "52": "Haute-Marne",
    "53": "Mayenne",
    "54": "Meurthe-et-Moselle",
    "55": "Meuse",
    "56": "Morbihan",
    "57": "Moselle",
    "58": "Nièvre",
    "59": "Nord",
    "60": "Oise",
    "61": "Orne",
    "62": "Pas-de-Calais",
    "63": "Puy-de-Dôme",
    "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées",
    "66": "Pyrénées-Orientales",
    "67": "Bas-Rhin",
    "68": "Haut-Rhin",
    "69": "Rhône",
    "70": "Haute-Saône",
    "71": "Saône-et-Loire",
    "72": "Sarthe",
    "73": "Savoie",
    "74": "Haute-Savoie",
    "75": "Paris",
    "76": "Seine-Maritime",
    "77": "Seine-et-Marne",
    "78": "Yvelines",
    "79": "Deux-Sèvres",
    "80": "Somme",
    "81": "Tarn",
    "82": "Tarn-et-Garonne",
    "83": "Var",
    "84": "Vaucluse",
    "85": "Vendée",
    "86": "Vienne",
    "87": "Haute-Vienne",
    "88": "Vosges",
    "89": "Yonne",
    "90": "Territoire de Belfort",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon",
    "976": "Mayotte",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
}
# Department names that are also common words ("la Manche", "une somme", "le nord de l'Isère"):
# recognised only after "dans", "en" or "département".
_NAMES_NEEDING_CONTEXT = frozenset({"10", "18", "23", "46", "50", "59", "80", "86", "974"})

REGION_CITIES = {
    "01": (
        "Bourg-en-Bresse Belley Gex Nantua Oyonnax Ambérieu-en-Bugey Bellegarde-sur-Valserine Valserhône "
        "Saint-Genis-Pouilly Ferney-Voltaire Divonne-les-Bains Miribel Trévoux"
    ),
    "03": "Moulins Montluçon Vichy Cusset Yzeure Commentry Bellerive-sur-Allier",
    "07": "Privas Largentière Tournon-sur-Rhône Annonay Aubenas Guilherand-Granges Le_Teil",
    "15": "Aurillac Mauriac Saint-Flour Arpajon-sur-Cère",
    "26": "Valence Die Nyons Montélimar Romans-sur-Isère Pierrelatte Bourg-lès-Valence Crest Bourg-de-Péage",
    "38": (
        "Grenoble Vienne La_Tour-du-Pin Échirolles Saint-Martin-d'Hères Fontaine Voiron Bourgoin-Jallieu "
        "Villefontaine Meylan Saint-Égrève Seyssinet-Pariset Seyssinet Sassenage Le_Pont-de-Claix "
        "L'Isle-d'Abeau Crolles Vizille Saint-Marcellin Voreppe"
    ),
    "42": (
        "Saint-Étienne Roanne Montbrison Saint-Chamond Firminy Rive-de-Gier Riorges Andrézieux-Bouthéon "
        "Saint-Just-Saint-Rambert Feurs"
    ),
    "43": "Le_Puy-en-Velay Brioude Yssingeaux Monistrol-sur-Loire",
    "63": "Clermont-Ferrand Ambert Issoire Riom Thiers Cournon-d'Auvergne Chamalières Aubière Pont-du-Château Gerzat",
    "69": (
        "Lyon Villefranche-sur-Saône Villeurbanne Vénissieux Saint-Priest Vaulx-en-Velin Caluire-et-Cuire Bron "
        "Rillieux-la-Pape Meyzieu Décines-Charpieu Oullins Sainte-Foy-lès-Lyon Écully Givors Tarare "
        "Saint-Genis-Laval Tassin-la-Demi-Lune Saint-Fons Mions Francheville"
    ),
    "73": "Chambéry Albertville Saint-Jean-de-Maurienne Aix-les-Bains La_Motte-Servolex Bourg-Saint-Maurice Montmélian",
    "74": (
        "Annecy Bonneville Saint-Julien-en-Genevois Thonon-les-Bains Annemasse Cluses Sallanches "
        "Chamonix-Mont-Blanc Évian-les-Bains Rumilly Cran-Gevrier Seynod Annecy-le-Vieux La_Roche-sur-Foron"
    ),
}
OTHER_CITIES = {
    "75": "Paris",
    "13": "Marseille Aix-en-Provence",
    "31": "Toulouse",
    "06": "Nice Cannes Antibes",
    "44": "Nantes Saint-Nazaire",
    "67": "Strasbourg",
    "34": "Montpellier",
    "33": "Bordeaux",
    "59": "Lille Roubaix Tourcoing Dunkerque Valenciennes",
    "35": "Rennes",
    "51": "Reims",
    "83": "Toulon",
    "76": "Le_Havre Rouen Saint-Étienne-du-Rouvray",
    "21": "Dijon",
    "49": "Angers",
    "30": "Nîmes",
    "25": "Besançon",
    "57": "Metz",
    "66": "Perpignan",
    "45": "Orléans",
    "68": "Mulhouse Colmar",
    "14": "Caen",
    "54": "Nancy",
    "37": "Tours",
    "87": "Limoges",
    "80": "Amiens",
    "29": "Brest Quimper",
    "84": "Avignon",
    "86": "Poitiers",
    "72": "Le_Mans",
    "95": "Argenteuil",
    "93": "Montreuil Saint-Denis",
    "92": "Boulogne-Billancourt Nanterre",
    "64": "Pau Bayonne",
    "17": "La_Rochelle",
    "62": "Calais",
    "2A": "Ajaccio",
    "2B": "Bastia",
    "71": "Mâcon Chalon-sur-Saône",
    "10": "Troyes",
    "89": "Auxerre",
    "58": "Nevers",
    "18": "Bourges",
    "05": "Gap",
    "56": "Lorient Vannes",
    "78": "Versailles",
    "94": "Créteil",
    "79": "Niort",
}
# Short forms a visitor types for a city of the table: alias -> official name.
CITY_ALIASES = {
    "Clermont": "Clermont-Ferrand",
    "Le_Puy": "Le_Puy-en-Velay",
    "Puy-en-Velay": "Le_Puy-en-Velay",
    "Chamonix": "Chamonix-Mont-Blanc",
    "Décines": "Décines-Charpieu",
    "Villefranche": "Villefranche-sur-Saône",
    "Thonon": "Thonon-les-Bains",
    "Évian": "Évian-les-Bains",
    "Romans": "Romans-sur-Isère",
    "Tournon": "Tournon-sur-Rhône",
    "Bourgoin": "Bourgoin-Jallieu",
    "Ambérieu": "Ambérieu-en-Bugey",
    "Caluire": "Caluire-et-Cuire",
    "Rillieux": "Rillieux-la-Pape",
    "Vaulx": "Vaulx-en-Velin",
    "Sainte-Foy": "Sainte-Foy-lès-Lyon",
    "Tassin": "Tassin-la-Demi-Lune",
    "Pont-de-Claix": "Le_Pont-de-Claix",
    "Saint-Jean": "Saint-Jean-de-Maurienne",
    "Cournon": "Cournon-d'Auvergne",
    "Bellegarde": "Bellegarde-sur-Valserine",
    "Andrézieux": "Andrézieux-Bouthéon",
    "Isle-d'Abeau": "L'Isle-d'Abeau",
    "Aix-en-Pce": "Aix-en-Provence",
}
# "une PME lyonnaise": the adjective of a city (masculine singular; the other forms are derived) or of a department.
DEMONYMS = {
    "lyonnais": "Lyon",
    "grenoblois": "Grenoble",
    "stéphanois": "Saint-Étienne",
    "clermontois": "Clermont-Ferrand",
    "annécien": "Annecy",
    "chambérien": "Chambéry",
    "valentinois": "Valence",
    "villeurbannais": "Villeurbanne",
    "roannais": "Roanne",
    "vichyssois": "Vichy",
    "montluçonnais": "Montluçon",
    "aurillacois": "Aurillac",
    "burgien": "Bourg-en-Bresse",
    "annemassien": "Annemasse",
    "oyonnaxien": "Oyonnax",
    "caladois": "Villefranche-sur-Saône",
    "ponot": "Le_Puy-en-Velay",
    "privadois": "Privas",
    "montilien": "Montélimar",
    "parisien": "Paris",
    "marseillais": "Marseille",
    "dijonnais": "Dijon",
    "bordelais": "Bordeaux",
    "lillois": "Lille",
    "nantais": "Nantes",
    "toulousain": "Toulouse",
    "rennais": "Rennes",
    "niçois": "Nice",
    "montpelliérain": "Montpellier",
    "strasbourgeois": "Strasbourg",
}
DEPARTMENT_DEMONYMS = {
    "ardéchois": "07",
    "drômois": "26",
    "isérois": "38",
    "haut-savoyard": "74",
    "ligérien": "42",
    "cantalien": "15",
    "altiligérien": "43",
    "puydômois": "63",
    "aindinois": "01",
}


def _forms(adjective: str) -> list[str]:
    """ "lyonnais" -> lyonnais, lyonnaise(s); "burgien" -> burgien(s), burgienne(s); "ponot" -> ponot(s), ponote(s)."""
    if adjective.endswith("s"):
        return [adjective, adjective + "e", adjective + "es"]
    if adjective.endswith("ien"):
        return [adjective, adjective + "s", adjective + "ne", adjective + "nes"]
    return [adjective, adjective + "s", adjective + "e", adjective + "es"]


# Names that are also common words or first names: only read as places when capitalised or after "à".
_CAPITALISED_ONLY = frozenset({"Tours", "Nancy", "Die", "Fontaine", "Moulins", "Gap", "Crest"})

AREAS: Sequence[Tuple[str, str, bool]] = [
    # (name as typed, label, in the region)
    ("Auvergne-Rhône-Alpes", REGION_LABEL, True),
    ("région AURA", REGION_LABEL, True),
    ("en AURA", REGION_LABEL, True),
    ("Auvergne", "Auvergne", True),
    ("Rhône-Alpes", "Rhône-Alpes", True),
    ("Métropole de Lyon", "Métropole de Lyon (69)", True),
    ("Grand Lyon", "Métropole de Lyon (69)", True),
    ("région lyonnaise", "région lyonnaise (69)", True),
    ("agglomération lyonnaise", "région lyonnaise (69)", True),
    ("région grenobloise", "région grenobloise (38)", True),
    ("Beaujolais", "Beaujolais (69)", True),
    ("Île-de-France", "Île-de-France", False),
    ("IDF", "Île-de-France", False),
    ("région parisienne", "Île-de-France", False),
    ("Bretagne", "Bretagne", False),
    ("Occitanie", "Occitanie", False),
    ("PACA", "Provence-Alpes-Côte d'Azur", False),
    ("Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur", False),
    ("Provence", "Provence", False),
    ("Côte d'Azur", "Côte d'Azur", False),
    ("Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté", False),
    ("Bourgogne", "Bourgogne", False),
    ("Franche-Comté", "Franche-Comté", False),
    ("Nouvelle-Aquitaine", "Nouvelle-Aquitaine", False),
    ("Aquitaine", "Aquitaine", False),
    ("Grand Est", "Grand Est", False),
    ("Alsace", "Alsace", False),
    ("Lorraine", "Lorraine", False),
    ("Hauts-de-France", "Hauts-de-France", False),
    ("Normandie", "Normandie", False),
    ("Pays de la Loire", "Pays de la Loire", False),
    ("Centre-Val de Loire", "Centre-Val de Loire", False),
    ("région Centre", "Centre-Val de Loire", False),
    ("Corse", "Corse", False),
    ("Languedoc", "Occitanie", False),
    ("Midi-Pyrénées", "Occitanie", False),
    ("Limousin", "Nouvelle-Aquitaine", False),
    ("Poitou-Charentes", "Nouvelle-Aquitaine", False),
    ("Picardie", "Hauts-de-France", False),
    ("Champagne", "Grand Est", False),
    ("outre-mer", "outre-mer", False),
    ("DOM-TOM", "outre-mer", False),
    ("Genève", "Genève (Suisse)", False),
    ("Lausanne", "Lausanne (Suisse)", False),
    ("Suisse", "Suisse", False),
    ("Belgique", "Belgique", False),
    ("Bruxelles", "Bruxelles (Belgique)", False),
    ("Luxembourg", "Luxembourg", False),
    ("Italie", "Italie", False),
    ("Turin", "Turin (Italie)", False),
    ("Espagne", "Espagne", False),
    ("Allemagne", "Allemagne", False),
    ("Monaco", "Monaco", False),
    ("Canada", "Canada", False),
    ("Québec", "Québec (Canada)", False),
    ("Maroc", "Maroc", False),
    ("Tunisie", "Tunisie", False),
    ("Algérie", "Algérie", False),
    ("étranger", "étranger", False),
]

_CODE = r"(?:\d{2}|2a|2b|97[1-8])"
_NOT_A_DEPARTMENT = r"(?!\w|[.,]\d)(?! ?(?:salarie|personne|employe|etp|%|€|euro|ans?\b|jours?\b|mois\b))"
# A department number only counts where it reads as one: alone, "dans le 63", "département 38", "(69)".
_DEPARTMENT_NUMBER_RES = [
    re.compile(r"^(?:le |dans le |en |du )?(?P<code>" + _CODE + r")[\s.!]*$"),
    re.compile(r"\b(?:departement|dept|dpt)\.? ?(?:n ?° ?|numero )?(?P<code>" + _CODE + r"|\d)" + _NOT_A_DEPARTMENT),
    re.compile(r"\b(?:dans le|le|du) (?P<code>" + _CODE + r")" + _NOT_A_DEPARTMENT),
    re.compile(r"\((?P<code>" + _CODE + r")\)"),
]
_POSTCODE_RE = re.compile(r"(?<![\d,.])(?P<code>\d{5})(?![\d,])(?! ?(?:€|euro|eur\b|k\b|salarie|personne|habitant))")
_LOCATIVE = re.compile(r"(?:^|\ba |\bsur )$")
_SEPARATOR = r"[\s'-]*\.?[\s'-]*"


@dataclass(frozen=True)
class _Entry:
    place: Place
    pattern: Pattern[str]
    capitalised: bool = False  # a common word too: a place only when capitalised or after "à"


def parse_place(text: str) -> Place | None:
    """The place named in a French answer (city, department, postcode, region), or None."""
    normalized, folded = normalize(text), fold(text)
    candidates: List[Tuple[int, int, int, Place]] = []
    for order, entry in enumerate(_ENTRIES):
        match = entry.pattern.search(normalized)
        if match and (not entry.capitalised or _capitalised(match, normalized, folded)):
            candidates.append((match.start(), -len(match.group()), order, entry.place))
    number_rules = [(pattern, department_place) for pattern in _DEPARTMENT_NUMBER_RES]
    for order, (pattern, to_place) in enumerate(number_rules + [(_POSTCODE_RE, postcode_place)], len(_ENTRIES)):
        match = pattern.search(normalized)
        if match is None:
            continue
        place = to_place(match.group("code"))
        if place:  # "00" or "99" is no department and must not hide a city named later
            candidates.append((match.start(), -len(match.group()), order, place))
    return min(candidates)[3] if candidates else None


def department_place(code: str) -> Place | None:
    """Place for a department code ("69", "2a", "974"), or None when it is not a French department."""
    code = code.upper().zfill(2)
    if code not in DEPARTMENTS:
        return None
    return Place(f"{DEPARTMENTS[code]} ({code})", code, code in REGION_DEPARTMENTS)


def _listed_department(code: str) -> Place:
    """Place for a department code taken from the tables of this module."""
    place = department_place(code)
    # The tables only use codes of DEPARTMENTS, so None would be a typo in them: fail when the module loads.
    assert place is not None, f"department code {code!r} is not in DEPARTMENTS"
    return place


def postcode_place(postcode: str) -> Place | None:
    """Place for a 5-digit French postcode ("69003" -> Rhône), or None when none matches."""
    if postcode.startswith("97"):
        return department_place(postcode[:3])
    if postcode.startswith("98"):  # overseas collectivities, outside the region
        return Place("outre-mer", None, False)
    if postcode.startswith("20"):  # Corsica: 200xx-201xx Corse-du-Sud, 202xx and above Haute-Corse
        return department_place("2A" if postcode[2] in "01" else "2B")
    return department_place(postcode[:2])


def _capitalised(match: re.Match[str], normalized: str, folded: str) -> bool:
    start = match.start()
    if len(folded) == len(normalized) and folded[start].isupper():
        return True
    return bool(_LOCATIVE.search(normalized[:start]))


def _name_body(name: str) -> str:
    tokens = re.split(r"[\s'_-]+", normalize(name))
    parts = [{"saint": "(?:saint|st)", "sainte": "(?:sainte|ste)"}.get(t, re.escape(t)) for t in tokens if t]
    return _SEPARATOR.join(parts)


def _name_pattern(name: str) -> Pattern[str]:
    return re.compile(r"(?<!\w)" + _name_body(name) + r"(?!\w)")


def _display(name: str) -> str:
    return name.replace("_", " ")


def _build_entries() -> List[_Entry]:
    entries = _city_entries() + _department_entries()
    # "réunion" is also a meeting: the island only as "île de la Réunion" or capitalised.
    reunion = _listed_department("974")
    entries.append(_Entry(reunion, re.compile(r"\bile de la reunion\b")))
    entries.append(_Entry(reunion, re.compile(r"(?<!\w)reunion(?!\w)"), capitalised=True))
    for name, label, in_region in AREAS:
        department = re.search(r"\((\d\d)\)$", label)  # "Métropole de Lyon (69)"
        place = Place(label, department.group(1) if department else None, in_region)
        entries.append(_Entry(place, _name_pattern(name)))
    # "AURA" is also "il y aura": only capitalised or on its own.
    entries.append(_Entry(Place(REGION_LABEL, None, True), re.compile(r"(?<!\w)aura(?!\w)"), capitalised=True))
    # "la région" is the program's own region, unless the visitor names another one or says "hors".
    entries.append(
        _Entry(
            Place(REGION_LABEL, None, True),
            re.compile(r"\b(?:la|notre|votre|ma|cette|meme) region(?= ?(?:$|[.,;:!?)]|aussi|ici))"),
        )
    )
    entries.append(
        _Entry(
            Place("hors Auvergne-Rhône-Alpes", None, False),
            re.compile(
                r"\b(?:hors|pas dans|pas en|en dehors de|ailleurs qu'en|autre que)(?: de)?(?: la| l'| notre| votre| cette)?"
                r" ?(?:region|auvergne[\s-]*rhone[\s-]*alpes|aura|auvergne|rhone[\s-]*alpes)\b|\bune autre region\b"
            ),
        )
    )
    return entries


def _city_entries() -> List[_Entry]:
    departments = {
        name: code for table in (REGION_CITIES, OTHER_CITIES) for code, names in table.items() for name in names.split()
    }
    aliases = [(name, name) for name in departments] + list(CITY_ALIASES.items())
    entries = []
    for typed, official in aliases:
        code = departments[official]
        place = Place(f"{_display(official)} ({code})", code, code in REGION_DEPARTMENTS)
        entries.append(_Entry(place, _name_pattern(typed), capitalised=typed in _CAPITALISED_ONLY))
    for adjective, official in DEMONYMS.items():
        code = departments[official]
        place = Place(f"{_display(official)} ({code})", code, code in REGION_DEPARTMENTS)
        entries += [_Entry(place, _name_pattern(form)) for form in _forms(adjective)]
    for adjective, code in DEPARTMENT_DEMONYMS.items():
        entries += [_Entry(_listed_department(code), _name_pattern(form)) for form in _forms(adjective)]
    return entries


def _department_entries() -> List[_Entry]:
    entries = []
    context = r"\b(?:dans|en|departement|dept)(?: de la| du| de l'| des| le| la| l'| de)? ?"
    for code, name in DEPARTMENTS.items():
        place = _listed_department(code)
        if code in _NAMES_NEEDING_CONTEXT:
            # "Lot" but not "Lot-et-Garonne"
            entries.append(_Entry(place, re.compile(context + _name_body(name) + r"(?!\w)(?![\s-]*et\b)")))
        else:
            entries.append(_Entry(place, _name_pattern(name)))
    return entries


_ENTRIES = _build_entries()
