"""What a visitor's words signal besides their values: a question, a correction, a refusal, noise, a control word.

The NLU model gives an intent; these cues read the text itself, so that the
dialogue can tell "non merci" at an optional question from "non" at a yes/no
question, or "en fait on est 300" from a project description that happens to
hold a number. All patterns work on `normalize`d text (lowercase, no accents).
"""

from __future__ import annotations

import re

from bot.program.french import fold, normalize

_QUESTION_WORDS = re.compile(
    r"^(?:et |mais |alors |du coup |au fait |sinon |aussi |bon |ok |d'accord |euh )*"
    r"(?:combien|comment|pourquoi|pk|pq|quand|qui|quel|quelle|quels|quelles|kel|kelle|ou |où|est-ce|est ce|estce"
    r"|c'est quoi|c quoi|cest quoi|qu'est|quest|que |quoi|peut-on|peut on|puis-je|puis je|peux-tu|pouvez-vous"
    r"|pouvez vous|y a-t-il|y a t il|ya t il|il y a|a qui|a quoi|dois-je|faut-il|faut il|on peut|je peux|est-il"
    r"|sont-ils|avez-vous|avez vous|vous pouvez|tu peux|ça coute|ca coute|cb|koi|comment ça|comment ca)\b"
)


def asks_back(text: str) -> bool:
    """A question put at a question ("et si plus tard je veux qu'elles soient supprimées ?"): no answer to it."""
    return text.rstrip().endswith("?") and len(text.split()) > 3


def is_question(text: str) -> bool:
    """The visitor asks something: a question mark, or a sentence opening like a French question."""
    return "?" in text or bool(_QUESTION_WORDS.search(normalize(text)))


# An explicit correction of an earlier answer ("en fait on est 300", "non plutôt dans l'Ain").
_CORRECTION = re.compile(
    r"\b(?:en fait|en realite|finalement|plutot|je me suis trompee?s?|je me suis mal exprimee?|erreur"
    r"|correction|corrige[rz]?|rectifi\w*|rectif|je voulais dire|j'ai voulu dire|je rectifie|pas \w+ mais"
    r"|non c'est|non,? on est|non,? nous sommes|non,? on a|non,? nous avons|oups|pardon,? |ah non|ah ben non"
    r"|modifie[rz]? (?:ma|mon|la|le)|changer (?:ma|mon|la|le)|au temps pour moi|autant pour moi|my bad"
    r"|je corrige|mauvaise reponse|je reprends)\b"
)


def is_correction(text: str) -> bool:
    """The visitor says an earlier answer was wrong."""
    return bool(_CORRECTION.search(normalize(text)))


# Natural refusals: "non merci", "je préfère pas", "je ne souhaite pas le communiquer", "passer".
_REFUSAL = re.compile(
    r"^\s*(?:non|nan|no|nope|niet)\s*(?:merci|ca ira|c'est bon|pas besoin)?\s*[.!]*\s*$"
    r"|\b(?:non merci|pas envie|pas question|hors de question|surtout pas|sans facon|je refuse|refuse"
    r"|je (?:ne )?(?:prefere|souhaite|veux|voudrais|tiens|desire) (?:pas|plutot pas|ne pas|point)"
    r"|je (?:ne )?prefere(?:rais)? (?:ne pas|pas)|pas (?:tres )?chaud|pas la peine|pas necessaire|pas besoin"
    r"|(?:passer|on passe|passons|je passe)(?! a (?:la |l'|le )?(?:mise en relation|relation|contact|estimation|test|quiz))"
    r"|question suivante|suivant(?:e)?\b|skip|sauter|pas de (?:telephone|tel|numero|portable)"
    r"|pas de tel\b|aucun numero|sans telephone|je n'en ai pas|j'en ai pas|pas communiquer|ne pas (?:le |la |les )?(?:communiquer|donner|dire)"
    r"|je ne (?:le |la |les )?(?:communique|donne) pas|confidentiel|pas maintenant|plus tard|rien a ajouter"
    r"|je ne veux pas|je veux pas|j'ai pas envie|ca me dit rien|non pas vraiment)\b"
)


