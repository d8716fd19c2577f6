"""Funding split of an appui-conseil: 80 % by the program, 20 % by the structure, capped (euros HT)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Dict

from bot.program.french import NUMBER, digitize, format_number, normalize, number_value

# "appui-conseil court pour mieux le définir (jusqu'à 5 jours) ou ... long pour le mettre en œuvre
# (jusqu'à 15 jours sur une durée de 18 mois)"
SUPPORT_MAX_DAYS = {"court": 5, "long": 15}
# "Le coût maximum pour l'entreprise est donc de 1 000 euros HT pour un appui court et 3 000 euros HT
# pour un appui long."
COMPANY_CAP_EUR = {"court": Decimal("1000"), "long": Decimal("3000")}
DAY_RATE_CEILING_EUR = Decimal("1000")  # implied by the caps: 20 % of 5 days × 1 000 = 1 000; of 15 × 1 000 = 3 000
FUNDED_SHARE = Decimal("0.80")  # "Le dispositif assure le financement de 80% de l'intervention du consultant"
CENT = Decimal("0.01")

# A number of days or a day rate as callers hold it: slot values arrive as numbers or as text.
Quantity = Decimal | int | float | str

# Everything the visitor reads when an estimate cannot be made, facts as on the program page.
ERROR_MESSAGES: Dict[str, str] = {
    "unknown_support": (
        "Choisissez l'appui court (jusqu'à 5 jours, pour mieux définir le projet) ou l'appui long "
        "(jusqu'à 15 jours sur 18 mois, pour le mettre en œuvre)."
    ),
    "days_not_a_number": "Indiquez le nombre de jours de l'appui-conseil, par exemple 3 jours.",
    "days_not_whole": "L'appui-conseil se compte en jours entiers : indiquez {choices} jours plutôt que {days} jours.",
    "days_too_few": "L'appui-conseil dure au moins 1 jour : indiquez un nombre de jours entre 1 et {max_days}.",
    "days_over_limit:court": (
        "L'appui court va jusqu'à 5 jours : {days} jours dépassent cette limite. Pour un projet "
        "plus long, l'appui long va jusqu'à 15 jours sur 18 mois."
    ),
    "days_over_limit:long": "L'appui long va jusqu'à 15 jours sur 18 mois : {days} jours dépassent cette limite.",
    "rate_not_a_number": "Indiquez le tarif journalier du consultant en euros HT, par exemple 900 € par jour.",
    "rate_not_positive": "Le tarif journalier du consultant doit être un montant positif en euros HT.",
}


class FundingError(ValueError):
    """An estimate that cannot be made; .code names the rule, .message explains it in French."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FundingSplit:
    """Who pays what for an appui-conseil, in euros HT.

    Above the 1 000 € HT day ceiling, the program's 80 % and the structure's 20 % are
    reckoned on the ceiling; the rest (`excess_eur`) is shown, not hidden, as a part
    whose funding is "à confirmer avec l'Aract": total = funded + company + excess.
    """

    support: str
    days: int
    day_rate_eur: Decimal
    total_eur: Decimal
    funded_eur: Decimal
    company_eur: Decimal
    rate_assumed: bool = False
    rate_capped: bool = False
    requested_rate_eur: Decimal | None = None
    excess_eur: Decimal = Decimal(0)

    def to_dict(self) -> dict[str, str | int | float]:
        """The "funding" custom message of the design contract (JSON-friendly numbers); `excess_eur` only when
        the rate is above the ceiling."""
        result: dict[str, str | int | float] = {
            "support": self.support,
            "days": self.days,
            "day_rate_eur": _json_number(self.day_rate_eur),
            "total_eur": _json_number(self.total_eur),
            "funded_eur": _json_number(self.funded_eur),
            "company_eur": _json_number(self.company_eur),
        }
        if self.excess_eur:
            result["excess_eur"] = _json_number(self.excess_eur)
        return result


