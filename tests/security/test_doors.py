"""Doors that must stay shut: Rasa's HTTP API, other sites (CORS, socket.io origins), old Rasa, secrets in the
repository, personal data in the logs."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import uuid
from importlib.metadata import version

import httpx
import pytest
from packaging.version import Version

from tests.conftest import ROOT, Conversation
from tests.security.conftest import PRICE_QUESTION, SocketVisitor, answers_the_price, site_origin

EVIL = "https://evil.example"

# Rasa's HTTP API (`rasa run --enable-api`): model upload and replacement, tracker reads and writes, training.
API_ROUTES = [
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("GET", "/conversations/visitor-1/tracker"),
    ("GET", "/conversations/visitor-1/story"),
    ("POST", "/conversations/visitor-1/messages"),
    ("POST", "/conversations/visitor-1/tracker/events"),
    ("PUT", "/conversations/visitor-1/tracker/events"),
    ("POST", "/conversations/visitor-1/execute"),
    ("POST", "/conversations/visitor-1/trigger_intent"),
    ("POST", "/conversations/visitor-1/predict"),
    ("POST", "/model/parse"),
    ("POST", "/model/train"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("POST", "/model/test/stories"),
    ("POST", "/model/test/intents"),
    ("POST", "/model/predict"),
]


@pytest.mark.parametrize("method, path", API_ROUTES, ids=[f"{m} {p}" for m, p in API_ROUTES])
def test_rasa_http_api_is_off(assistant, method, path):
    response = httpx.request(method, assistant["url"] + path, json={}, timeout=30)
    assert response.status_code in (401, 403, 404, 405), (
        f"{method} {path} answered {response.status_code}: {response.text[:200]}"
    )


def test_installed_rasa_has_the_fix_for_cve_2024_49375():
    """Rasa before 3.6.21 loads a model from anyone who can reach the API (remote code execution)."""
    assert Version(version("rasa")) >= Version("3.6.21"), version("rasa")


def test_the_running_server_is_that_rasa(assistant):
    banner = httpx.get(assistant["url"] + "/", timeout=30).text
    running = re.search(r"Rasa: (\S+)", banner)
    assert running and Version(running.group(1)) >= Version("3.6.21"), banner


def allow_origin(response: httpx.Response) -> list[str]:
    return response.headers.get_list("access-control-allow-origin")


def test_rest_cors_answers_only_the_site(assistant):
    url = f"{assistant['url']}/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    body = {"sender": f"cors-{uuid.uuid4().hex}", "message": PRICE_QUESTION}
    evil_preflight = httpx.options(url, headers={"Origin": EVIL, **preflight}, timeout=30)
    evil_post = httpx.post(url, json=body, headers={"Origin": EVIL}, timeout=60)
    assert allow_origin(evil_preflight) == [] and allow_origin(evil_post) == []
    site = site_origin(assistant)
    site_preflight = httpx.options(url, headers={"Origin": site, **preflight}, timeout=30)
    site_post = httpx.post(url, json=body, headers={"Origin": site}, timeout=60)
    assert allow_origin(site_preflight) == [site] and allow_origin(site_post) == [site]


def test_socketio_polling_handshake_answers_only_the_site_and_once(assistant):
    """Engine.IO and Rasa's CORS both used to set the header: browsers refuse a doubled Access-Control-Allow-Origin."""
    url = f"{assistant['url']}/socket.io/?EIO=4&transport=polling"
    evil = httpx.get(url, headers={"Origin": EVIL}, timeout=30)
    assert evil.status_code == 400 and allow_origin(evil) == []
    site = site_origin(assistant)
    ok = httpx.get(url, headers={"Origin": site}, timeout=30)
    assert ok.status_code == 200 and ok.text.startswith("0{") and allow_origin(ok) == [site]


async def test_socketio_refuses_another_site_and_serves_the_configured_one(assistant):
    import socketio

    evil = SocketVisitor(assistant["url"], EVIL)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await evil.connect()
    await evil.close()
    visitor = SocketVisitor(assistant["url"], site_origin(assistant))
    await visitor.connect()
    try:
        assert answers_the_price(await visitor.say({"message": PRICE_QUESTION}))
    finally:
        await visitor.close()


async def test_socketio_websocket_handshake_checks_the_origin(assistant):
    import websockets
    from websockets.exceptions import InvalidStatusCode

    url = assistant["url"].replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(InvalidStatusCode) as refused:
        async with websockets.connect(url, origin=EVIL, open_timeout=10):
            pass
    assert refused.value.status_code in (400, 403)
    async with websockets.connect(url, origin=site_origin(assistant), open_timeout=10) as socket:
        opening = await asyncio.wait_for(socket.recv(), timeout=10)
    assert opening.startswith("0{"), opening


def test_web_app_cors_answers_only_the_site(assistant):
    web_url = assistant.get("web_url")
    if not web_url:
        pytest.skip("the assistant fixture gives no web_url: the web app's CORS is not reachable from here")
    evil_get = httpx.get(f"{web_url}/healthz", headers={"Origin": EVIL}, timeout=30)
    evil_preflight = httpx.options(
        f"{web_url}/healthz", headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"}, timeout=30
    )
    assert evil_get.status_code == 200 and allow_origin(evil_get) == [] and allow_origin(evil_preflight) == []


