"""French free text in (numbers, headcounts, yes/no, structure, role), French formatting out."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Pattern, Sequence, Tuple, TypeVar

# text2num ships neither stubs nor py.typed: the one function used gets a typed wrapper below.
from text_to_num import alpha2digit

T = TypeVar("T")

NARROW_NBSP = "\u202f"  # French thousands separator
NBSP = "\u00a0"  # before "€" and "HT"
CENT = Decimal("0.01")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u2032": "'"})
_HYPHENS = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})

# One number as written once words are digits: "35", "1 200", "2,5", "1,2 k€", "-3".
_NUMBER_BODY = (
    r"(?P<sign>-(?=\d))?"
    r"(?P<int>\d{1,3}(?: \d{3})+(?!\d)|\d+)"
    r"(?:[.,](?P<frac>\d+))?(?!\d)"
    r"(?P<kilo> ?k(?:eur(?:os?)?)?(?![a-z]))?"
)
NUMBER = r"(?<![\w.,-])" + _NUMBER_BODY
_NUMBER_RE = re.compile(NUMBER)

# "une cinquantaine" and the other -aine forms: the round figure they stand for.
_APPROXIMATIONS = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
    "millier": 1000,
}
_APPROX_RE = re.compile(
    r"(?:(?P<vague>quelques|plusieurs|des)\s+|(?P<count>\d+)\s+|(?:une?|la|l')\s*)?"
    r"\b(?P<word>" + "|".join(_APPROXIMATIONS) + r")(?P<plural>s)?\b"
)
_UN_RE = re.compile(r"\b(?:un|une)\b")
_ONE_EMPLOYEE_RE = re.compile(r"\b(?:un|une) (?:seule? )?(?:salarie|employe|personne|collaborat|etp|agent)")

# Headcount: words before a number that move it (the upper bound decides eligibility).
_BEFORE_NUMBER = [
    (r"pas plus d(?:e|')|au plus|tout au plus|au maximum|maximum|max|jusqu'a", 0),
    (r"pas moins d(?:e|')|au moins|au minimum|minimum|plus ou moins|environ|a peu pres|pres d(?:e|')", 0),
    (r"moins d(?:e|')|en dessous d(?:e|')|en-dessous d(?:e|')|inferieur a|sous la barre des|sous les", -1),
    (r"plus d(?:e|')|au-dessus d(?:e|')|au dessus d(?:e|')|au-dela d(?:e|')|superieur a|depasse", 1),
]
_BEFORE_RES = [(re.compile(r"\b(?:" + words + r")\s*$"), shift) for words, shift in _BEFORE_NUMBER]
_FIRST_OF_RANGE = NUMBER.replace("?P<", "?P<a_")
_RANGE_RES = [
    re.compile(r"\bentre\s+" + _FIRST_OF_RANGE + r"\s+et\s+" + _NUMBER_BODY),
    re.compile(_FIRST_OF_RANGE + r"\s*(?:\ba\b|-|\bou\b|/)\s*" + _NUMBER_BODY),
]
# No employee at all: the visitor works alone.
_ZERO_HEADCOUNT_RE = re.compile(
    r"\b(?:aucun|aucune|pas d(?:e|')\s*|sans|zero)\s*(?:salarie|employe|personnel|collaborat)"
    r"|\b(?:juste|que|seulement|uniquement) moi\b|\bmoi seule?\b|\btoute? seule?\b"
    r"|\bje (?:suis|travaille|bosse) seule?\b|^\s*(?:aucun|aucune|personne|seule?)\b"
)

_UNKNOWN_ANSWERS = (
    r"je ne sais pas|je sais pas|ne sais pas|sais pas|ne sait pas|sait pas|jsp|chais pas|j'sais pas"
    r"|sais rien|sait rien"
    r"|aucune idee|pas d'idee|peut-etre|peut etre|pas sure?|pas vraiment sure?|pas tres sure?|pas trop sure?"
    r"|pas certaine?|pas encore sure?|difficile a dire|dur a dire|en partie|partiellement|a voir"
    r"|ca depend|cela depend|oui et non|moyennement|pas tout a fait|pas exactement"
    # "plus ou moins 50", "un peu moins de 10" are figures, not doubts
    r"|(?:plus ou moins|un peu)(?! (?:plus |moins )?(?:de |d')?\d)"
    r"|bonne question|on verra|je me demande|bof"
)
_NO_ANSWERS = (
    r"non|nan|no|nope|pas du tout|pas vraiment|plutot non|plutot pas|absolument pas|pas encore"
    r"|je ne pense pas|je pense pas|je ne crois pas|je crois pas|pas specialement|pas particulierement"
    r"|pas forcement|jamais|aucunement|nullement|negatif|pas le cas|que non|pas pour l'instant"
    r"|pas pour le moment|pas d'accord|pas ok|pas absolument"
)
_YES_ANSWERS = (
    r"oui+|ouais|ouai|yes|yep|ok|okay|d'accord|dac|bien sur|bien entendu|tout a fait|absolument"
    r"|evidemment|exactement|carrement|effectivement|certainement|parfaitement|naturellement"
    r"|volontiers|affirmatif|en effet|c'est le cas|c'est ca|plutot oui|je pense que oui|je crois que oui"
    r"|c'est l'objectif|c'est le but|c'est prevu|(?:a|ont) donne (?:son|leur) accord|feu vert"
)
# Checked in this order: "pas vraiment" and "pas sûr" must not be read as yes.
_YES_NO_RES = [
    ("unknown", re.compile(r"\b(?:" + _UNKNOWN_ANSWERS + r")\b")),
    ("no", re.compile(r"\b(?:" + _NO_ANSWERS + r")\b")),
    ("yes", re.compile(r"\b(?:" + _YES_ANSWERS + r")\b|^(?:si ?)+\W*$")),
]

_ONE_PERSON_RE = re.compile(
    r"\bseule?\b|\bsans (?:aucun )?(?:salarie|employe)|\baucun salarie\b|\bpas de salarie"
    r"|\b(?:juste|que) moi\b"
)
# "Je travaille seul" says independant only when no structure is named ("seul dirigeant d'une PME").
_WORKING_ALONE_RE = re.compile(r"\bje (?:travaille|suis|bosse) (?:toute? )?seule?\b")
_STRUCTURES: Sequence[Tuple[str, Pattern[str]]] = [
    (
        "independant",
        re.compile(
            r"\b(?:auto|micro)[- ]?entrepreneu(?:r|se)s?\b|\bmicro[- ]?entreprise\b|\bindependante?s?\b"
            r"|\bfree[- ]?lance\b|\bprofession liberale\b|\bliberale?\b|\bentreprise individuelle\b"
            r"|\ba mon compte\b"
        ),
    ),
    ("one_person_company", re.compile(r"\b(?:sasu|eurl)\b")),
    (
        "grande_entreprise",
        re.compile(
            r"\bgrandes? entreprises?\b|\bgrands? groupes?\b|\bmultinationales?\b|\beti\b"
            r"|\bentreprise de taille intermediaire\b|\bgroupe international\b|\bfiliale d'un (?:grand )?groupe\b"
        ),
    ),
    (
        "public",
        re.compile(
            r"\bcollectivites?(?: territoriales?| locales?)?\b|\bmairies?\b|\bcommunes?\b"
            r"|\bcommunaute (?:de communes|d'agglomeration|urbaine)\b|\bmetropole\b|\bconseil (?:departemental|regional)\b"
            r"|\bdepartement\b(?! (?:rh|ressources|commercial|informatique|marketing|technique|financier|achats"
            r"|juridique|communication|production|qualite|r&d))"
            r"|\betablissements? publics?\b|(?<!conseil d')\badministrations?\b|\bhopital\b|\bhopitaux\b|\bchu\b"
            r"|\bservices? de l'etat\b|\bprefecture\b|\bministere\b|\bepci\b|\buniversites?\b|\bfonction publique\b"
            r"|\bccas\b|\bsyndicat (?:intercommunal|mixte)\b"
        ),
    ),
    (
        "collectif",
        re.compile(
            r"\bgroupements? d'employeurs\b|\bgroupement\b|\bge\b|\bpoles? de competitivite\b|\bpole territorial\b"
            r"|\bptce\b|\bclusters?\b|\breseaux? d'(?:entreprises|acteurs|employeurs)\b|\bcollectifs?\b"
            r"|\bacteurs? (?:de|du) territoire\b|\bacteurs? territoriaux\b|\bconsortium\b|\bgrappe d'entreprises\b"
        ),
    ),
    ("association", re.compile(r"\bassos?\b|\bassoc\b|\bas+o[sc]+i?ati(?:ons?|f|ve)\b|\bloi (?:de )?1901\b")),
    (
        "pme",
        re.compile(
            r"\bpmes?\b|\btpes?\b|\bpmi\b|\bentreprises?\b|\bsocietes?\b|\bsarl\b|\bsas\b|\bsa\b|\bscop\b|\bscic\b"
            r"|\bcooperatives?\b|\bstart[- ]?ups?\b|\bboites?\b|\bpetites? (?:et moyennes? )?entreprises?\b"
            r"|\bpetite boite\b|\bentreprise d'insertion\b"
        ),
    ),
]

_COLLECTIVE_NOUN = (
    r"(?:cluster|ge|groupement(?: d'employeurs)?|reseau(?! (?:informatique|sociaux|social))|collectif"
    r"|consortium|pole de competitivite|pole territorial|ptce|grappe)"
)
_ROLES: Sequence[Tuple[str, Pattern[str]]] = [
    # The CSE is chaired by the employer: its president is the manager, not an employee representative.
    ("dirigeant", re.compile(r"\bpresidente? du cse\b")),
    (
        "representant_salaries",
        re.compile(
            r"\b(?:elue?s?|membre|secretaire|tresoriere?|representante?s?|delegue?e?s?)"
            r"(?: (?:du|de la|des|d'|au|aux|les|a la))? ?(?:cse|comite social|personnel|salaries|syndica\w*)\b"
            r"|\bcse\b|\brepresente (?:les|des) salaries\b|\bdp\b|\bsyndicaliste\b"
        ),
    ),
    (
        "porteur_collectif",
        re.compile(
            r"\b(?:animat\w*|charge\w* de mission|coordinat\w*|represent\w*|porteu\w*|responsable|direct\w*"
            r"|presidente?|delegue?e? generale?|manager|pilote)(?: [\w']+)?"
            r" (?:du|de la|de l'|de notre|d'un|d'une|au|pour le|pour la|pour notre|pour un|pour une|dans le|le|la|notre)"
            r" ?" + _COLLECTIVE_NOUN + r"\b"
            r"|\bje (?:porte|coordonne|anime|pilote|represente) (?:le projet |la demarche |le dossier )?(?:pour|du|de|au nom du|au nom de)"
            r" (?:le |la |l'|notre )?" + _COLLECTIVE_NOUN + r"\b"
        ),
    ),
]
_PERSONAL_ROLES: Sequence[Tuple[str, Pattern[str]]] = [
    (
        "externe",
        re.compile(
            r"\bconsultante?s?\b|\bprestataires?\b|\bcabinet\b|\betudiante?s?\b|\bexpert[- ]comptable\b|\bcoach\b"
            r"|\bexterieure?\b|\bexterne\b"
        ),
    ),
    (
        "salarie",
        re.compile(
            r"\bdirect(?:eur|rice)\s+(?:des?\s+|du\s+|de\s+la\s+|d')?(?:ressources humaines|rh|financier|financiere"
            r"|administrati\w+|commercial\w*|technique|adjointe?|production|usine|operations|marketing|informatique"
            r"|site|agence|qualite|communication|projets?|pole|service|ventes|achats|juridique|logistique"
            r"|industriel\w*|export|rse)\b"
            r"|\bdrh\b|\brh\b|\bdaf\b|\bdsi\b|\bresponsables?\b|\bmanager\b"
            r"|\bchef(?:fe)? (?:de projet|d'equipe|de service)\b"
            r"|\bcharge\w* (?:de|des|d')\s*\w+|\bassistante?\b|\bcomptable\b"
            # "salariés" counts the staff ("PME de 46 salariés, je suis la gérante"): only the visitor's own status is a role
            r"|(?:\b(?:je suis|suis|j'suis|chui|en tant que|comme|simple|un|une)\s+(?:simple\s+)?|^\W*)"
            r"(?:salariee?|employee?|collaborat(?:eur|rice))\b"
            r"|\bcadre\b|\btechnicien\w*\b|\bouvri\w+\b|\bsecretaire\b|\bcoordinat\w+\b"
            r"|\banimat\w+\b|\bagent\b|\bje travaille (?:dans|pour|chez|a)\b"
        ),
    ),
    (
        "dirigeant",
        re.compile(
            r"\bco-?gerante?s?\b|\bgerante?s?\b|\bdirect(?:eur|rice) generale?\b|\bdirect(?:eur|rice)s?\b|\bdg\b|\bpdg\b"
            r"|\bpresidente?\b|\bprez\b|\bpatron(?:ne)?\b|\bco-?fondat(?:eur|rice)\b|\bfondat(?:eur|rice)\b"
            r"|\bchef(?:fe)? d'entreprise\b|\bdirigeante?s?\b|\bje (?:la |le |l')?(?:dirige|preside|gere)\b|\bproprietaire\b"
            r"|\bresponsable de (?:la structure|l'entreprise|l'association|la societe|la boite)\b"
            # An association is run by its board: its treasurer, secretary or members are its (volunteer) managers.
            r"|\btresori(?:er|ere)s?\b|\bsecretaire (?:generale? )?(?:de l'association|de l'asso|du bureau|benevole)\b"
            r"|\bmembre du (?:bureau|ca|conseil d'administration)\b|\badministrat(?:eur|rice)s? (?:de l'association|benevole)"
            r"|\bau (?:bureau|ca|conseil d'administration)\b"
        ),
    ),
]
# A volunteer who is none of the above (themself, not "nos 15 bénévoles"): the Aract says if they may present the file.
_VOLUNTEER = re.compile(r"\b(?:je suis|suis|en tant que|comme|simple|un|une) (?:simple )?benevole\b|^\W*benevole\W*$")


# Chat spellings with one reading only, written out so that every reader understands them ("ns sommes 12").
_SMS = {
    "ns": "nous",
    "vs": "vous",
    "pr": "pour",
    "ds": "dans",
    "bcp": "beaucoup",
    "vrmt": "vraiment",
    "vrm": "vraiment",
    "nn": "non",
    "chui": "je suis",
    "chuis": "je suis",
    "jsuis": "je suis",
    "tt": "tout",
    "tte": "toute",
    "qqn": "quelqu'un",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "cb": "combien",
    "koi": "quoi",
    "dc": "donc",
    "auj": "aujourd'hui",
    "ouep": "ouais",
    "ouaip": "ouais",
    "oue": "ouais",
    "wi": "oui",
    "mrc": "merci",
    "mci": "merci",
    "slt": "salut",
    "bjr": "bonjour",
    "svp": "s'il vous plait",
    "stp": "s'il te plait",
    "qd": "quand",
    "tjrs": "toujours",
    "jvais": "je vais",
    "jveux": "je veux",
    "jpeux": "je peux",
    "jsais": "je sais",
    "chai": "je sais",
    "sal": "salaries",
    "slr": "salaries",
    "ui": "oui",
    "biensur": "bien sur",
}
_SMS_RE = re.compile(r"\b(?:" + "|".join(sorted(_SMS, key=len, reverse=True)) + r")\b")


_SMS_C = re.compile(r"(?<![\w'.-])c(?= [a-z])")  # "moi c la directrice", "c pas grave": c'est


def normalize(text: str) -> str:
    """Lowercase, strip accents, unify apostrophes and hyphens, collapse whitespace, write chat spellings out."""
    return _SMS_C.sub("c'est", _SMS_RE.sub(lambda match: _SMS[match.group(0)], fold(text).lower()))


def fold(text: str) -> str:
    """Like normalize but keeping the case, so that "SA" or "Tours" can be told from "sa" or "tours"."""
    text = (text or "").translate(_LIGATURES).translate(_APOSTROPHES).translate(_HYPHENS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip()


def _find_first(text: str, table: Iterable[Tuple[T, Pattern[str]]]) -> T | None:
    """Label of the pattern matching earliest in the text (longest on a tie, then table order)."""
    best: tuple[int, int, int] | None = None
    found: T | None = None
    for order, (label, pattern) in enumerate(table):
        match = pattern.search(text)
        if match and (best is None or (match.start(), -len(match.group()), order) < best):
            best, found = (match.start(), -len(match.group()), order), label
    return found


def digitize(text: str) -> str:
    """Normalized text with number words, "une cinquantaine" and "zéro" written as digits ("un" left)."""
    text = _words_to_digits(normalize(text))
    text = _APPROX_RE.sub(_approximation, text)
    return re.sub(r"\bzero\b", "0", text)


def _words_to_digits(text: str) -> str:
    """text2num's alpha2digit for French, typed so that its untyped result stays a str here."""
    # threshold=2: text2num converts "deux" but leaves the article "un"/"une".
    converted: str = alpha2digit(text, "fr", threshold=2)
    return converted


