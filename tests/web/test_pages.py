"""The web app over plain HTTP: security headers, CORS limited to the site's origins, our own files only."""

from __future__ import annotations

import re

import httpx


def test_program_page_has_a_strict_content_security_policy(assistant):
    response = httpx.get(assistant["web_url"] + "/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors" in policy and "object-src 'none'" in policy
    # The widget may reach the chat server, and nothing else outside the site.
    connect = re.search(r"connect-src ([^;]+)", policy).group(1).split()
    assert connect == [
        "'self'",
        f"http://127.0.0.1:{assistant['env']['RASA_PORT']}",
        f"ws://127.0.0.1:{assistant['env']['RASA_PORT']}",
    ]
    assert response.headers["x-content-type-options"] == "nosniff"
    # No inline script or style, no third-party resource in the page itself.
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script in the page"
    assert "style=" not in html
    for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
        assert url.startswith(assistant["web_url"]), f"third-party resource {url}"


def test_widget_files_and_the_socket_io_client_are_served_by_the_app(assistant):
    for path, kind in (
        ("/widget/widget.js", "javascript"),
        ("/widget/widget.css", "css"),
        ("/widget/socket.io.min.js", "javascript"),
    ):
        response = httpx.get(assistant["web_url"] + path)
        assert response.status_code == 200 and kind in response.headers["content-type"], path
    assert "io" in httpx.get(assistant["web_url"] + "/widget/socket.io.min.js").text[:2000]
    assert httpx.get(assistant["web_url"] + "/widget/../bot/settings.py").status_code == 404
    assert httpx.get(assistant["web_url"] + "/widget/secret.txt").status_code == 404


def test_cors_answers_only_the_configured_site_origins(assistant):
    url = assistant["web_url"] + "/widget/widget.js"
    allowed = assistant["web_url"]
    response = httpx.get(url, headers={"Origin": allowed})
    assert response.headers.get("access-control-allow-origin") == allowed
    response = httpx.get(url, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    # The Rasa REST channel too: a preflight from another site gets no permission.
    preflight = httpx.options(
        assistant["url"] + "/webhooks/rest/webhook",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers.get("access-control-allow-origin") not in ("*", "https://evil.example")


def test_the_privacy_notice_says_how_long_each_kind_is_kept_and_whom_to_ask(assistant):
    settings_words = ("6\u00a0mois", "3\u00a0ans", "1\u00a0an")  # RETENTION_CONVERSATIONS, _LEADS, _AUDIT defaults
    page = httpx.get(assistant["web_url"] + "/confidentialite")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert all(words in page.text for words in settings_words)
    assert "mailto:j.bertin@anact.fr" in page.text and "effacement" in page.text
    line = httpx.get(assistant["web_url"] + "/widget/privacy.json", headers={"Origin": assistant["web_url"]})
    assert line.headers.get("access-control-allow-origin") == assistant["web_url"]  # read by the widget on the site
    assert "conservés 6\u00a0mois" in line.json()["text"] and "3\u00a0ans si vous demandez" in line.json()["text"]
    assert line.json()["link"] == "/confidentialite"


def test_unknown_pages_get_a_french_error(assistant):
    response = httpx.get(assistant["web_url"] + "/nulle-part", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "Page introuvable" in response.text and 'lang="fr"' in response.text
    response = httpx.get(assistant["web_url"] + "/nulle-part")
    assert response.status_code == 404 and response.json() == {"error": "Page introuvable."}
