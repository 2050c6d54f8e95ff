"""The text of every email the product sends: `render(kind, context)` -> (subject, body).

Templates are `str.format_map` strings over plain-string contexts. Every message greets
`{name}` and is signed with `{cluster}`; `required_keys(kind)` lists what a kind needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter


@dataclass(frozen=True, slots=True)
class Template:
    subject: str
    body: str


def _template(subject: str, *paragraphs: str) -> Template:
    body = "\n\n".join(("Hello {name},", *paragraphs, "Kind regards,\n{cluster}, via Arkanna"))
    return Template(subject, body + "\n")


_DECIDE_HERE = (
    "Please decide before {deadline}: approve, or reject with a comment saying what must "
    "change, on your approval page (no account or password needed).",
    "{approval_link}",
)
_ASK_SELLER = "Questions? Reply to this email to reach {seller} ({seller_email})."
_COMMISSION_PAYMENT = "Please pay by bank transfer and quote the reference {invoice}."
_ASK_PLATFORM = "Questions about this invoice? Reply to this email to reach {platform}."
_REPLY_SELLER = "Questions about the order? Reply to this email to reach {seller}."

TEMPLATES: dict[str, Template] = {
    "approval_request": _template(
        "Approval needed: quote {number} revision {revision} for {client}",
        "{seller} ({seller_company}) has prepared quote {number} (revision {revision}) for "
        "{client}. It includes these lines of your offers:",
        "{lines}",
        "{changes}",
        *_DECIDE_HERE,
        "The quote reaches the client only once every supplier has approved its own lines. "
        "Reply to this email to reach {seller}.",
    ),
    "approval_reminder": _template(
        "Reminder {reminder}: quote {number} is waiting for your approval",
        "Quote {number} (revision {revision}) from {seller} ({seller_company}) for {client} is "
        "still waiting for your decision on these lines:",
        "{lines}",
        *_DECIDE_HERE,
        "Reply to this email to reach {seller}.",
    ),
    "approval_escalation": _template(
        "Quote {number} is still waiting for supplier approval",
        "Quote {number} (revision {revision}) from {seller} for {client} is still waiting for "
        "a decision from: {pending}.",
        "They have been reminded. A word from you may help the deal move on before the "
        "approval deadline, {deadline}. Reply to this email to reach {seller}.",
    ),
    "approval_expired": _template(
        "Quote {number} expired before every supplier approved it",
        "Not every supplier decided on quote {number} (revision {revision}) for {client} "
        "before the approval deadline, so the quote is closed and will not be sent.",
        "Create a new quote if {client} is still interested.",
    ),
    "changes_requested": _template(
        "Changes requested on quote {number}",
        "{supplier} rejected their lines on quote {number} (revision {revision}) for {client}, "
        "with this comment:",
        "    {comment}",
        "Revise the quote with the changes asked for, or cancel it. Suppliers whose lines do "
        "not change keep their approval. Reply to this email to reach {supplier}.",
    ),
    "quote_blocked": _template(
        "Quote {number} is blocked: a founder service is no longer available",
        "Quote {number} (revision {revision}) for {client} cannot go on: the founder's service "
        "included in {lines} is no longer available.",
        "Revise the quote with offers whose founder service is validated, or cancel it.",
    ),
    "quote_supplier_removed": _template(
        "Quote {number} is blocked: {supplier} has left the cluster",
        "{supplier} is no longer a member of the cluster, so {lines} of quote {number} "
        "(revision {revision}) for {client} can no longer be sold.",
        "Revise the quote without these lines, or cancel it. Suppliers whose lines do not "
        "change keep their approval.",
    ),
    "quote_to_client": _template(
        "Quote {number} from {seller}",
        "{seller} ({seller_company}) has sent you quote {number} for {client}: {total}. "
        "The PDF is attached.",
        "View the quote, download it and accept or decline it on its page:",
        "{link}",
        "The quote and its page are valid until {valid_until}.",
        _ASK_SELLER,
    ),
    "quote_confirmation": _template(
        "Order {order}: your acceptance of quote {number}",
        "Thank you: you ({signer}) accepted quote {number}, revision {revision}, for {client}: "
        "{total}. Your purchase-order reference: {po_reference}. Order {order} is open with "
        "{seller} ({seller_company}).",
        "Your signed copy is attached: the quote with your acceptance. The quote was valid "
        "until {valid_until}.",
        _ASK_SELLER,
    ),
    "quote_decline_received": _template(
        "Quote {number}: your answer has reached {seller}",
        "Thank you for your answer: you declined quote {number} for {client}, and {seller} "
        "({seller_company}) has been told. Nothing more is asked of you: no order is opened "
        "and nothing is invoiced.",
        "The quote would have been valid until {valid_until}. If you change your mind or want "
        "a different offer, reply to this email to reach {seller} ({seller_email}).",
    ),
    "quote_viewed": _template(
        "{client} opened quote {number}",
        "{client} has opened quote {number} (revision {revision}) for the first time.",
        "Reply to this email to reach {client_contact}.",
    ),
    "quote_accepted": _template(
        "Quote {number} accepted by {client}",
        "{client} accepted quote {number}: {total}. Order {order} is open and each supplier "
        "has received its procurement instructions.",
        "Reply to this email to reach {client_contact}.",
    ),
    "quote_declined": _template(
        "Quote {number} declined by {client}",
        "{client} declined quote {number}, giving this reason:",
        "    {reason}",
        "The quote is closed. Reply to this email to reach {client_contact}.",
    ),
    "quote_expired": _template(
        "Quote {number} has expired",
        "Quote {number} (revision {revision}) for {client} expired without an answer and is "
        "closed.",
        "Create a new quote if {client} is still interested.",
    ),
    "quote_cancelled": _template(
        "Quote {number} has been cancelled",
        "Quote {number} for {client} has been cancelled, for this reason:",
        "    {reason}",
        "The quote is closed: the client's link now says so.",
    ),
    "order_notice_direct": _template(
        "Order {order}: please invoice {client} directly",
        "{client} accepted quote {number} from {seller}. Order {order} includes these lines of "
        "your offers, sold in direct mode:",
        "{lines}",
        "Please invoice {client} directly for these lines and deliver them as agreed. The "
        "client's contact: {client_contact}.",
        _REPLY_SELLER,
    ),
    "order_notice_founder": _template(
        "Order {order}: your services for {client}",
        "{client} accepted quote {number} from {seller}. Order {order} includes these services "
        "of yours, each under another member's line:",
        "{lines}",
        "Please deliver these services to {client}. Each member named above buys them from you "
        "with the purchase order attached and owes you the amount shown: invoice that member, "
        "not the client.",
        _REPLY_SELLER,
    ),
    "order_notice_resell": _template(
        "Order {order}: purchase order from {seller}",
        "{client} accepted quote {number}. {seller} buys your lines on it for resale: the "
        "purchase order for order {order} is attached.",
        "{lines}",
        "Please invoice {seller} for these lines and deliver them as the purchase order says.",
        _REPLY_SELLER,
    ),
    "commission_invoice": _template(
        "Commission invoice {invoice} for order {order}",
        "Arkanna has issued commission invoice {invoice} for order {order}: {amount}, "
        "due on {due_date}. The invoice is attached.",
        _COMMISSION_PAYMENT,
        _ASK_PLATFORM,
    ),
    "commission_reminder": _template(
        "Reminder: commission invoice {invoice} is due on {due_date}",
        "Commission invoice {invoice} for order {order} ({amount}) is due on {due_date} and "
        "has not been paid yet.",
        _COMMISSION_PAYMENT,
        _ASK_PLATFORM,
    ),
    "commission_overdue": _template(
        "Overdue: commission invoice {invoice}",
        "Commission invoice {invoice} for order {order} ({amount}) was due on {due_date} and "
        "is unpaid. It is now flagged as overdue.",
        _COMMISSION_PAYMENT + " If you have already paid, reply with the payment reference.",
        _ASK_PLATFORM,
    ),
    "credit_note": _template(
        "Credit note {credit_note} for invoice {invoice} (order {order})",
        "Order {order} was cancelled ({reason}). Arkanna has issued credit note {credit_note}, "
        "which cancels commission invoice {invoice} in full: {amount}. The credit note is "
        "attached.",
        "{settlement}",
        _ASK_PLATFORM,
    ),
    "payout": _template(
        "Payout for {period}: self-billed invoice {invoice}",
        "Arkanna is paying you {amount}, your available commission shares for {period}, by "
        "SEPA transfer to your account {account}. The self-billed invoice {invoice}, issued "
        "in your name under your self-billing mandate, is attached: keep it with your "
        "accounts.",
        "If anything on it is wrong, reply within 30 days and it will be corrected by a "
        "credit note.",
        _ASK_PLATFORM,
    ),
    "credit_note_correction": _template(
        "Credit note {credit_note} correcting invoice {invoice} (order {order})",
        "Arkanna has issued credit note {credit_note}, which corrects commission invoice "
        "{invoice} ({reason}): {amount} is credited. The credit note is attached.",
        "{settlement}",
        _ASK_PLATFORM,
    ),
    "commission_receipt": _template(
        "Payment received for {invoice}",
        "Arkanna has received your payment of {amount} for commission invoice {invoice} "
        "(order {order}). Nothing more is due on it.",
        _ASK_PLATFORM,
    ),
}

KINDS: tuple[str, ...] = tuple(TEMPLATES)


def template_of(kind: str) -> Template:
    template = TEMPLATES.get(kind)
    if template is None:
        raise ValueError(f"unknown email kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return template


def required_keys(kind: str) -> frozenset[str]:
    """The context keys the kind's subject and body use."""
    template = template_of(kind)
    text = template.subject + template.body
    return frozenset(field for _, field, _, _ in Formatter().parse(text) if field)


def _paragraphs(body: str) -> str:
    # An optional paragraph left empty (a first revision has no changes to tell) leaves no gap.
    return "\n\n".join(p for p in body.split("\n\n") if p.strip()) + "\n"


def render(kind: str, context: Mapping[str, str]) -> tuple[str, str]:
    """The subject (one line) and plain-text body of one email."""
    template = template_of(kind)
    try:
        subject = template.subject.format_map(context)
        body = template.body.format_map(context)
    except KeyError as missing:
        raise KeyError(f"email kind {kind!r} needs the context key {missing.args[0]!r}") from None
    # A value with a line break must not break the header into two.
    return " ".join(subject.split()), _paragraphs(body)