def _approximation(match: re.Match[str]) -> str:
    if match.group("vague"):
        return match.group(0)  # "quelques dizaines": too vague to give a figure
    base = _APPROXIMATIONS[match.group("word")]
    count = int(match.group("count")) if match.group("count") else 1
    return str(count * base)


def number_value(match: re.Match[str], prefix: str = "") -> Decimal:
    """Decimal value of a match of NUMBER (groups may carry a prefix, e.g. "a_")."""
    value = Decimal(match.group(prefix + "int").replace(" ", ""))
    if match.group(prefix + "frac"):
        value += Decimal("0." + match.group(prefix + "frac"))
    if match.group(prefix + "kilo"):
        value *= 1000
        if value == value.to_integral_value():
            value = value.to_integral_value()  # "1,2 k€" is 1200, not 1200.0
    return -value if match.group(prefix + "sign") else value


def parse_number(text: str) -> Decimal | None:
    """The first number in a French text, written in digits or words; None when there is none."""
    digits = digitize(text)
    match = _NUMBER_RE.search(digits)
    if match:
        return number_value(match)
    return Decimal(1) if _UN_RE.search(digits) else None


# Numbers that count something else than employees: durations, money, volunteers, members, clients.
_OTHER_COUNTS = re.compile(
    NUMBER + r"\s*(?:secondes?|sec|minutes?|min|mn|heures?|h|jours?|journees?|semaines?|mois|ans?|annees?"
    r"|€|euros?|eur|k€|%|pour ?cent|benevoles?|adherents?|membres?|clients?|usagers?|beneficiaires?|residents?"
    r"|eleves?|enfants?|patients?|m2|m²|km|kilometres?|fois|etoiles?|ha|hectares?|places?|lits?)(?!\w)"
    r"|\b(?:en|depuis|de|des|dans|vers|avant|apres|fin|debut) (?:19|20)\d\d\b"
)
# A phone number is not a headcount, however its digits are grouped.
_PHONE_DIGITS = re.compile(r"(?<![\d\u202f])0[1-9](?:[ .-]?\d{2}){4}(?!\d)|\+\d{1,3}(?:[ .-]?\d{1,4}){3,6}(?!\d)")


