"""Command line of the assistant: `python -m bot run` and the operators' commands."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from bot.db import DatabaseUnavailable, check_database
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from bot.supervisor import Service, Supervisor


def rasa_environment(settings: Settings) -> dict:
    """Variables that endpoints.yml reads, and quiet defaults for Rasa's libraries."""
    return {
        "DATABASE_URL": settings.database_url,
        "ACTION_ENDPOINT_URL": settings.action_endpoint_url,
        # Rasa would otherwise send usage data and error reports to third-party servers.
        "RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED", "false"),
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # Rasa's dependencies print pages of deprecation notices at start: keep the log readable.
        "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning"),
    }


def services(settings: Settings) -> list[Service]:
    """The processes of the assistant, in start order."""
    python = sys.executable
    return [
        Service(
            "actions",
            [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.actions_port)],
            rasa_environment(settings),
        ),
        Service(
            "rasa",
            [
                python, "-m", "rasa", "run",
                "--model", str(settings.model_path),
                "--interface", settings.bind_host,
                "--port", str(settings.rasa_port),
                "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
                "--credentials", str(PROJECT_ROOT / "credentials.yml"),
            ],
            rasa_environment(settings),
        ),
    ]


def command_run(settings: Settings) -> int:
    """Check the surroundings, then run every process until Ctrl-C."""
    if not settings.model_path.exists():
        print(f"Modèle introuvable : {settings.model_path}. Lancez `make run` (qui entraîne) ou `make train`.", file=sys.stderr)
        return 2
    try:
        check_database(settings.database_url)
    except DatabaseUnavailable as error:
        print(f"Démarrage impossible : {error}. Vérifiez DATABASE_URL.", file=sys.stderr)
        return 3
    supervisor = Supervisor(services(settings))
    supervisor.start()
    supervisor.log(
        f"assistant sur http://{settings.bind_host}:{settings.rasa_port}/webhooks/rest/webhook "
        f"(socket.io sur le même port) ; Ctrl-C pour tout arrêter"
    )
    return supervisor.wait()


def build_parser() -> argparse.ArgumentParser:
    """Sub-commands of `python -m bot`."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Assistant Appui-conseil à l'innovation sociale")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="démarre le serveur Rasa et le serveur d'actions")
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
    return 2
