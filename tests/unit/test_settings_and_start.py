"""Settings from the environment, and a start that refuses to half-start."""
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
    settings = load_settings({"DATABASE_URL": "postgresql://u@127.0.0.1/test", "RASA_PORT": "6005", "ACTIONS_PORT": "6055"})
    assert settings.database_url == "postgresql://u@127.0.0.1/test"
    assert settings.rasa_port == 6005 and settings.action_endpoint_url.endswith(":6055/webhook")


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-1"])
def test_a_bad_port_is_refused_with_its_name(value):
    with pytest.raises(SettingsError, match="RASA_PORT"):
        load_settings({"RASA_PORT": value})


def run_bot(env_extra: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"not used: the database check comes first")
    env = {"PATH": "/usr/bin:/bin", "MODEL_PATH": str(model), "VAR_DIR": str(tmp_path), **env_extra}
    return subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_an_unreachable_database_stops_the_start_with_a_clear_message(tmp_path):
    result = run_bot({"DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:1/none"}, tmp_path)
    assert result.returncode == 3
    assert "base de données injoignable" in result.stderr and "DATABASE_URL" in result.stderr
    assert "secret" not in result.stderr  # the password is never printed


def test_a_missing_model_says_how_to_train(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MODEL_PATH": str(tmp_path / "absent.tar.gz"), "VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "make run" in result.stderr


def test_bad_configuration_is_reported_not_raised(tmp_path):
    result = run_bot({"RASA_PORT": "http"}, tmp_path)
    assert result.returncode == 2 and "RASA_PORT" in result.stderr
