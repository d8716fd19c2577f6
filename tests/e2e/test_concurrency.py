"""Twenty visitors at once on the default SQLite set-up: every reply is a real answer, no "database is locked".

Rasa (tracker store), the action server (leads, outbox) and the outbox worker
write to the same SQLite file. Twenty visitors start together; half of them
leave their contact details (the action server writes a lead and sends a mail
while Rasa writes events), the others ask for a cost estimate.
"""

from __future__ import annotations

import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

import sqlalchemy as sa

from tests.conftest import Conversation
from tests.e2e.test_contact import give_details
from tests.e2e.test_quiz import ELIGIBLE_ASSOCIATION, answer_all

VISITORS = 20
# What the channels say instead of an answer (bot/rasa_ext/channels.py): none of it may reach a visitor here.
NOT_AN_ANSWER = ("problème technique", "beaucoup de messages à la fois", "Session inconnue")


class CheckedConversation(Conversation):
    """A conversation that also fails on an apology or a refusal, and counts what it sent."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url, sender=f"concurrency-{uuid.uuid4().hex}")
        self.sent: list[str] = []

    def say(self, text: str) -> list[dict]:
        """Send one message; fail on an empty reply, an apology or a refusal."""
        replies = super().say(text)  # fails on an empty reply
        self.sent.append(text)
        for phrase in NOT_AN_ANSWER:
            assert phrase not in self.text, f"{self.sender} got {self.text!r} after {text!r}"
        return replies


def visit(base_url: str, index: int, start: threading.Barrier) -> CheckedConversation:
    """Greeting, the whole quiz, then contact details (even visitors) or an estimate (odd ones)."""
    chat = CheckedConversation(base_url)
    start.wait(timeout=60)
    chat.say("bonjour")
    chat.say("je voudrais faire le test d'éligibilité")
    answer_all(chat, dict(ELIGIBLE_ASSOCIATION))
    assert chat.custom("eligibility"), f"no verdict for {chat.sender}: {chat.text}"
    if index % 2 == 0:
        chat.say("je voudrais parler à une personne de l'Aract")
        give_details(chat, email=f"visiteur.{index}@exemple.fr")
    else:
        chat.say("combien pour 4 jours à 900 € ?")
        if "Appui court" in [button["title"] for button in chat.buttons]:
            chat.click("Appui court")
        assert chat.custom("funding"), f"no estimate for {chat.sender}: {chat.text}"
    chat.say("merci")
    return chat


def test_twenty_visitors_at_once_get_answers_and_no_database_lock(assistant):
    """Twenty conversations at once: real answers, nothing lost, every lead and mail, no lock in the logs."""
    log_path = assistant["log"]
    log_start = log_path.stat().st_size
    box = assistant["smtp"].box
    mails_before = len(box.messages)
    start = threading.Barrier(VISITORS)

    with ThreadPoolExecutor(max_workers=VISITORS) as pool:
        futures = [pool.submit(visit, assistant["url"], index, start) for index in range(VISITORS)]
        wait(futures, timeout=600)

    with open(log_path, "rb") as log:
        log.seek(log_start)
        written = log.read().decode("utf-8", errors="replace")
    # The servers' own account of a failure, shown beside the visitors' ones.
    evidence = "\n".join(
        line for line in written.splitlines() if re.search(r"error|exception|locked|could not", line, re.IGNORECASE)
    )[-6000:]
    failures = [str(future.exception()) for future in futures if future.exception() is not None]
    assert not failures, f"{len(failures)} of {VISITORS} visitors failed, first: {failures[0]}\n--- log ---\n{evidence}"
    assert "database is locked" not in written, evidence
    assert "OperationalError" not in written, evidence
    chats = [future.result() for future in futures]

    contacts = [chat for index, chat in enumerate(chats) if index % 2 == 0]
    engine = sa.create_engine(assistant["env"]["DATABASE_URL"])
    with engine.connect() as connection:
        for chat in chats:
            stored = (
                connection.execute(
                    sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                    {"s": chat.sender},
                )
                .scalars()
                .all()
            )
            assert len(stored) == len(chat.sent), f"{chat.sender}: {len(chat.sent)} messages sent, {len(stored)} stored"
        leads = set(connection.execute(sa.text("SELECT conversation_id FROM leads")).scalars().all())
    assert {chat.sender for chat in contacts} <= leads
    assert len(box.wait_for(mails_before + len(contacts), timeout=60)) >= mails_before + len(contacts)
