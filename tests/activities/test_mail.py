"""Emails leave once per business key, through a real SMTP server or the outbox folder."""

from __future__ import annotations

import email
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from reportlab.pdfgen import canvas
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.mail import NO_DEDUP_ENV, MailActivities, Notice, QuoteLinkSpec, SmtpTarget
from documents.emails import KINDS, render, required_keys
from documents.render import DocumentStore
from models.links import QuoteLink, read_link
from settings import Settings
from store.tables import SentEmail
from tests.processes import free_port

Factory = sessionmaker[Session]
PDF_KEY = "quotes/Q-2026-00001-r2.pdf"
BASE = ("name", "cluster")
APPROVAL = {*BASE, "number", "revision", "seller", "client", "lines"}
ASKED = {*APPROVAL, "seller_company", "deadline", "approval_link"}
CLIENT = {*BASE, "seller", "seller_company", "seller_email", "client", "valid_until"}
ORDER = {*BASE, "number", "seller", "client", "order", "lines"}
INVOICE = {*BASE, "invoice", "order", "amount", "platform"}
CONTRACT: dict[str, set[str]] = {
    "approval_request": {*ASKED, "changes"},
    "approval_reminder": {*ASKED, "reminder"},
    "approval_escalation": {*BASE, "number", "revision", "seller", "client", "pending", "deadline"},
    "approval_expired": {*BASE, "number", "revision", "client"},
    "changes_requested": {*BASE, "number", "revision", "client", "supplier", "comment"},
    "quote_blocked": {*BASE, "number", "revision", "client", "lines"},
    "quote_supplier_removed": {*BASE, "number", "revision", "client", "lines", "supplier"},
    "quote_to_client": {*CLIENT, "number", "total", "link"},
    "quote_confirmation": {
        *CLIENT,
        "number",
        "revision",
        "total",
        "order",
        "signer",
        "po_reference",
    },
    "quote_decline_received": {*CLIENT, "number"},
    "quote_viewed": {*BASE, "number", "revision", "client", "client_contact"},
    "quote_accepted": {*BASE, "number", "client", "total", "order", "client_contact"},
    "quote_declined": {*BASE, "number", "client", "reason", "client_contact"},
    "quote_expired": {*BASE, "number", "revision", "client"},
    "quote_cancelled": {*BASE, "number", "client", "reason"},
    "order_notice_direct": {*ORDER, "client_contact"},
    "order_notice_founder": ORDER,
    "order_notice_resell": ORDER,
    "commission_invoice": {*INVOICE, "due_date"},
    "commission_reminder": {*INVOICE, "due_date"},
    "commission_overdue": {*INVOICE, "due_date"},
    "commission_receipt": INVOICE,
    "credit_note": {*INVOICE, "credit_note", "reason", "settlement"},
    "payout": {*BASE, "invoice", "period", "amount", "account", "platform"},
    "credit_note_correction": {*INVOICE, "credit_note", "reason", "settlement"},
}


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@dataclass
class Received:
    envelope: Envelope
    auth: Any  # the login the client gave, if any

    @property
    def message(self) -> EmailMessage:
        return parse(self.envelope.original_content or b"")