def is_refusal(text: str) -> bool:
    """A natural refusal to answer or to go on."""
    return bool(_REFUSAL.search(normalize(text)))


_DONT_KNOW = re.compile(
    r"\b(?:je ne sais pas|je sais pas|je ne sais plus|sais pas|sait pas|jsp|j'sais pas|chais pas|aucune idee"
    r"|pas d'idee|je n'en sais rien|j'en sais rien|aucune id|je ne suis pas sure?|pas sure?|pas certaine?"
    r"|difficile a dire|dur a dire|je ne connais pas|je connais pas|inconnu|no idea|ne sait pas|ne savons pas"
    r"|on ne sait pas|on sait pas|je verrai|a voir|a definir|pas encore decide|je ne peux pas dire)\b"
)


def is_dont_know(text: str) -> bool:
    """ "Je ne sais pas" in its many spellings, as an answer (not inside a long story)."""
    return len(text.split()) <= 12 and bool(_DONT_KNOW.search(normalize(text)))


_STOP = re.compile(
    r"^\s*(?:stop|stoppe|arrete[rz]?|arret|annule[rz]?|annulation|abandonne[rz]?|quitter|quitte[rz]?|fin|terminer"
    r"|laisse(?:z)? tomber|on arrete(?: la)?|j'arrete|je m'arrete|on laisse tomber|ca suffit|assez)\b"
    r"|\b(?:arrete[rz]? (?:le|la|les|ce|cette|tout)|annule[rz]? (?:le|la|les|ce|cette|tout)|stop (?:le|la|au|a)"
    r"|je (?:veux|voudrais|prefere) (?:arreter|abandonner|annuler|quitter)|on arrete|laisse(?:z)? tomber"
    r"|je ne veux plus (?:continuer|repondre)|je veux plus (?:continuer|repondre)|c'est fini|basta|on s'arrete"
    r"|j'en ai assez|j'abandonne|(?:pas|plus) (?:envie|le temps) de (?:continuer|me lancer|faire (?:ca|le test|l'estimation)"
    r"|chiffrer|calculer)|finalement (?:pas la peine|ca ira)|non merci,? (?:finalement|ca ira|pas la peine|sans facon))\b"
)


def is_stop(text: str) -> bool:
    """A request to stop what is under way (or to pause it: "on met en pause, je reviens plus tard")."""
    normalized = normalize(text)
    return bool(_STOP.search(normalized) or _PAUSE.search(normalized))


_PAUSE = re.compile(
    r"\b(?:en pause|faire une pause|je (?:reviendrai|reviens|repasserai) (?:plus tard|demain|apres)"
    r"|on (?:reprendra|continuera|verra) (?:plus tard|demain|apres)|je (?:finirai|continuerai) plus tard)\b"
)


# Asking for information without a question mark: "je voudrais savoir les critères", "dites-moi qui finance".
_ASKING_INFO = re.compile(
    r"\b(?:je (?:voudrais|veux|voulais|souhaite|souhaitais|souhaiterais|aimerais) (?:juste |seulement |simplement |bien |aussi )?"
    r"(?:savoir|connaitre|comprendre|des (?:infos|informations|precisions))"
    r"|j'aimerais (?:savoir|connaitre|comprendre)|dites[- ]moi|expliquez|explique[- ]moi|parlez[- ]moi|renseignez[- ]moi"
    r"|precisez|rappelez[- ]moi|(?:des )?(?:infos?|informations?|precisions?) sur|c'est quoi|c quoi|qu'est-ce)\b"
)


def asks_something(text: str) -> bool:
    """A question, with or without its question mark."""
    return is_question(text) or bool(_ASKING_INFO.search(normalize(text)))


