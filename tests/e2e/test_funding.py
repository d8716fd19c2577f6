"""Funding estimates over the REST channel: the figures of the custom payload and the text."""


def estimate(chat) -> dict:
    payload = chat.custom("funding")
    assert payload is not None, f"no funding payload in: {chat.text}"
    return payload


def test_ten_days_of_long_support_at_the_ceiling(chat):
    chat.say("Combien devrons-nous payer pour dix jours d'appui long ?")
    assert estimate(chat) == {
        "support": "long",
        "days": 10,
        "day_rate_eur": 1000,
        "total_eur": 10000,
        "funded_eur": 8000,
        "company_eur": 2000,
    }
    assert "2 000 € HT" in chat.text and "8 000 € HT" in chat.text
    assert "plafond" in chat.text and "indicative" in chat.text and "comité" in chat.text
    assert "\u202f" in "".join(r.get("text") or "" for r in chat.replies), "thousands use a narrow no-break space"


def test_three_days_of_short_support_at_950_per_day(chat):
    chat.say("appui court de 3 jours à 950 € par jour")
    result = estimate(chat)
    assert (result["total_eur"], result["funded_eur"], result["company_eur"]) == (2850, 2280, 570)
    assert "570 € HT" in chat.text


def test_seven_days_of_short_support_is_refused_with_the_limit(chat):
    chat.say("7 jours d'appui court")
    assert chat.custom("funding") is None
    assert "5 jours" in chat.text
    chat.say("4")
    assert estimate(chat)["company_eur"] == 800


def test_a_follow_up_keeps_the_previous_context(chat):
    chat.say("combien on paierait pour un appui long de 9 jours ?")
    assert estimate(chat)["company_eur"] == 1800
    chat.say("et pour 3 jours ?")
    result = estimate(chat)
    assert (result["support"], result["days"], result["company_eur"]) == ("long", 3, 600)


def test_only_what_is_missing_is_asked_with_buttons(chat):
    chat.say("c'est combien pour nous ?")
    assert [b["title"] for b in chat.buttons] == ["Appui court", "Appui long"]
    chat.click("Appui long")
    assert "jours" in chat.text and "15 jours" in [b["title"] for b in chat.buttons]
    chat.click("10 jours")
    assert estimate(chat)["company_eur"] == 2000


def test_a_rate_above_the_ceiling_shows_the_real_total_and_the_excess_to_confirm(chat):
    chat.say("pour 2 jours d'appui court avec un consultant à 1,2 k€ la journée, on paie combien ?")
    result = estimate(chat)
    assert result == {
        "support": "court",
        "days": 2,
        "day_rate_eur": 1200,
        "total_eur": 2400,
        "funded_eur": 1600,
        "company_eur": 400,
        "excess_eur": 400,
    }
    assert "2 400 € HT" in chat.text and "400 € HT" in chat.text and "à confirmer avec l'Aract" in chat.text


def test_an_eligible_verdict_offers_an_estimate(chat):
    from tests.e2e.test_quiz import ELIGIBLE_ASSOCIATION, answer_all

    chat.say("je voudrais faire le test d'éligibilité")
    answer_all(chat, dict(ELIGIBLE_ASSOCIATION))
    chat.click("Estimer")
    assert [b["title"] for b in chat.buttons] == ["Appui court", "Appui long"]
