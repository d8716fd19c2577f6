"""The staff app over HTTP against a real uvicorn server, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import time

import httpx
import sqlalchemy as sa

from bot.records.db import session_scope
from bot.records.staff_models import AuditEntry, ConversationReview, StaffUser
from tests.staff.conftest import STAFF_EMAIL, STAFF_PASSWORD, Server, csrf_in, log_in, make_settings

GET_ROUTES = [
    "/staff",
    "/staff/",
    "/staff/conversations",
    "/staff/conversations?fallback=yes&page=2",
    "/staff/conversations/conv-eligible",
    "/staff/leads",
    "/staff/leads/1",
    "/staff/leads/export.csv",
    "/staff/data",
    "/staff/audit",
    "/staff/does-not-exist",
]
POST_ROUTES = [
    "/staff/logout",
    "/staff/conversations/conv-eligible/review",
    "/staff/leads/1",
    "/staff/data/erase",
    "/staff/data/purge",
    "/staff/data/export",
]


def assert_sent_to_login(response: httpx.Response) -> None:
    assert response.status_code in (302, 401), (response.request.url, response.status_code)
    if response.status_code == 302:
        assert response.headers["location"].startswith("/staff/login")


def test_every_staff_route_refuses_a_visitor_without_a_session(server):
    with httpx.Client(base_url=server.url, follow_redirects=False) as http:
        for path in GET_ROUTES:
            assert_sent_to_login(http.get(path))
        for path in POST_ROUTES:
            assert_sent_to_login(
                http.post(path, data={"csrf_token": "x", "email": "elodie@exemple.fr", "confirm": "yes"})
            )
        assert http.get("/staff/leads").headers["location"] == "/staff/login?next=/staff/leads"
        # A forged or tampered cookie is no session either.
        http.cookies.set("staff_session", "eyJ1aWQiOjF9.forged.signature", domain="127.0.0.1", path="/staff")
        assert_sent_to_login(http.get("/staff/leads/export.csv"))
    with session_scope(server.settings.database_url) as session:
        assert session.execute(sa.text("SELECT count(*) FROM leads")).scalar_one() == 2, "nothing was erased"


def test_the_login_page_is_french_and_public(server):
    response = httpx.get(f"{server.url}/staff/login")
    assert response.status_code == 200 and '<html lang="fr">' in response.text
    assert 'for="email"' in response.text and 'for="password"' in response.text


def test_session_cookie_flags(server, staff_account):
    with httpx.Client(base_url=server.url, follow_redirects=False) as http:
        response = log_in(http, STAFF_EMAIL, STAFF_PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("staff_session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/staff" in flags
    assert "secure" not in flags


def test_session_cookie_is_secure_when_configured(database_url, tmp_path, staff_account):
    running = Server(make_settings(database_url, tmp_path / "var", COOKIE_SECURE="true")).start()
    try:
        with httpx.Client(base_url=running.url, follow_redirects=False) as http:
            form = http.get("/staff/login")
            login_cookie = next(c for c in form.headers.get_list("set-cookie") if c.startswith("staff_login="))
            assert "secure" in [part.strip().lower() for part in login_cookie.split(";")]
            # Over plain HTTP a client keeps Secure cookies to itself: hand it back as an HTTPS browser would.
            http.cookies.set(
                "staff_login", login_cookie.split(";")[0].split("=", 1)[1], domain="127.0.0.1", path="/staff/login"
            )
            response = http.post(
                "/staff/login",
                data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": csrf_in(form.text)},
            )
    finally:
        running.stop()
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("staff_session="))
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


def test_a_post_without_the_csrf_token_is_refused(staff, server):
    forms = {
        "/staff/conversations/conv-eligible/review": {"reviewed": "1", "note": "vu"},
        "/staff/leads/1": {"status": "closed", "note": ""},
        "/staff/data/erase": {"email": "elodie@exemple.fr", "confirm": "yes"},
        "/staff/data/purge": {"age": "30d", "confirm": "yes"},
        "/staff/data/export": {"email": "elodie@exemple.fr"},
        "/staff/logout": {},
    }
    for path, data in forms.items():
        for token in (None, "", "not-the-token", staff.csrf + "x", "é" * 10):
            sent = data if token is None else {**data, "csrf_token": token}
            response = staff.http.post(path, data=sent)
            assert response.status_code == 403, (path, token, response.status_code)
            assert "formulaire a expiré" in response.text
    with session_scope(server.settings.database_url) as session:
        assert session.get(ConversationReview, "conv-eligible") is None
        assert session.execute(sa.text("SELECT count(*) FROM leads WHERE status = 'new'")).scalar_one() == 2
    assert staff.http.get("/staff").status_code == 200, "still logged in"


def test_the_login_form_needs_its_token_too(server, staff_account):
    with httpx.Client(base_url=server.url, follow_redirects=False) as http:
        http.get("/staff/login")
        response = http.post("/staff/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
        assert response.status_code == 403 and "staff_session" not in response.headers.get("set-cookie", "")


def test_a_transcript_with_a_script_is_shown_escaped(staff):
    pages = [
        staff.http.get("/staff/conversations/conv-xss"),
        staff.http.get("/staff"),
        staff.http.get("/staff/conversations", params={"q": "<script>"}),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script>" not in page.text and "<b>mon</b>" not in page.text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in pages[0].text
    assert "&lt;script&gt;" in pages[1].text  # in the dashboard's "not understood" list
    assert "1 conversation(s)" in pages[2].text


ADDRESSES = itertools.count(1)


def patient_log_in(http: httpx.Client, email: str, password: str) -> httpx.Response:
    """Log in from a new address each time (the account's own waits remain), waiting as told when asked to."""
    while True:
        http.headers["X-Forwarded-For"] = f"198.51.100.{next(ADDRESSES) % 250 + 1}"
        answer = log_in(http, email, password)
        if answer.status_code != 429:
            return answer
        assert "réessayez dans" in answer.text
        time.sleep(int(answer.headers["Retry-After"]))


def test_wrong_password_five_times_locks_the_account(server, staff_account):
    with httpx.Client(base_url=server.url, follow_redirects=False) as http:
        answers = [patient_log_in(http, STAFF_EMAIL, "mauvais mot de passe") for _ in range(5)]
        assert all(a.status_code == 200 and "staff_session=" not in a.headers.get("set-cookie", "") for a in answers)
        assert "Adresse ou mot de passe incorrect." in answers[0].text
        unknown = patient_log_in(http, "personne@exemple.fr", "x")
        assert answers[4].text.count("verrouillé pendant 15 minutes") == unknown.text.count("verrouillé pendant 15")
        right = patient_log_in(http, STAFF_EMAIL, STAFF_PASSWORD)
        assert right.status_code == 200 and "incorrect" in right.text  # locked: the same words as for a wrong one
        assert "staff_session=" not in right.headers.get("set-cookie", "")
        assert http.get("/staff").status_code == 302
    with session_scope(server.settings.database_url) as session:
        assert session.execute(sa.select(StaffUser.locked_until)).scalar_one() is not None
        actions = session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
        assert actions == ["login_failed"] * 4 + ["login_locked", "login_failed", "login_locked"]


def test_a_login_flood_is_slowed_down_before_any_password_check(server, staff_account):
    """From one address, after three failures each try waits longer; other addresses log in as usual."""
    with httpx.Client(base_url=server.url, follow_redirects=False, headers={"X-Forwarded-For": "203.0.113.7"}) as http:
        statuses = [log_in(http, f"inconnu{n}@exemple.fr", "x").status_code for n in range(12)]
        assert statuses[:3] == [200, 200, 200] and statuses.count(429) >= 8, statuses
        refused = log_in(http, STAFF_EMAIL, STAFF_PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "essais de connexion : réessayez dans" in refused.text
    with httpx.Client(base_url=server.url, follow_redirects=False, headers={"X-Forwarded-For": "198.51.100.2"}) as http:
        assert log_in(http, STAFF_EMAIL, STAFF_PASSWORD).status_code == 303  # someone else, elsewhere


def test_password_checks_run_two_at_a_time_at_most(server, staff_account, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from bot.web.staff import accounts

    running, most, lock = [0], [0], threading.Lock()
    check = accounts.authenticate

    def counted(*args, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.3)  # as long as a few argon2 checks
            return check(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(accounts, "authenticate", counted)

    def attempt(n: int) -> int:
        with httpx.Client(base_url=server.url, headers={"X-Forwarded-For": f"203.0.113.{n}"}, timeout=30) as http:
            return log_in(http, f"inconnu{n}@exemple.fr", "x").status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(attempt, range(12)))
    assert most[0] <= 2 and set(statuses) <= {200, 429}, (most[0], statuses)


def test_logout_ends_the_session_even_for_a_copied_cookie(staff):
    cookie = staff.http.cookies.get("staff_session")
    response = staff.post_form("/staff/logout", {})
    assert response.status_code == 303 and response.headers["location"] == "/staff/login?out=1"
    with httpx.Client(base_url=str(staff.http.base_url), follow_redirects=False) as other:
        other.cookies.set("staff_session", cookie, domain="127.0.0.1", path="/staff")
        assert other.get("/staff").status_code == 302


def test_login_goes_back_to_the_asked_page_but_never_to_another_site(server, staff_account):
    with httpx.Client(base_url=server.url, follow_redirects=False) as http:
        token = csrf_in(http.get("/staff/login?next=/staff/leads").text)
        good = http.post(
            "/staff/login",
            data={
                "email": STAFF_EMAIL,
                "password": STAFF_PASSWORD,
                "csrf_token": token,
                "next": "/staff/leads?status=new",
            },
        )
        assert good.headers["location"] == "/staff/leads?status=new"
    for target in ("//evil.example/staff", "https://evil.example/", "/\\evil.example"):
        with httpx.Client(base_url=server.url, follow_redirects=False) as http:
            token = csrf_in(http.get("/staff/login").text)
            bad = http.post(
                "/staff/login",
                data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token, "next": target},
            )
            assert bad.headers["location"] == "/staff"


def test_review_and_lead_update_are_saved_and_audited(staff, server, conversations):
    saved = staff.post_form(
        "/staff/conversations/conv-eligible/review",
        {"reviewed": "1", "tags": "à rappeler, éligible", "note": "Très bon échange <3"},
    )
    assert saved.status_code == 303
    page = staff.http.get(saved.headers["location"]).text
    assert "Relecture enregistrée." in page and "Très bon échange &lt;3" in page and "à rappeler, éligible" in page
    lead_id = conversations["leads"]["eligible"]
    updated = staff.post_form(f"/staff/leads/{lead_id}", {"status": "application_received", "note": "Dossier complet"})
    assert updated.status_code == 303
    assert "dossier reçu" in staff.http.get("/staff/leads").text
    assert staff.post_form(f"/staff/leads/{lead_id}", {"status": "perdu"}).status_code == 400
    journal = staff.http.get("/staff/audit").text
    assert "relecture d&#39;une conversation" in journal and "statut : dossier reçu" in journal
    assert STAFF_EMAIL in journal


def test_csv_export_over_http(staff):
    response = staff.http.get("/staff/leads/export.csv")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="fiches-contact-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[:4] == ["n°", "date", "statut", "nom"]
    assert "Élodie Müller" in text


def test_erase_asks_for_confirmation_then_erases(staff, server):
    preview = staff.post_form("/staff/data/erase", {"email": "elodie@exemple.fr"})
    assert preview.status_code == 200 and "Effacer définitivement" in preview.text
    assert "1 fiche(s) contact" in preview.text
    assert staff.http.get("/staff/conversations/conv-eligible").status_code == 200, "nothing erased before confirming"
    done = staff.post_form("/staff/data/erase", {"email": "elodie@exemple.fr", "confirm": "yes"})
    assert done.status_code == 303
    assert "Effacement effectué." in staff.http.get(done.headers["location"]).text
    assert staff.http.get("/staff/conversations/conv-eligible").status_code == 404
    journal = staff.http.get("/staff/audit").text
    assert "effacement des données d&#39;une personne" in journal and "elodie@exemple.fr" not in journal


def test_a_copy_of_a_persons_data_is_downloaded_and_logged_without_their_address(staff):
    copy = staff.post_form("/staff/data/export", {"email": "Elodie@Exemple.fr"})
    assert copy.status_code == 200 and copy.headers["content-type"].startswith("text/plain")
    assert "attachment" in copy.headers["content-disposition"] and copy.headers["cache-control"] == "no-store"
    assert "Fiche contact :" in copy.text and "Élodie Müller" in copy.text and "visiteur :" in copy.text
    assert "Aucune donnée" in staff.post_form("/staff/data/export", {"email": "personne@exemple.fr"}).text
    assert staff.post_form("/staff/data/export", {"email": "pas une adresse"}).status_code == 400
    journal = staff.http.get("/staff/audit").text
    assert "copie des données d&#39;une personne" in journal and "elodie@exemple.fr" not in journal.lower()


def test_purge_shows_the_default_and_confirms(staff):
    page = staff.http.get("/staff/data").text
    assert "Durée par défaut : 3 ans" in page and 'value="3y"' in page
    assert "Durée invalide" in staff.post_form("/staff/data/purge", {"age": "trois ans"}).text
    for slip in ("0d", "1d", "29d"):  # a typing slip would erase nearly everything
        refused = staff.post_form("/staff/data/purge", {"age": slip, "confirm": "yes"})
        assert refused.status_code == 400 and "au moins 30 jours" in refused.text
    preview = staff.post_form("/staff/data/purge", {"age": "30d"})
    assert "plus anciens que 30 jours" in preview.text and "1 fiche(s) contact" in preview.text
    done = staff.post_form("/staff/data/purge", {"age": "30d", "confirm": "yes"})
    assert done.status_code == 303
    assert "0 conversation(s)" in staff.http.get("/staff/conversations", params={"q": "conv-old"}).text
    assert "Purge effectuée." in staff.http.get(done.headers["location"]).text


def test_staff_pages_carry_the_security_headers(staff):
    response = staff.http.get("/staff/conversations")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
