"""Settings from the environment, and a start that refuses to half-start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_work_without_any_variable():
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("var/bot.db")
    assert (settings.rasa_port, settings.actions_port) == (5005, 5055)
    assert settings.action_endpoint_url == "http://127.0.0.1:5055/webhook"


def test_the_environment_wins():
    settings = load_settings(
        {"DATABASE_URL": "postgresql://u@127.0.0.1/test", "RASA_PORT": "6005", "ACTIONS_PORT": "6055"}
    )
    assert settings.database_url == "postgresql://u@127.0.0.1/test"
    assert settings.rasa_port == 6005 and settings.action_endpoint_url.endswith(":6055/webhook")


def test_the_rasa_server_calls_the_action_server_of_actions_port(tmp_path):
    """endpoints.yml holds the defaults for Rasa's own commands; `bot run` gives Rasa a copy with ACTIONS_PORT's address."""
    import yaml

    from bot.cli import services

    assert (
        yaml.safe_load((ROOT / "endpoints.yml").read_text())["action_endpoint"]["url"]
        == load_settings({}).action_endpoint_url
    )
    settings = load_settings({"ACTIONS_PORT": "6055", "VAR_DIR": str(tmp_path)})
    rasa = next(service for service in services(settings) if service.name == "rasa")
    written = yaml.safe_load(Path(rasa.command[rasa.command.index("--endpoints") + 1]).read_text())
    assert written["action_endpoint"]["url"] == "http://127.0.0.1:6055/webhook"
    assert written["tracker_store"] == yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-1"])
def test_a_bad_port_is_refused_with_its_name(value):
    with pytest.raises(SettingsError, match="RASA_PORT"):
        load_settings({"RASA_PORT": value})


def run_bot(env_extra: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"not used: the database check comes first")
    env = {"PATH": "/usr/bin:/bin", "MODEL_PATH": str(model), "VAR_DIR": str(tmp_path), **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_an_unreachable_database_stops_the_start_with_a_clear_message(tmp_path):
    result = run_bot({"DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:1/none"}, tmp_path)
    assert result.returncode == 3
    assert "base de données injoignable" in result.stderr and "DATABASE_URL" in result.stderr
    assert "secret" not in result.stderr  # the password is never printed


def test_a_missing_model_says_how_to_train(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MODEL_PATH": str(tmp_path / "absent.tar.gz"), "VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "make run" in result.stderr


def test_bad_configuration_is_reported_not_raised(tmp_path):
    result = run_bot({"RASA_PORT": "http"}, tmp_path)
    assert result.returncode == 2 and "RASA_PORT" in result.stderr


def test_site_origins_default_to_the_local_web_app_and_refuse_wildcards():
    assert load_settings({"WEB_PORT": "8100"}).site_origins == ("http://127.0.0.1:8100", "http://localhost:8100")
    given = load_settings({"SITE_ORIGINS": "https://www.aract.fr, https://aract.fr/"})
    assert given.site_origins == ("https://www.aract.fr", "https://aract.fr")
    for bad in ("*", "www.aract.fr", "https://aract.fr/page", "javascript:alert(1)"):
        with pytest.raises(SettingsError, match="SITE_ORIGINS"):
            load_settings({"SITE_ORIGINS": bad})


def test_chat_server_url_must_be_http():
    assert load_settings({"CHAT_SERVER_URL": "https://chat.aract.fr/"}).chat_server_url == "https://chat.aract.fr"
    with pytest.raises(SettingsError, match="CHAT_SERVER_URL"):
        load_settings({"CHAT_SERVER_URL": "javascript:alert(1)"})


def test_secret_key_is_made_once_private_and_kept(tmp_path):
    from bot.settings import ensure_secret_key

    settings = load_settings({"VAR_DIR": str(tmp_path)})
    key = ensure_secret_key(settings)
    assert len(key) >= 32 and ensure_secret_key(settings) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert key not in repr(settings)
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"SECRET_KEY": "court"})
    assert ensure_secret_key(load_settings({"SECRET_KEY": "x" * 40, "VAR_DIR": str(tmp_path)})) == "x" * 40


def test_content_security_policy_allows_our_chat_server_only():
    from bot.web.security import content_security_policy

    policy = content_security_policy("https://chat.aract.fr")
    assert "connect-src 'self' https://chat.aract.fr wss://chat.aract.fr;" in policy
    assert "script-src 'self'" in policy and "unsafe" not in policy


@pytest.mark.parametrize("name", ["RETENTION_LEADS", "RETENTION_CONVERSATIONS", "RETENTION_AUDIT", "RETENTION"])
@pytest.mark.parametrize("value", ["3 ans", "0y", "y", "-1d", "0d", "29d"])
def test_each_retention_is_a_duration_of_thirty_days_or_more(name, value):
    defaults = load_settings({})
    assert (defaults.retention_leads, defaults.retention_conversations, defaults.retention_audit) == ("3y", "6m", "1y")
    assert load_settings({"RETENTION": "2y"}).retention_leads == "2y"  # the single setting of earlier versions
    with pytest.raises(SettingsError, match=name if name != "RETENTION" else "RETENTION_LEADS"):
        load_settings({name: value})


def test_the_sqlite_file_is_in_wal_mode_for_every_process(tmp_path):
    import sqlite3

    from bot.records.db import upgrade

    upgrade(f"sqlite:///{tmp_path / 'bot.db'}")
    # A plain connection, as Rasa's own tracker store opens, sees WAL too: readers never block the writer.
    assert sqlite3.connect(tmp_path / "bot.db").execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_rasa_server_runs_without_jax():
    """The server's command is Rasa's, and TensorFlow works without the 108 MB jax would hold."""
    from bot.cli import services

    rasa = next(service for service in services(load_settings({})) if service.name == "rasa")
    assert rasa.command[1:4] == ["-m", "bot.rasa_ext.rasa_server", "run"]
    probe = (
        "import sys, bot.rasa_ext.rasa_server, tensorflow as tf; "
        "print(int(tf.reduce_sum(tf.constant([1, 2]))), 'jaxlib' in sys.modules, 'jax' in sys.modules and sys.modules['jax'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert done.stdout.split() == ["3", "False", "None"], done.stderr[-2000:]
    version = subprocess.run(
        [sys.executable, "-m", "bot.rasa_ext.rasa_server", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Rasa Version      :         3.6.21" in version.stdout, version.stdout + version.stderr[-2000:]


PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "k" * 40,
    "COOKIE_SECURE": "true",
    "SMTP_HOST": "smtp.exemple.fr",
    "SMTP_STARTTLS": "true",
    "SITE_ORIGINS": "https://www.exemple.fr",
}


@pytest.mark.parametrize(
    "change, variable",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "CHANGE-ME-at-least-32-characters-long-random"}, "SECRET_KEY"),
        ({"SECRET_KEY": "court"}, "SECRET_KEY"),
        ({"COOKIE_SECURE": "false"}, "COOKIE_SECURE"),
        ({"SMTP_STARTTLS": "false"}, "SMTP_STARTTLS"),
        ({"SITE_ORIGINS": ""}, "SITE_ORIGINS"),
    ],
)
def test_production_mode_refuses_each_unsafe_setting_by_its_name(change, variable):
    load_settings(PRODUCTION)  # the safe set starts
    load_settings({**PRODUCTION, "SMTP_HOST": "127.0.0.1", "SMTP_STARTTLS": "false"})  # a local relay needs no TLS
    with pytest.raises(SettingsError, match=variable):
        load_settings({**PRODUCTION, **change})
    if change != {"SECRET_KEY": "court"}:  # a short key is refused everywhere
        load_settings({**PRODUCTION, **change, "ENVIRONMENT": ""})  # development keeps its defaults


def test_python_m_bot_refuses_to_start_in_production_with_a_french_message(tmp_path):
    env = {**os.environ, "ENVIRONMENT": "production", "VAR_DIR": str(tmp_path), "SECRET_KEY": ""}
    done = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and "Configuration invalide" in done.stderr and "SECRET_KEY" in done.stderr
