"""Log-in and log-out pages of the staff app."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse

from bot.records.db import session_scope
from bot.records.staff_models import StaffUser
from bot.web.staff import accounts, audit
from bot.web.staff.accounts import LOCK_DURATION, MAX_FAILURES
from bot.web.staff.auth import StaffSession, require_staff_form, staff_auth
from bot.web.staff.rendering import render

router = APIRouter()
LOCK_MINUTES = int(LOCK_DURATION.total_seconds() // 60)
MESSAGES = {
    "wrong": "Adresse ou mot de passe incorrect.",
    "locked": (
        f"Trop d'essais manqués : ce compte est verrouillé pendant {LOCK_MINUTES} minutes. "
        "Réessayez plus tard ou demandez à un administrateur de le déverrouiller."
    ),
    "expired": "Le formulaire a expiré : saisissez à nouveau vos identifiants.",
}


def safe_next(target: str) -> str:
    """Only a page of the staff app, never another site, after logging in."""
    if target.startswith("/staff") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return "/staff"


def _login_page(request: Request, next_page: str, error: str = "", email: str = "", status_code: int = 200):
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        next_page=safe_next(next_page),
        error=MESSAGES.get(error, ""),
        email=email,
        logged_out=request.query_params.get("out") == "1",
        max_failures=MAX_FAILURES,
        lock_minutes=LOCK_MINUTES,
        login_token=token,
    )
    staff_auth(request).set_login_token(response, token)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/staff"):
    if staff_auth(request).read_session(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next)


@router.post("/login")
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/staff"),
):
    auth = staff_auth(request)
    if not auth.login_form_ok(request, csrf_token):
        return _login_page(request, next, "expired", email, status_code=403)
    with session_scope(auth.settings.database_url) as db:
        result = accounts.authenticate(db, email, password)
        actor = accounts.normalise_email(email)[:254] or "(vide)"
        if result.user is None:
            audit.record(db, actor, "login_locked" if result.locked else "login_failed")
            failure = "locked" if result.locked else "wrong"
        else:
            audit.record(db, result.user.email, "login")
            response = RedirectResponse(safe_next(next), status_code=303)
            auth.open_session(response, result.user)
            return response
    return _login_page(request, next, failure, email)


@router.post("/logout")
def logout(request: Request, staff: StaffSession = Depends(require_staff_form)):
    auth = staff_auth(request)
    with session_scope(auth.settings.database_url) as db:
        user = db.get(StaffUser, staff.user_id)
        if user is not None:
            accounts.end_sessions(user)
        audit.record(db, staff.email, "logout")
    response = RedirectResponse("/staff/login?out=1", status_code=303)
    auth.close_session(response)
    return response