def parse_headcount(text: str) -> int | None:
    """Number of employees from a French answer ("une cinquantaine", "moins de 10", "entre 20 et 30")."""
    if "@" in (text or "") or _PHONE_DIGITS.search(text or ""):
        return None
    digits = _OTHER_COUNTS.sub(" ", digitize(text))
    for pattern in _RANGE_RES:
        match = pattern.search(digits)
        if match:  # a range: the upper bound decides the 250-employee limit
            return _whole(max(number_value(match, "a_"), number_value(match)))
    match = _NUMBER_RE.search(digits)
    if match:
        return max(0, _whole(number_value(match)) + _shift_before(digits[: match.start()]))
    if _ZERO_HEADCOUNT_RE.search(digits):
        return 0
    return 1 if _ONE_EMPLOYEE_RE.search(digits) else None


_BARE_NUMBER = r"(?<![\w.,-])\d+(?:[ .,]\d+)*"
_STAFF_COUNT = re.compile(
    _BARE_NUMBER + r"\s+(?:[a-z'-]+\s+){0,2}?(?:salarie|personne|employe|etp|collaborat|agent|permanent|equivalent)"
    r"|\b(?:on est|nous sommes|on compte|nous comptons|effectif (?:de|d'environ|:)?|equipe de)\s+"
    r"(?:environ |a peu pres |pres de |plus de |moins de )?" + _BARE_NUMBER
)


