"""Email through an outbox: written in the transaction of the change, delivered later."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from entitle.jobs import wanted
from entitle.models import OutboxMessage
from entitle.settings import Settings

logger = logging.getLogger("entitle.outbox")
MAX_ATTEMPTS = 5


async def enqueue(*, to: str, subject: str, body: str, kind: str, now: datetime) -> None:
    """Queue an email; call inside the transaction whose change it announces."""
    await enqueue_many([(to, subject, body)], kind=kind, now=now)


async def enqueue_many(messages: list[tuple[str, str, str]], *, kind: str, now: datetime) -> None:
    """Queue (to, subject, body) emails in one statement, however many there are."""
    if messages:
        wanted.want("outbox")
        await OutboxMessage.insert(
            *[
                OutboxMessage(to_address=to, subject=subject, body=body, kind=kind, created_at=now)
                for to, subject, body in messages
            ]
        )


def _send_smtp(smtp_url: str, sender: str, message: EmailMessage) -> None:
    url = urlsplit(smtp_url)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "localhost", url.port or 25, timeout=30) as smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        message["From"] = sender
        smtp.send_message(message)


async def deliver_pending(settings: Settings, *, now: datetime, limit: int = 100) -> int:
    """Send queued emails: over SMTP when ENTITLE_SMTP_URL is set, to the log otherwise."""
    pending = (
        await OutboxMessage.select()
        .where(OutboxMessage.sent_at.is_null() & (OutboxMessage.attempts < MAX_ATTEMPTS))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    sent = 0
    for row in pending:
        message = EmailMessage()
        message["To"] = row["to_address"]
        message["Subject"] = row["subject"]
        message.set_content(row["body"])
        try:
            if settings.smtp_url:
                await asyncio.to_thread(
                    _send_smtp, str(settings.smtp_url), settings.mail_from, message
                )
            elif settings.is_production:
                raise RuntimeError("ENTITLE_SMTP_URL is not set")
            else:
                # Bodies hold single-use links: logged only outside production.
                logger.info("email to %s: %s\n%s", row["to_address"], row["subject"], row["body"])
        except (OSError, smtplib.SMTPException, RuntimeError) as exc:
            await OutboxMessage.update(
                {OutboxMessage.attempts: row["attempts"] + 1, OutboxMessage.last_error: str(exc)}
            ).where(OutboxMessage.id == row["id"])
            continue
        await OutboxMessage.update(
            {OutboxMessage.sent_at: now, OutboxMessage.attempts: row["attempts"] + 1}
        ).where(OutboxMessage.id == row["id"])
        sent += 1
    return sent