# Secrets: patterns written so that this file does not match itself.
SECRET_PATTERNS = {
    "private key": re.compile("-{5}BEGIN ([A-Z]+ )*PRIVATE KEY-{5}"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
}
PASSWORD_IN_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://([^/\s:@'\"`]+):([^/\s@'\"`]+)@")
SECRET_ASSIGNMENT = re.compile(
    r"^[ \t]*(?:export[ \t]+)?([A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)[A-Z0-9_]*)"
    r"[ \t]*[=:][ \t]*['\"]?([^'\"\s#]*)",
    re.MULTILINE,
)
# Values that are obviously examples: documentation and tests may show these.
PLACEHOLDER = re.compile(
    r"^(\$\{?\w*\}?|\*+|<[^>]*>|secret|password|motdepasse|change[-_]?me.*|xxx+|\.\.\.|example.*)$", re.IGNORECASE
)
CONFIG_FILE = re.compile(r"(^|/)(\.env[^/]*|[^/]*\.(env|example|ya?ml|ini|cfg|conf|toml|service|template|json))$")
NEVER_TRACKED = re.compile(
    r"(^|/)(\.env|[^/]*\.(db|sqlite3?|pem|key|p12|pfx)|id_(rsa|ed25519|ecdsa)|secret_key)$|^var/|^models/.+\.tar\.gz$"
)


def tracked_files() -> list[str]:
    return subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split(
        "\0"
    )


def test_no_secrets_in_tracked_files():
    findings = []
    for name in filter(None, tracked_files()):
        if NEVER_TRACKED.search(name):
            findings.append(f"{name}: a file of this kind must not be tracked")
            continue
        path = ROOT / name
        if not path.is_file():
            continue
        text = path.read_bytes()
        if b"\0" in text[:4096]:
            continue
        text = text.decode("utf-8", errors="replace")
        for kind, pattern in SECRET_PATTERNS.items():
            if pattern.search(text):
                findings.append(f"{name}: {kind}")
        for match in PASSWORD_IN_URL.finditer(text):
            if not PLACEHOLDER.match(match.group(2)):
                findings.append(f"{name}: password in a URL ({match.group(0)[:60]})")
        if CONFIG_FILE.search(name):
            for match in SECRET_ASSIGNMENT.finditer(text):
                if match.group(2) and not PLACEHOLDER.match(match.group(2)):
                    findings.append(f"{name}: {match.group(1)} has a value")
    assert not findings, "\n".join(findings)


def test_secret_patterns_find_what_they_are_meant_to(tmp_path):
    """The scan above must be able to fail: each pattern against a sample that a careless commit could hold."""
    samples = {
        "private key": "-" * 5 + "BEGIN OPENSSH PRIVATE KEY" + "-" * 5,
        "AWS access key": "AKIA" + "ABCDEFGHIJKLMNOP",
        "GitHub token": "ghp_" + "a" * 36,
    }
    for kind, sample in samples.items():
        assert SECRET_PATTERNS[kind].search(sample), kind
    real = PASSWORD_IN_URL.search("postgresql://assistant:" + "Tr0ub4dor3@db:5432/x")
    assert real and not PLACEHOLDER.match(real.group(2))
    assert PLACEHOLDER.match(PASSWORD_IN_URL.search("postgresql://user:motdepasse@hote/base").group(2))
    assignment = SECRET_ASSIGNMENT.search("SMTP_PASSWORD=" + "hunter22")
    assert assignment and not PLACEHOLDER.match(assignment.group(2))
    assert not SECRET_ASSIGNMENT.search("SMTP_PASSWORD=").group(2)
    assert (
        NEVER_TRACKED.search(".env") and NEVER_TRACKED.search("var/bot.db") and not NEVER_TRACKED.search(".env.example")
    )


def test_the_log_does_not_hold_a_visitors_email_address(assistant):
    """A visitor leaves contact details; the handoff mail goes out; no process writes the address to the log."""
    from tests.e2e.test_contact import give_details

    email = f"camille.{uuid.uuid4().hex[:8]}@exemple-asso.fr"
    box = assistant["smtp"].box
    before = len(box.messages)
    chat = Conversation(assistant["url"])
    chat.say("j'aimerais échanger avec un conseiller de l'Aract")
    give_details(chat, email=email)
    assert email in chat.text, "the visitor sees the address they gave"
    box.wait_for(before + 1)
    leaks = [
        line for line in assistant["log"].read_text(errors="replace").splitlines() if email.lower() in line.lower()
    ]
    assert not leaks, "the log holds the visitor's address:\n" + "\n".join(line[:300] for line in leaks)


def test_the_log_does_not_hold_an_address_typed_as_a_button_payload(assistant):
    """Rasa warns with the whole text of a "/intent{...}" payload naming unknown entities; bot/rasa_ext/channels.py mutes it."""
    email = f"payload.{uuid.uuid4().hex[:8]}@exemple-asso.fr"
    chat = Conversation(assistant["url"])
    chat.say('/inform{"email": "' + email + '"}')
    time.sleep(1)  # the warning goes through the supervisor's pipe
    leaks = [line for line in assistant["log"].read_text(errors="replace").splitlines() if email in line]
    assert not leaks, "the log holds the visitor's address:\n" + "\n".join(line[:300] for line in leaks)
