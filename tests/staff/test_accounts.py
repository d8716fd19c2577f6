"""Staff accounts: argon2 hashes, no weak password, lock-out after five failures, and `python -m bot staff`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.records.db import session_scope
from bot.records.models import utcnow
from bot.records.staff_models import AuditEntry, StaffUser
from bot.web.staff import accounts
from tests.staff.data import ROOT


def test_passwords_are_stored_as_argon2id_hashes(database_url):
    with session_scope(database_url) as session:
        user = accounts.add_user(session, "  Anne.Martin@Aract.FR ", "une phrase de passe")
        assert user.email == "anne.martin@aract.fr"
        assert user.password_hash.startswith("$argon2id$") and "une phrase" not in user.password_hash


@pytest.mark.parametrize(
    "email, password, message",
    [
        ("a@b.fr", "court", "Mot de passe trop court : 12 caractères au moins."),
        ("a@b.fr", "", "Mot de passe trop court : 12 caractères au moins."),
        ("pas-une-adresse", "une phrase de passe", "Adresse électronique invalide"),
    ],
)
def test_add_user_refuses(database_url, email, password, message):
    with session_scope(database_url) as session, pytest.raises(accounts.AccountError, match=message):
        accounts.add_user(session, email, password)


def test_no_two_accounts_for_one_address(database_url):
    with session_scope(database_url) as session:
        accounts.add_user(session, "a@b.fr", "une phrase de passe")
        with pytest.raises(accounts.AccountError, match="existe déjà"):
            accounts.add_user(session, "A@B.fr", "une autre phrase")


def test_five_failures_lock_the_account_even_for_the_right_password(database_url):
    with session_scope(database_url) as session:
        accounts.add_user(session, "a@b.fr", "une phrase de passe")
    now = utcnow()
    with session_scope(database_url) as session:
        results = [accounts.authenticate(session, "a@b.fr", "mauvais", now) for _ in range(5)]
        assert [r.locked for r in results] == [False, False, False, False, True]
        assert accounts.authenticate(session, "a@b.fr", "une phrase de passe", now + timedelta(minutes=14)).user is None
        later = accounts.authenticate(session, "a@b.fr", "une phrase de passe", now + timedelta(minutes=16))
        assert later.user is not None and later.user.failed_logins == 0 and later.user.locked_until is None


def test_a_success_resets_the_failure_count_and_renews_the_session_nonce(database_url):
    with session_scope(database_url) as session:
        user = accounts.add_user(session, "a@b.fr", "une phrase de passe")
        nonce = user.session_nonce
        for _ in range(4):
            accounts.authenticate(session, "a@b.fr", "mauvais")
        result = accounts.authenticate(session, "a@b.fr", "une phrase de passe")
        assert result.user.failed_logins == 0 and result.user.session_nonce != nonce
        assert accounts.authenticate(session, "inconnu@b.fr", "une phrase de passe") == accounts.LoginResult(None)


def run_cli(database_url: str, tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "VAR_DIR": str(tmp_path / "var"), "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "staff", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_cli_staff_add_reads_the_password_twice_from_stdin(database_url, tmp_path):
    done = run_cli(
        database_url, tmp_path, "add", "Anne.Martin@aract.fr", stdin="une phrase de passe\nune phrase de passe\n"
    )
    assert done.returncode == 0, done.stderr
    assert "Compte créé : anne.martin@aract.fr." in done.stdout and "phrase" not in done.stdout
    with session_scope(database_url) as session:
        assert accounts.authenticate(session, "anne.martin@aract.fr", "une phrase de passe").user is not None
        entry = session.execute(sa.select(AuditEntry)).scalars().one()
        assert (entry.action, entry.target) == ("staff_add", "anne.martin@aract.fr")
        assert entry.actor.startswith("ligne de commande")


@pytest.mark.parametrize(
    "stdin, message",
    [
        ("trop court\ntrop court\n", "Mot de passe trop court : 12 caractères au moins."),
        ("une phrase de passe\nune autre phrase\n", "Les deux mots de passe ne correspondent pas."),
        ("", "Mot de passe trop court"),
    ],
)
def test_cli_staff_add_refuses_in_french(database_url, tmp_path, stdin, message):
    done = run_cli(database_url, tmp_path, "add", "anne@aract.fr", stdin=stdin)
    assert done.returncode == 2 and message in done.stderr
    with session_scope(database_url) as session:
        assert session.execute(sa.select(sa.func.count(StaffUser.id))).scalar_one() == 0


def test_cli_password_unlock_list_remove(database_url, tmp_path):
    assert run_cli(database_url, tmp_path, "add", "a@b.fr", stdin="une phrase de passe\n" * 2).returncode == 0
    with session_scope(database_url) as session:
        for _ in range(5):
            accounts.authenticate(session, "a@b.fr", "mauvais")
    assert run_cli(database_url, tmp_path, "list").stdout.strip() == "a@b.fr (verrouillé)"
    assert "Compte déverrouillé" in run_cli(database_url, tmp_path, "unlock", "a@b.fr").stdout
    changed = run_cli(database_url, tmp_path, "password", "a@b.fr", stdin="nouvelle phrase longue\n" * 2)
    assert changed.returncode == 0, changed.stderr
    with session_scope(database_url) as session:
        assert accounts.authenticate(session, "a@b.fr", "nouvelle phrase longue").user is not None
    assert run_cli(database_url, tmp_path, "remove", "a@b.fr").returncode == 0
    missing = run_cli(database_url, tmp_path, "remove", "a@b.fr")
    assert missing.returncode == 2 and "Aucun compte pour a@b.fr." in missing.stderr