def parse_staff_count(text: str) -> int | None:
    """A headcount written with its noun ("12 salariés", "on est 40"): in a long message, a number alone is no headcount."""
    digits = _OTHER_COUNTS.sub(" ", digitize(text))
    match = None if "@" in (text or "") or _PHONE_DIGITS.search(text or "") else _STAFF_COUNT.search(digits)
    # the words just before the number still move it ("moins de 50 salariés")
    if match is None:
        return None
    start = max(0, match.start() - 20)
    window = digits[start : match.end()]
    return parse_headcount(re.sub(r"^\S*\s", "", window) if start else window)


def _whole(value: Decimal) -> int:
    # "2,5 ETP" counts as 3 people: rounding up never hides a crossing of the limit.
    return int(math.ceil(value))


def _shift_before(prefix: str) -> int:
    for pattern, shift in _BEFORE_RES:
        if pattern.search(prefix):
            return shift
    return 0


# The answer a sentence opens or concludes with decides: "oui, jamais fait dans notre secteur",
# "on n'a jamais rien tenté de ce genre, donc oui c'est nouveau".
_LEADING = re.compile(
    r"^\W*(?:(?P<yes>oui+|ouais|ouai|yes|bien sur|tout a fait|absolument|evidemment)"
    r"|(?P<no>non|nan|nope))\b(?!\s*(?:pas|plus|que non|que oui|non|oui|et non|et oui|ou non|ou pas)\b)"
)
_CONCLUDING = re.compile(r"\b(?:donc|bref|alors|au final|en somme|finalement)\s*,?\s*(?:(?P<yes>oui)|(?P<no>non))\b")


