"""One turn of the dialogue under construction: the slots as they change, the state, the messages to send."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Protocol

from bot.dialogue.reading import Reading
from bot.dialogue.state import State, fingerprint
from bot.dialogue.texts import Message, Texts


class Services(Protocol):
    """What the dialogue asks of the outside world (the actions give the real ones, tests their own)."""

    def submit_contact(self, slots: Mapping[str, Any]) -> tuple[str, int]:
        """Keep the lead and queue the handoff mail; returns (recipient, lead id); raises when it cannot."""


@dataclass
class Outcome:
    """What one turn produces: messages in order, slot changes, the new state, and what the turn was."""

    messages: list
    changes: dict
    state: State
    record: dict = field(default_factory=dict)


class Turn:
    """Slots, state and replies of the turn; flows and patterns read and write through it."""

    def __init__(
        self,
        reading: Reading,
        slots: Mapping[str, Any],
        state: State,
        texts: Texts,
        services: Services | None = None,
        now: Callable[[], str] | None = None,
    ) -> None:
        self.reading = reading
        self.slots = dict(slots)
        self.state = state
        self.texts = texts
        self.services = services
        self.now = now
        self.changes: dict = {}
        self.messages: list[Message] = []
        self.values: list[dict] = []  # the values each message was filled with (to vary a repeated one)
        self.record: dict = {"move": None, "understood": True}
        self.asked: str | None = None  # the question this turn ends on

    # --- slots -----------------------------------------------------------
    def get(self, slot: str) -> Any:
        return self.slots.get(slot)

    def set(self, slot: str, value: Any) -> None:
        self.slots[slot] = value
        self.changes[slot] = value

    def clear(self, *slots: str) -> None:
        for slot in slots:
            if self.slots.get(slot) is not None:
                self.set(slot, None)

    # --- messages --------------------------------------------------------
    def say(
        self, name: str, *, buttons: bool = True, extra_buttons=(), prefix: str | None = None, **values: Any
    ) -> None:
        """Add the response `name`; `prefix` (another response) opens the same bubble ("Reprenons :")."""
        message = self.texts.render(name, **values)
        if prefix:
            opening = self.texts.render(prefix, **values).text
            message = replace(message, text=join(opening, message.text))
        if not buttons:
            message = message.without_buttons()
        if extra_buttons:
            message = message.with_buttons((*message.buttons, *extra_buttons))
        self.messages.append(message)
        self.values.append({"prefix": prefix, "buttons": buttons, "extra": tuple(extra_buttons), **values})

    def text_of(self, name: str, **values: Any) -> str:
        """A response's text, to be placed inside another one (a progress line, a list of facts)."""
        return self.texts.render(name, **values).text

    def send_custom(self, payload: Mapping[str, Any]) -> None:
        """A custom payload for programs (the widget's verdict and estimate cards)."""
        self.messages.append(Message("custom", custom=dict(payload)))
        self.values.append({})

    def mark(self, move: str, understood: bool = True, **details: Any) -> None:
        """What this turn was, for the staff: "answer", "faq", "correction", "not_understood"…"""
        self.record = {"move": move, "understood": understood, **details}

    # --- result ----------------------------------------------------------
    def outcome(self) -> Outcome:
        """The turn's result, with no bot message three times in a row."""
        self._vary_repetitions()
        self.record = {**self.record, "flow": self.state.active, "asked": self.asked}
        return Outcome(self.messages, self.changes, self.state, self.record)

    def _vary_repetitions(self) -> None:
        history = list(self.state.recent[-2:])
        for index, message in enumerate(self.messages):
            if not message.text:
                continue
            mark = fingerprint(message.text)
            if len(history) >= 2 and history[-1] == history[-2] == mark:
                message = self._variant(index, message)
                self.messages[index] = message
                mark = fingerprint(message.text)
            history = (history + [mark])[-2:]
        self.state.recent = history

    def _variant(self, index: int, message: Message) -> Message:
        """Another variation of the same response, or the same one said as a repetition."""
        values = {key: value for key, value in self.values[index].items() if key not in ("buttons", "extra")}
        prefix = values.pop("prefix", None)  # the buttons stay those of the message
        if message.key in self.texts and self.texts.variations(message.key) > 1:
            for variant in range(1, self.texts.variations(message.key)):
                other = self.texts.render(message.key, variant, **values)
                text = join(self.texts.render(prefix, **values).text, other.text) if prefix else other.text
                if text != message.text:
                    return replace(message, text=text)
        return replace(message, text=join(self.texts.render("utter_repeat_prefix").text, message.text))


def join(opening: str, text: str) -> str:
    """ "Reprenons le test :" + "Question 3 sur 8 — …" -> one sentence, lowercase after a colon."""
    if opening.rstrip().endswith(":") and text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return f"{opening.rstrip()} {text}"
