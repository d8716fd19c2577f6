"""From a visitor's chat on the widget to the staff's review: the real servers, one browser, one database."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT
from tests.web.test_widget import REPLY_TIMEOUT_MS, ask, click_choice, open_chat

STAFF_EMAIL = "equipe.parcours@anact.fr"
STAFF_PASSWORD = "un mot de passe assez long"


def test_a_lead_left_on_the_widget_is_found_reviewed_and_exported_by_the_staff(browser, assistant, tmp_path):
    box = assistant["smtp"].box
    mails_before = len(box.messages)

    # A visitor takes the quiz with the buttons and asks to be contacted.
    visitor = browser.new_context(locale="fr-FR").new_page()
    visitor.goto(assistant["web_url"] + "/")
    open_chat(visitor)
    visitor.locator(".ac-buttons").last.get_by_role("button", name="Tester mon projet").click()
    visitor.locator(".ac-bot", has_text="Question 1 sur").wait_for(timeout=REPLY_TIMEOUT_MS)
    visitor.wait_for_timeout(500)
    click_choice(visitor, "Une association")
    click_choice(visitor, "Moins de 50")
    ask(visitor, "Saint-Étienne")
    click_choice(visitor, "Dirigeant de la structure")
    for _ in range(4):
        click_choice(visitor, "Oui")
    visitor.locator(".ac-card.ac-verdict").wait_for(timeout=REPLY_TIMEOUT_MS)
    ask(visitor, "j'aimerais qu'une personne de l'Aract me rappelle")
    click_choice(visitor, "J'accepte")
    ask(visitor, "Anaïs Lefèvre")
    ask(visitor, "anais.lefevre@exemple.fr")
    ask(visitor, "Les Jardins d'Été")
    click_choice(visitor, "Pas de téléphone")
    answer = ask(visitor, "Mettre en place des horaires choisis avec l'équipe <b>salariée</b>")
    assert "v.semavoine@anact.fr" in answer
    assert len(box.wait_for(mails_before + 1)) == mails_before + 1
    visitor.context.close()

    # The staff member has an account made on the command line.
    made = subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add", STAFF_EMAIL],
        cwd=ROOT,
        env=assistant["env"],
        input=f"{STAFF_PASSWORD}\n{STAFF_PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr

    # A visitor without a session gets nothing from /staff.
    staff = browser.new_context(locale="fr-FR", accept_downloads=True).new_page()
    staff.goto(assistant["web_url"] + "/staff/leads/export.csv")
    assert "/staff/login" in staff.url

    staff.get_by_label("Adresse électronique").fill(STAFF_EMAIL)
    staff.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    staff.get_by_role("button", name="Se connecter").click()
    staff.goto(assistant["web_url"] + "/staff/conversations")
    staff.get_by_label("Fiche contact laissée").select_option(label="oui")
    staff.get_by_label("Transmise par courriel").select_option(label="oui")
    staff.get_by_label("Texte des messages").fill("Saint-Étienne")
    staff.get_by_role("button", name="Filtrer").click()
    staff.wait_for_url(re.compile(r"lead=yes"))
    found = staff.locator("table.list tbody tr")
    assert found.count() == 1
    found.first.get_by_role("link").first.click()

    staff.get_by_role("heading", name="Échanges").wait_for()
    transcript = staff.locator(".chat").inner_text()
    assert (
        "Saint-Étienne" in transcript
        and "Mettre en place des horaires choisis avec l'équipe <b>salariée</b>" in transcript
    )
    assert staff.locator(".chat b").count() == 0, "visitor text must be shown escaped"
    assert "Anaïs Lefèvre" in staff.get_by_role("region", name="Fiche contact et courriels").inner_text()
    assert "éligible" in staff.get_by_role("region", name="Test d'éligibilité").inner_text()
    staff.get_by_label("Conversation relue").check()
    staff.get_by_role("button", name="Enregistrer la relecture").click()
    staff.get_by_text("Relecture enregistrée.").wait_for()

    staff.get_by_role("link", name="Fiches contact").click()
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Exporter toutes les fiches (CSV pour tableur)").click()
    target = tmp_path / "fiches.csv"
    download.value.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = [line.split(";") for line in raw.decode("utf-8-sig").splitlines()]
    assert any("Anaïs Lefèvre" in row and "Les Jardins d'Été" in row for row in rows)
    staff.context.close()
