"""Faults around the dialogue: the action server stopped or hanging, the database missing at start, a restart in
the middle of the quiz. The visitor gets a French apology within seconds, never silence, and the conversation goes
on once the fault is gone. (SMTP down is tests/e2e/test_contact.py::test_smtp_down_keeps_the_lead_and_the_mail_until_a_retry.)"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import MODEL, Conversation, free_port
from tests.e2e.test_quiz import ELIGIBLE_ASSOCIATION, asked
from tests.security.conftest import (
    APOLOGY,
    PRICE_QUESTION,
    HangingServer,
    SocketVisitor,
    Stack,
    answers_the_price,
    post_json,
    python_bot,
    reply_text,
    running_stack,
)

REPLY_TIMEOUT = 3  # REPLY_TIMEOUT_SECONDS given to the `stack` fixture's Rasa
HELP_CONTACT = "j.bertin@anact.fr"


def timed_say(stack: Stack, sender: str, text: str) -> tuple[str, float]:
    started = time.monotonic()
    response = post_json(stack.url, {"sender": sender, "message": text}, timeout=120)
    assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
    return reply_text(response), time.monotonic() - started


def assert_apology(text: str, seconds: float, limit: float) -> None:
    assert APOLOGY in text and HELP_CONTACT in text, f"not the French apology: {text}"
    assert seconds < limit, f"the apology came after {seconds:.1f} s"


def test_action_server_stopped_gives_an_apology_then_the_conversation_resumes(stack):
    sender = f"down-{uuid.uuid4().hex}"
    text, _ = timed_say(stack, sender, PRICE_QUESTION)
    assert answers_the_price(text)
    stack.stop("actions")
    try:
        text, seconds = timed_say(stack, sender, PRICE_QUESTION)
        assert_apology(text, seconds, limit=5)
    finally:
        stack.start_actions()
    text, _ = timed_say(stack, sender, PRICE_QUESTION)
    assert answers_the_price(text), text


def test_hanging_action_server_gives_an_apology_within_the_reply_timeout(stack):
    sender = f"hang-{uuid.uuid4().hex}"
    stack.stop("actions")
    hanging = HangingServer(stack.settings.actions_port)
    try:
        text, seconds = timed_say(stack, sender, PRICE_QUESTION)
        assert_apology(text, seconds, limit=REPLY_TIMEOUT + 3)
        assert hanging.connections, "Rasa did call the (hanging) action server"
    finally:
        hanging.stop()
        stack.start_actions()
    text, _ = timed_say(stack, sender, PRICE_QUESTION)
    assert answers_the_price(text), text


async def test_hanging_action_server_over_socketio_gives_an_apology(stack):
    visitor = SocketVisitor(stack.url, stack.settings.site_origins[0])
    await visitor.connect()
    stack.stop("actions")
    hanging = HangingServer(stack.settings.actions_port)
    try:
        started = time.monotonic()
        text = await visitor.say({"message": PRICE_QUESTION}, timeout=REPLY_TIMEOUT + 5, settle=0.3)
        assert_apology(text, time.monotonic() - started, limit=REPLY_TIMEOUT + 4)
    finally:
        hanging.stop()
        stack.start_actions()
    try:
        assert answers_the_price(await visitor.say({"message": PRICE_QUESTION}))
    finally:
        await visitor.close()


def quiz_question(text: str) -> str | None:
    holder = Conversation("http://unused")
    holder.replies = [{"text": text}]
    return asked(holder)


def test_a_restart_in_the_middle_of_the_quiz_resumes_from_the_tracker_store(stack):
    """Two answers, then the whole stack stops and starts again on the same SQLite file: the third question follows."""
    sender = f"restart-{uuid.uuid4().hex}"
    text, _ = timed_say(stack, sender, "je voudrais faire le test d'éligibilité")
    assert quiz_question(text) == "structure_type", text
    text, _ = timed_say(stack, sender, ELIGIBLE_ASSOCIATION["structure_type"])
    assert quiz_question(text) == "headcount", text
    text, _ = timed_say(stack, sender, ELIGIBLE_ASSOCIATION["headcount"])
    third = quiz_question(text)
    assert third and third not in ("structure_type", "headcount"), text
    stack.stop_all()
    stack.start_actions()
    stack.start_rasa()
    text, _ = timed_say(stack, sender, ELIGIBLE_ASSOCIATION[third])
    fourth = quiz_question(text)
    assert fourth and fourth not in ("structure_type", "headcount", third), f"the quiz did not go on: {text}"
    assert "Question 4 sur" in text, text


def processes_with(marker: str) -> list[int]:
    """Processes whose environment holds this marker: whatever a start left behind."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(
    "database_url",
    [
        "postgresql://assistant:motdepasse@127.0.0.1:{free}/assistant",  # PostgreSQL down
        "sqlite:////dev/null/impossible/bot.db",  # a SQLite file that cannot be created
    ],
    ids=["postgresql down", "sqlite path impossible"],
)
def test_database_unavailable_at_start_exits_3_and_leaves_nothing_running(tmp_path, database_url):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    marker = f"SECURITY_TEST_RUN={uuid.uuid4().hex}"
    ports = {name: str(free_port()) for name in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT")}
    env = {
        **os.environ,
        **ports,
        "VAR_DIR": str(tmp_path),
        "MODEL_PATH": str(MODEL),
        "DATABASE_URL": database_url.format(free=free_port()),
        marker.split("=")[0]: marker.split("=")[1],
    }
    result = python_bot("run", env=env, timeout=120)
    assert result.returncode == 3, f"code {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    assert "Démarrage impossible" in result.stderr and "DATABASE_URL" in result.stderr, result.stderr
    assert "motdepasse" not in result.stderr + result.stdout, "the password is never printed"
    assert "démarré" not in result.stdout, f"a service was started: {result.stdout}"
    time.sleep(1)
    assert processes_with(marker) == [], "processes left behind"
    assert not any(listening(int(port)) for port in ports.values())


def test_a_malformed_database_url_is_a_clear_message_too(tmp_path):
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path),
        "MODEL_PATH": str(MODEL),
        "DATABASE_URL": "pas-une-url",
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
    }
    result = python_bot("run", env=env, timeout=120)
    assert result.returncode == 3 and "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr, (
        result.stderr
    )
    assert "pas-une-url" not in result.stderr


