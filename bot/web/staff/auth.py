"""Staff sessions in signed cookies, CSRF tokens, and the dependencies that guard every /staff route."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from functools import cached_property

from fastapi import Form, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from bot.records.db import session_scope
from bot.records.staff_models import StaffUser
from bot.settings import Settings, ensure_secret_key

SESSION_COOKIE = "staff_session"
LOGIN_COOKIE = "staff_login"
SESSION_MAX_AGE = 8 * 3600  # a working day; then log in again
LOGIN_FORM_MAX_AGE = 3600


class LoginRequired(Exception):
    """No valid session: the visitor is sent to the login page."""


class CsrfRejected(Exception):
    """A form came without the token of this session: refused with 403."""


@dataclass(frozen=True)
class StaffSession:
    """The logged-in staff member, as the views need it."""

    user_id: int
    email: str
    csrf: str


class StaffAuth:
    """Signs and reads the cookies of the staff app for one set of settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def sessions(self) -> URLSafeTimedSerializer:
        # Read (or made under var/) on the first staff request, not when the app is built.
        return URLSafeTimedSerializer(ensure_secret_key(self.settings), salt="staff-session")

    @cached_property
    def login_forms(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(ensure_secret_key(self.settings), salt="staff-login-form")

    def _cookie(self, response: Response, name: str, value: str, path: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=path,
            httponly=True,
            samesite="strict",
            secure=self.settings.cookie_secure,
        )

    def open_session(self, response: Response, user: StaffUser) -> None:
        """Give the browser a session for this account (its nonce was just renewed)."""
        value = self.sessions.dumps({"uid": user.id, "n": user.session_nonce, "csrf": secrets.token_urlsafe(32)})
        self._cookie(response, SESSION_COOKIE, value, "/staff", SESSION_MAX_AGE)
        response.delete_cookie(LOGIN_COOKIE, path="/staff/login")

    def close_session(self, response: Response) -> None:
        """Remove the session cookie from the browser."""
        response.delete_cookie(
            SESSION_COOKIE, path="/staff", httponly=True, samesite="strict", secure=self.settings.cookie_secure
        )

    def read_session(self, request: Request) -> StaffSession | None:
        """The session of this request if its cookie is genuine, recent, and its account still valid."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self.sessions.loads(raw, max_age=SESSION_MAX_AGE)
            user_id, nonce, csrf = int(data["uid"]), str(data["n"]), str(data["csrf"])
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        with session_scope(self.settings.database_url) as db:
            user = db.get(StaffUser, user_id)
            if user is None or not _same(user.session_nonce, nonce):
                return None
            return StaffSession(user.id, user.email, csrf)

    def set_login_token(self, response: Response, token: str) -> None:
        """Echo the login form's token in a signed cookie (no session exists yet to hold it)."""
        self._cookie(response, LOGIN_COOKIE, self.login_forms.dumps(token), "/staff/login", LOGIN_FORM_MAX_AGE)

    def login_form_ok(self, request: Request, token: str) -> bool:
        """Whether the login form's token matches its cookie."""
        try:
            expected = self.login_forms.loads(request.cookies.get(LOGIN_COOKIE, ""), max_age=LOGIN_FORM_MAX_AGE)
        except BadSignature:
            return False
        return bool(token) and _same(str(expected), token)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII input (compare_digest on str does not)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def staff_auth(request: Request) -> StaffAuth:
    """The StaffAuth that mount_staff put on the app."""
    return request.app.state.staff_auth


def require_staff(request: Request) -> StaffSession:
    """Dependency of every staff page: the session, or LoginRequired."""
    staff = staff_auth(request).read_session(request)
    if staff is None:
        raise LoginRequired()
    request.state.staff = staff
    return staff


def require_staff_form(request: Request, csrf_token: str = Form("")) -> StaffSession:
    """Dependency of every staff form: a session and this session's CSRF token, else 302 or 403."""
    staff = require_staff(request)
    if not csrf_token or not _same(csrf_token, staff.csrf):
        raise CsrfRejected()
    return staff
