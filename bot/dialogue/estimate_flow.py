"""The cost estimate as a flow: support and days asked when missing, the rate read when given, the split."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.dialogue.turn import Turn
from bot.program.french import NUMBER, digitize, format_eur
from bot.program.funding import SUPPORT_MAX_DAYS, FundingError, compute_split, parse_days, parse_rate, parse_support

NAME = "estimate"
VALUE_SLOTS = ("support_type", "consultant_days", "day_rate", "day_rate_ttc")
SUPPORT_LABELS = {"court": "appui court", "long": "appui long"}
STEPS = ("support_type", "consultant_days")


def pending(turn: Turn) -> str | None:
    return next((slot for slot in STEPS if turn.get(slot) is None), None)


def ask(turn: Turn, step: str, *, reminder: bool = False, retry: bool = False) -> None:
    prefix = "utter_estimate_resume" if reminder else None
    if step == "support_type":
        turn.say("utter_reask_support_type" if retry else "utter_ask_support_type", prefix=prefix)
    else:
        support = turn.get("support_type") or "long"
        name = "utter_reask_consultant_days" if retry else f"utter_ask_consultant_days_{support}"
        turn.say(name, support=SUPPORT_LABELS[support], max_days=SUPPORT_MAX_DAYS[support], prefix=prefix)
    turn.asked = step


_DAYS_UNIT = re.compile(r"\d ?(?:jours?|journees?|jrs?|j)\b|\b(?:une?|demi)[ -]?(?:jours?|journees?)\b")
_NUMBER_RE = re.compile(NUMBER)
# Words around a bare number that still make it the answer: "ok, 15 du coup", "disons 8", "on part sur 10".
_FILLERS = frozenset(
    "ok okay bon alors disons du coup on part sur va dire mettons environ a peu pres plutot genre je pense "
    "dirais euh ben bah donc ca fera fait ferait soit pour nous de l'appui court long jours jour "
    "c'est ce sera serait".split()
)
_MAXIMUM = re.compile(r"\b(?:le |au )?(?:max|maxi|maximum|plafond|au plus|le plus)\b")
_MONEY = re.compile(r"\d ?(?:€|euros?\b|eur\b|k€|keur|k\b)|\b(?:tarif|tjm|taux|prix)\b|(?:jours?|j) a \d")


def values(text: str, entities: dict | None = None, asking: str | None = None) -> dict:
    """Support, days and rate a message gives ("10 jours d'appui long à 900 € HT").

    A lone number is a day count only as the answer to "combien de jours ?" (`asking`);
    a rate needs a currency, a per-day word or "à" after days: "une asso loi 1901" gives neither.
    """
    entities = entities or {}
    digits = digitize(text)
    found: dict = {}
    support = entities.get("support_type") or parse_support(text)
    if support in SUPPORT_MAX_DAYS:
        found["support_type"] = support
    days = entities.get("consultant_days")
    if days is None and (asking == "consultant_days" or _DAYS_UNIT.search(digits)):
        days = parse_days(text)
    if (
        days is None and asking == "consultant_days"
    ):  # the answer to "combien de jours ?": "ok, 15 du coup", "le maximum"
        numbers = _NUMBER_RE.findall(digits)
        rest = _NUMBER_RE.sub(" ", digits)
        if len(numbers) == 1 and all(word in _FILLERS for word in re.findall(r"[a-z']+", rest)):
            days = Decimal(numbers[0][1].replace(" ", "")) if numbers[0][1] else None
        elif _MAXIMUM.search(digits):
            days = SUPPORT_MAX_DAYS[support or "long"] if support else None
            found["maximum"] = True
    if days is not None:
        found["consultant_days"] = str(days)
    rate = parse_rate(text) if _MONEY.search(digits) else None
    if rate is not None:
        found["day_rate"] = str(rate.ht)
        if rate.ttc:
            found["rate_ttc"] = str(rate.written)
    return found


# After an estimate, a bare number is a new day count when the words around it change the plan:
# "et si on n'en prend que 6 ?", "bon, restons à 15", "on part plutôt sur 4".
_PLAN_CHANGE = re.compile(
    r"\b(?:et si|restons|reste|restez|prenons|prend\w*|partons|part sur|partir sur|plutot|passons"
    r"|passer a|mettons|disons|on dit|en (?:prend|fait|faisant)|que \d|seulement|juste|finalement)\b"
)
_OTHER_QUANTITY = re.compile(
    r"\d ?(?:%|ans?\b|mois\b|salarie\w*|personnes?\b|etp\b|membres?\b|benevoles?\b|heures?\b|h\b)"
)


def follow_up_days(text: str) -> str | None:
    """The new day count of a follow-up with a bare number after an estimate, else None."""
    digits = digitize(text)
    numbers = _NUMBER_RE.findall(digits)
    if (
        len(numbers) != 1
        or len(digits.split()) > 14
        or _OTHER_QUANTITY.search(digits)
        or _MONEY.search(digits)
        or not _PLAN_CHANGE.search(digits)
    ):
        return None
    value = numbers[0][1].replace(" ", "") if isinstance(numbers[0], tuple) else numbers[0].replace(" ", "")
    return value if value.isdigit() and 0 < int(value) <= 60 else None


def days_problem(support: str | None, days) -> str | None:
    """The French explanation when a day count does not fit the support, else None."""
    try:
        compute_split(support or "long", Decimal(str(days)))
    except FundingError as error:
        return error.message
    return None


def describe(values: dict) -> str:
    """ "type d'appui : appui long ; jours : 8" for the values a correction changed."""
    said = []
    if values.get("support_type") in SUPPORT_LABELS:
        said.append(f"type d'appui : {SUPPORT_LABELS[values['support_type']]}")
    if values.get("consultant_days") is not None:
        said.append(f"jours de consultant : {format_days(values['consultant_days'])}")
    if values.get("day_rate") is not None:
        said.append(f"tarif : {format_eur(Decimal(str(values['day_rate'])))} par jour")
    return " ; ".join(said)


def format_days(days) -> str:
    number = Decimal(str(days))
    return str(int(number)) if number == number.to_integral_value() else str(number).replace(".", ",")


def apply(turn: Turn, found: dict) -> list[str]:
    """Keep the values given; a day count that does not fit is explained, never kept. Returns the problems."""
    problems = []
    ttc = found.pop("rate_ttc", None)
    if found.pop("maximum", None) and "consultant_days" not in found:
        found["consultant_days"] = str(SUPPORT_MAX_DAYS[turn.get("support_type") or "long"])
    if "support_type" in found and found["support_type"] != turn.get("support_type"):
        turn.set("support_type", found["support_type"])
        current = found.get("consultant_days") or turn.get("consultant_days")
        if current is not None and days_problem(found["support_type"], current):
            problems.append(days_problem(found["support_type"], current))
            turn.clear("consultant_days")
            found.pop("consultant_days", None)
    if "consultant_days" in found:
        problem = days_problem(turn.get("support_type"), found["consultant_days"])
        if problem:
            problems.append(problem)
        else:
            turn.set("consultant_days", found["consultant_days"])
    if "day_rate" in found:
        rate = Decimal(found["day_rate"])
        if rate <= 0:
            problems.append(turn.text_of("utter_funding_rate_invalid"))
        else:
            turn.set("day_rate", found["day_rate"])
            turn.set("day_rate_ttc", ttc)  # said again with the estimate; None for a rate given HT
            if ttc:
                turn.say("utter_funding_ttc_converted", ttc=format_eur(Decimal(ttc), ht=False), ht=format_eur(rate))
    return problems


def estimate(turn: Turn) -> None:
    """The split with every assumption said, and the same figures for programs (`funding` payload)."""
    support, rate = turn.get("support_type"), turn.get("day_rate")
    try:
        split = compute_split(support, Decimal(str(turn.get("consultant_days"))), Decimal(rate) if rate else None)
    except FundingError as error:
        turn.say("utter_funding_problem", problem=error.message)
        turn.clear("day_rate", "funding")
        return
    variant = "capped" if split.rate_capped else "assumed" if split.rate_assumed else "given"
    turn.say(
        f"utter_funding_estimate_{variant}",
        buttons=not turn.state.stack,
        support=SUPPORT_LABELS[split.support],
        days=split.days,
        day_word="jour" if split.days == 1 else "jours",
        total=format_eur(split.total_eur),
        funded=format_eur(split.funded_eur),
        company=format_eur(split.company_eur),
        rate=_rate_text(turn, split.day_rate_eur),
        ceiling=format_eur(Decimal(1000)),
        excess=format_eur(split.excess_eur),
    )
    result = split.to_dict()
    turn.send_custom({"funding": result})
    turn.set("funding", result)
    turn.state.clear_fails(NAME + ":")


def _rate_text(turn: Turn, rate: Decimal) -> str:
    """ "900 € HT", or "900 € HT (1 080 € TTC)" when the visitor gave it TTC."""
    ttc = turn.get("day_rate_ttc")
    if ttc and turn.get("day_rate") is not None:
        return turn.text_of("utter_rate_with_ttc", rate=format_eur(rate), ttc=format_eur(Decimal(ttc), ht=False))
    return format_eur(rate)


def reset(turn: Turn) -> None:
    turn.clear(*VALUE_SLOTS)
    turn.state.clear_fails(NAME + ":")


def max_days(turn: Turn) -> int:
    return SUPPORT_MAX_DAYS[turn.get("support_type") or "long"]