_RESUME = re.compile(
    r"\b(?:reprendre|reprenons|reprends|reprenez|on reprend|continuer|continuons|continue[rz]?|poursuivre"
    r"|poursuivons|on continue|on y retourne|retour (?:au|a la) (?:test|quiz|questionnaire|question)"
    r"|ou en etions|ou on en etait|la ou on en etait|ou nous en etions)\b"
)
_FROM_SCRATCH = re.compile(
    r"\b(?:a zero|recommencer|recommence|refaire|nouveau test|tout effacer|de zero|repartir de|reset)\b"
)
# "depuis le début" starts over in "reprendre depuis le début" or alone, not in "associées depuis le début".
_FROM_THE_START = re.compile(r"\b(?:depuis le debut|du debut|au debut)\b")
_BACK_VERB = re.compile(r"\b(?:repren\w*|revenir|reviens|revenons|retour\w*|repart\w*|retourn\w*|on refait)\b")


def _from_scratch(normalized: str) -> bool:
    if _FROM_SCRATCH.search(normalized):
        return True
    return bool(_FROM_THE_START.search(normalized)) and (
        len(normalized.split()) <= 5 or bool(_BACK_VERB.search(normalized))
    )


def is_resume(text: str) -> bool:
    """ "Reprendre le test": continue where it was (not from the first question)."""
    normalized = normalize(text)
    return bool(_RESUME.search(normalized)) and not _from_scratch(normalized)


def is_restart(text: str) -> bool:
    """ "Recommencer", "reprendre depuis le début": start over."""
    return _from_scratch(normalize(text))


# Asking for a person in words the model may read as a question on the contacts ("je souhaite être contactée").
_HUMAN = re.compile(
    r"\b(?:etre (?:re)?contactee?s?|etre rappelee?s?|me (?:re)?contacter|me rappeler|me joindre|nous (?:re)?contacter"
    r"|nous rappeler|parler a (?:quelqu'un|une personne|un humain|un conseiller|une conseillere|quelqu un)"
    r"|(?:un|une) (?:vraie? )?(?:humain|personne physique|conseill(?:er|ere)) (?:me|nous)"
    r"|quelqu'un au bout du fil|quelqu un au bout du fil|mettre en (?:relation|contact)|mettez-moi en (?:relation|contact)"
    r"|qu'on me (?:rappelle|contacte)|qu'un (?:conseiller|humain) me|(?:contactez|appelez|recontactez)[- ]moi"
    r"|rappelez[- ]moi(?! (?:le|la|les|l'|ce|ces|comment|pourquoi|combien|quel\w*|qui|quand|ou|si|de|d'))"
    r"|(?:etre |me )?mise?s? en (?:relation|contact)|etre en lien avec"
    r"|(?:un|une|quelqu'un|quelqu un|une personne) (?:conseill\w+ )?(?:de l'aract )?(?:pourrait|peut|pourra|pourriez)"
    r" (?:m'|me |nous )(?:ecrire|appeler|rappeler|contacter|recontacter|repondre)"
    r"|(?:echanger|discuter|parler|etre en contact|etre en relation) avec (?:un|une|quelqu'un|quelqu un|l'equipe|l'aract|vous)"
    r"(?: (?:conseill\w+|humain|personne|vrai\w*|charge\w*))?)\b"
)


def asks_for_a_person(text: str) -> bool:
    """ "Je souhaite être contactée", "quelqu'un au bout du fil ?": the handoff, whatever the model heard."""
    return bool(_HUMAN.search(normalize(text)))


_MENTIONS_QUIZ = re.compile(r"\b(?:test|quiz+|questionnaire|questions|eligibilite|eligible)\b")


def mentions_quiz(text: str) -> bool:
    """The visitor names the eligibility test."""
    return bool(_MENTIONS_QUIZ.search(normalize(text)))


