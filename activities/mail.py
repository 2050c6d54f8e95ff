"""Sends each email once per business key: its row and its delivery in one transaction.

Delivery is SMTP when `SMTP_URL` is set (`smtp://[user:pass@]host:port`, `smtp+starttls://…`
or `smtps://…`), otherwise one `.eml` file per message in `OUTBOX_DIR`.
"""

from __future__ import annotations

import email.policy
import hashlib
import mimetypes
import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import mail_words
from documents.atomic import uncancelled, write_atomically
from documents.email_html import render_html
from documents.emails import render
from models.links import ApprovalLink, QuoteLink, sign_approval_link, sign_link
from models.quote_payloads import Act, ApprovalLinkSpec, Notice, QuoteLinkSpec
from settings import Settings
from store.db import insert_once, transaction
from store.tables import SentEmail

__all__ = ["DocumentSource", "MailActivities", "Notice", "QuoteLinkSpec", "SmtpTarget"]

NO_DEDUP_ENV = "ARKANNA_FAULT_MAIL_NO_DEDUP"
SMTP_TIMEOUT = 20.0  # seconds; under the activity's start-to-close timeout
_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
# A subject or name up to the limit of a line stays on one line: folded at 78 characters, a
# subject would start with the fold's space in some readers.
ONE_LINE_HEADERS = email.policy.default.clone(max_line_length=998)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DocumentSource(Protocol):
    def get(self, key: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in _PORTS or not parts.hostname:
            raise ValueError(f"SMTP_URL must look like smtp://[user:pass@]host:port, not {url!r}")
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(parts.scheme, parts.hostname, parts.port or _PORTS[parts.scheme], user, password)


def message_id_for(business_key: str, domain: str) -> str:
    """The same key always gives the same Message-ID, so a resend is recognisably the same."""
    return f"<{hashlib.sha256(business_key.encode()).hexdigest()[:32]}@{domain}>"


def recipient_of(notice: Notice) -> Address:
    """The To address; a malformed one is a final refusal, retrying cannot fix it."""
    try:
        return Address(" ".join(notice.to_name.split()), addr_spec=notice.to_email.strip())
    except (ValueError, IndexError, HeaderParseError) as error:
        raise ApplicationError(
            f"cannot email {notice.kind}: malformed address {notice.to_email!r} ({error})",
            type="MalformedAddress",
            non_retryable=True,
        ) from None


class MailActivities:
    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        documents: DocumentSource,
    ) -> None:
        self.settings = settings
        self.db = session_factory
        self.documents = documents
        self.smtp = SmtpTarget.parse(settings.SMTP_URL) if settings.SMTP_URL else None
        self.domain = parseaddr(settings.MAIL_FROM)[1].rpartition("@")[2] or "arkanna.local"

    @activity.defn(name=Act.SEND_NOTICE)
    def send_notice(self, notice: Notice) -> bool:
        """Sends one email unless its business key was already sent; True when it went out now.

        One transaction: the key is recorded sent, the message delivered, then the commit. A
        delivery that fails rolls the record back, so the retry sends; a concurrent attempt
        waits on the key's row and then finds it sent. A crash after the delivery and before
        the commit sends again on the retry, with the same Message-ID (mail clients thread or
        drop it) and, in the outbox, into the same file: a lost quote or approval request
        stalls a deal silently, a recognisable duplicate does not.
        """
        to = recipient_of(notice)
        subject, body, html = self._render(notice)
        message_id = message_id_for(notice.business_key, self.domain)
        with transaction(self.db) as session:
            claimed_at = self._claim(session, notice, subject, message_id)
            if claimed_at is None:
                activity.logger.info(
                    "email %s already sent, not sending again", notice.business_key
                )
                return False
            message = self._message(notice, to, subject, (body, html), message_id)
            if self.smtp is not None:
                self._send_smtp(self.smtp, message)
            else:
                self._write_outbox(message, notice.business_key, claimed_at)
        return True

    @activity.defn(name=Act.SEND_NOTICES)
    def send_notices(self, notices: list[Notice]) -> int:
        """A round of emails, each sent once by its own business key; how many went out now.

        A retry after a crash in the middle skips the ones already sent.
        """
        sent = 0
        for notice in notices:
            sent += self.send_notice(notice)
            activity.heartbeat(notice.business_key)
        return sent

    def _render(self, notice: Notice) -> tuple[str, str, str]:
        context = mail_words.defaults(notice, self.settings)
        if notice.link is not None:
            context["link"] = self._client_link(notice.link)
        if notice.approval_link is not None:
            context["approval_link"] = self._approval_link(notice.approval_link)
        try:
            subject, body = render(notice.kind, context)
            return subject, body, render_html(notice.kind, context)
        except (KeyError, ValueError) as error:
            raise ApplicationError(
                str(error.args[0]), type="MailTemplateError", non_retryable=True
            ) from None

    def _client_link(self, spec: QuoteLinkSpec) -> str:
        # Signed here, not in the workflow, so no token is ever written to a history.
        if not self.settings.SECRET_KEY:
            raise RuntimeError("SECRET_KEY is not set: client links cannot be signed")
        link = QuoteLink(spec.number, spec.revision, spec.expires_at)
        token = sign_link(self.settings.SECRET_KEY, link)
        return f"{self.settings.PUBLIC_BASE_URL.rstrip('/')}/q/{token}"

    def _approval_link(self, spec: ApprovalLinkSpec) -> str:
        if not self.settings.SECRET_KEY:
            raise RuntimeError("SECRET_KEY is not set: approval links cannot be signed")
        link = ApprovalLink(spec.number, spec.revision, spec.supplier_id, spec.expires_at)
        token = sign_approval_link(self.settings.SECRET_KEY, link)
        return f"{self.settings.PUBLIC_BASE_URL.rstrip('/')}/a/{token}"

    def _claim(
        self, session: Session, notice: Notice, subject: str, message_id: str
    ) -> datetime | None:
        """Records the key sent, in the caller's transaction; the key's first claim time when
        this attempt must deliver, None when it was sent already."""
        now = datetime.now(UTC)
        if insert_once(
            session, SentEmail, ["business_key"],
            business_key=notice.business_key, kind=notice.kind,
            recipient=notice.to_email[:320], subject=subject[:300], message_id=message_id,
            state="sent", claimed_at=now, sent_at=now,
        ):  # fmt: skip
            return now
        key = SentEmail.business_key == notice.business_key
        state, claimed_at = session.execute(
            select(SentEmail.state, SentEmail.claimed_at).where(key).with_for_update()
        ).one()
        if state == "sent" and os.environ.get(NO_DEDUP_ENV) != "1":  # fault tests only: no dedup
            return None
        # Left `sending` by a delivery that died before it was marked, when claim and mark
        # were two transactions: it may or may not have left, and it is sent again.
        session.execute(update(SentEmail).where(key).values(state="sent", sent_at=now))
        return claimed_at

    def _message(
        self,
        notice: Notice,
        to: Address,
        subject: str,
        parts: tuple[str, str],
        message_id: str,
    ) -> EmailMessage:
        body, html = parts
        message = EmailMessage(policy=ONE_LINE_HEADERS)
        message["From"] = self.settings.MAIL_FROM
        message["To"] = to
        reply_to = mail_words.reply_to(notice, self.settings)
        if reply_to is None:
            activity.logger.warning("%s has no Reply-To address it can hold", notice.kind)
        else:
            message["Reply-To"] = reply_to
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = message_id
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        message.add_alternative(html, subtype="html")
        if notice.attachment_key:
            name = notice.attachment_name or PurePosixPath(notice.attachment_key).name
            self._attach(message, notice.attachment_key, name)
        for key in notice.more_attachment_keys:
            self._attach(message, key, PurePosixPath(key).name)
        return message

    def _attach(self, message: EmailMessage, key: str, name: str) -> None:
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        maintype, _, subtype = mime.partition("/")
        data = self.documents.get(key)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)

    def _send_smtp(self, target: SmtpTarget, message: EmailMessage) -> None:
        """Any failure raises: the record of the key is rolled back and the retry sends."""
        tls = ssl.create_default_context()
        if target.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                target.host, target.port, timeout=SMTP_TIMEOUT, context=tls
            )
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
        with smtp:
            if target.scheme == "smtp+starttls":
                smtp.starttls(context=tls)
            if target.user:
                smtp.login(target.user, target.password or "")
            smtp.send_message(message)

    def _write_outbox(self, message: EmailMessage, key: str, claimed_at: datetime) -> None:
        """Named by the first claim, so a resend replaces the file instead of adding one; a
        resend whose first claim was rolled back (a crash before the commit) finds the file
        by its key."""
        outbox = Path(self.settings.OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{_UNSAFE.sub('_', key)[:150]}.eml"
        stamp = claimed_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        data = message.as_bytes()
        with uncancelled():  # the listing too: cancelled midway, it would leave its handle open
            earlier = sorted(outbox.glob("?" * len(stamp) + f"-{name}"))
            target = earlier[0] if earlier else outbox / f"{stamp}-{name}"
            write_atomically(target, data)  # whole messages or none
