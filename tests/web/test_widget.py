"""The program page and its chat widget in a real headless chromium, against the real servers."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading

import pytest

from tests.browser import ARTIFACTS
from tests.conftest import ROOT, free_port, wait_for_page

REPLY_TIMEOUT_MS = 30_000


def plain(text: str) -> str:
    """Text with French no-break spaces made plain, for comparisons."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def page(browser, assistant):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Visitors' browsers talk to the site and the chat server only (no font, script or tracker elsewhere).
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:"))
            else elsewhere.append(request.url)
        ),
    )
    page.goto(assistant["web_url"] + "/")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not elsewhere, f"requests to third-party servers: {elsewhere}"


def bot_texts(page) -> list[str]:
    return [plain(text) for text in page.locator(".ac-bot").all_inner_texts()]


def wait_for_bot_count(page, count: int) -> None:
    page.locator(".ac-bot").nth(count - 1).wait_for(timeout=REPLY_TIMEOUT_MS)


def open_chat(page) -> None:
    page.get_by_role("button", name="Discuter avec l'assistant").click()
    wait_for_bot_count(page, 1)


def ask(page, text: str) -> str:
    """Type a question, send it with Enter, and return the text of the replies it got."""
    before = page.locator(".ac-bot").count()
    page.get_by_label("Votre message à l'assistant").fill(text)
    page.get_by_label("Votre message à l'assistant").press("Enter")
    wait_for_bot_count(page, before + 1)
    page.wait_for_timeout(700)  # a turn may hold several messages
    return "\n".join(bot_texts(page)[before:])


def click_choice(page, title: str) -> str:
    """Click the last offered button with this title and return the replies it got."""
    before = page.locator(".ac-bot").count()
    page.locator(".ac-buttons").last.get_by_role("button", name=title, exact=True).click()
    wait_for_bot_count(page, before + 1)
    page.wait_for_timeout(700)
    return "\n".join(bot_texts(page)[before:])


def test_page_presents_the_program_and_the_chat_answers_a_cost_question(page):
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Appui-conseil à l'innovation sociale"
    content = plain(page.locator("main").inner_text())
    for fact in (
        "moins de 250 salariés",
        "jusqu'à 5 jours",
        "jusqu'à 15 jours sur une durée de 18 mois",
        "1 000 € HT",
        "3 000 € HT",
        "80 %",
        "v.semavoine@anact.fr",
        "j.bertin@anact.fr",
        "trois fois dans l'année",
    ):
        assert fact in content, fact
    assert page.evaluate("window.sessionStorage.length") == 0, "nothing may be stored before the chat is opened"

    open_chat(page)
    assert "assistant" in bot_texts(page)[0].lower()
    assert page.locator(".ac-buttons button").count() >= 3
    assert page.evaluate("window.sessionStorage.length") == 1

    answer = ask(page, "combien ça coûte ?")
    assert "20 %" in answer and "1 000 € HT" in answer
    assert page.locator(".ac-user").last.inner_text().endswith("combien ça coûte ?")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-chat-desktop.png"), full_page=False)


def test_contact_addresses_in_answers_are_mailto_links(page):
    open_chat(page)
    ask(page, "je veux envoyer ma candidature, je fais comment ?")
    link = page.locator(".ac-bot a[href='mailto:v.semavoine@anact.fr']")
    assert link.count() >= 1
    assert link.first.inner_text() == "v.semavoine@anact.fr"


def test_quiz_with_buttons_ends_on_a_verdict_card_and_keeps_the_chosen_answers(page):
    open_chat(page)
    page.locator(".ac-buttons").last.get_by_role("button", name="Tester mon projet").click()
    page.locator(".ac-bot", has_text="Question 1 sur").wait_for(timeout=REPLY_TIMEOUT_MS)
    page.wait_for_timeout(500)
    click_choice(page, "Une association")
    click_choice(page, "Moins de 50")
    ask(page, "à Clermont-Ferrand")
    click_choice(page, "Dirigeant de la structure")
    for _ in range(4):  # novelty, working life, lasting change, stakeholders
        click_choice(page, "Oui")
    card = page.locator(".ac-card.ac-verdict")
    card.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert "semble correspondre" in card.inner_text()
    assert card.locator("li").count() >= 4
    assert "comité" in card.inner_text()
    # Answers stay visible, marked, and clickable when scrolling back.
    chosen = page.locator(".ac-choice[aria-pressed='true']")
    assert "Une association" in chosen.all_inner_texts()
    assert page.locator(".ac-buttons").first.get_by_role("button").first.is_enabled()


