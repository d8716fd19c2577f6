"""The staff app in Debian's headless chromium (Playwright): log-in, filters, transcript, review, leads, export, erasure."""

from __future__ import annotations

import re

import pytest

from tests.staff.conftest import STAFF_EMAIL, STAFF_PASSWORD

# One database is enough in the browser: the HTTP tests cover SQLite and PostgreSQL.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True, base_url=server.url
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A CSP violation (an inline style or script) shows up as a console error; a page's own 404 is expected.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, f"errors in the browser: {problems}"


def log_in(page, password: str = STAFF_PASSWORD) -> None:
    page.get_by_label("Adresse électronique").fill(STAFF_EMAIL)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def staff_page(page):
    page.goto("/staff")
    log_in(page)
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    return page


def rows(page) -> int:
    return page.locator("table.list tbody tr").count()


def test_login_wrong_password_then_right_then_logout(page):
    page.goto("/staff/leads")
    assert "/staff/login" in page.url
    log_in(page, "pas le bon mot de passe")
    assert page.get_by_role("alert").inner_text().startswith("Adresse ou mot de passe incorrect.")
    log_in(page)
    page.get_by_role("heading", name="Fiches contact").wait_for()  # back to the page asked first
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Vous êtes déconnecté.").wait_for()
    page.goto("/staff")
    assert "/staff/login" in page.url


def test_dashboard(staff_page):
    figures = dict(
        zip(staff_page.locator(".figures dt").all_inner_texts(), staff_page.locator(".figures dd").all_inner_texts())
    )
    assert figures["Conversations"] == "5" and figures["Fiches contact laissées"] == "1"
    assert figures["Messages non compris"].replace("\u00a0", " ") == "28,6 %"  # 4 of 14
    assert "cheval blanc" in staff_page.locator("table").last.inner_text()


def test_filters(staff_page):
    staff_page.get_by_role("link", name="Conversations").click()
    assert rows(staff_page) == 6
    staff_page.get_by_label("Message non compris").select_option(label="oui")
    staff_page.get_by_role("button", name="Filtrer").click()
    staff_page.wait_for_url(re.compile(r"fallback=yes"))
    assert rows(staff_page) == 3
    staff_page.get_by_label("Texte des messages").fill("cheval")
    staff_page.get_by_role("button", name="Filtrer").click()
    staff_page.wait_for_url(re.compile(r"q=cheval"))
    assert rows(staff_page) == 1
    staff_page.get_by_role("link", name="Effacer les filtres").click()
    staff_page.get_by_label("Résultat du test").select_option(label="éligible")
    staff_page.get_by_role("button", name="Filtrer").click()
    staff_page.wait_for_url(re.compile(r"verdict=eligible"))
    assert rows(staff_page) == 2


def test_transcript_and_mark_reviewed(staff_page):
    staff_page.get_by_role("link", name="Conversations").click()
    staff_page.locator("table.list tbody tr").first.get_by_role("link").click()
    staff_page.get_by_role("heading", name="Échanges").wait_for()
    visitor = staff_page.locator(".chat .visitor")
    assert visitor.count() == 4 and visitor.first.locator(".text").inner_text() == "bonjour"
    assert "Compris : greet (98,0" in visitor.first.inner_text()
    assert (
        "Boutons proposés : Tester mon projet · Combien ça coûte ?"
        in staff_page.locator(".chat .assistant").first.inner_text()
    )
    quiz = staff_page.get_by_role("region", name="Test d'éligibilité")
    assert "éligible" in quiz.inner_text() and "association" in quiz.inner_text()
    assert "720 € HT" in staff_page.get_by_role("region", name="Estimation du coût").inner_text().replace("\u00a0", " ")
    assert "Élodie Müller" in staff_page.get_by_role("region", name="Fiche contact et courriels").inner_text()

    staff_page.get_by_label("Conversation relue").check()
    staff_page.get_by_label("Étiquettes").fill("à rappeler, éligible")
    staff_page.get_by_label("Note de l'équipe").fill("Projet solide, rappeler lundi.")
    staff_page.get_by_role("button", name="Enregistrer la relecture").click()
    staff_page.get_by_text("Relecture enregistrée.").wait_for()
    assert staff_page.get_by_label("Conversation relue").is_checked()
    staff_page.goto("/staff/conversations?reviewed=yes")
    assert rows(staff_page) == 1 and "à rappeler, éligible" in staff_page.locator("table.list").inner_text()


