"""Settings read once from the environment, with working local defaults."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from bot.records.mailer import MailSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# The addresses the program's page gives, written in the domain's texts; HELP_EMAIL and APPLICATIONS_EMAIL replace
# them everywhere (bot/dialogue/texts.py).
PAGE_HELP_EMAIL = "j.bertin@anact.fr"
PAGE_APPLICATIONS_EMAIL = "v.semavoine@anact.fr"


class SettingsError(ValueError):
    """A setting has a value the assistant cannot start with."""


@dataclass(frozen=True)
class Settings:
    """Everything the processes need to know about their surroundings."""

    database_url: str
    bind_host: str
    rasa_port: int
    actions_port: int
    model_path: Path
    var_dir: Path
    help_email: str
    applications_email: str
    mail: MailSettings
    web_port: int = 8000
    site_origins: tuple = ("http://127.0.0.1:8000", "http://localhost:8000")
    chat_server_url: str = ""
    secret_key: str = field(default="", repr=False)
    cookie_secure: bool = False
    retention_leads: str = "3y"  # leads, with their conversations and mails
    retention_conversations: str = "6m"  # conversations that led to no lead
    retention_audit: str = "1y"  # the staff's audit log and the erasure log
    rasa_tuning: bool = True  # RASA_TUNING=off serves with Rasa's own methods (bot/rasa_ext/tuning/ not applied)
    # Per sender: this many messages at once (a quiz clicked through fast is about 15), then this many per second.
    sender_message_burst: int = 20
    sender_messages_per_second: float = 2.0
    reply_timeout_seconds: float = 10.0
    # Per client address (behind a proxy of TRUSTED_PROXIES: the address it forwards): room for an office or a
    # school behind one address, not for one client opening conversation after conversation.
    address_message_burst: int = 200
    address_messages_per_second: float = 20.0
    trusted_proxies: tuple = ("127.0.0.1", "::1")

    @property
    def action_endpoint_url(self) -> str:
        """URL the Rasa server calls to run custom actions."""
        return f"http://127.0.0.1:{self.actions_port}/webhook"


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} doit être un numéro de port (1-65535), reçu {raw!r}.")
    return int(raw)


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = -1
    if value <= 0:
        raise SettingsError(f"{name} doit être un nombre positif, reçu {raw!r}.")
    return value


def rasa_tuning_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """RASA_TUNING: on (the default) or off."""
    raw = environ.get("RASA_TUNING", "").strip().lower()
    if raw in ("", "on", "1", "true", "oui", "yes"):
        return True
    if raw in ("off", "0", "false", "non", "no"):
        return False
    raise SettingsError(f"RASA_TUNING doit valoir on ou off, reçu {raw!r}.")


def _flag(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "non", "no"):
        return False
    if raw in ("1", "true", "oui", "yes"):
        return True
    raise SettingsError(f"{name} doit valoir true ou false, reçu {raw!r}.")


def _address(environ: Mapping[str, str], name: str, default: str) -> str:
    value = (environ.get(name) or default).strip()
    if "@" not in value or "\n" in value or "\r" in value:
        raise SettingsError(f"{name} doit être une adresse électronique, reçu {value!r}.")
    return value


def _origins(environ: Mapping[str, str], web_port: int) -> tuple:
    raw = environ.get("SITE_ORIGINS", "").strip()
    if not raw:
        return (f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}")
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    for origin in origins:
        if origin == "*" or not re.match(r"^https?://[^/\s]+$", origin):
            raise SettingsError(
                f"SITE_ORIGINS : origine invalide {origin!r} (attendu : https://www.exemple.fr, sans chemin ni « * »)."
            )
    return origins


def _url(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip().rstrip("/")
    if value and not re.match(r"^https?://[^\s\"'<>]+$", value):
        raise SettingsError(f"{name} doit être une URL http(s), reçu {value!r}.")
    return value


def _secret(environ: Mapping[str, str]) -> str:
    given = environ.get("SECRET_KEY", "").strip()
    if given and len(given) < 32:
        raise SettingsError("SECRET_KEY doit faire au moins 32 caractères.")
    return given


def ensure_secret_key(settings: "Settings") -> str:
    """The key that signs staff session cookies: SECRET_KEY, or one made once and kept under var/ (mode 600)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.var_dir / "secret_key"
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


MIN_RETENTION_DAYS = 30  # a shorter retention is a typing slip ("0d", "1d"), not a policy


