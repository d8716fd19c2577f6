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


class _Request:
    """What the channels read of a Sanic request: the peer's address and the headers."""

    def __init__(self, ip: str, forwarded: str | None = None) -> None:
        self.ip = ip
        self.headers = {"x-forwarded-for": forwarded} if forwarded else {}


def test_the_client_address_is_the_one_our_proxy_forwards_and_never_one_a_client_claims():
    from bot.rasa_ext.channels import client_address

    assert client_address(_Request("127.0.0.1", "198.51.100.4, 203.0.113.7")) == "203.0.113.7"  # nginx's own hop
    assert client_address(_Request("203.0.113.9", "10.0.0.1")) == "203.0.113.9"  # not a trusted proxy: its peer
    assert client_address(_Request("127.0.0.1")) is None  # this machine, no proxy: no address budget


def test_one_client_cycling_sender_ids_meets_its_connection_and_address_budgets():
    from bot.rasa_ext.channels import Budgets

    budgets = Budgets()
    budgets.connection = SenderLimiter(limit=100, burst=5, rate=0.001)
    budgets.address = SenderLimiter(limit=100, burst=8, rate=0.001)
    accepted = []
    for index in range(20):
        if budgets.acquire(f"sender-{index}", "socket-1", "203.0.113.7"):
            budgets.release(f"sender-{index}", "socket-1", "203.0.113.7")
            accepted.append(index)
    assert accepted == [0, 1, 2, 3, 4]  # new sender ids each time: the connection's budget stops them
    more = [index for index in range(20) if budgets.acquire(f"other-{index}", f"socket-{index + 2}", "203.0.113.7")]
    assert len(more) == 3  # other connections from the same address: its budget (8) stops them
    assert budgets.acquire("innocent", "socket-99", "198.51.100.1")  # someone else is not affected


def test_binary_attachments_are_recognised_anywhere_in_a_packet():
    from bot.rasa_ext.channels import has_binary

    assert has_binary(b"x") and has_binary({"message": [1, {"a": bytearray(b"y")}]})
    assert not has_binary({"message": "bonjour", "metadata": {"n": 1, "l": ["a"]}})
