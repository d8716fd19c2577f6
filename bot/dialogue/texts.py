"""The assistant's French texts: the `responses` of the domain (domain/), filled in here rather than by the Rasa server.

The domain folder stays the one place where every text the visitor reads is written.
The dialogue fills them itself because it composes them ("Reprenons le test :"
before a question), keeps or drops their buttons by context (a FAQ answer in the
middle of the quiz comes without its own buttons), and checks that the same
message never comes three times in a row, which needs the texts themselves.
Template fields are written `{name}` as in Rasa's responses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from bot.settings import PAGE_APPLICATIONS_EMAIL, PAGE_HELP_EMAIL, load_settings

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Message:
    """One bubble: its text, its buttons, the response it came from (`key`), or a custom payload."""

    key: str
    text: str = ""
    buttons: tuple = ()
    custom: Mapping[str, Any] | None = None

    def without_buttons(self) -> "Message":
        return replace(self, buttons=())

    def with_buttons(self, buttons) -> "Message":
        return replace(self, buttons=tuple(buttons))


@dataclass
class Texts:
    """Response name -> its variations (dicts with `text` and maybe `buttons`)."""

    responses: Mapping[str, list] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.responses

    def variations(self, name: str) -> int:
        return len(self.responses[name])

    def render(self, name: str, variant: int = 0, **values: Any) -> Message:
        """The response `name` with its fields filled; `variant` picks among its variations (cycling)."""
        options = self.responses[name]
        chosen = options[variant % len(options)]
        text = fill(chosen.get("text") or "", values, name)
        buttons = tuple(
            {"title": fill(str(button["title"]), values, name), "payload": fill(str(button["payload"]), values, name)}
            for button in chosen.get("buttons") or ()
        )
        return Message(name, text, buttons)


def fill(template: str, values: Mapping[str, Any], name: str = "") -> str:
    """Replace each `{field}` with its value; a field without a value is a bug, not a text to show."""

    def value(match: re.Match) -> str:
        key = match.group(1)
        if key not in values or values[key] is None:
            raise KeyError(f"response {name!r} needs {key!r}")
        return str(values[key])

    return _FIELD.sub(value, template)


def template_fields(texts: Texts, name: str) -> set[str]:
    """The fields a response needs, in all its variations (for the tests)."""
    found: set[str] = set()
    for option in texts.responses[name]:
        found.update(_FIELD.findall(option.get("text") or ""))
        for button in option.get("buttons") or ():
            found.update(_FIELD.findall(str(button.get("title"))) + _FIELD.findall(str(button.get("payload"))))
    return found


def load_texts(path: Path | str = DOMAIN) -> Texts:
    """Read the responses of a domain file, or of every file of a domain folder and its sub-folders (as Rasa does)."""
    path = Path(path)
    files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
    responses: dict[str, list] = {}
    for file in files:
        content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        responses.update(content.get("responses") or {})
    return Texts(responses)


def with_addresses(texts: Texts, help_email: str, applications_email: str) -> Texts:
    """The texts with the configured contacts in place of the page's addresses (HELP_EMAIL, APPLICATIONS_EMAIL)."""
    swaps = {
        old: new
        for old, new in ((PAGE_HELP_EMAIL, help_email), (PAGE_APPLICATIONS_EMAIL, applications_email))
        if old != new
    }
    if not swaps:
        return texts

    def swap(value: Any) -> str:
        value = str(value)
        for old, new in swaps.items():
            value = value.replace(old, new)
        return value

    return Texts(
        {
            name: [
                {
                    **option,
                    "text": swap(option.get("text") or ""),
                    "buttons": [
                        {**button, "title": swap(button["title"]), "payload": swap(button["payload"])}
                        for button in option.get("buttons") or ()
                    ],
                }
                for option in options
            ]
            for name, options in texts.responses.items()
        }
    )


@lru_cache(maxsize=1)
def default_texts() -> Texts:
    """The project's texts with this process's contact addresses, read once per process."""
    settings = load_settings()
    return with_addresses(load_texts(), settings.help_email, settings.applications_email)