def test_lead_status_and_note(staff_page):
    staff_page.get_by_role("link", name="Fiches contact").click()
    staff_page.get_by_role("link", name="Élodie Müller").click()
    staff_page.get_by_label("Statut").select_option(label="contacté")
    staff_page.get_by_label("Note de l'équipe").fill("Appelée le 27/11 ; dossier à envoyer.")
    staff_page.get_by_role("button", name="Enregistrer", exact=True).click()
    staff_page.get_by_text("Fiche enregistrée.").wait_for()
    staff_page.get_by_role("link", name="Fiches contact").click()
    row = staff_page.locator("table.list tbody tr", has_text="Élodie Müller")
    assert "contacté" in row.inner_text() and "Appelée le 27/11" in row.inner_text()
    staff_page.get_by_label("Statut").select_option(label="contacté")
    staff_page.get_by_role("button", name="Filtrer").click()
    assert rows(staff_page) == 1


def test_csv_export_download(staff_page, tmp_path):
    staff_page.get_by_role("link", name="Fiches contact").click()
    with staff_page.expect_download() as download:
        staff_page.get_by_role("link", name="Exporter toutes les fiches (CSV pour tableur)").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    raw = target.read_bytes()
    assert target.suffix == ".csv" and raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";")[:5] == ["n°", "date", "statut", "nom", "courriel"]
    assert any(line.split(";")[3:6] == ["Élodie Müller", "elodie@exemple.fr", "Les Ateliers d'Été"] for line in lines)


def test_erase_a_person(staff_page):
    staff_page.goto("/staff/leads")
    staff_page.get_by_role("link", name="Élodie Müller").click()
    staff_page.get_by_role("button", name="Effacer les données de cette personne…").click()
    staff_page.get_by_role("heading", name="Confirmer l'effacement").wait_for()
    assert "1 conversation(s)" in staff_page.locator("main").inner_text()
    staff_page.get_by_role("button", name="Effacer définitivement").click()
    staff_page.get_by_text("Effacement effectué.").wait_for()
    assert "demande de la personne" in staff_page.get_by_role("table").inner_text()
    staff_page.goto("/staff/leads")
    assert rows(staff_page) == 1 and "Élodie" not in staff_page.locator("main").inner_text()
    staff_page.goto("/staff/conversations/conv-eligible")
    assert "a été effacée" in staff_page.locator("main").inner_text()
    staff_page.goto("/staff/audit")
    assert "effacement des données d'une personne" in staff_page.locator("table").inner_text()


PAGES = [
    "/staff",
    "/staff/conversations",
    "/staff/conversations/conv-eligible",
    "/staff/leads",
    "/staff/leads/1",
    "/staff/data",
    "/staff/audit",
]
CHECKS = r"""() => ({
  lang: document.documentElement.lang,
  unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter(el => el.labels.length === 0).map(el => el.name),
  thWithoutScope: document.querySelectorAll('th:not([scope])').length,
  styled: document.querySelectorAll('[style]').length + document.querySelectorAll('style, script').length,
  h1: document.querySelectorAll('h1').length,
  lowContrast: (() => {
    const rgb = c => c.match(/[\d.]+/g).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
    return [...document.querySelectorAll('body *')].filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
        && el.offsetParent !== null).map(el => { const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
        return [el.tagName + ' ' + el.textContent.trim().slice(0, 30), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; })
        .filter(([, ratio]) => ratio < 4.5);
  })(),
})"""


def test_accessibility_basics(staff_page):
    """Labels, table headers, one h1, no inline style, text contrast of at least 4.5:1, a working skip link."""
    for path in PAGES:
        staff_page.goto(path)
        found = staff_page.evaluate(CHECKS)
        assert found == {
            "lang": "fr",
            "unlabelled": [],
            "thWithoutScope": 0,
            "styled": 0,
            "h1": 1,
            "lowContrast": [],
        }, path
    # The first Tab reaches the skip link, visibly, and it leads to the content.
    staff_page.goto("/staff/conversations")
    staff_page.keyboard.press("Tab")
    focused = staff_page.evaluate(
        "() => [document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["Aller au contenu", "solid"]
    staff_page.keyboard.press("Enter")
    assert staff_page.evaluate("() => document.activeElement.id") == "contenu"
