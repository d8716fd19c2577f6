"""Command line of the assistant: `python -m bot run` and the operators' commands."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

import yaml

from bot.records import leads, personal_data
from bot.records.db import DatabaseUnavailable, check_database, session_scope, upgrade
from bot.records.mailer import Mailer
from bot.records.models import Lead
from bot.records.personal_data import Retention
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from bot.supervisor import Service, Supervisor


def rasa_environment(settings: Settings) -> dict:
    """The database the tracker store opens (bot/records/tracker_store.py), and quiet defaults for Rasa's libraries."""
    return {
        "DATABASE_URL": settings.database_url,
        # Rasa would otherwise send usage data and error reports to third-party servers.
        "RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED", "false"),
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # Sanic's access log: a record (client address, rebuilt URL) made for every request and printed nowhere
        # at our log level; a noticeable share of the action server's time per call.
        "SANIC_ACCESS_LOG": os.environ.get("SANIC_ACCESS_LOG", "false"),
        # Read by bot/rasa_ext/channels.py: the sites allowed to open the chat over socket.io.
        "SITE_ORIGINS": ",".join(settings.site_origins),
        "HELP_EMAIL": settings.help_email,
        # Rasa's dependencies print pages of deprecation notices at start: keep the log readable.
        "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning"),
    }


