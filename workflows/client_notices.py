"""The emails a client receives: the quote, the confirmation with its signed copy, and the
acknowledgement of a decline (R17, R18). Each names the seller, who is its Reply-To, and the
quote's validity it is about."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.quote_payloads import Notice, Party, QuoteLinkSpec, QuoteState
    from models.wording import total_phrase


def client_notice(
    state: QuoteState, seller: Party, cluster: str, kind: str, **extra: str
) -> Notice:
    """One email to the quote's client, keyed by quote, revision, kind and client."""
    assert state.valid_until is not None
    client = state.client
    context = {
        "number": state.number,
        "revision": str(state.revision),
        "client": client.company,
        "cluster": cluster,
        "name": client.contact_name,
        "seller": seller.name,
        "seller_company": seller.company,
        "seller_email": seller.email,
        "total": total_phrase(state.lines, state.currency),
        "valid_until": f"{state.valid_until:%Y-%m-%d %H:%M} UTC",
        **extra,
    }
    return Notice(
        business_key=f"{state.number}/r{state.revision}/{kind}/client:{client.id}",
        kind=kind,
        to_email=client.email,
        to_name=client.contact_name,
        context=context,
        reply_to=seller.email,
    )


def quote_to_client(state: QuoteState, seller: Party, cluster: str) -> Notice:
    """The quote itself: its PDF attached and the signed link to answer it."""
    assert state.valid_until is not None
    notice = client_notice(state, seller, cluster, "quote_to_client")
    notice.attachment_key = state.document_key
    notice.attachment_name = f"{state.number}-r{state.revision}.pdf"
    notice.link = QuoteLinkSpec(state.number, state.revision, state.valid_until)
    return notice


def confirmation(state: QuoteState, seller: Party, cluster: str, order: str) -> Notice:
    """After acceptance: the order number and the signed copy attached."""
    notice = client_notice(
        state, seller, cluster, "quote_confirmation",
        order=order, signer=state.accepted_by or "", po_reference=state.po_reference or "none",
    )  # fmt: skip
    notice.attachment_key = state.signed_document_key
    notice.attachment_name = f"{state.number}-signed.pdf" if state.signed_document_key else None
    return notice
