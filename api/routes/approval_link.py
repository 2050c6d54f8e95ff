"""The supplier's side: the signed approval link's page, approve and reject (R16).

A decision here goes through the same workflow update, and so the same validator, as
`POST /quotes/{number}/decisions`; a refusal reads as a plain statement of what happened.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import engine
from api.approval_page import ApprovalPage, Person, approval_page, page_json
from api.approval_words import revised_words, words
from api.contract import PAGE, body_of, link_refusals, read_json_or_form
from api.deps import SessionDep, SettingsDep, limit_client_links, release
from api.engine import TemporalDep, quote_state
from api.schemas import ApproveIn, RejectIn
from models.errors import Conflict, DomainError, Gone, NotFound
from models.links import ApprovalLink, read_approval_link
from models.money import amount_text
from models.quote_payloads import DecisionInput, QuoteState
from store.tables import Member, Offer, utcnow

# Every /a route counts against the caller's address, in the client links' own budget.
router = APIRouter(prefix="/a", tags=["supplier"], dependencies=[Depends(limit_client_links)])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
# A view's amount ("1234.50") in the spelling of every page, email and PDF ("1 234.50").
templates.env.filters["money_text"] = lambda text: amount_text(Decimal(text) * 100)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _person(session: Session, member_id: int) -> Person:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("member")
    return Person(member.name, member.company, member.email)


async def _open(
    token: str, session: Session, client: TemporalDep, secret: str | None
) -> tuple[ApprovalLink, QuoteState, ApprovalPage]:
    assert secret is not None
    link = read_approval_link(secret, token, utcnow())
    state = await quote_state(client, link.number)
    services = {ln.founder_component.offer_id for ln in state.lines if ln.founder_component}
    rates: dict[int, Decimal] = {}
    if services and link.supplier_id == state.founder_id:  # her services' rates, for her page
        query = select(Offer.id, Offer.tax_rate).where(Offer.id.in_(services))
        rates = {offer_id: rate for offer_id, rate in session.execute(query)}
    page = approval_page(
        state, link, _person(session, state.seller_id), _person(session, link.supplier_id), rates
    )
    release(session)
    return link, state, page


def _show(
    request: Request, status_code: int, page: ApprovalPage | None, message: str | None, **more: Any
) -> Response:
    if not _wants_html(request):
        if status_code >= 400:
            return JSONResponse({"detail": message}, status_code=status_code)
        assert page is not None
        return JSONResponse({**page_json(page), "message": message})
    context = {"status_code": status_code, "page": page, "message": message, **more}
    return templates.TemplateResponse(request, "approval.html", context, status_code=status_code)


def _refusal(request: Request, error: DomainError) -> Response:
    return _show(request, error.status_code, None, error.message, refused=True)


# Your page (200), or a link refused: altered (400), revised or closed (409), expired (410).
_PAGE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Your lines, your part, the deadline and your decision.",
        "content": {"application/json": {"schema": {"type": "object"}}, **PAGE},
    },
    **link_refusals(400, 409, 410),
}
_DECIDED: dict[int | str, dict[str, Any]] = {
    **_PAGE_ANSWER,
    303: {
        "description": "From the page's form: back to the page, which shows the decision.",
        "headers": {"Location": {"schema": {"type": "string"}}},
    },
    **link_refusals(413, 422),
}


@router.get("/{token}", response_model=None, responses=_PAGE_ANSWER)
async def open_request(
    token: str, request: Request, session: SessionDep, client: TemporalDep, settings: SettingsDep
) -> Response:
    """Your lines of the quote, to approve or reject: HTML (JSON with Accept: application/json)."""
    try:
        link, state, page = await _open(token, session, client, settings.SECRET_KEY)
    except DomainError as error:
        return _refusal(request, error)
    if link.revision != state.revision:
        return _show(request, 409, page, revised_words(link, state), revised=True)
    if page.can_decide:
        return _show(request, 200, page, None, token=token)
    return _show(request, 200, page, words(page))


async def _decide(
    token: str, request: Request, session: Session, client: TemporalDep, secret: str | None
) -> Response:
    approve = request.url.path.endswith("/approve")
    try:
        link, state, page = await _open(token, session, client, secret)
        body: ApproveIn | RejectIn = await read_json_or_form(
            request, ApproveIn if approve else RejectIn, empty_is_json=True
        )
    except DomainError as error:
        return _refusal(request, error)
    if link.revision != state.revision:
        return _show(request, 409, page, revised_words(link, state), revised=True)
    verb = "approve" if approve else "reject"
    decision = DecisionInput(link.supplier_id, link.revision, verb, body.comment)
    try:
        await engine.decide(client, link.number, decision)
    except (Conflict, Gone) as error:
        # Decided already, or decisions closed: the page says which, in plain words.
        _, _, page = await _open(token, session, client, secret)
        return _show(request, error.status_code, page, words(page))
    except DomainError as error:
        return _refusal(request, error)
    if _wants_html(request):
        return RedirectResponse(f"/a/{token}", status_code=303)
    _, _, page = await _open(token, session, client, secret)
    return _show(request, 200, page, words(page))


@router.post(
    "/{token}/approve",
    response_model=None,
    responses=_DECIDED,
    openapi_extra=body_of(ApproveIn, "An optional comment; the page posts it as a form."),
)
async def approve(
    token: str, request: Request, session: SessionDep, client: TemporalDep, settings: SettingsDep
) -> Response:
    """Approve your lines of this revision: `{comment?}`."""
    return await _decide(token, request, session, client, settings.SECRET_KEY)


@router.post(
    "/{token}/reject",
    response_model=None,
    responses=_DECIDED,
    openapi_extra=body_of(RejectIn, "What must change; the page posts it as a form."),
)
async def reject(
    token: str, request: Request, session: SessionDep, client: TemporalDep, settings: SettingsDep
) -> Response:
    """Reject your lines of this revision: `{comment}` says what must change."""
    return await _decide(token, request, session, client, settings.SECRET_KEY)
