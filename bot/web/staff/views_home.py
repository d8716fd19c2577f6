"""The first page of the staff app (the dashboard), and the answer to any unknown /staff address."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse

from bot.records.db import session_scope
from bot.web.staff.auth import StaffSession, require_staff, staff_auth
from bot.web.staff.rendering import render
from bot.web.staff.stats import PERIODS, dashboard

router = APIRouter()
unknown_router = APIRouter()


@router.get("")
def home(request: Request, staff: StaffSession = Depends(require_staff)):
    raw = request.query_params.get("days", "7")
    days = int(raw) if raw.isascii() and raw.isdigit() and int(raw) in PERIODS else 7
    with session_scope(staff_auth(request).settings.database_url) as db:
        return render(request, "dashboard.html", board=dashboard(db, days), periods=PERIODS)


@unknown_router.get("/{rest:path}")
def unknown(request: Request, rest: str, staff: StaffSession = Depends(require_staff)):
    # Without a session even an unknown address goes to log-in: the app's map stays private.
    if not rest:
        return RedirectResponse("/staff", status_code=302)
    return render(request, "error.html", status_code=404, status=404, message="Page introuvable.")