# Insults and attempts to steer the assistant: never answered with a program topic.
_HOSTILE = re.compile(
    r"\b(?:con(?:ne|nard|nasse)?s?|debile|idiote?|abruti|cretin|merde|putain|pute|salope|encule|nul(?:le)?s?"
    r"|naze|batard|ta gueule|ferme la|fdp|tg|ntm|degage|stupide|incompetente?s?)\b"
    r"|\b(?:ignore[rsz]? (?:tes|vos|les|toutes|ces) (?:instructions|consignes|regles)|system prompt|prompt systeme"
    r"|oublie (?:tes|vos|les) (?:instructions|consignes|regles)|tu es maintenant|jailbreak|mode developpeur"
    r"|developer mode|act as|agis comme)\b"
    r"|<\s*/?\s*(?:script|iframe|img|div|svg)\b|\b(?:select|union|drop|insert|delete)\b.*\b(?:from|table|into|where)\b"
    r"|\bor\s+'?1'?\s*=\s*'?1"
)


def is_hostile(text: str) -> bool:
    """An insult, an injection or an attempt to make the assistant leave its role."""
    return bool(_HOSTILE.search(normalize(text)))


_LETTERS = re.compile(r"[a-z]")
_VOWELS = re.compile(r"[aeiouy]")
_WORD = re.compile(r"[A-Za-z']+")
_ACRONYM = re.compile(r"^[A-Z0-9&]{2,6}$")


def is_noise(text: str) -> bool:
    """Gibberish: no letters, or mostly words with no vowel or a keyboard mash ("xkcd ptdr", "azertyuiop").

    Acronyms in capitals (BTP, ADMR, CSE) are words: an organisation's name is no noise.
    """
    folded = fold(text)
    if not _LETTERS.search(folded.lower()):
        return not re.search(r"\d", folded)  # "..." or "?!" is noise; a lone number is not
    words = [word for word in _WORD.findall(folded) if not _ACRONYM.match(word)]
    if not words:
        return False
    lowered = [word.lower() for word in words]
    voweless = sum(1 for word in lowered if len(word) >= 2 and not _VOWELS.search(word) and word not in _KNOWN_SHORT)
    mashed = sum(1 for word in lowered if (len(word) > 7 and len(set(word)) <= 3) or word in _MASHES)
    return (voweless + mashed) * 2 >= len(words) and len(words) <= 4


_KNOWN_SHORT = frozenset(
    {
        "jsp",
        "stp",
        "svp",
        "bjr",
        "slt",
        "cb",
        "pk",
        "pq",
        "mrc",
        "nn",
        "tkt",
        "psk",
        "dc",
        "ds",
        "ns",
        "vs",
        "pr",
        "tt",
        "qd",
        "rh",
        "drh",
        "ess",
        "dg",
        "pdg",
        "cse",
        "ge",
        "rdv",
        "tms",
        "qvt",
        "ht",
        "ttc",
        "nb",
        "st",
        "mr",
        "mme",
        "ca",
        "qqn",
        "bcp",
        "ptt",
        "mdr",
        "lol",
        "ok",
        "ah",
        "oh",
        "hm",
    }
)
_MASHES = frozenset({"azerty", "azertyuiop", "qwerty", "qsdf", "qsdfghjklm", "wxcvbn", "aaaa", "blabla", "blablabla"})


EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_EMAIL_ISH = re.compile(r"\S+@\S*|\S*@\S+")
PHONE = re.compile(
    r"(?<![\d,.])(?:\+33\s?|0033\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?![\d,])|(?<![\d,.])\+\d{1,3}(?:[\s.-]?\d{2,4}){3,5}(?!\d)"
)


def find_email(text: str) -> str | None:
    """An email address written in the message."""
    match = EMAIL.search(text or "")
    return match.group(0).strip(".") if match else None


def has_email_like(text: str) -> bool:
    """Something with an @: an address, maybe mistyped."""
    return bool(_EMAIL_ISH.search(text or ""))


def find_phone(text: str) -> str | None:
    """A French or international phone number written in the message."""
    match = PHONE.search(text or "")
    return match.group(0).strip() if match else None


