"""How long the assistant keeps what, in words, for the privacy notice, the widget and the staff app."""

from __future__ import annotations

from bot.settings import Settings


def duration_words(age: str) -> str:
    """ "3y" → "3 ans", "6m" → "6 mois", "90d" → "90 jours" (as RETENTION_… are written)."""
    count, unit = int(age[:-1]), age[-1]
    names = {"y": ("an", "ans"), "m": ("mois", "mois"), "d": ("jour", "jours")}[unit]
    return f"{count}\u00a0{names[count > 1]}"


def retention_words(settings: Settings) -> dict[str, str]:
    return {
        "leads": duration_words(settings.retention_leads),
        "conversations": duration_words(settings.retention_conversations),
        "audit": duration_words(settings.retention_audit),
    }