@dataclass
class Collector:
    """An aiosmtpd handler keeping every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        self.received.append(Received(envelope, session.auth_data))
        return "250 OK"


def accept_one_login(
    server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = auth_data.login == b"mailer@arkanna" and auth_data.password == b"p:ss/word"
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@dataclass
class SmtpServer:
    url: str
    inbox: Collector


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Collector()
    port = free_port()
    # AUTH offered (not required) over plain TCP on loopback: aiosmtpd warns only when a
    # server would require AUTH without TLS, which this one does not.
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        authenticator=accept_one_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield SmtpServer(f"smtp://127.0.0.1:{port}", inbox)
    finally:
        controller.stop()


def tiny_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Quote Q-2026-00001 revision 2")
    page.save()
    return out.getvalue()


def make_mail(settings: Settings, db: Factory, smtp_url: str | None = None) -> MailActivities:
    store = DocumentStore(settings.DOCUMENTS_DIR)
    store.put(PDF_KEY, tiny_pdf())
    return MailActivities(settings.model_copy(update={"SMTP_URL": smtp_url}), db, store)


def context_for(kind: str) -> dict[str, str]:
    return {key: f"<{key} of {kind}>" for key in required_keys(kind)}


def client_notice(expires_at: datetime) -> Notice:
    context = {  # no "link": the activity signs it
        "name": "Cleo Client",
        "cluster": "Alpine Makers",
        "number": "Q-2026-00001",
        "seller": "Sam Seller",
        "client": "Client SA",
        "total": "12,400.00 EUR",
        "valid_until": f"{expires_at:%Y-%m-%d %H:%M} UTC",
    }
    return Notice(
        business_key="Q-2026-00001/r2/quote_to_client/client:3",
        kind="quote_to_client",
        to_email="cleo@client.example",
        to_name="Cleo Client",
        context=context,
        attachment_key=PDF_KEY,
        attachment_name="Q-2026-00001-r2.pdf",
        link=QuoteLinkSpec("Q-2026-00001", 2, expires_at),
    )


def supplier_notice(key: str = "Q-2026-00001/r2/approval_request/member:7") -> Notice:
    context = context_for("approval_request")
    return Notice(key, "approval_request", "sue@machines.example", "Sue Supplier", context)


def rows(db: Factory) -> list[SentEmail]:
    with db() as session:
        return list(session.scalars(select(SentEmail).order_by(SentEmail.id)))


def test_quote_reaches_the_client_by_smtp_with_its_pdf_and_a_signed_link(
    settings: Settings, db: Factory, smtp_server: SmtpServer
) -> None:
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    mail = make_mail(settings, db, smtp_server.url)

    assert mail.send_notice(client_notice(expires_at)) is True

    [received] = smtp_server.inbox.received
    assert received.envelope.mail_from == "no-reply@arkanna.local"
    assert received.envelope.rcpt_tos == ["cleo@client.example"]
    message = received.message
    assert message["Subject"] == "Quote Q-2026-00001 from Sam Seller"
    assert message["To"] == "Cleo Client <cleo@client.example>"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Q-2026-00001-r2.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    body = text_of(message)
    token = re.search(r"http://testserver/q/(\S+)", body)
    assert token is not None
    link = read_link("test-secret-key", token.group(1), datetime.now(UTC))
    assert link == QuoteLink("Q-2026-00001", 2, expires_at)
    [row] = rows(db)
    assert (row.state, row.recipient, row.kind) == (
        "sent",
        "cleo@client.example",
        "quote_to_client",
    )
    assert row.sent_at is not None
    assert message["Message-ID"] == row.message_id


def test_the_same_business_key_is_delivered_once(
    settings: Settings, db: Factory, smtp_server: SmtpServer
) -> None:
    mail = make_mail(settings, db, smtp_server.url)

    assert mail.send_notice(supplier_notice()) is True
    assert mail.send_notice(supplier_notice()) is False

    [received] = smtp_server.inbox.received
    body = text_of(received.message)
    # The request points to the supplier's approval page, never to an API call.
    assert "<approval_link of approval_request>" in body
    assert "POST " not in body and "API key" not in body
    assert len(rows(db)) == 1


def test_a_claim_left_sending_is_sent_again_once_with_the_same_message_id(
    settings: Settings, db: Factory, smtp_server: SmtpServer
) -> None:
    mail = make_mail(settings, db, smtp_server.url)
    notice = supplier_notice()
    mail.send_notice(notice)
    # The worker died after delivering and before marking the row sent.
    with db.begin() as session:
        session.execute(update(SentEmail).values(state="sending", sent_at=None))

    assert mail.send_notice(notice) is True
    assert mail.send_notice(notice) is False

    first, second = (r.message for r in smtp_server.inbox.received)
    assert first["Message-ID"] == second["Message-ID"] == rows(db)[0].message_id
    assert rows(db)[0].state == "sent"


def test_an_smtp_outage_raises_and_the_retry_delivers(
    settings: Settings, db: Factory, smtp_server: SmtpServer
) -> None:
    down = make_mail(settings, db, f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(OSError):
        down.send_notice(supplier_notice())
    assert rows(db) == []  # rolled back with the failed delivery: nothing says it was sent

    assert make_mail(settings, db, smtp_server.url).send_notice(supplier_notice()) is True
    assert len(smtp_server.inbox.received) == 1
    assert rows(db)[0].state == "sent"


def test_logs_in_with_the_credentials_of_the_url(
    settings: Settings, db: Factory, smtp_server: SmtpServer
) -> None:
    url = smtp_server.url.replace("//", "//mailer%40arkanna:p%3Ass%2Fword@")
    make_mail(settings, db, url).send_notice(supplier_notice())

    [received] = smtp_server.inbox.received
    assert received.auth.login == b"mailer@arkanna"


def test_through_the_activity_environment(
    settings: Settings, db: Factory, smtp_server: SmtpServer
) -> None:
    mail = make_mail(settings, db, smtp_server.url)

    assert ActivityEnvironment().run(mail.send_notice, supplier_notice()) is True
    assert len(smtp_server.inbox.received) == 1


def test_a_round_of_notices_skips_those_already_sent(
    settings: Settings, db: Factory, smtp_server: SmtpServer
) -> None:
    mail = make_mail(settings, db, smtp_server.url)
    keys = [f"Q-2026-00001/r2/approval_reminder/member:{n}/1" for n in (7, 8, 9)]
    mail.send_notice(supplier_notice(keys[0]))  # the retry of a round that died after one

    sent = ActivityEnvironment().run(mail.send_notices, [supplier_notice(k) for k in keys])

    assert sent == 2
    assert len(smtp_server.inbox.received) == 3
    assert [row.business_key for row in rows(db)] == keys


def test_outbox_mode_writes_one_eml_per_key(settings: Settings, db: Factory) -> None:
    mail = make_mail(settings, db)
    expires_at = datetime.now(UTC) + timedelta(days=30)
    mail.send_notice(supplier_notice())
    mail.send_notice(supplier_notice())
    mail.send_notice(client_notice(expires_at))
    with db.begin() as session:  # a resend after a crash replaces its file
        session.execute(update(SentEmail).values(state="sending"))
    mail.send_notice(client_notice(expires_at))

    files = sorted(Path(settings.OUTBOX_DIR).iterdir())
    assert [f.name[23:] for f in files] == [
        "Q-2026-00001_r2_approval_request_member_7.eml",
        "Q-2026-00001_r2_quote_to_client_client_3.eml",
    ]
    message = parse(files[1].read_bytes())
    assert message["To"] == "Cleo Client <cleo@client.example>"
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]


def test_the_fault_switch_turns_dedup_off(
    settings: Settings, db: Factory, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_DEDUP_ENV, "1")
    mail = make_mail(settings, db, smtp_server.url)

    assert mail.send_notice(supplier_notice()) is True
    assert mail.send_notice(supplier_notice()) is True
    assert len(smtp_server.inbox.received) == 2


@pytest.mark.parametrize("address", ["sue", "sue@", "sue smith@machines.example", "a@b\nBcc: x@y"])
def test_a_malformed_address_is_refused_for_good_and_claims_nothing(
    settings: Settings, db: Factory, address: str
) -> None:
    notice = supplier_notice()
    notice.to_email = address

    with pytest.raises(ApplicationError, match="malformed address") as refused:
        make_mail(settings, db).send_notice(notice)
    assert refused.value.non_retryable
    assert rows(db) == []


def test_a_template_error_is_refused_for_good(settings: Settings, db: Factory) -> None:
    notice = supplier_notice()
    del notice.context["lines"]

    with pytest.raises(
        ApplicationError, match="'approval_request' needs the context key 'lines'"
    ) as refused:
        make_mail(settings, db).send_notice(notice)
    assert refused.value.non_retryable
    assert rows(db) == []


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://mx.example:2525", SmtpTarget("smtp", "mx.example", 2525)),
        (
            "smtp+starttls://u:p@mx.example",
            SmtpTarget("smtp+starttls", "mx.example", 587, "u", "p"),
        ),
        ("smtps://mx.example", SmtpTarget("smtps", "mx.example", 465)),
    ],
)
def test_smtp_urls(url: str, target: SmtpTarget) -> None:
    assert SmtpTarget.parse(url) == target


def test_an_unknown_smtp_scheme_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="SMTP_URL must look like"):
        SmtpTarget.parse("http://mx.example")


def test_the_kinds_and_their_keys_are_the_contract() -> None:
    assert {kind: set(required_keys(kind)) for kind in KINDS} == CONTRACT


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_with_a_full_context(kind: str) -> None:
    context = context_for(kind)

    subject, body = render(kind, context)

    assert subject and "\n" not in subject
    assert body.startswith(f"Hello <name of {kind}>,")
    assert all(value in subject + body for value in context.values())
    assert "{" not in subject + body.replace('{"revision"', "")


@pytest.mark.parametrize(
    ("kind", "key"), [(kind, key) for kind in KINDS for key in sorted(required_keys(kind))]
)
def test_a_missing_key_names_the_kind_and_the_key(kind: str, key: str) -> None:
    context = context_for(kind)
    del context[key]

    with pytest.raises(KeyError, match=f"'{kind}' needs the context key '{key}'"):
        render(kind, context)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown email kind 'quote_lost'"):
        render("quote_lost", {})


def test_an_email_is_one_transaction(settings: Settings, db: Factory) -> None:
    mail = make_mail(settings, db)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    engine = db.kw["bind"]
    event.listen(engine, "commit", count)
    try:
        assert mail.send_notice(supplier_notice()) is True
    finally:
        event.remove(engine, "commit", count)
    assert len(commits) == 1
    assert rows(db)[0].state == "sent"


def test_a_resend_after_a_rolled_back_record_replaces_its_outbox_file(
    settings: Settings, db: Factory
) -> None:
    mail = make_mail(settings, db)
    mail.send_notice(supplier_notice())
    with db.begin() as session:  # the worker died after writing the file, before the commit
        session.execute(delete(SentEmail))

    assert mail.send_notice(supplier_notice()) is True

    assert len(list(Path(settings.OUTBOX_DIR).iterdir())) == 1
    assert rows(db)[0].state == "sent"