_NAME_CUE = re.compile(
    r"\b(?:je m'appelle|je me nomme|moi c'est|mon nom (?:complet |de famille )?(?:est|c'est|:)|nom :)\s+"
    r"(?P<name>[A-Za-zÀ-ÖØ-öø-ÿ' -]{2,60}?)(?=\s*(?:[,.;!?]|$|\bet\b|\bmon\b|\bma\b|\bmail\b|\bcourriel\b|\bemail\b))",
    re.IGNORECASE,
)
# "je suis Karim Benali, de l'association…": a name only when written with capitals (not "je suis le directeur").
_NAME_AFTER_SUIS = re.compile(r"\b[Jj]e suis (?P<name>[A-ZÀ-Ö][a-zà-öø-ÿ'-]+(?: [A-ZÀ-Ö][A-Za-zà-öø-ÿ'-]+){1,3})")
_ORGANISATION_CUE = re.compile(
    r"\b(?:de|pour|chez) (?:l'|la |le )?(?:association|asso|entreprise|societe|société|scop|scic|cooperative|coopérative"
    r"|structure|collectif|cluster|groupement)\s+(?P<name>[A-ZÀ-Ö«\"][^,.;!?]{1,80})"
)
_NAME_WORD = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'.-]*$")
_NOT_NAME_WORDS = frozenset(
    normalize(word)
    for word in (
        "oui",
        "non",
        "ok",
        "merci",
        "bonjour",
        "salut",
        "stop",
        "test",
        "projet",
        "association",
        "entreprise",
        "pme",
        "je",
        "nous",
        "on",
        "vous",
        "pourquoi",
        "combien",
        "comment",
        "quoi",
        "qui",
        "quel",
        "quelle",
        "pas",
        "ne",
        "sais",
        "veux",
        "aide",
        "appui",
        "rien",
        "aucun",
        "personne",
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "est",
        "suis",
        "sommes",
        "avec",
        "pour",
        "dans",
        "mon",
        "ma",
        "mes",
        "notre",
        "directeur",
        "directrice",
        "general",
        "generale",
        "gerant",
        "gerante",
        "president",
        "presidente",
        "responsable",
        "charge",
        "chargee",
        "drh",
        "salarie",
        "salariee",
        "elu",
        "elue",
        "membre",
        "coordinateur",
        "coordinatrice",
        "delegue",
        "deleguee",
        "fondateur",
        "fondatrice",
        "tresorier",
        "tresoriere",
        "benevole",
        "adjoint",
        "adjointe",
        "bonne",
        "belle",
        "journee",
        "soiree",
        "cordialement",
        "salutations",
        "hello",
        "coucou",
        "bonsoir",
    )
)


def find_name(text: str) -> str | None:
    """A person's name given with a cue ("je m'appelle Claire Martin", "moi c'est Paul", "je suis Karim Benali"),
    or heading a signature."""
    match = _NAME_CUE.search(text or "") or _NAME_AFTER_SUIS.search(text or "")
    if not match:
        return _signature(text).get("name") or _listed(text).get("name")
    name = match.group("name").strip(" -'")
    return name if looks_like_name(name) else None


def find_organisation(text: str) -> str | None:
    """A structure's name given with a cue ("de l'association Les Ateliers du Lien"), or in a signature."""
    match = _ORGANISATION_CUE.search(text or "")
    if match:
        return match.group("name").strip(' "«»')
    return _signature(text).get("organisation") or _listed(text).get("organisation")


_SIGN_OFF = re.compile(
    r"^\s*(?:--+|cordialement|bien (?:a|à) vous|bien cordialement|salutations|merci d'avance"
    r"|sinc(?:e|è)res salutations|belle journ(?:e|é)e)\b.*$",
    re.IGNORECASE,
)
_STRUCTURE_LINE = re.compile(
    r"^\s*(?P<name>(?:association|asso|entreprise|soci(?:e|é)t(?:e|é)|scop|scic|sarl|sas|eurl"
    r"|coop(?:e|é)rative|collectif|cluster|groupement|geiq|p(?:o|ô)le)\b[^\n]{1,80}?)\s*$",
    re.IGNORECASE,
)
_CAPITALISED_NAME = re.compile(
    r"^(?:M\.|Mme|Mr|Madame|Monsieur)?\s*[A-ZÀ-Ö][a-zà-öø-ÿ'-]+(?:[ -][A-ZÀ-Ö][A-Za-zà-öø-ÿ'-]+){1,3}$"
)


