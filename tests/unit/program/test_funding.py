"""Tests of bot.program.funding: the 80/20 split, its caps, the day limits, and what visitors type."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.program.funding import (
    COMPANY_CAP_EUR,
    DAY_RATE_CEILING_EUR,
    FUNDED_SHARE,
    SUPPORT_MAX_DAYS,
    FundingError,
    FundingSplit,
    compute_split,
    parse_day_rate,
    parse_days,
    parse_support,
)


def test_constants_are_the_program_page_figures():
    assert SUPPORT_MAX_DAYS == {"court": 5, "long": 15}
    assert COMPANY_CAP_EUR == {"court": Decimal(1000), "long": Decimal(3000)}
    assert FUNDED_SHARE == Decimal("0.80")
    # the ceiling is implied by the caps: 20 % of the longest support at the ceiling is the cap
    for support, max_days in SUPPORT_MAX_DAYS.items():
        assert (1 - FUNDED_SHARE) * max_days * DAY_RATE_CEILING_EUR == COMPANY_CAP_EUR[support]


@pytest.mark.parametrize(
    "support, days, rate, total, funded, company",
    [
        ("long", 10, None, 10000, 8000, 2000),
        ("court", 3, 950, 2850, 2280, 570),
        ("long", 15, None, 15000, 12000, 3000),
        ("court", 5, None, 5000, 4000, 1000),
        ("court", 1, None, 1000, 800, 200),
        ("court", 5, 1000, 5000, 4000, 1000),
        ("long", 15, 1000, 15000, 12000, 3000),
        ("long", 1, 500, 500, 400, 100),
        ("court", 3, Decimal("333.33"), Decimal("999.99"), Decimal("799.99"), Decimal("200.00")),
        ("court", 1, Decimal("333.33"), Decimal("333.33"), Decimal("266.66"), Decimal("66.67")),
        ("court", 1, Decimal("0.02"), Decimal("0.02"), Decimal("0.02"), Decimal("0.00")),
        ("court", 1, Decimal("0.03"), Decimal("0.03"), Decimal("0.02"), Decimal("0.01")),  # 0.006 rounds up
        ("long", 7, "812,50", Decimal("5687.50"), Decimal("4550.00"), Decimal("1137.50")),
    ],
)
def test_compute_split(support, days, rate, total, funded, company):
    split = compute_split(support, days, rate)
    assert (split.total_eur, split.funded_eur, split.company_eur) == (Decimal(total), Decimal(funded), Decimal(company))
    assert split.funded_eur + split.company_eur == split.total_eur


def test_no_rate_uses_the_ceiling_and_says_so():
    split = compute_split("long", 10)
    assert split.day_rate_eur == DAY_RATE_CEILING_EUR
    assert split.rate_assumed and not split.rate_capped and split.requested_rate_eur is None


def test_a_rate_at_the_ceiling_is_not_capped():
    split = compute_split("court", 5, 1000)
    assert not split.rate_capped and not split.rate_assumed and split.requested_rate_eur == Decimal(1000)


@pytest.mark.parametrize(
    "rate, total, excess",
    [
        (Decimal("1000.01"), Decimal("5000.05"), Decimal("0.05")),
        (1200, Decimal(6000), Decimal(1000)),
        ("1500", Decimal(7500), Decimal(2500)),
    ],
)
def test_a_rate_above_the_ceiling_shows_the_real_total_and_the_excess(rate, total, excess):
    split = compute_split("court", 5, rate)
    assert split.day_rate_eur == Decimal(str(rate)) and split.rate_capped and not split.rate_assumed
    # 80 % and 20 % of the part within the ceiling (1 000 € HT a day); the rest is "à confirmer avec l'Aract"
    assert (split.total_eur, split.funded_eur, split.company_eur, split.excess_eur) == (
        total,
        Decimal(4000),
        Decimal(1000),
        excess,
    )
    assert split.to_dict()["excess_eur"] == (float(excess) if excess % 1 else int(excess))


def test_excess_is_only_in_the_payload_above_the_ceiling():
    assert "excess_eur" not in compute_split("long", 10, 900).to_dict()


@pytest.mark.parametrize(
    "support, days, code, words",
    [
        (
            "court",
            6,
            "days_over_limit",
            "L'appui court va jusqu'à 5 jours : 6 jours dépassent cette limite. Pour un projet plus long, "
            "l'appui long va jusqu'à 15 jours sur 18 mois.",
        ),
        (
            "court",
            7,
            "days_over_limit",
            "L'appui court va jusqu'à 5 jours : 7 jours dépassent cette limite. Pour un projet plus long, "
            "l'appui long va jusqu'à 15 jours sur 18 mois.",
        ),
        ("long", 16, "days_over_limit", "L'appui long va jusqu'à 15 jours sur 18 mois : 16 jours dépassent"),
        ("long", 100, "days_over_limit", "100 jours dépassent"),
        ("court", 0, "days_too_few", "au moins 1 jour"),
        ("long", -3, "days_too_few", "au moins 1 jour"),
        ("court", Decimal("2.5"), "days_not_whole", "jours entiers : indiquez 2 ou 3 jours plutôt que 2,5 jours"),
        ("court", "2,5", "days_not_whole", "jours entiers"),
        ("long", 14.5, "days_not_whole", "indiquez 14 ou 15 jours"),
        ("court", Decimal("5.5"), "days_over_limit", "5,5 jours dépassent"),
        ("court", Decimal("0.5"), "days_too_few", "au moins 1 jour"),
        ("court", "trois", "days_not_a_number", "nombre de jours"),
        ("court", None, "days_not_a_number", "nombre de jours"),
        ("court", True, "days_not_a_number", "nombre de jours"),
        ("court", Decimal("NaN"), "days_not_a_number", "nombre de jours"),
        ("moyen", 3, "unknown_support", "l'appui court (jusqu'à 5 jours"),
        ("", 3, "unknown_support", "l'appui long (jusqu'à 15 jours sur 18 mois"),
    ],
)
def test_days_and_support_errors(support, days, code, words):
    with pytest.raises(FundingError) as raised:
        compute_split(support, days)
    assert raised.value.code == code
    assert words in raised.value.message
    assert str(raised.value) == raised.value.message


@pytest.mark.parametrize("support, days", [("court", 1), ("court", 5), ("long", 1), ("long", 15), ("long", "12")])
def test_days_at_the_limits_are_accepted(support, days):
    assert compute_split(support, days).days == int(days)


@pytest.mark.parametrize(
    "rate, code",
    [
        (0, "rate_not_positive"),
        (-950, "rate_not_positive"),
        (Decimal("-0.01"), "rate_not_positive"),
        ("beaucoup", "rate_not_a_number"),
        (Decimal("Infinity"), "rate_not_a_number"),
        (False, "rate_not_a_number"),
    ],
)
def test_rate_errors(rate, code):
    with pytest.raises(FundingError) as raised:
        compute_split("court", 3, rate)
    assert raised.value.code == code
    assert "tarif journalier" in raised.value.message


def test_funding_error_is_a_value_error():
    assert issubclass(FundingError, ValueError)


def test_to_dict_follows_the_design_contract():
    payload = compute_split("court", 3, 950).to_dict()
    assert payload == {
        "support": "court",
        "days": 3,
        "day_rate_eur": 950,
        "total_eur": 2850,
        "funded_eur": 2280,
        "company_eur": 570,
    }
    assert all(type(payload[key]) is int for key in ("days", "day_rate_eur", "total_eur", "funded_eur", "company_eur"))
    assert json.loads(json.dumps(payload)) == payload


def test_to_dict_gives_cents_as_floats():
    payload = compute_split("court", 3, Decimal("333.33")).to_dict()
    assert payload == {
        "support": "court",
        "days": 3,
        "day_rate_eur": 333.33,
        "total_eur": 999.99,
        "funded_eur": 799.99,
        "company_eur": 200,
    }


def test_split_is_frozen():
    split = compute_split("long", 10)
    assert isinstance(split, FundingSplit)
    with pytest.raises(AttributeError):
        split.days = 12  # type: ignore[misc]


supports = st.sampled_from(sorted(SUPPORT_MAX_DAYS))
rates = st.one_of(
    st.none(),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2),
    st.integers(min_value=1, max_value=5000),
)


@st.composite
def valid_requests(draw):
    support = draw(supports)
    return support, draw(st.integers(min_value=1, max_value=SUPPORT_MAX_DAYS[support])), draw(rates)


@given(valid_requests())
def test_property_funded_plus_company_plus_excess_is_the_total(request):
    split = compute_split(*request)
    assert split.funded_eur + split.company_eur + split.excess_eur == split.total_eur
    assert (split.excess_eur > 0) == split.rate_capped


@given(valid_requests())
def test_property_company_never_exceeds_its_cap_nor_the_total(request):
    split = compute_split(*request)
    assert Decimal(0) <= split.company_eur <= COMPANY_CAP_EUR[split.support]
    assert split.company_eur <= split.total_eur
    assert split.funded_eur >= 0


@given(valid_requests())
def test_property_company_pays_twenty_percent_to_the_cent(request):
    split = compute_split(*request)
    covered = split.total_eur - split.excess_eur
    assert abs(split.company_eur - covered * Decimal("0.2")) <= Decimal("0.005")
    assert covered <= DAY_RATE_CEILING_EUR * split.days
    assert split.total_eur == (split.day_rate_eur * split.days).quantize(Decimal("0.01"))


@given(supports, st.integers(min_value=-1000, max_value=1000))
def test_property_days_outside_the_limits_always_raise(support, days):
    if 1 <= days <= SUPPORT_MAX_DAYS[support]:
        assert compute_split(support, days).days == days
    else:
        with pytest.raises(FundingError):
            compute_split(support, days)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("appui court", "court"),
        ("l'appui-conseil court", "court"),
        ("court", "court"),
        ("le court svp", "court"),
        ("un appui court pour définir le projet", "court"),
        ("pour mieux définir notre projet", "court"),
        ("Appui COURT", "court"),
        ("accompagnement long", "long"),
        ("l'appui long", "long"),
        ("long", "long"),
        ("l'appui long pour la mise en œuvre", "long"),
        ("mise en œuvre", "long"),
        ("pour mettre en oeuvre le projet", "long"),
        ("un accompagnement plus long", "long"),
        ("une mission longue", "long"),
        ("court ou long ?", None),
        ("je ne sais pas", None),
        ("10 jours", None),
        ("", None),
    ],
)
def test_parse_support(text, expected):
    assert parse_support(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("9 jours", Decimal(9)),
        ("dix jours", Decimal(10)),
        ("3 j", Decimal(3)),
        ("3j", Decimal(3)),
        ("une journée", Decimal(1)),
        ("un jour", Decimal(1)),
        ("deux jours", Decimal(2)),
        ("quinze jours", Decimal(15)),
        ("une quinzaine de jours", Decimal(15)),
        ("2,5 jours", Decimal("2.5")),
        ("deux jours et demi", Decimal("2.5")),
        ("une demi-journée", Decimal("0.5")),
        ("pour 3 jours ?", Decimal(3)),
        ("combien pour 5 jours sur 18 mois", Decimal(5)),
        ("3 jours à 950 € par jour", Decimal(3)),
        ("à 950 € par jour pendant 4 jours", Decimal(4)),
        ("1,2 k€ la journée pour 2 jours", Decimal(2)),
        ("3", Decimal(3)),
        ("dix", Decimal(10)),
        ("7 jours en appui court", Decimal(7)),
        ("à 950 € par jour", None),  # the rate's number is not a number of days
        ("1000 par jour", None),
        ("18 mois", None),
        ("je ne sais pas", None),
        ("", None),
    ],
)
def test_parse_days(text, expected):
    assert parse_days(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("à 950 € par jour", Decimal(950)),
        ("950€/jour", Decimal(950)),
        ("950 €/j", Decimal(950)),
        ("1,2 k€ la journée", Decimal(1200)),
        ("1 100 euros HT par jour", Decimal(1100)),
        ("1\u202f100\u00a0€ HT par jour", Decimal(1100)),
        ("tarif journalier de 800", Decimal(800)),
        ("TJM de 900", Decimal(900)),
        ("le consultant prend 750 euros la journée", Decimal(750)),
        ("800 € la journée", Decimal(800)),
        ("mille euros par jour", Decimal(1000)),
        ("3 jours à 950 € par jour", Decimal(950)),
        ("3 jours à 950", Decimal(950)),
        ("tarif pour 3 jours : 900 €", Decimal(900)),
        ("950 €", Decimal(950)),
        ("950", Decimal(950)),
        ("environ 1000", Decimal(1000)),
        ("812,50 € par jour", Decimal("812.50")),
        ("3 jours", None),
        ("je ne sais pas", None),
        ("", None),
    ],
)
def test_parse_day_rate(text, expected):
    assert parse_day_rate(text) == expected
