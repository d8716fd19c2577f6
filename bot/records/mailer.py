"""Emails through an outbox: queued in the database first, then sent by SMTP or written as .eml files."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.records.models import Lead, OutboxMail, utcnow

# Seconds to wait after the n-th failed try; the last value repeats.
BACKOFF_SECONDS = (60, 300, 1800, 3 * 3600, 12 * 3600)


class HeaderInjection(ValueError):
    """A value meant for a mail header contains a line break."""


def header_value(value: str) -> str:
    """Refuse CR/LF before a value gets near a header (no injected Bcc:)."""
    if "\r" in value or "\n" in value:
        raise HeaderInjection("saut de ligne interdit dans un en-tête de courriel")
    return value


@dataclass(frozen=True)
class MailSettings:
    """Where and how mails go; an empty host means: write .eml files instead."""

    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str
    timeout: float
    outbox_dir: Path


def enqueue(
    session: Session, recipient: str, subject: str, body: str, reply_to: str | None = None, lead: Lead | None = None
) -> OutboxMail:
    """Add a mail to the outbox; the caller commits before any send is tried."""
    mail = OutboxMail(
        recipient=header_value(recipient),
        subject=header_value(subject),
        body=body,
        reply_to=header_value(reply_to) if reply_to else None,
        lead=lead,
    )
    session.add(mail)
    return mail


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The MIME message of an outbox row, headers built by the standard library."""
    message = EmailMessage()
    message["From"] = header_value(sender)
    message["To"] = header_value(mail.recipient)
    if mail.reply_to:
        message["Reply-To"] = header_value(mail.reply_to)
    message["Subject"] = header_value(mail.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="appui-conseil.local")
    message.set_content(mail.body, charset="utf-8")
    return message


class Mailer:
    """Sends due outbox mails; a failure stays in the outbox with its error and a later try."""

    def __init__(self, settings: MailSettings, now: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.now = now

    def _send_smtp(self, message: EmailMessage) -> None:
        settings = self.settings
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)

    def _write_eml(self, mail: OutboxMail, message: EmailMessage) -> None:
        self.settings.outbox_dir.mkdir(parents=True, exist_ok=True)
        (self.settings.outbox_dir / f"{mail.id:06d}.eml").write_bytes(bytes(message))

    def deliver(self, mail: OutboxMail) -> bool:
        """Try one mail now; record the outcome on the row (the caller commits)."""
        message = build_message(mail, self.settings.sender)
        mail.tries += 1
        try:
            if self.settings.host:
                self._send_smtp(message)
                mail.status = "sent"
            else:
                self._write_eml(mail, message)
                mail.status = "written"
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = f"{error.__class__.__name__}: {error}"[:2000]
            delay = BACKOFF_SECONDS[min(mail.tries, len(BACKOFF_SECONDS)) - 1]
            mail.next_attempt_at = self.now() + timedelta(seconds=delay)
            return False
        mail.sent_at = self.now()
        mail.last_error = None
        return True

    def deliver_due(self, session: Session, limit: int = 50, force: bool = False) -> tuple[int, int]:
        """Send every pending mail whose next try is due (all pending ones with force): (sent, failed)."""
        query = sa.select(OutboxMail).where(OutboxMail.status == "pending")
        if not force:
            query = query.where(OutboxMail.next_attempt_at <= self.now())
        due = session.execute(query.order_by(OutboxMail.id).limit(limit)).scalars().all()
        sent = 0
        for mail in due:
            sent += self.deliver(mail)
            session.commit()
        return sent, len(due) - sent