def compute_split(support: str, days: Quantity, day_rate: Quantity | None = None) -> FundingSplit:
    """Split the consultant's cost: the program funds 80 %, the structure pays 20 %, at most the cap of the support."""
    if support not in SUPPORT_MAX_DAYS:
        raise FundingError("unknown_support", ERROR_MESSAGES["unknown_support"])
    whole_days = _checked_days(support, days)
    rate, assumed, capped, requested = _checked_rate(day_rate)
    covered = (min(rate, DAY_RATE_CEILING_EUR) * whole_days).quantize(CENT, rounding=ROUND_HALF_UP)
    total = (rate * whole_days).quantize(CENT, rounding=ROUND_HALF_UP)
    company_share = (covered * (1 - FUNDED_SHARE)).quantize(CENT, rounding=ROUND_HALF_UP)
    company = min(company_share, COMPANY_CAP_EUR[support])  # "Le coût maximum pour l'entreprise"
    return FundingSplit(
        support=support,
        days=whole_days,
        day_rate_eur=rate,
        total_eur=total,
        funded_eur=covered - company,
        company_eur=company,
        rate_assumed=assumed,
        rate_capped=capped,
        requested_rate_eur=requested,
        excess_eur=total - covered,
    )


def _checked_days(support: str, days: Quantity) -> int:
    value = _to_decimal(days, "days_not_a_number")
    max_days = SUPPORT_MAX_DAYS[support]
    if value < 1:
        raise FundingError("days_too_few", ERROR_MESSAGES["days_too_few"].format(max_days=max_days))
    if value > max_days:  # "jusqu'à 5 jours" / "jusqu'à 15 jours": never clamp silently
        message = ERROR_MESSAGES[f"days_over_limit:{support}"].format(days=format_number(value))
        raise FundingError("days_over_limit", message)
    if value != value.to_integral_value():  # the page counts the support in days
        lower = max(1, int(value.to_integral_value(rounding=ROUND_FLOOR)))
        upper = min(max_days, int(value.to_integral_value(rounding=ROUND_CEILING)))
        choices = f"{lower} ou {upper}" if lower != upper else f"{lower}"
        message = ERROR_MESSAGES["days_not_whole"].format(choices=choices, days=format_number(value))
        raise FundingError("days_not_whole", message)
    return int(value)


def _checked_rate(day_rate: Quantity | None) -> tuple[Decimal, bool, bool, Decimal | None]:
    if day_rate is None:  # no rate given: the ceiling implied by the caps
        return DAY_RATE_CEILING_EUR, True, False, None
    rate = _to_decimal(day_rate, "rate_not_a_number")
    if rate <= 0:
        raise FundingError("rate_not_positive", ERROR_MESSAGES["rate_not_positive"])
    # Above the ceiling the visitor's rate is kept: the part beyond it is shown as "à confirmer avec l'Aract".
    return rate, False, rate > DAY_RATE_CEILING_EUR, rate


def _to_decimal(value: Quantity | None, code: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise FundingError(code, ERROR_MESSAGES[code])
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise FundingError(code, ERROR_MESSAGES[code]) from None
    if not number.is_finite():
        raise FundingError(code, ERROR_MESSAGES[code])
    return number


def _json_number(amount: Decimal) -> int | float:
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount.quantize(CENT, rounding=ROUND_HALF_UP))


_SHORT_RE = re.compile(r"\bcourte?s?\b|\bdefini\w*\b|\bdefinition\b|\bcadrer\b|\bcadrage\b")
_LONG_RE = re.compile(
    r"\blongs?\b|\blongues?\b|\bmise en (?:oeuvre|place)\b|\bmettre en (?:oeuvre|place)\b"
    r"|\bimplementation\b|\bdeploi\w*\b|\bdeployer\b"
)


_NEGATED_SUPPORT = re.compile(
    r"\b(?:pas|plutot que|au lieu d'|au lieu de|au lieu du|et non|non pas)\s+(?:un |une |l'|le |la |d'|de |du )?"
    r"(?:(?:appui|accompagnement|format)(?:[ -]conseil)? )?(?:courte?|longu?e?)\b"
)