def _retention(environ: Mapping[str, str], name: str, default: str) -> str:
    value = (environ.get(name) or default).strip()
    match = re.fullmatch(r"(\d+)([ymd])", value)
    if not match or int(match.group(1)) * {"y": 365, "m": 30, "d": 1}[match.group(2)] < MIN_RETENTION_DAYS:
        raise SettingsError(f"{name} doit être une durée d'au moins 30 jours, comme 3y, 18m ou 90d ; reçu {value!r}.")
    return value


EXAMPLE_SECRET = "CHANGE-ME-at-least-32-characters-long-random"  # deploy/assistant.env.example
LOOPBACK_HOSTS = ("", "localhost", "127.0.0.1", "::1")


def check_production(environ: Mapping[str, str], settings: Settings) -> None:
    """ENVIRONMENT=production: refuse a setting that would leave a door open, naming the variable to set."""
    if (environ.get("ENVIRONMENT") or "").strip().lower() != "production":
        return
    if not settings.secret_key or settings.secret_key == EXAMPLE_SECRET:
        raise SettingsError(
            "ENVIRONMENT=production : définissez SECRET_KEY (32 caractères au moins, pas celle de l'exemple)."
        )
    if not settings.cookie_secure:
        raise SettingsError("ENVIRONMENT=production : définissez COOKIE_SECURE=true (le site est servi en HTTPS).")
    if settings.mail.host not in LOOPBACK_HOSTS and not settings.mail.starttls:
        raise SettingsError(
            "ENVIRONMENT=production : définissez SMTP_STARTTLS=true (les courriels partent vers un serveur distant)."
        )
    if not (environ.get("SITE_ORIGINS") or "").strip():
        raise SettingsError(
            "ENVIRONMENT=production : définissez SITE_ORIGINS (l'adresse du site qui intègre le widget)."
        )


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the settings once; tests pass a dict instead of patching os.environ."""
    var_dir = Path(environ.get("VAR_DIR") or PROJECT_ROOT / "var")
    web_port = _port(environ, "WEB_PORT", 8000)
    settings = Settings(
        database_url=environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'bot.db'}",
        bind_host=environ.get("BIND_HOST") or "127.0.0.1",
        rasa_port=_port(environ, "RASA_PORT", 5005),
        actions_port=_port(environ, "ACTIONS_PORT", 5055),
        model_path=Path(environ.get("MODEL_PATH") or PROJECT_ROOT / "models" / "assistant.tar.gz"),
        var_dir=var_dir,
        help_email=_address(environ, "HELP_EMAIL", PAGE_HELP_EMAIL),
        applications_email=_address(environ, "APPLICATIONS_EMAIL", PAGE_APPLICATIONS_EMAIL),
        mail=MailSettings(
            host=environ.get("SMTP_HOST", "").strip(),
            port=_port(environ, "SMTP_PORT", 25),
            user=environ.get("SMTP_USER", ""),
            password=environ.get("SMTP_PASSWORD", ""),
            starttls=_flag(environ, "SMTP_STARTTLS"),
            sender=_address(environ, "MAIL_FROM", "Assistant Appui-conseil <no-reply@localhost>"),
            timeout=float(environ.get("SMTP_TIMEOUT") or 10),
            outbox_dir=var_dir / "outbox",
        ),
        web_port=web_port,
        site_origins=_origins(environ, web_port),
        chat_server_url=_url(environ, "CHAT_SERVER_URL"),
        secret_key=_secret(environ),
        cookie_secure=_flag(environ, "COOKIE_SECURE"),
        # RETENTION, the single setting of earlier versions, still sets the leads' retention.
        retention_leads=_retention(environ, "RETENTION_LEADS", environ.get("RETENTION") or "3y"),
        retention_conversations=_retention(environ, "RETENTION_CONVERSATIONS", "6m"),
        retention_audit=_retention(environ, "RETENTION_AUDIT", "1y"),
        rasa_tuning=rasa_tuning_enabled(environ),
        sender_message_burst=int(_positive(environ, "SENDER_MESSAGE_BURST", 20)),
        sender_messages_per_second=_positive(environ, "SENDER_MESSAGES_PER_SECOND", 2),
        reply_timeout_seconds=_positive(environ, "REPLY_TIMEOUT_SECONDS", 10),
        address_message_burst=int(_positive(environ, "ADDRESS_MESSAGE_BURST", 200)),
        address_messages_per_second=_positive(environ, "ADDRESS_MESSAGES_PER_SECOND", 20),
        trusted_proxies=tuple(
            address.strip()
            for address in (environ.get("TRUSTED_PROXIES") or "127.0.0.1,::1").split(",")
            if address.strip()
        ),
    )
    check_production(environ, settings)
    return settings
