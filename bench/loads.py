"""The three loads: one visitor at a time, N visitors without pause, and a steady message rate.

Every load is bounded by a number of messages and by a time limit; a visitor
always finishes the message it is waiting for, then stops.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional

import httpx

from bench.clients import RestVisitor, SocketVisitor, Turn
from bench.scenarios import NOT_UNDERSTOOD, ConversationLog, Outcome, VisitorFactory, texts


@dataclass
class Endpoint:
    """Where the visitors connect: the Rasa server, or the proxy in front of several."""

    base_url: str
    origin: Optional[str] = None  # Origin header of socket.io visitors (the site's page)


@dataclass
class LoadResult:
    """Every turn of a load, and what the conversations reached."""

    mode: str
    channel: str
    visitors: int
    turns: List[Turn] = field(default_factory=list)
    outcomes: List[Outcome] = field(default_factory=list)
    logs: List[ConversationLog] = field(default_factory=list)
    elapsed: float = 0.0
    connect_seconds: List[float] = field(default_factory=list)
    late_messages: int = 0
    transports: dict = field(default_factory=dict)  # socket.io transport after connection -> visitors
    target_rate: Optional[float] = None

    def add(self, other: "LoadResult") -> None:
        """Count another run of the same load (another conversation of it) in this one."""
        self.turns += other.turns
        self.outcomes += other.outcomes
        self.logs += other.logs
        self.connect_seconds += other.connect_seconds
        self.late_messages += other.late_messages
        self.elapsed += other.elapsed
        for transport, count in other.transports.items():
            self.transports[transport] = self.transports.get(transport, 0) + count


class Budget:
    """How many messages may still be sent, and until when."""

    def __init__(self, messages: int, seconds: float) -> None:
        self.left = messages
        self.deadline = time.monotonic() + seconds

    def take(self) -> bool:
        """Use one message of the budget; False when it is spent or the time is up."""
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True


def make_visitor(channel: str, endpoint: Endpoint, http: httpx.AsyncClient, prefix: str):
    """A new visitor on `channel` ("rest" or "socketio")."""
    if channel == "rest":
        return RestVisitor(http, endpoint.base_url, prefix)
    return SocketVisitor(endpoint.base_url, endpoint.origin, prefix=prefix)


def new_http_client(visitors: int) -> httpx.AsyncClient:
    """One connection per visitor at most, as real browsers would have."""
    return httpx.AsyncClient(limits=httpx.Limits(max_connections=visitors + 5, max_keepalive_connections=visitors + 5))


async def _conversation(
    channel: str,
    endpoint: Endpoint,
    http: httpx.AsyncClient,
    factory: VisitorFactory,
    rng: random.Random,
    result: LoadResult,
    next_slot: Callable,
    prefix: str,
) -> bool:
    """Run one conversation; `next_slot()` returns the start time of the next message, or None to stop."""
    outcome = Outcome()
    visitor = make_visitor(channel, endpoint, http, prefix)
    log = ConversationLog(visitor.sender)
    script = factory(rng, outcome)
    try:
        await visitor.open()
    except Exception as error:  # a refused connection is a visitor's error, not the benchmark's
        result.turns.append(Turn("(connect)", time.monotonic(), error=f"connect: {error.__class__.__name__}: {error}"))
        await visitor.close()
        await asyncio.sleep(1)  # a visitor would not retry at once either
        return False
    if isinstance(visitor, SocketVisitor):
        result.connect_seconds.append(visitor.connect_seconds)
        result.transports[visitor.transport] = result.transports.get(visitor.transport, 0) + 1
    result.outcomes.append(outcome)
    result.logs.append(log)
    try:
        message = next(script)
        while True:
            started = await next_slot()
            if started is None:
                return False
            turn = await visitor.say(message, started)
            result.turns.append(turn)
            outcome.messages += 1
            log.turns.append((message, [reply.get("text") for reply in turn.replies if reply.get("text")]))
            if any(phrase in texts(turn.replies) for phrase in NOT_UNDERSTOOD):
                outcome.not_understood += 1
            try:
                message = script.send(turn.replies)
            except StopIteration:
                return True
    finally:
        await visitor.close()
        if isinstance(visitor, SocketVisitor):
            result.late_messages += visitor.late


def _free_running(budget: Budget):
    async def next_slot() -> Optional[float]:
        return time.monotonic() if budget.take() else None

    return next_slot


async def sequential(
    channel: str,
    endpoint: Endpoint,
    factory: VisitorFactory,
    conversations: int,
    messages: int,
    seconds: float,
    seed: int = 1,
    prefix: str = "seq",
) -> LoadResult:
    """One visitor at a time, conversation after conversation: the latency nobody else disturbs."""
    result = LoadResult("sequential", channel, 1)
    budget = Budget(messages, seconds)
    rng = random.Random(seed)
    start = time.monotonic()
    async with new_http_client(1) as http:
        for index in range(conversations):
            if not await _conversation(
                channel, endpoint, http, factory, rng, result, _free_running(budget), f"{prefix}{index}"
            ):
                break
    result.elapsed = time.monotonic() - start
    return result


async def throughput(
    channel: str,
    endpoint: Endpoint,
    factory: VisitorFactory,
    visitors: int,
    conversations_per_visitor: int,
    messages: int,
    seconds: float,
    seed: int = 2,
) -> LoadResult:
    """N visitors at once, each answering as soon as the reply arrives: the most the server delivers."""
    result = LoadResult("throughput", channel, visitors)
    budget = Budget(messages, seconds)
    start = time.monotonic()

    async def one(index: int, http: httpx.AsyncClient) -> None:
        rng = random.Random(seed * 1000 + index)
        for round_ in range(conversations_per_visitor):
            if not await _conversation(
                channel, endpoint, http, factory, rng, result, _free_running(budget), f"tp{index}-{round_}"
            ):
                return

    async with new_http_client(visitors) as http:
        await asyncio.gather(*(one(index, http) for index in range(visitors)))
    result.elapsed = time.monotonic() - start
    return result


async def steady(
    channel: str,
    endpoint: Endpoint,
    factory: VisitorFactory,
    rate: float,
    visitors: int,
    messages: int,
    seconds: float,
    seed: int = 3,
) -> LoadResult:
    """Messages sent at a fixed rate by a pool of visitors (open loop).

    A clock hands out send times every 1/rate seconds; an idle visitor takes
    the next one and sends its next message at that time. Latency is counted
    from the scheduled time, so when every visitor is still waiting for a reply
    the delay before sending is part of it (no "coordinated omission"): an
    overloaded server shows as a growing p95, not as a lower rate.
    """
    result = LoadResult(f"steady {rate:g}/s", channel, visitors, target_rate=rate)
    interval = 1.0 / rate
    start = time.monotonic()
    count = max(1, min(messages, int(seconds * rate)))
    slots = [start + index * interval for index in range(count)]
    taken = 0
    lock = asyncio.Lock()

    async def next_slot() -> Optional[float]:
        nonlocal taken
        async with lock:
            if taken >= len(slots):
                return None
            slot = slots[taken]
            taken += 1
        delay = slot - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        return slot

    async def one(index: int, http: httpx.AsyncClient) -> None:
        rng = random.Random(seed * 1000 + index)
        round_ = 0
        while taken < len(slots) and time.monotonic() < start + seconds + 30:
            await _conversation(channel, endpoint, http, factory, rng, result, next_slot, f"st{index}-{round_}")
            round_ += 1

    async with new_http_client(visitors) as http:
        await asyncio.gather(*(one(index, http) for index in range(visitors)))
    result.elapsed = time.monotonic() - start
    return result