def endpoints_file(settings: Settings) -> Path:
    """endpoints.yml with the action server of ACTIONS_PORT, written under VAR_DIR for the Rasa server."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = settings.action_endpoint_url
    path = settings.var_dir / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by `python -m bot run` from endpoints.yml: do not edit.\n"
        + yaml.safe_dump(endpoints, sort_keys=False),
        encoding="utf-8",
    )
    return path


def services(settings: Settings) -> list[Service]:
    """The processes of the assistant, in start order."""
    python = sys.executable
    return [
        Service(
            "actions",
            [
                python,
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(settings.actions_port),
                "--cors",
                f"http://127.0.0.1:{settings.actions_port}",
            ],
            # Only the Rasa server calls the action server: keep it on loopback (rasa-sdk binds 0.0.0.0 otherwise).
            {**rasa_environment(settings), "SANIC_HOST": os.environ.get("ACTIONS_HOST", "127.0.0.1")},
        ),
        Service("outbox", [python, "-m", "bot", "outbox", "work"]),
        Service("web", [python, "-m", "bot", "web"], {"PYTHONWARNINGS": "ignore::DeprecationWarning"}),
        Service(
            "rasa",
            [
                python,
                "-m",
                "bot.rasa_ext.rasa_server",
                "run",
                "--model",
                str(settings.model_path),
                "--interface",
                settings.bind_host,
                "--port",
                str(settings.rasa_port),
                "--endpoints",
                str(endpoints_file(settings)),
                "--credentials",
                str(PROJECT_ROOT / "credentials.yml"),
                # CORS of the REST channel: the site's origins only.
                "--cors",
                *settings.site_origins,
            ],
            rasa_environment(settings),
        ),
    ]


def database_ready(settings: Settings) -> bool:
    """Reach the database and bring its schema up to date, or say why not."""
    try:
        check_database(settings.database_url)
        upgrade(settings.database_url)
    except DatabaseUnavailable as error:
        print(f"Démarrage impossible : {error}. Vérifiez DATABASE_URL.", file=sys.stderr)
        return False
    return True


def surroundings_problem(settings: Settings, command: str) -> int:
    """The exit code for a missing model (2) or database (3), said in French; 0 when both are there."""
    if not settings.model_path.exists():
        print(
            f"Modèle introuvable : {settings.model_path}. Lancez `{command}` (qui entraîne) ou `make train`.",
            file=sys.stderr,
        )
        return 2
    return 0 if database_ready(settings) else 3


def command_run(settings: Settings) -> int:
    """Check the surroundings, then run every process until Ctrl-C."""
    problem = surroundings_problem(settings, "make run")
    if problem:
        return problem
    supervisor = Supervisor(services(settings))
    supervisor.start()
    supervisor.log(
        f"page du dispositif et widget : http://{settings.bind_host}:{settings.web_port}/ ; "
        f"espace équipe : http://{settings.bind_host}:{settings.web_port}/staff ; "
        f"API REST : http://{settings.bind_host}:{settings.rasa_port}/webhooks/rest/webhook ; Ctrl-C pour tout arrêter"
    )
    return supervisor.wait()


def command_shell(settings: Settings) -> int:
    """`make shell`: talk to the assistant in the terminal (Rasa's `rasa shell`), its action server alongside."""
    problem = surroundings_problem(settings, "make shell")
    if problem:
        return problem
    every = {service.name: service for service in services(settings)}
    for closing in (signal.SIGHUP, signal.SIGTERM):  # a closed terminal too stops the action server
        signal.signal(closing, lambda *_: sys.exit(0))
    log_path = settings.var_dir / "shell-actions.log"
    with log_path.open("w", encoding="utf-8") as log:
        actions = Supervisor([every["actions"]], out=log)  # its log in a file, not in the conversation
        actions.start()
        try:
            if not port_open(settings.actions_port, timeout=120):
                print(f"Le serveur d'actions n'a pas démarré : voir {log_path}.", file=sys.stderr)
                return 1
            rasa = every["rasa"]
            command = [
                *rasa.command[:3],
                "shell",
                "--model",
                str(settings.model_path),
                "--endpoints",
                str(endpoints_file(settings)),
                "--port",
                str(settings.rasa_port),
            ]
            return subprocess.call(command, env={**os.environ, **rasa.env})
        except KeyboardInterrupt:
            return 0
        finally:
            actions.stop()


def port_open(port: int, timeout: float) -> bool:
    """Wait until something listens on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.5)
    return False


PURGE_EVERY_SECONDS = 24 * 3600


def _counts(erasure) -> str:
    return f"{erasure.leads} fiche(s), {erasure.mails} courriel(s), {erasure.events} événement(s) de conversation"


def purge_expired(settings: Settings) -> None:
    """Retention, applied by the background worker: RETENTION_LEADS, RETENTION_CONVERSATIONS, RETENTION_AUDIT."""
    with session_scope(settings.database_url) as session:
        erasure = personal_data.purge(session, Retention.from_settings(settings), settings.mail.outbox_dir)
        removed, counts = erasure.leads or erasure.events, _counts(erasure)
    if removed:
        print(f"conservation : {counts} supprimés", flush=True)


def command_outbox(settings: Settings, action: str) -> int:
    """`outbox retry`: try every pending mail now; `outbox work`: send what is due every 30 s and purge daily."""
    mailer = Mailer(settings.mail)
    next_purge = time.monotonic()
    while True:
        with session_scope(settings.database_url) as session:
            sent, failed = mailer.deliver_due(session, force=action == "retry")
        if action == "retry":
            print(f"{sent} courriel(s) envoyé(s), {failed} en échec (nouvel essai plus tard)")
            return 0 if not failed else 1
        if sent or failed:
            print(f"outbox : {sent} envoyé(s), {failed} en échec", flush=True)
        if time.monotonic() >= next_purge:
            purge_expired(settings)
            next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        time.sleep(30)


def command_leads(settings: Settings, args: argparse.Namespace) -> int:
    """`leads export` prints every lead; `leads erase` removes everything held on one person (by address or lead
    number) or one conversation."""
    with session_scope(settings.database_url) as session:
        if args.leads_command == "export":
            sys.stdout.write(leads.export_leads(leads.all_leads(session), args.format).rstrip("\n") + "\n")
            return 0
        if args.conversation:
            erasure = personal_data.erase_conversation(session, args.conversation, settings.mail.outbox_dir)
        else:
            email = args.email
            if args.lead is not None:
                lead = session.get(Lead, args.lead)
                if lead is None:
                    print(f"Aucune fiche n° {args.lead}.", file=sys.stderr)
                    return 1
                email = lead.email
            erasure = personal_data.erase_person(session, email, settings.mail.outbox_dir)
        print(f"Effacé : {_counts(erasure)}.")
        return 0


def command_purge(settings: Settings, older_than: str | None) -> int:
    """Retention now: the configured one, or leads and conversations older than --older-than (30 days at least)."""
    retention = Retention.from_settings(settings)
    if older_than is not None:
        try:
            age = personal_data.parse_age(older_than)
        except ValueError as error:
            print(f"--older-than : {error}", file=sys.stderr)
            return 2
        retention = retention.with_age(age)
    with session_scope(settings.database_url) as session:
        erasure = personal_data.purge(session, retention, settings.mail.outbox_dir)
        print(f"Purgé : {_counts(erasure)}.")
    return 0


def command_person(settings: Settings, email: str, fmt: str) -> int:
    """`person export --email`: everything held on one person (right of access), as JSON or as a readable text."""
    with session_scope(settings.database_url) as session:
        export = personal_data.export_person(session, email, settings.mail.outbox_dir)
    if fmt == "json":
        sys.stdout.write(json.dumps(export, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(personal_data.export_text(export))
    return 0


def command_erasures(settings: Settings) -> int:
    """`erasures replay`: apply every logged erasure again, after a backup was restored."""
    with session_scope(settings.database_url) as session:
        done = personal_data.replay_erasures(session, settings.mail.outbox_dir)
        print(f"{len(done)} effacement(s) appliqué(s) de nouveau" + "".join(f" ; {_counts(e)}" for e in done) + ".")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Sub-commands of `python -m bot`."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Assistant Appui-conseil à l'innovation sociale")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="démarre le serveur Rasa, le serveur d'actions et l'envoi des courriels")
    commands.add_parser("shell", help="parler à l'assistant dans le terminal (rasa shell et le serveur d'actions)")
    commands.add_parser("web", help="sert la page du dispositif, le widget et l'espace équipe (WEB_PORT)")
    commands.add_parser("db", help="base de données").add_argument("db_command", choices=["upgrade"])
    commands.add_parser("outbox", help="courriels en attente").add_argument("outbox_command", choices=["retry", "work"])
    leads_parser = commands.add_parser("leads", help="fiches contact")
    leads_commands = leads_parser.add_subparsers(dest="leads_command", required=True)
    leads_commands.add_parser("export", help="affiche les fiches").add_argument(
        "--format", choices=["csv", "json"], default="csv"
    )
    erase = leads_commands.add_parser("erase", help="efface une personne, une fiche ou une conversation")
    which = erase.add_mutually_exclusive_group(required=True)
    which.add_argument("--email", help="tout ce qui est conservé sur la personne de cette adresse")
    which.add_argument("--lead", type=int, help="la personne de la fiche n° LEAD")
    which.add_argument("--conversation", help="une conversation (son identifiant) et les fiches qui en viennent")
    commands.add_parser("purge", help="applique la durée de conservation maintenant").add_argument(
        "--older-than", help="fiches et conversations plus anciennes que (3y, 18m, 90d ; 30 jours au moins)"
    )
    person = commands.add_parser("person", help="données d'une personne").add_subparsers(
        dest="person_command", required=True
    )
    person_export = person.add_parser("export", help="tout ce qui est conservé sur une personne (droit d'accès)")
    person_export.add_argument("--email", required=True)
    person_export.add_argument("--format", choices=["text", "json"], default="text")
    commands.add_parser("erasures", help="journal des effacements").add_argument(
        "erasures_command", choices=["replay"], help="réappliquer chaque effacement (après restauration)"
    )
    staff_commands = commands.add_parser("staff", help="comptes de l'espace équipe (/staff)").add_subparsers(
        dest="staff_command", required=True
    )
    for name, text in (
        ("add", "crée un compte (mot de passe demandé deux fois)"),
        ("password", "change un mot de passe"),
        ("unlock", "déverrouille un compte"),
        ("remove", "supprime un compte"),
    ):
        staff_commands.add_parser(name, help=text).add_argument("email")
    staff_commands.add_parser("list", help="liste les comptes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration invalide : {error}", file=sys.stderr)
        return 2
    if args.command == "run":
        return command_run(settings)
    if args.command == "shell":
        return command_shell(settings)
    if not database_ready(settings):
        return 3
    if args.command == "db":
        return 0
    if args.command == "web":
        from bot.web.app import run

        run(settings)
        return 0
    if args.command == "outbox":
        return command_outbox(settings, args.outbox_command)
    if args.command == "leads":
        return command_leads(settings, args)
    if args.command == "staff":
        from bot.web.staff.cli import command_staff  # the web package is only loaded when needed

        return command_staff(settings, args)
    if args.command == "person":
        return command_person(settings, args.email, args.format)
    if args.command == "erasures":
        return command_erasures(settings)
    return command_purge(settings, args.older_than)