def test_an_action_server_outage_mid_quiz_keeps_the_answers_and_the_pending_question(stack):
    """Down at the third question: the apology, then the same question when the action server is back."""
    sender = f"outage-{uuid.uuid4().hex}"
    timed_say(stack, sender, "je voudrais faire le test d'éligibilité")
    timed_say(stack, sender, "une association")
    text, _ = timed_say(stack, sender, "42 salariés")
    assert quiz_question(text) == "place", text
    stack.stop("actions")
    try:
        text, seconds = timed_say(stack, sender, "Villeurbanne")
        assert_apology(text, seconds, limit=5)
    finally:
        stack.start_actions()
    text, _ = timed_say(stack, sender, "Villeurbanne")
    assert quiz_question(text) == "role" and "Question 4 sur 8" in text, f"the quiz did not go on: {text}"


@pytest.fixture(scope="module")
def breaker_stack(tmp_path_factory) -> Stack:
    """Rasa with its circuit breaker at one action per message: it trips after every reply."""
    yield from running_stack(tmp_path_factory, "breaker", {"MAX_NUMBER_OF_PREDICTIONS": "1"})


def test_a_tripped_circuit_breaker_never_kills_the_conversation(breaker_stack):
    """Rasa's breaker trips at every message here (it stops predicting after action_turn, before action_listen):
    each message still gets its normal answer, the quiz goes on, and "recommencer" and /restart work."""
    stack = breaker_stack
    sender = f"breaker-{uuid.uuid4().hex}"
    answers = ["je voudrais faire le test d'éligibilité", "une association", "42 salariés", "Villeurbanne"]
    for text in answers:
        reply, _ = timed_say(stack, sender, text)
        assert APOLOGY not in reply and "Je ne comprends toujours pas" not in reply, reply
    assert quiz_question(reply) == "role", reply
    assert "Circuit breaker tripped" in stack.log_tail("rasa"), "the breaker did trip"
    reply, _ = timed_say(stack, sender, "recommencer")
    assert "effacées" in reply, reply
    reply, _ = timed_say(stack, sender, "/restart")
    assert "reparti de zéro" in reply, reply
    reply, _ = timed_say(stack, sender, "combien ça coûte ?")
    assert answers_the_price(reply), reply