def parse_support(text: str) -> str | None:
    """ "court" or "long" from "appui court", "l'accompagnement long", "définir le projet", "mise en œuvre"."""
    normalized = re.sub(
        r"\bdeja (?:bien )?defini\w*", " ", normalize(text)
    )  # "le projet qu'on a déjà défini": now the long
    normalized = _NEGATED_SUPPORT.sub(" ", normalized)  # "un appui long, pas un court": the one not negated
    short, long = bool(_SHORT_RE.search(normalized)), bool(_LONG_RE.search(normalized))
    if short == long:  # neither, or both ("court ou long ?"): ask again
        return None
    return "court" if short else "long"


_DAY_UNIT = r"(?:jours?|journees?|jrs?|j)\b"
_DAYS_RE = re.compile(NUMBER + r" ?(?:de )?" + _DAY_UNIT)  # "de": "une quinzaine de jours"
_ONE_DAY_RE = re.compile(r"\b(?:une?) (?=" + _DAY_UNIT + ")")
_HALF_DAY_RE = re.compile(r"\bet (?:une )?demie?\b|\bdemi[- ]?journee\b")
_CURRENCY = r"(?:€|euros?\b|eur\b)"
_PER_DAY = r"(?:/|par|la|le|l'|a la|de l') ?" + _DAY_UNIT
_LONE_NUMBER = NUMBER + r"(?! ?[a-z€])"
_RATE_RES = [
    # "950 € par jour", "950€/jour", "1,2 k€ la journée", "1 100 euros HT par jour"
    re.compile(NUMBER + r" ?" + _CURRENCY + r"? ?(?:ht|ttc)? ?" + _PER_DAY),
    # "tarif journalier de 800", "TJM : 900", "taux jour de 750 €" (not "tarif pour 3 jours")
    re.compile(r"\b(?:tarif|taux|prix|cout|tjm)\b[^0-9]{0,30}?" + NUMBER + r"(?! ?" + _DAY_UNIT + ")"),
    # "à 950 €", "950 euros HT"
    re.compile(NUMBER + r" ?" + _CURRENCY),
    # "3 jours à 950"
    re.compile(r"\ba " + _LONE_NUMBER),
    # "950" on its own, as the answer to "quel tarif ?"
    re.compile(r"^(?:[a-z']+ ){0,3}" + _LONE_NUMBER + r"\W*$"),
]


VAT_RATE = Decimal("0.20")  # standard French VAT on consulting: the program's amounts are HT
_TTC_RE = re.compile(r"\bttc\b|toutes taxes|tva comprise|avec (?:la )?tva")


@dataclass(frozen=True)
class RateGiven:
    """A day rate as the visitor wrote it, and in euros HT (a TTC rate is converted at 20 % VAT)."""

    ht: Decimal
    written: Decimal
    ttc: bool = False


def parse_rate(text: str) -> RateGiven | None:
    """The day rate of a message in euros HT: "900 € HT par jour", "1 080 € TTC la journée" (-> 900 HT)."""
    rate = parse_day_rate(text)
    if rate is None:
        return None
    if _TTC_RE.search(normalize(text)):
        return RateGiven((rate / (1 + VAT_RATE)).quantize(CENT, rounding=ROUND_HALF_UP), rate, True)
    return RateGiven(rate, rate)


def parse_days(text: str) -> Decimal | None:
    """Number of days from "9 jours", "dix jours", "une journée", "3 jours à 950 € par jour"; None if none."""
    digits = _ONE_DAY_RE.sub("1 ", digitize(text))
    half = Decimal("0.5") if _HALF_DAY_RE.search(digits) else Decimal(0)
    match = _DAYS_RE.search(digits)
    if match:
        return number_value(match) + half
    if half:
        return half  # "une demi-journée"
    # A number without a unit ("3", "dix") is days only when nothing in the text speaks of money.
    if re.search(_CURRENCY + r"|\b(?:tarif|taux|tjm|prix)\b|" + _PER_DAY, digits) is None:
        match = re.search(_LONE_NUMBER, digits)
        return number_value(match) if match else None
    return None


def parse_day_rate(text: str) -> Decimal | None:
    """Consultant's day rate in euros from "à 950 € par jour", "1,2 k€ la journée", "tarif journalier de 800"."""
    digits = digitize(text)
    for pattern in _RATE_RES:
        match = pattern.search(digits)
        if match:
            return number_value(match)
    return None