# An opening that answers nothing when more follows: "D'accord. Alors testons : PME de 85 salariés…" (an
# acknowledgment), "bof, pas vraiment" (the rest decides).
_OPENING_WORD = re.compile(
    r"^\W*(?:(?:d'accord|ok|okay|bon|tres bien|entendu)\s*[.!;:]\s*(?=(?:\S+\s+){3}\S)"
    r"|bof\b\W*(?=\w))"
)


def parse_yes_no(text: str) -> str | None:
    """ "yes", "no" or "unknown" from a French answer; None when it is not understood."""
    normalized = _OPENING_WORD.sub("", digitize(text))
    decided = _CONCLUDING.search(normalized) or _LEADING.search(normalized)
    if decided:
        return "yes" if decided.group("yes") else "no"
    for answer, pattern in _YES_NO_RES:
        if pattern.search(normalized):
            return answer
    return None


_GENERIC_COMPANY = re.compile(r"entreprises?|societes?|boites?")


def _find_match(text: str, label: str) -> str | None:
    pattern = dict(_STRUCTURES)[label]
    match = pattern.search(text)
    return match.group(0) if match else None


def parse_structure_type(text: str) -> str | None:
    """Type of structure: pme, association, collectif, grande_entreprise, public, independant, or None."""
    normalized = normalize(text)
    if re.search(r"\bS\.?A\.?(?![\w.])", fold(text)) is None:
        normalized = re.sub(r"\bsa\b", "--", normalized)  # "sa" is a possessive unless written "SA"
    found = _find_first(normalized, _STRUCTURES)
    if found == "pme" and _GENERIC_COMPANY.fullmatch(_find_match(normalized, "pme") or ""):
        # "mon entreprise est une multinationale": a generic word first, the kind of structure after it
        specific = [
            label
            for label, pattern in _STRUCTURES
            if label not in ("pme", "one_person_company") and pattern.search(normalized)
        ]
        found = specific[0] if specific else found
    if found is None and _WORKING_ALONE_RE.search(normalized):
        return "independant"
    if found == "one_person_company":
        # A SASU or EURL has one partner; without employees it is a sole trader.
        return "independant" if _ONE_PERSON_RE.search(normalized) else "pme"
    return found


