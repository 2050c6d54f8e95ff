"""What the mail activity adds to a notice before it is rendered: the links it signs, the
defaults older quotes lack, and the `Reply-To` that names who can answer (R18)."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address

from models.quote_payloads import Notice
from settings import Settings

# The emails that go to a client; older quotes' contexts lack the seller's company and email.
CLIENT_KINDS = frozenset({"quote_to_client", "quote_confirmation", "quote_decline_received"})
APPROVAL_KINDS = frozenset({"approval_request", "approval_reminder", "approval_escalation"})


def defaults(notice: Notice, settings: Settings) -> dict[str, str]:
    """The notice's context with what every older history's notice may lack."""
    api = settings.PUBLIC_BASE_URL.rstrip("/")
    context = {"api": api, "platform": settings.PLATFORM_LEGAL_NAME, **notice.context}
    context.setdefault("client_contact", f"the {context.get('client', 'client')} contact")
    if notice.kind in CLIENT_KINDS:
        # Quotes sent before client emails named the seller: the cluster stands in.
        context.setdefault("seller_company", context.get("cluster", ""))
        context.setdefault("seller_email", "the seller")
    elif notice.kind in APPROVAL_KINDS:
        # Quotes that started before approval links: the quote's page on the API.
        context.setdefault("approval_link", f"{api}/quotes/{context.get('number', '')}")
        context.setdefault("deadline", "the approval deadline")
        context.setdefault("seller_company", context.get("cluster", ""))
        context.setdefault("changes", "")
    return context


def reply_to(notice: Notice, settings: Settings) -> Address | None:
    """Who answers: the notice's own answerer (the seller unless named), and for commission
    emails and credit notes the platform. An address the header cannot hold is left out, never fatal."""
    if notice.reply_to:
        name, address = notice.reply_name or notice.context.get("seller", ""), notice.reply_to
    elif (
        notice.kind.startswith(("commission_", "credit_note", "payout")) and settings.PLATFORM_EMAIL
    ):
        name, address = settings.PLATFORM_LEGAL_NAME, settings.PLATFORM_EMAIL
    else:
        return None
    try:
        return Address(" ".join(name.split()), addr_spec=address.strip())
    except (ValueError, IndexError, HeaderParseError):
        return None
