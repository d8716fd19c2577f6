"""Log-in throttling: growing waits per client address and per account, and few password checks at once.

Each password check costs argon2's memory (64 MiB) and time: a flood of
log-in attempts could exhaust the host, and unlimited tries would let
guessing go on. After a few failures from one address, or against one
account, each further try must wait longer (1 s, 2 s, 4 s… up to a minute)
and is refused before any password check until then; at most a few checks
run at once. Counts live in this process's memory and are forgotten after a
quiet quarter of an hour.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

FREE_FAILURES = 3  # typing slips: no wait before the fourth try
MAX_WAIT_SECONDS = 60
FORGET_AFTER_SECONDS = 15 * 60
CONCURRENT_CHECKS = 2


class LoginThrottle:
    """Failures by key (an address, an account) and the wait each imposes on the next try."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, concurrent: int = CONCURRENT_CHECKS) -> None:
        self.clock = clock
        self.failures: dict[str, tuple[int, float]] = {}  # key -> (failures, time of the last one)
        self.lock = threading.Lock()
        self.checks = threading.BoundedSemaphore(concurrent)

    def wait_for(self, *keys: str) -> int:
        """Seconds before a try with these keys is allowed (0: now)."""
        now = self.clock()
        longest = 0.0
        with self.lock:
            for key in keys:
                count, last = self.failures.get(key, (0, now))
                if now - last > FORGET_AFTER_SECONDS:
                    self.failures.pop(key, None)
                    continue
                if count >= FREE_FAILURES:
                    wait = min(MAX_WAIT_SECONDS, 2 ** (count - FREE_FAILURES))
                    longest = max(longest, last + wait - now)
        return max(0, int(longest + 0.999))

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self.lock:
            for key in keys:
                count, _ = self.failures.get(key, (0, now))
                self.failures[key] = (count + 1, now)
            if len(self.failures) > 10_000:  # keeps memory bounded under a flood of addresses
                for key, (_, last) in list(self.failures.items()):
                    if now - last > FORGET_AFTER_SECONDS:
                        del self.failures[key]

    def succeeded(self, *keys: str) -> None:
        with self.lock:
            for key in keys:
                self.failures.pop(key, None)