def test_conversation_survives_a_reload_and_continues_in_context(page):
    open_chat(page)
    page.locator(".ac-buttons").last.get_by_role("button", name="Tester mon projet").click()
    page.locator(".ac-bot", has_text="Question 1 sur").wait_for(timeout=REPLY_TIMEOUT_MS)
    page.wait_for_timeout(500)
    click_choice(page, "Une PME")
    messages_before = page.locator(".ac-msg").count()
    session_before = page.evaluate("JSON.parse(sessionStorage.getItem('appui-conseil-chat')).sessionId")

    page.reload()
    page.locator(".ac-panel").wait_for(state="visible")
    assert page.locator(".ac-msg").count() == messages_before
    assert page.evaluate("JSON.parse(sessionStorage.getItem('appui-conseil-chat')).sessionId") == session_before
    # The quiz goes on where it was: the next question is the headcount.
    page.locator(".ac-send[aria-disabled='false']").wait_for(timeout=REPLY_TIMEOUT_MS)
    answer = ask(page, "nous sommes 35")
    assert "Question 3 sur" in answer

    # Another page of the same site keeps it too; "Nouvelle conversation" starts afresh.
    page.goto(page.url.split("#")[0] + "#cout")
    page.locator(".ac-panel").wait_for(state="visible")
    assert page.locator(".ac-msg").count() >= messages_before + 2
    page.get_by_role("button", name="Nouvelle conversation").click()
    wait_for_bot_count(page, 1)
    assert page.locator(".ac-user").count() == 0
    assert page.evaluate("JSON.parse(sessionStorage.getItem('appui-conseil-chat')).sessionId") != session_before


def test_a_whole_conversation_with_the_keyboard_only(page):
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    launcher = page.get_by_role("button", name="Discuter avec l'assistant")
    launcher.focus()
    page.keyboard.press("Enter")
    wait_for_bot_count(page, 1)
    assert page.evaluate("document.activeElement.id") == "ac-input"
    page.keyboard.type("qui siège au comité de sélection ?")
    page.keyboard.press("Enter")
    wait_for_bot_count(page, 2)
    page.wait_for_timeout(700)
    assert "Région" in bot_texts(page)[-1] or "Région" in " ".join(bot_texts(page)[1:])
    # Shift+Tab from the input reaches the offered buttons; Enter chooses one.
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.classList.contains('ac-choice')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('ac-choice')"), (
        "no button reachable with the keyboard"
    )
    before = page.locator(".ac-bot").count()
    page.keyboard.press("Enter")
    wait_for_bot_count(page, before + 1)
    # Escape closes the chat and gives focus back to the launcher.
    page.get_by_label("Votre message à l'assistant").focus()
    page.keyboard.press("Escape")
    assert page.locator(".ac-panel").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('ac-launcher')")
    # Focus is visible: the focused launcher has an outline.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_visitor_text_is_shown_as_text_and_never_run(page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_chat(page)
    hostile = ["<img src=x onerror=alert(1)>", "<script>window.__pwned = 1; alert(2)</script>"]
    for text in hostile:
        ask(page, text)
    users = page.locator(".ac-user").all_inner_texts()
    for text in hostile:
        assert any(text in shown for shown in users)
    assert page.locator(".ac-log img, .ac-log script").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == [] and page.evaluate("window.__pwned") is None


def test_usable_at_320_px_and_200_percent_zoom(browser, assistant):
    # 200 % zoom of a 640 px wide window is the same layout as a 320 px viewport at scale 2.
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=2, locale="fr-FR")
    page = context.new_page()
    page.goto(assistant["web_url"] + "/")
    open_chat(page)
    # The layout is under test here, not the NLU: the welcome button gives a long answer with buttons.
    answer = click_choice(page, "Combien ça coûte ?")
    assert "1 000 € HT" in plain(answer)
    for selector in (".ac-panel", "#ac-input", ".ac-send", ".ac-close"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320.5, f"{selector} overflows at 320 px: {box}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-chat-mobile.png"))
    context.close()


