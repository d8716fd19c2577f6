"""The outbox against a real SMTP server on loopback: sent, refused, retried, written as .eml."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.records.db import session_scope
from bot.records.mailer import HeaderInjection, Mailer, MailSettings, enqueue
from bot.records.models import OutboxMail
from tests.conftest import SmtpServer, free_port


def mail_settings(tmp_path, port=None) -> MailSettings:
    return MailSettings(
        host="127.0.0.1" if port else "",
        port=port or 25,
        user="",
        password="",
        starttls=False,
        sender="Assistant <no-reply@localhost>",
        timeout=3,
        outbox_dir=tmp_path / "outbox",
    )


def queue_one(url) -> int:
    with session_scope(url) as session:
        mail = enqueue(
            session,
            "j.bertin@anact.fr",
            "Demande de contact : Élodie",
            "Bonjour,\nÉlodie 🌱",
            reply_to="elodie@coop.fr",
        )
        session.flush()
        return mail.id


def test_a_mail_is_sent_with_its_reply_to_and_french_text(database_url, tmp_path, smtp_server):
    mail_id = queue_one(database_url)
    before = len(smtp_server.box.messages)
    with session_scope(database_url) as session:
        assert Mailer(mail_settings(tmp_path, smtp_server.port)).deliver_due(session) == (1, 0)
    received = smtp_server.box.wait_for(before + 1)[-1]["message"]
    assert received["To"] == "j.bertin@anact.fr" and received["Reply-To"] == "elodie@coop.fr"
    assert received["Subject"] == "Demande de contact : Élodie" and "Élodie 🌱" in received.get_content()
    with session_scope(database_url) as session:
        mail = session.get(OutboxMail, mail_id)
        assert mail.status == "sent" and mail.tries == 1 and mail.sent_at is not None


def test_smtp_down_keeps_the_mail_with_its_error_then_a_retry_sends_it(database_url, tmp_path):
    server = SmtpServer()  # not started yet: connection refused
    mail_id = queue_one(database_url)
    clock = datetime.now(timezone.utc)
    mailer = Mailer(mail_settings(tmp_path, server.port), now=lambda: clock)
    with session_scope(database_url) as session:
        assert mailer.deliver_due(session) == (0, 1)
        mail = session.get(OutboxMail, mail_id)
        assert mail.status == "pending" and "Connection" in mail.last_error
        # The next try waits for the back-off delay.
        assert mailer.deliver_due(session) == (0, 0)
    server.start()
    try:
        with session_scope(database_url) as session:
            assert mailer.deliver_due(session, force=True) == (1, 0)
        assert len(server.box.wait_for(1)) == 1
    finally:
        server.stop()


def test_without_smtp_host_the_mail_is_written_as_an_eml_file(database_url, tmp_path):
    queue_one(database_url)
    with session_scope(database_url) as session:
        assert Mailer(mail_settings(tmp_path)).deliver_due(session) == (1, 0)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1 and b"Reply-To: elodie@coop.fr" in files[0].read_bytes()


@pytest.mark.parametrize("field", ["recipient", "subject", "reply_to"])
def test_a_line_break_never_reaches_a_header(database_url, field):
    values = {"recipient": "j.bertin@anact.fr", "subject": "Demande", "reply_to": "a@b.fr"}
    values[field] += "\r\nBcc: victime@example.com"
    with session_scope(database_url) as session, pytest.raises(HeaderInjection):
        enqueue(session, values["recipient"], values["subject"], "corps", reply_to=values["reply_to"])


def test_backoff_grows_with_each_failure(database_url, tmp_path):
    queue_one(database_url)
    clock = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    mailer = Mailer(mail_settings(tmp_path, free_port()), now=lambda: clock)
    delays = []
    with session_scope(database_url) as session:
        mail = session.query(OutboxMail).one()
        for _ in range(3):
            mailer.deliver(mail)
            delays.append(mail.next_attempt_at.replace(tzinfo=timezone.utc) - clock)
    assert delays == [timedelta(seconds=60), timedelta(seconds=300), timedelta(seconds=1800)]