def _signature(text: str) -> dict:
    """The name and the structure of a mail-like signature: the lines after "Cordialement," or "--"."""
    lines = [line.strip() for line in (text or "").splitlines()]
    start = next((index for index, line in enumerate(lines) if _SIGN_OFF.match(line)), None)
    if start is None:
        return {}
    found: dict = {}
    for line in lines[start + 1 : start + 6]:
        if not line or _SIGN_OFF.match(line):
            continue
        if "name" not in found and _CAPITALISED_NAME.match(line) and looks_like_name(line):
            found["name"] = line
        elif "organisation" not in found and _STRUCTURE_LINE.match(line):
            found["organisation"] = _STRUCTURE_LINE.match(line).group("name")
    return found


_OF_STRUCTURE = re.compile(r"^(?:de|du|chez|pour)\s+(?:la |le |l'|les )?(?P<name>[A-ZÀ-Ö][^\n]{1,80})$")


_PROPER_NOUNS = re.compile(
    r"^[A-ZÀ-Ö0-9][\w'’&-]*(?:\s+(?:(?:de|du|des|la|le|les|et|d'|l')\s*)?[A-ZÀ-Ö0-9&][\w'’&-]*){0,5}$"
)


_COURTESY = frozenset(
    {
        "merci",
        "bonjour",
        "bonsoir",
        "salut",
        "hello",
        "cordialement",
        "salutations",
        "bonne",
        "belle",
        "journee",
        "soiree",
        "svp",
        "oui",
        "non",
        "ok",
    }
)


def _listed(text: str) -> dict:
    """The name and the structure of details listed beside an address ("Paul Girard, de la Menuiserie Girard,
    paul@…"; "Claire Fontaine, claire@…, SCOP Fontaine"): only when an email or a phone number is there."""
    if not (find_email(text) or find_phone(text)):
        return {}
    found: dict = {}
    for segment in re.split(r"[,;\n]|\.\s+|\s+-\s+", text or ""):
        segment = segment.strip(" .:")
        if not segment or EMAIL.search(segment) or PHONE.search(segment):
            continue
        structure = _STRUCTURE_LINE.match(segment) or _OF_STRUCTURE.match(segment)
        if "organisation" not in found and structure:
            found["organisation"] = structure.group("name").strip(' "«»')
        elif "name" not in found and _CAPITALISED_NAME.match(segment) and looks_like_name(segment):
            found["name"] = segment
        elif (
            "name" in found
            and "organisation" not in found
            and _PROPER_NOUNS.match(segment)
            and not _COURTESY.intersection(normalize(segment).split())
        ):
            found["organisation"] = segment  # "Nadia Roux, nadia@…, Cantal Emballages": the name comes first
    return found


def looks_like_name(text: str) -> bool:
    """One to five words that could be a first and last name ("Claire Martin", "M. Dupont", "jean-paul")."""
    words = (text or "").replace(",", " ").split()
    if not 1 <= len(words) <= 5 or any(not _NAME_WORD.match(word) for word in words):
        return False
    return not any(normalize(word) in _NOT_NAME_WORDS for word in words)


def without(text: str, *parts: str | None) -> str:
    """The text with the given parts (an email, a phone) taken out, and the punctuation left around them."""
    for part in parts:
        if part:
            text = text.replace(part, " ")
    text = re.sub(
        r"\b(?:et|mon|ma|adresse|mail|e-mail|email|courriel|tel|tél|téléphone|telephone)\b\s*:?",
        " ",
        text,
        flags=re.IGNORECASE,
    )
    return re.sub(r"\s+", " ", text).strip(" ,;:-/")