# "Directeur de site, c'est moi le dirigeant ici": a plain claim of running the structure wins over a job title.
_CLAIMS_MANAGER = re.compile(
    r"\b(?:c'est moi (?:le|la|qui)|je suis (?:le|la|moi-meme le|moi-meme la)) ?"
    r"(?:dirigeante?|patron(?:ne)?|gerante?|responsable de la structure|dirige)\b"
)


def parse_role(text: str) -> str | None:
    """Role of the person: dirigeant, representant_salaries, porteur_collectif, salarie, benevole, externe, or None."""
    normalized = normalize(text)
    if _CLAIMS_MANAGER.search(normalized):
        return "dirigeant"
    for role, pattern in _ROLES:  # specific roles first: "représentant du personnel" is not a "salarié"
        if pattern.search(normalized):
            return role
    found = _find_first(normalized, _PERSONAL_ROLES)
    if found is None and _VOLUNTEER.search(normalized):
        return "benevole"
    return found


def format_number(n: Decimal | int | float | str) -> str:
    """French number: thousands grouped with a narrow no-break space, decimal comma ("1 234,5")."""
    value = _decimal(n)
    return _french(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def format_eur(amount: Decimal | int, ht: bool = True) -> str:
    """French amount in euros: "2 400 € HT", "1 234,50 € HT" (cents only when there are some)."""
    value = _decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    text = _french(value.quantize(Decimal(1)) if value == value.to_integral_value() else value)
    return text + NBSP + "€" + (NBSP + "HT" if ht else "")


def _decimal(n: Decimal | int | float | str) -> Decimal:
    try:
        value = n if isinstance(n, Decimal) else Decimal(str(n))
    except InvalidOperation as error:
        raise ValueError(f"not a number: {n!r}") from error
    if not value.is_finite():
        raise ValueError(f"not a number: {n!r}")
    return value


def _french(value: Decimal) -> str:
    whole, _, fraction = format(value + 0, "f").partition(".")  # "+ 0" turns -0 into 0
    digits = whole.lstrip("-")
    groups = [digits[max(0, end - 3) : end] for end in range(len(digits), 0, -3)]
    sign = "-" if whole.startswith("-") else ""
    return sign + NARROW_NBSP.join(reversed(groups)) + ("," + fraction if fraction else "")
