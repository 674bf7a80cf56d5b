"""Notification emails: a plain send over smtplib, and the Celery task `notify.email` over it.

The task is published by the relay from the outbox row `storage.notifications.notify` wrote with
the event, so an email exists only for an event that committed, and waits out a broker outage.
`deliver()` is idempotent by the notification's id: it sends only a row still `pending`, holding
the row's lock (PostgreSQL) while it sends, so a second delivery of the message waits and then
finds it `sent`.  An SMTP outage is retried with backoff (the row stays pending); an address the
server refuses for good marks the row `failed` (the inbox still has it).

`sweep()` is the relay's periodic pass: tasks about to be overdue, 公示 that ended, and emails
whose message was lost (still pending an hour after it went out) queued again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate

from celery import Task, shared_task
from sqlalchemy.exc import OperationalError as DbOperationalError
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings
from dossier.task_names import NOTIFY_EMAIL
from storage import notifications
from storage.models import utcnow
from storage.notification_models import Notification
from storage.review_models import User

from .celery_app import DossierCelery, default_app
from .findings_gate import blocking_findings, current_files

log = logging.getLogger(__name__)

# the server or the network is down, or says "try later" (4xx): the email waits, never lost
TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
             smtplib.SMTPAuthenticationError, ConnectionError, TimeoutError, OSError,
             DbOperationalError)
SUBJECT_PREFIX = "【党建示范评选】"

Sender = Callable[[Settings, EmailMessage], None]


def compose(settings: Settings, row: Notification, to: str) -> EmailMessage:
    """The email for one notification; its Message-ID is the row's, so a mail client that
    somehow got it twice shows it once."""
    msg = EmailMessage()
    msg["Subject"] = SUBJECT_PREFIX + notifications.EVENT_LABELS.get(row.event, "通知")
    msg["From"] = settings.smtp_from or settings.smtp_user
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<notification-{row.id}@dossier>"
    body = row.text
    if row.link:
        body += f"\n\n请登录系统查看：{row.link}"
    body += "\n\n（不想再收到邮件提醒，可在系统的“消息”页面关闭。）"
    msg.set_content(body)
    return msg


def send_email(settings: Settings, msg: EmailMessage) -> None:
    """Hand one message to the configured SMTP server (STARTTLS and login where configured)."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)


def _permanent(e: Exception) -> bool:
    """The server refused this email for good (5xx, every recipient refused): retrying won't help."""
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(e, smtplib.SMTPResponseException) and 500 <= e.smtp_code < 600 \
        and not isinstance(e, smtplib.SMTPAuthenticationError)


def deliver(sessions: sessionmaker[Session], settings: Settings, notification_id: int, *,
            send: Sender = send_email) -> str:
    """Send one notification's email unless it was sent already; returns the row's email state.
    A transient error propagates (the task retries) and leaves the row pending."""
    with sessions() as s:
        row = s.get(Notification, notification_id, with_for_update=True)
        if row is None:
            return "gone"
        if row.email_state != "pending":
            return row.email_state or "none"
        user = s.get(User, row.user_id)
        if not settings.smtp_host or user is None or not user.active or not user.email \
                or not notifications.email_enabled(s, user.id):
            # no server configured, or the person turned email off since: the inbox has it
            row.email_state = "skipped"
            s.commit()
            return row.email_state
        try:
            send(settings, compose(settings, row, user.email))
        except Exception as e:
            if not _permanent(e):
                raise
            log.error("notification %s: the SMTP server refused the email to user %s: %s",
                      row.id, user.username, e)
            row.email_state, row.email_error = "failed", f"{type(e).__name__}: {e}"[:2000]
            s.commit()
            return row.email_state
        row.email_state, row.emailed_at = "sent", utcnow()
        s.commit()
        log.info("notification %s emailed to user %s (%s)", row.id, user.username, row.event)
        return row.email_state


def _app(task: Task) -> DossierCelery:
    return task.app if isinstance(task.app, DossierCelery) else default_app()


def _backoff(retries: int) -> float:
    # 5 s, 10 s, … up to 10 minutes, jittered: a mail server back from an outage is not stormed
    return min(600.0, 5.0 * 2 ** min(retries, 10)) * random.uniform(0.5, 1.0)


# about a quarter of an hour of retries; a longer SMTP outage leaves the row pending for the sweep to queue again
@shared_task(name=NOTIFY_EMAIL, bind=True, max_retries=8)
def email_notification(self: Task, notification_id: int) -> str:
    """Send one notification's email (idempotent by its id)."""
    app = _app(self)
    try:
        return deliver(app.resources.sessions, app.settings, notification_id)
    except TRANSIENT as e:
        log.warning("notification %s: email not sent yet (%s: %s); trying again",
                    notification_id, type(e).__name__, e)
        raise self.retry(countdown=_backoff(self.request.retries), exc=e) from None


def sweep(sessions: sessionmaker[Session], settings: Settings, now: dt.datetime | None = None) -> int:
    """Notify tasks about to be overdue and 公示 that ended; the relay calls it every reconcile pass.
    A database outage propagates (the relay waits it out); anything else is logged and tried again
    next pass, so the outbox goes on."""
    try:
        with sessions() as s:
            n = notifications.sweep(s, due_within=dt.timedelta(hours=settings.notify_due_hours), now=now)
            s.commit()
    except DbOperationalError:
        raise
    except Exception:
        log.exception("relay: the notification sweep failed; next pass tries again")
        return 0
    if n:
        log.info("notification sweep: %d notification(s)", n)
    return n


def checks_finished(session: Session, submission_id: str) -> list[Notification]:
    """The submission's checks ended with errors the unit must fix (called by check.submission)."""
    errors = blocking_findings(session, submission_id, audience="unit")
    if not errors:
        return []
    files = sorted(f.id for f in current_files(session, submission_id))
    # the same files checked again (a redelivered message) are the same news
    key = "checks:" + hashlib.sha256(",".join(files).encode()).hexdigest()[:32]
    first = errors[0].message
    text = (f"“{notifications.organisation(session, submission_id)}”的申报材料已检查完毕，有 {len(errors)} 处需要修改，"
            f"例如：{first}")
    return notifications.notify(session, notifications.unit_users(session, submission_id), "checks.errors",
                                text, f"/submissions/{submission_id}", key=key)