CONTRAST = """(selector) => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const node = document.querySelector(selector);
  let background = node;
  while (background && (getComputedStyle(background).backgroundColor === 'rgba(0, 0, 0, 0)')) { background = background.parentElement; }
  const fg = luminance(rgb(getComputedStyle(node).color));
  const bg = luminance(rgb(background ? getComputedStyle(background).backgroundColor : 'rgb(255, 255, 255)'));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""


def test_the_privacy_line_says_how_long_the_exchanges_are_kept_and_links_the_notice(page):
    open_chat(page)
    line = page.locator(".ac-privacy")
    line.filter(has_text="conservés 6").wait_for()  # the server's RETENTION_… settings, read by the widget
    assert "3 ans si vous demandez à être recontacté" in " ".join(line.inner_text().replace("\u00a0", " ").split())
    link = line.get_by_role("link", name="Vos données")
    assert link.get_attribute("href").endswith("/confidentialite")


def test_widget_texts_have_a_contrast_of_at_least_4_5(page):
    open_chat(page)
    ask(page, "qui peut déposer le dossier ?")
    page.locator(".ac-choice").first.click()
    for selector in (
        "#ac-title",
        ".ac-launcher",
        ".ac-bot",
        ".ac-user",
        ".ac-choice",
        ".ac-choice.ac-chosen",
        ".ac-send",
        ".ac-tool",
        ".ac-privacy",
        "#ac-input",
    ):
        ratio = page.evaluate(CONTRAST, selector)
        assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}:1"


def test_no_serious_accessibility_violation_with_the_chat_open(browser, assistant):
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed: run `npm ci` (make test does)")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, locale="fr-FR")
    page = context.new_page()
    page.goto(assistant["web_url"] + "/")
    open_chat(page)
    ask(page, "combien ça coûte ?")
    page.add_script_tag(path=str(axe))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []


class TcpRelay:
    """A loopback TCP relay to the Rasa server that can be cut and restored, to play a network outage."""

    def __init__(self, target_port: int, port: int) -> None:
        self.port = port
        self.target_port = target_port
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
        self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.connections += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def page_behind_relay(browser, assistant):
    """The program page served by a second web app whose widget reaches Rasa through a relay we can cut."""
    port = int(assistant["env"]["EXTRA_WEB_PORT"])
    # The relay's port is taken once the web app listens, so the two can never get the same one.
    relay_port = free_port()
    env = {**assistant["env"], "WEB_PORT": str(port), "CHAT_SERVER_URL": f"http://127.0.0.1:{relay_port}"}
    relay = TcpRelay(int(assistant["env"]["RASA_PORT"]), relay_port)
    log = open(os.path.join(env["VAR_DIR"], "web-relay.log"), "wb")
    web = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        try:
            wait_for_page(f"http://127.0.0.1:{port}/healthz", web, timeout=60)
        except RuntimeError as error:
            pytest.fail(
                f"the second web app did not start ({error}): {open(log.name, errors='replace').read()[-2000:]}"
            )
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        yield page, relay
        context.close()
    finally:
        relay.stop()
        web.terminate()
        web.wait(timeout=10)
        log.close()


def test_server_out_of_reach_gets_a_french_message_then_reconnects(page_behind_relay):
    page, relay = page_behind_relay
    page.get_by_role("button", name="Discuter avec l'assistant").click()
    status = page.get_by_role("status")
    status.wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
    assert re.search(r"injoignable|coupée", status.inner_text())
    assert page.locator(".ac-send").get_attribute("aria-disabled") == "true"

    relay.start()  # the network comes back: the widget reconnects by itself and the welcome arrives
    wait_for_bot_count(page, 1)
    assert status.is_hidden()
    answer = ask(page, "qui finance le dispositif ?")
    assert "Région" in answer

    relay.stop()  # cut again mid-conversation
    page.get_by_role("status").wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
    relay.start()
    page.locator(".ac-status").wait_for(state="hidden", timeout=REPLY_TIMEOUT_MS)
    assert "Aract" in ask(page, "et qui pilote le dispositif ?")


def test_an_estimate_is_shown_as_a_card_with_the_split(page):
    open_chat(page)
    ask(page, "on voudrait un appui court de 4 jours à 900 € par jour, ça reviendrait à combien pour nous ?")
    card = page.locator(".ac-card.ac-funding")
    card.wait_for(timeout=REPLY_TIMEOUT_MS)
    text = plain(card.inner_text())
    assert "Appui-conseil court (4 jours)" in text
    assert "3 600 € HT" in text and "2 880 € HT" in text and "720 € HT" in text


def test_the_page_button_opens_the_chat_on_the_quiz(page):
    page.get_by_role("button", name="Tester mon projet avec l'assistant").click()
    page.locator(".ac-bot", has_text="Question 1 sur").wait_for(timeout=REPLY_TIMEOUT_MS)
    assert page.locator(".ac-user").all_inner_texts()[-1].endswith("Tester mon projet")
    assert page.evaluate("document.activeElement.id") == "ac-input"
