"""The dialogue's own memory between messages, kept in one slot (`dialogue`) as plain JSON.

The answers themselves live in their own slots (structure_type, consultant_days,
contact_email…), which the leads, the handoff mail and the staff app read; this
state only says where the conversation is: which flows are under way (a stack:
the last one is active, the others paused), how many times the pending question
failed, what choice was just offered, and what was said last.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

FLOWS = ("quiz", "estimate", "contact")


@dataclass
class State:
    """Where the conversation is; `from_slot(None)` is a new conversation."""

    stack: list = field(default_factory=list)  # flows under way, the active one last
    fails: dict = field(default_factory=dict)  # "quiz:headcount" -> failed answers in a row
    offer: dict | None = None  # a choice offered with buttons in the last reply
    misunderstood: int = 0  # messages in a row not understood, outside the flows' questions
    quiz_total: int | None = None  # "sur n" as last announced
    stopped: list = field(default_factory=list)  # flows the visitor stopped and may resume
    after: list = field(default_factory=list)  # flows promised for later ("after the test")
    recent: list = field(default_factory=list)  # fingerprints of the last two bot messages
    topic: str | None = None  # the last FAQ topic answered ("il se réunit souvent ?" follows up on it)

    @property
    def active(self) -> str | None:
        return self.stack[-1] if self.stack else None

    @property
    def paused(self) -> list:
        return self.stack[:-1]

    def push(self, flow: str) -> None:
        """Start `flow` on top (pausing the active one); a flow is never twice on the stack."""
        if flow in self.stack:
            self.stack.remove(flow)
        self.stack.append(flow)
        if flow in self.stopped:
            self.stopped.remove(flow)

    def pop(self, flow: str) -> None:
        if flow in self.stack:
            self.stack.remove(flow)

    def fail(self, key: str) -> int:
        """Count one more failed answer to a question; returns the count."""
        self.fails[key] = self.fails.get(key, 0) + 1
        return self.fails[key]

    def clear_fails(self, prefix: str = "") -> None:
        for key in [key for key in self.fails if key.startswith(prefix)]:
            del self.fails[key]

    def to_slot(self) -> dict:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> "State":
        """Read the slot; anything unreadable (an older or damaged value) starts afresh rather than failing."""
        if not isinstance(value, Mapping):
            return cls()
        try:
            state = cls(
                stack=[flow for flow in value.get("stack") or [] if flow in FLOWS],
                fails={str(k): int(v) for k, v in (value.get("fails") or {}).items()},
                offer=dict(value["offer"]) if isinstance(value.get("offer"), Mapping) else None,
                misunderstood=int(value.get("misunderstood") or 0),
                quiz_total=int(value["quiz_total"]) if value.get("quiz_total") is not None else None,
                stopped=[flow for flow in value.get("stopped") or [] if flow in FLOWS],
                after=[flow for flow in value.get("after") or [] if flow in FLOWS],
                recent=[str(item) for item in value.get("recent") or []][-2:],
                topic=str(value["topic"]) if value.get("topic") else None,
            )
        except (TypeError, ValueError, AttributeError):
            return cls()
        return state


def fingerprint(text: str) -> str:
    """Short, stable digest of a bot message, to notice repetitions without keeping the texts."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
