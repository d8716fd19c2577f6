"""`python -m bot staff …` (parser in bot/cli.py): create staff accounts, change a password, unlock, remove, list."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.records.db import session_scope
from bot.settings import Settings
from bot.web.staff import accounts, audit


def read_password(stdin=None) -> str:
    """Ask twice (getpass on a terminal; two lines on stdin otherwise); raise AccountError if they differ."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first, second = getpass.getpass("Mot de passe : "), getpass.getpass("Confirmez le mot de passe : ")
    else:
        first, second = stdin.readline().rstrip("\r\n"), stdin.readline().rstrip("\r\n")
    if first != second:
        raise accounts.AccountError("Les deux mots de passe ne correspondent pas.")
    accounts.check_password_strength(first)
    return first


def _operator() -> str:
    try:
        return f"ligne de commande ({getpass.getuser()})"
    except Exception:  # no user name in some containers
        return "ligne de commande"


def command_staff(settings: Settings, args: argparse.Namespace) -> int:
    """Run one `staff` sub-command; French messages, exit code 2 on a refused request."""
    try:
        if args.staff_command == "list":
            with session_scope(settings.database_url) as db:
                for user in accounts.list_users(db):
                    state = " (verrouillé)" if accounts.is_locked(user) else ""
                    print(f"{user.email}{state}")
            return 0
        password = read_password() if args.staff_command in ("add", "password") else ""
        with session_scope(settings.database_url) as db:
            if args.staff_command == "add":
                email = accounts.add_user(db, args.email, password).email
                message = f"Compte créé : {email}."
            elif args.staff_command == "password":
                email = accounts.set_password(db, args.email, password).email
                message = f"Mot de passe changé pour {email} (ses sessions ouvertes sont fermées)."
            elif args.staff_command == "unlock":
                email = accounts.unlock(db, args.email).email
                message = f"Compte déverrouillé : {email}."
            else:
                accounts.remove_user(db, args.email)
                email = accounts.normalise_email(args.email)
                message = f"Compte supprimé : {email}."
            audit.record(db, _operator(), f"staff_{args.staff_command}", email)
    except accounts.AccountError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(message)
    return 0
