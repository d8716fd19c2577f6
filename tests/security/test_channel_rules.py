"""The channels' own rules without a server: sender ids, text cleaning, the per-sender message budget."""

from __future__ import annotations

import pytest

from bot.rasa_ext.channels import EMPTY, Refusal, SenderLimiter, clean_text, valid_sender


@pytest.mark.parametrize(
    "sender, valid",
    [
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),
        ("a" * 128, True),
        ("visiteur@exemple.fr", True),
        ("visitor\n", False),
        ("a" * 129, False),
        ("", False),
        ("-leading-dash", False),
        ("a b", False),
        (None, False),
    ],
)
def test_sender_ids_are_matched_whole(sender, valid):
    assert valid_sender(sender) is valid


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("\ud83d combien ?", "combien ?"),
        ("bon\x00jour", "bon jour"),
        ("ligne 1\nligne 2\tfin", "ligne 1\nligne 2\tfin"),
        ("🙂", "🙂"),
    ],
)
def test_text_is_made_safe_for_the_nlu(raw, cleaned):
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize("raw", ["", "  \n", "\x00\x01", "\udc00"])
def test_nothing_readable_is_refused_in_french(raw):
    with pytest.raises(Refusal) as refusal:
        clean_text(raw)
    assert refusal.value.text == EMPTY


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_sender_has_a_burst_then_a_rate():
    clock = Clock()
    limiter = SenderLimiter(limit=100, burst=20, rate=2.0, clock=clock)
    granted = [limiter.acquire("flooder") for _ in range(200)]
    assert granted.count(True) == 20 and all(granted[:20])
    assert limiter.acquire("someone-else"), "other senders keep their own budget"
    clock.now = 1.0
    assert [limiter.acquire("flooder") for _ in range(3)] == [True, True, False]


def test_a_sender_cannot_have_many_messages_waiting():
    limiter = SenderLimiter(limit=3, burst=20, rate=2.0, clock=Clock())
    assert [limiter.acquire("x") for _ in range(4)] == [True, True, True, False]
    limiter.release("x")
    assert limiter.acquire("x")


def test_idle_senders_are_forgotten():
    clock = Clock()
    limiter = SenderLimiter(limit=3, burst=2, rate=1.0, clock=clock)
    for index in range(10_001):
        limiter.acquire(f"s{index}")
        limiter.release(f"s{index}")
    clock.now = 10.0
    limiter.acquire("late")
    assert len(limiter.buckets) <= 2


def test_metadata_is_kept_only_small_and_as_an_object():
    from bot.rasa_ext.channels import clean_metadata

    assert clean_metadata({"locale": "fr"}) == {"locale": "fr"}
    assert clean_metadata('{"locale": "fr"}') == {"locale": "fr"}
    assert clean_metadata({"x": "a" * 5000}) == {} and clean_metadata([1]) == {} and clean_metadata("{") == {}