# A question in English: the French answer of the same topic ("same facts"), with the French-only notice.
_ENGLISH_TOPICS = [
    (
        "human",
        re.compile(
            r"\b(?:talk to|speak to|speak with|talk with|someone|somebody|a person|a human|call me|contact me)\b"
        ),
    ),
    ("cout", re.compile(r"\b(?:cost|price|pay|fee|fees|funded|funding|how much)\b")),
    ("duree", re.compile(r"\b(?:how long|duration|last|days)\b")),
    ("beneficiaires", re.compile(r"\b(?:who can|eligible|eligibility|apply for|which compan\w*|non-profit|ngo)\b")),
    ("candidater", re.compile(r"\b(?:apply|application|submit|file)\b")),
    ("comite", re.compile(r"\b(?:committee|selection|selects?)\b")),
    ("criteres", re.compile(r"\b(?:criteria|requirements?)\b")),
    ("contact", re.compile(r"\b(?:contact|email|e-mail|phone|reach)\b")),
    ("donnees", re.compile(r"\b(?:data|privacy|gdpr|personal information)\b")),
    ("programme", re.compile(r"\b(?:what is|about|program|programme)\b")),
]


def english_topic(text: str) -> str | None:
    """The FAQ topic an English question is about, if any."""
    lowered = (text or "").lower()
    return next((topic for topic, pattern in _ENGLISH_TOPICS if pattern.search(lowered)), None)


# Phrases that name one FAQ topic beyond doubt: a backstop when the model picks another topic or another intent.
_TOPIC_PHRASES = [
    (
        "pilotage",
        r"qui finance|finance par qui|financee? par qui|qui pilote|pilote par qui|feder"
        r"|qui (?:paie|paye|prend en charge|verse|regle|finance) (?:les |le |ces |la )?(?:80|reste|subvention|financement)",
    ),
    (
        "contact",
        r"qui (?:je )?(?:contacte|dois contacter|peux contacter)|a qui (?:m'|me )?(?:adresser|ecrire)|ecrire a qui"
        r"|quelle (?:est l')?adresse (?:mail|e-mail|email|electronique)|votre (?:mail|e-mail|email|adresse mail)"
        r"|(?:numero|telephone|tel) (?:de telephone )?(?:de l'aract|de l'equipe)|joindre l'aract|contacter l'aract",
    ),
    (
        "cout",
        r"part financee|pris en charge|reste a charge|combien (?:ca|cela) coute|(?:ca|cela) coute combien"
        r"|c'est gratuit|c'est payant|ca coute quelque chose",
    ),
    ("comite", r"se reunit|qui selectionne|qui choisit les projets|qui siege"),
    (
        "duree",
        r"combien de (?:temps|jours|mois) (?:dure|ca dure|prend|dure l'accompagnement)|dure combien"
        r"|(?:c'est|ca fait|ca represente|ca dure) combien de (?:jours|mois)|combien de jours (?:au )?(?:maximum|max)"
        r"|duree de l'accompagnement|duree de l'appui",
    ),
    ("calendrier", r"date limite|prochain comite|deadline|quand (?:deposer|candidater|postuler)"),
    (
        "donnees",
        r"mes donnees|rgpd|donnees personnelles|mes coordonnees|mes infos perso|(?:vous )?(?:gardez|conservez)"
        r"|(?:garder|conserver|stocker|stockez) (?:mes|nos|ces|les) (?:infos|informations|donnees|coordonnees)"
        r"|qui (?:y )?(?:a|aura) acces|acces a (?:mes|nos|ces) (?:infos|informations|donnees|coordonnees)",
    ),
    (
        "candidater",
        r"comment (?:candidater|postuler)|(?:envoyer|deposer|renvoyer|renvoie) (?:le |notre |mon |ce )?dossier"
        r"|(?:l'|le )?(?:envoie|renvoie|envoyer|renvoyer|adresse) a qui|a qui (?:l'|le )?(?:envoyer|renvoyer)",
    ),
    (
        "beneficiaires",
        r"qui peut (?:candidater|postuler|en beneficier|y avoir droit|en profiter)"
        r"|(?:elle|il|elles|ils|ca) (?:pourrai\w*|peu\w*) (?:aussi )?(?:postuler|candidater|en beneficier)"
        r"|(?:elle|il|elles|ils) (?:y )?(?:aurai\w*|a|ont) droit",
    ),
    ("appui_court", r"projet (?:deja |bien )?(?:defini|pret|mur|abouti)|idee (?:encore )?floue"),
    ("consultants", r"(?:choisir|choisit) (?:le|notre|un) consultant|notre propre consultant"),
    ("porteur", r"qui (?:peut|doit|a le droit de|pourra) (?:deposer|presenter|porter|remplir|soumettre|signer)"),
]
_TOPIC_RES = [(topic, re.compile(r"\b(?:" + phrases + r")\b")) for topic, phrases in _TOPIC_PHRASES]


