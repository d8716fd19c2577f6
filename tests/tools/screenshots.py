"""Screenshot of the staff app for the documentation: docs/images/staff.png, 1280×800.

Starts the whole assistant (`python -m bot run`) on free ports, with a temporary VAR_DIR, SQLite file and SMTP server,
holds five real conversations with it over the REST channel (fictitious visitors, three of whom leave their contact
details), creates a staff account, logs in with Debian's chromium and saves the list of contact records ("Fiches
contact"). Needs the trained model (models/assistant.tar.gz); takes about a minute.

Run: .venv/bin/python -m tests.tools.screenshots
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.records.db import session_scope
from bot.web.staff.accounts import add_user
from tests.browser import launch
from tests.conftest import MODEL, ROOT, Conversation, SmtpServer, server_env, wait_for_page

OUTPUT = ROOT / "docs" / "images" / "staff.png"
STAFF_EMAIL, STAFF_PASSWORD = "equipe@exemple.fr", "un mot de passe de démonstration"
# What each visitor says, oldest first, separated by " | "; "!" clicks a button of the previous answer.
VISITORS = [
    "Combien coûte l'accompagnement pour une association ? | !Appui court ou long ?",
    "mon patron refuse le télétravail | Quels sont les critères ?",
    "Tester mon projet | Une entreprise de 300 salariés dans le Rhône | !Être mis en relation | !J'accepte"
    " | Julien Moreau | julien.moreau@exemple.fr | Transports Rhodaniens | !Pas de téléphone"
    " | Réduire la pénibilité des tournées de nuit avec les chauffeurs",
    "Bonjour, j'aimerais qu'une personne de l'Aract me rappelle pour notre association | !J'accepte | Thomas Girard"
    " | thomas.girard@exemple.fr | Association Les Jardins de Riom | !Pas de téléphone"
    " | Organiser le travail des bénévoles et des salariés autour d'un atelier partagé",
    "Bonjour, nous sommes une coopérative en Isère | nous sommes 18 salariés | !Dirigeant | oui | oui | oui | oui"
    " | combien ça nous coûterait pour un appui court ? | 4 jours | !Être recontacté | !J'accepte | Claire Martin"
    " | claire.martin@exemple.fr | Scop Les Ateliers du Vercors | 04 76 00 00 00"
    " | Mettre en place des horaires choisis avec l'équipe",
]
LEADS = 3


def talk(rasa_url: str) -> None:
    """Hold every visitor's conversation; a missing reply or button stops the script."""
    for number, messages in enumerate(VISITORS, start=1):
        chat = Conversation(rasa_url, f"visiteur-{number}")
        for message in messages.split(" | "):
            if message.startswith("!"):
                chat.click(message[1:])
            else:
                chat.say(message)


def shoot(web_url: str) -> None:
    """Log in as the staff does and save the list of contact records."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR").new_page()
            # Not the conversation list: its filter form fills the first screen, with the English date fields of a
            # chromium without French locale; the contact records show the app and its records at first sight.
            page.goto(f"{web_url}/staff/leads")  # the login form, then back to this page
            page.get_by_label("Adresse électronique").fill(STAFF_EMAIL)
            page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.get_by_role("heading", name="Fiches contact").wait_for()
            OUTPUT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=OUTPUT)
        finally:
            browser.close()


def main() -> None:
    """Start the assistant, fill it, take the picture, and stop everything, also on error."""
    if not MODEL.exists():
        sys.exit(f"no trained model at {MODEL}: run `make train` first")
    smtp = SmtpServer()
    smtp.start()
    try:
        with tempfile.TemporaryDirectory(prefix="screenshots-") as var_dir:
            env = {**server_env(Path(var_dir)), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)}
            log_path = Path(var_dir) / "assistant.log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            try:
                rasa_url, web_url = f"http://127.0.0.1:{env['RASA_PORT']}", f"http://127.0.0.1:{env['WEB_PORT']}"
                # The REST channel's health answer, not a message: a probe would show up as a conversation.
                wait_for_page(f"{rasa_url}/webhooks/rest/", process, timeout=300)
                wait_for_page(f"{web_url}/healthz", process, timeout=60)
                talk(rasa_url)
                if len(smtp.box.wait_for(LEADS, timeout=60)) < LEADS:
                    raise RuntimeError("the handoff mails were not sent")
                with session_scope(env["DATABASE_URL"]) as session:
                    add_user(session, STAFF_EMAIL, STAFF_PASSWORD)
                shoot(web_url)
            except Exception:
                print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
                raise
            finally:
                process.terminate()  # `bot run` stops its children on SIGTERM, within its 10 s grace
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    finally:
        smtp.stop()
    print(f"{OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
