"""Jinja environment of the staff pages (autoescape on) and the French formats they use."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from bot.program import quiz
from bot.program.french import format_eur
from bot.records.handoff import SUPPORT_LABELS
from bot.web.staff.lead_admin import STATUS_LABELS, VERDICT_LABELS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PARIS_NAME = "Europe/Paris"
MAIL_STATUS_LABELS = {"pending": "en attente", "sent": "envoyé", "written": "écrit en fichier (.eml)"}
REASON_LABELS = {
    "request": "demande de la personne",
    "retention": "durée de conservation",
    "replay": "réapplication après restauration",
}
CRITERION_STATE = {True: "rempli", False: "non rempli", None: "à confirmer"}
# Names of bot.program.eligibility's criteria, for the staff.
CRITERION_LABELS = {
    "structure": "type de structure",
    "headcount": "effectif",
    "region": "région",
    "submitter": "porteur de la demande",
    **{key: quiz.SUMMARY_LABELS[key] for key in ("novelty", "working_life", "lasting_change", "stakeholders")},
}


def local_time(moment: datetime | float | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A moment in Paris time: "27/11/2026 14:05"."""
    from zoneinfo import ZoneInfo

    if moment is None or moment == "":
        return ""
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, tz=timezone.utc)
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(PARIS_NAME)).strftime(fmt)


def percent(value: float | None) -> str:
    """0.125 → "12,5 %" (with a no-break space, as French writes it)."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"


def euros(value) -> str:
    """An amount of the funding payload, or a dash if it is missing or unreadable."""
    try:
        return format_eur(value)
    except (TypeError, ValueError):
        return "—"


def answer(question: str, value) -> str:
    """A quiz answer as the visitor's summary words it ("association", "oui", "40 salariés")."""
    try:
        return str(quiz.describe(question, value))
    except Exception:  # data from an older format: show it as stored rather than fail the page
        return str(value)


def with_query(request: Request, **changes) -> str:
    """The current page's query string with some parameters changed (for paging links)."""
    params = dict(request.query_params)
    params.update({key: str(value) for key, value in changes.items()})
    return "?" + urlencode({key: value for key, value in params.items() if value not in ("", None)})


def make_templates() -> Jinja2Templates:
    """Templates under bot/web/templates/staff, escaping everything by default."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(local_time=local_time, percent=percent, euros=euros, answer=answer)
    env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        VERDICT_LABELS=VERDICT_LABELS,
        MAIL_STATUS_LABELS=MAIL_STATUS_LABELS,
        REASON_LABELS=REASON_LABELS,
        SUPPORT_LABELS=SUPPORT_LABELS,
        QUIZ_LABELS=quiz.SUMMARY_LABELS,
        QUIZ_QUESTIONS=quiz.QUESTIONS,
        CRITERION_STATE=CRITERION_STATE,
        CRITERION_LABELS=CRITERION_LABELS,
        with_query=with_query,
    )
    return Jinja2Templates(env=env)


_templates: Jinja2Templates | None = None


def render(request: Request, name: str, status_code: int = 200, **context):
    """A staff page; the template sees the logged-in staff member and the CSRF token."""
    global _templates
    if _templates is None:
        _templates = make_templates()
    staff = getattr(request.state, "staff", None)
    context.setdefault("staff", staff)
    context.setdefault("csrf_token", staff.csrf if staff else "")
    return _templates.TemplateResponse(request, f"staff/{name}", context, status_code=status_code)
