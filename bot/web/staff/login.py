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
from bot.web.staff.throttle import LoginThrottle

router = APIRouter()
LOCK_MINUTES = int(LOCK_DURATION.total_seconds() // 60)
# One message for a wrong password, an unknown address and a locked account: the page never tells which
# addresses have an account.
WRONG = (
    f"Adresse ou mot de passe incorrect. Après {MAX_FAILURES} essais manqués, un compte est verrouillé pendant "
    f"{LOCK_MINUTES} minutes : réessayez plus tard ou demandez à un administrateur de le déverrouiller."
)
MESSAGES = {
    "wrong": WRONG,
    "locked": WRONG,
    "wait": "Trop d'essais de connexion : réessayez dans {seconds} secondes.",
    "busy": "Trop de connexions en cours : réessayez dans un instant.",
    "expired": "Le formulaire a expiré : saisissez à nouveau vos identifiants.",
}


def safe_next(target: str) -> str:
    """Only a page of the staff app, never another site, after logging in."""
    if target.startswith("/staff") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return "/staff"


def _login_page(
    request: Request, next_page: str, error: str = "", email: str = "", status_code: int = 200, seconds: int = 0
):
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        next_page=safe_next(next_page),
        error=MESSAGES.get(error, "").format(seconds=seconds),
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
    actor = accounts.normalise_email(email)[:254] or "(vide)"
    # uvicorn gives the address a local proxy (nginx) forwards, as its proxy_headers do by default.
    keys = (f"address:{request.client.host if request.client else ''}", f"account:{actor}")
    throttle: LoginThrottle = request.app.state.login_throttle  # one per app (and per test's app)
    wait = throttle.wait_for(*keys)
    if wait:  # refused before any password check
        page = _login_page(request, next, "wait", email, status_code=429, seconds=wait)
        page.headers["Retry-After"] = str(wait)
        return page
    if not throttle.checks.acquire(timeout=2):
        page = _login_page(request, next, "busy", email, status_code=429)
        page.headers["Retry-After"] = "1"
        return page
    try:
        with session_scope(auth.settings.database_url) as db:
            result = accounts.authenticate(db, email, password)
            if result.user is None:
                audit.record(db, actor, "login_locked" if result.locked else "login_failed")
                failure = "locked" if result.locked else "wrong"
            else:
                audit.record(db, result.user.email, "login")
                response = RedirectResponse(safe_next(next), status_code=303)
                auth.open_session(response, result.user)
                throttle.succeeded(*keys)
                return response
    finally:
        throttle.checks.release()
    throttle.failed(*keys)
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