# One support named by its words: "l'appui court, ça dure combien ?" is that support's question.
_SUPPORT_NAMED = [
    ("appui_court", re.compile(r"\b(?:appui|accompagnement|format)(?:[ -]conseil)? court\b")),
    ("appui_long", re.compile(r"\b(?:appui|accompagnement|format)(?:[ -]conseil)? long\b")),
]


def topic_named(text: str) -> str | None:
    """The one FAQ topic a question names in so many words ("qui finance ?" is pilotage), or None."""
    normalized = normalize(text)
    found = {topic for topic, pattern in _TOPIC_RES if pattern.search(normalized)}
    if found == {"duree"}:
        # "l'appui court, ça dure combien ?": that support's own answer gives its length and its cost
        named = {kind for kind, pattern in _SUPPORT_NAMED if pattern.search(normalized)}
        both = re.search(r"\bcourt\b", normalized) and re.search(r"\blong\b", normalized)
        if len(named) == 1 and not both:
            return named.pop()
    return found.pop() if len(found) == 1 else None


_ENGLISH_WORDS = frozenset(
    """the a an is are was be you your my we our i it this that what how why when who which can could
would will do does did have has to of for with about on in please thanks thank hello hi long much many keep data
program support cost apply talk someone eligible company not no yes""".split()
)
_FRENCH_WORDS = frozenset(
    """le la les un une des est sont je vous nous on de du et a au aux pour avec quoi comment
combien pourquoi quand qui que ce cette mon ma mes notre nos votre vos pas oui non merci bonjour""".split()
)


def looks_english(text: str) -> bool:
    """A message in English ("How long will you keep my data?"), whatever the model heard."""
    words = re.findall(r"[a-z']+", (text or "").lower())
    if len(words) < 3:
        return False
    english = sum(word in _ENGLISH_WORDS for word in words)
    french = sum(word in _FRENCH_WORDS for word in words)
    return english >= max(2, len(words) // 2) and french <= english // 3


# The words of small talk: the model's greet, thank or goodbye needs them (it read "heu" as goodbye once).
_SOCIAL_WORDS = {
    "greet": re.compile(r"\b(?:bonjour|bonsoir|salut|slt|bjr|hello|coucou|hey|re|rebonjour|bien le bonjour|yo)\b"),
    "thank": re.compile(r"\b(?:merci|mrc|mci|remercie|remerciements|thanks?|thx|reconnaissante?)\b"),
    "goodbye": re.compile(
        r"\b(?:au revoir|a plus|a\+|bye|ciao|tchao|a bientot|bonne (?:journee|soiree|fin|continuation|nuit)"
        r"|je (?:vous )?laisse|je m'en vais|je me deconnecte|adieu|a la prochaine|je file|je quitte)"
    ),
}


def says_small_talk(kind: str, text: str) -> bool:
    """The message has the words of its kind of small talk."""
    return bool(_SOCIAL_WORDS[kind].search(normalize(text)))
