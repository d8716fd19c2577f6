"""Staff accounts: argon2id password hashes, log-in with lock-out after repeated failures."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from bot.records.models import utcnow
from bot.records.staff_models import StaffUser

MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A staff account cannot be created or changed as asked (French message)."""


@dataclass(frozen=True)
class LoginResult:
    """The account that logged in, or None and whether the account is (now) locked."""

    user: StaffUser | None
    locked: bool = False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified when the address is unknown, so an unknown address takes as long as a wrong password.
    return _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    """Addresses are compared in lower case, without surrounding spaces."""
    return (email or "").strip().lower()


def check_password_strength(password: str) -> None:
    """Refuse a password too short to resist guessing."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"Mot de passe trop court : {MIN_PASSWORD} caractères au moins.")


def find_user(session: Session, email: str) -> StaffUser | None:
    """The account of this address, if any."""
    return session.execute(sa.select(StaffUser).where(StaffUser.email == normalise_email(email))).scalars().first()


def add_user(session: Session, email: str, password: str) -> StaffUser:
    """Create an account; there is no default password, the operator types one."""
    address = normalise_email(email)
    if "@" not in address or any(c.isspace() for c in address) or len(address) > 254:
        raise AccountError(f"Adresse électronique invalide : {email!r}.")
    if find_user(session, address):
        raise AccountError(f"Un compte existe déjà pour {address}.")
    check_password_strength(password)
    user = StaffUser(
        email=address, password_hash=_hasher.hash(password), session_nonce=secrets.token_hex(16), failed_logins=0
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, email: str, password: str) -> StaffUser:
    """Replace a password; it also unlocks the account and ends its open sessions."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"Aucun compte pour {normalise_email(email)}.")
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until = 0, None
    user.session_nonce = secrets.token_hex(16)
    return user


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes: they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def is_locked(user: StaffUser, now: datetime | None = None) -> bool:
    """Whether the account is in its lock-out period."""
    until = _aware(user.locked_until)
    return until is not None and until > (now or utcnow())


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a password; the fifth failure in a row locks the account for LOCK_DURATION.

    A locked account is refused without checking the password, so guessing
    cannot go on during the lock-out.
    """
    now = now or utcnow()
    user = find_user(session, email)
    if user is None:
        try:
            _hasher.verify(_dummy_hash(), password or "")
        except VerificationError:
            pass
        return LoginResult(None)
    if is_locked(user, now):
        return LoginResult(None, locked=True)
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until, user.failed_logins = now + LOCK_DURATION, 0
            return LoginResult(None, locked=True)
        return LoginResult(None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    user.session_nonce = secrets.token_hex(16)
    return LoginResult(user)


def end_sessions(user: StaffUser) -> None:
    """Invalidate every cookie issued to this account (logout)."""
    user.session_nonce = secrets.token_hex(16)


def unlock(session: Session, email: str) -> StaffUser:
    """Lift a lock-out before it ends."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"Aucun compte pour {normalise_email(email)}.")
    user.failed_logins, user.locked_until = 0, None
    return user


def remove_user(session: Session, email: str) -> None:
    """Delete an account (the audit log keeps its address)."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"Aucun compte pour {normalise_email(email)}.")
    session.delete(user)


def list_users(session: Session) -> list[StaffUser]:
    """Every account, by address."""
    return session.execute(sa.select(StaffUser).order_by(StaffUser.email)).scalars().all()
