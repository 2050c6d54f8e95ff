"""The client's side: the signed link's page, its PDF, accept and decline (R12)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from api import engine
from api.client_page import CLOSED, Closing, closing_page, page
from api.client_views import ClientQuoteRead, client_quote_view
from api.contract import PAGE, body_of, link_refusals, pdf_answer, read_json_or_form
from api.deps import SettingsDep, limit_client_links
from api.engine import TemporalDep, quote_state, wait_quote
from api.schemas import AcceptIn, DeclineIn
from documents.render import DocumentStore
from models.approvals import check_client_answer, client_status_words
from models.domain import QuoteStatus
from models.errors import Conflict, DomainError, Gone
from models.links import QuoteLink, read_link
from models.quote_payloads import ClientAnswerInput, QuoteState
from store.tables import utcnow

# How long the page after an acceptance waits for the order to open.
ORDER_WAIT_SECONDS = 10.0
# Every /q route counts against the caller's address before anything else runs.
router = APIRouter(prefix="/q", tags=["client"], dependencies=[Depends(limit_client_links)])


def _wants_html(request: Request) -> bool:
    # Browsers ask for text/html when they navigate or post the page's forms; programs do not.
    return "text/html" in request.headers.get("accept", "")


async def _current(client: TemporalDep, secret: str, token: str) -> tuple[QuoteLink, QuoteState]:
    link = read_link(secret, token, utcnow())
    state = await quote_state(client, link.number)
    return link, state


def _closed(link: QuoteLink, state: QuoteState) -> bool:
    """The current revision's link of an answered or closed quote: a page that says so."""
    return link.revision == state.revision and state.status in CLOSED


def _client_json(state: QuoteState) -> JSONResponse:
    return JSONResponse(client_quote_view(state).model_dump(mode="json"))


# A link is refused when altered (400), expired (410), or no longer answerable (409).
_LINK_REFUSALS = link_refusals(400, 409, 410)
_VIEW: dict[int | str, dict[str, Any]] = {
    200: {"model": ClientQuoteRead, "content": PAGE, "description": "The quote."}
}
_ANSWERED: dict[int | str, dict[str, Any]] = {
    **_VIEW,
    303: {
        "description": "From the page's form: on to the page that confirms the answer.",
        "headers": {"Location": {"schema": {"type": "string"}}},
    },
    **link_refusals(413, 422),
}


def _refusal(request: Request, error: DomainError) -> Response:
    if _wants_html(request):
        return page(request, error.status_code, error=error.message, state=None)
    return JSONResponse({"detail": error.message}, status_code=error.status_code)


@router.get("/{token}", response_model=None, responses={**_VIEW, **_LINK_REFUSALS})
async def open_quote(
    token: str, request: Request, client: TemporalDep, settings: SettingsDep
) -> Response:
    """The quote for its client: an HTML page (JSON with Accept: application/json)."""
    assert settings.SECRET_KEY is not None
    try:
        link, state = await _current(client, settings.SECRET_KEY, token)
        if _wants_html(request) and _closed(link, state):
            return closing_page(request, state, token)
        check_client_answer(state, link.revision)  # the page offers the answer, or says why not
    except DomainError as error:
        return _refusal(request, error)
    if state.viewed_at is None:
        await engine.client_viewed(client, state.number, link.revision)
    if not _wants_html(request):
        return _client_json(state)
    return page(request, 200, state=state, token=token, error=None)


@router.get(
    "/{token}/pdf",
    response_class=Response,
    responses={**pdf_answer("The quote as PDF."), **_LINK_REFUSALS},
)
async def client_quote_pdf(token: str, client: TemporalDep, settings: SettingsDep) -> FileResponse:
    """The quote as PDF."""
    assert settings.SECRET_KEY is not None
    link, state = await _current(client, settings.SECRET_KEY, token)
    if link.revision != state.revision or state.document_key is None:
        raise Conflict("this link is for an older revision of the quote; use the newest email")
    path = DocumentStore(settings.DOCUMENTS_DIR).path(state.document_key)
    return FileResponse(path, media_type="application/pdf", filename=f"{state.number}.pdf")


async def _answer(
    token: str, request: Request, client: TemporalDep, settings: SettingsDep, accept: bool
) -> Response:
    assert settings.SECRET_KEY is not None
    try:
        # Whether the quote can still be answered is the workflow's rule (its validator).
        link = read_link(settings.SECRET_KEY, token, utcnow())
        if accept:
            signed = await read_json_or_form(request, AcceptIn)
            message = ClientAnswerInput(
                link.revision, True, signed.signer_name, signed.po_reference
            )
        else:
            declined = await read_json_or_form(request, DeclineIn)
            message = ClientAnswerInput(link.revision, False, reason=declined.reason)
        state = await _send(client, link, message)
    except DomainError as error:
        return await _answered_or_refused(request, client, settings.SECRET_KEY, token, error)
    if _wants_html(request):
        return RedirectResponse(f"/q/{token}/done", status_code=303)
    return _client_json(state)


async def _answered_or_refused(
    request: Request, client: TemporalDep, secret: str, token: str, error: DomainError
) -> Response:
    """A second submit of the page's form (a stale tab, a double tap) of a quote answered
    meanwhile: the same page as the reopened link, not a refusal."""
    if _wants_html(request):
        try:
            link, state = await _current(client, secret, token)
        except DomainError:
            return _refusal(request, error)
        if _closed(link, state):
            return closing_page(request, state, token)
    return _refusal(request, error)


async def _send(client: TemporalDep, link: QuoteLink, message: ClientAnswerInput) -> QuoteState:
    try:
        return await engine.answer(client, link.number, message)
    except Gone:
        # An ended quote's workflow takes no messages; its last state says why, in the words
        # of the same rule.
        check_client_answer(await quote_state(client, link.number), link.revision)
        raise


@router.post(
    "/{token}/accept",
    response_model=None,
    responses={**_ANSWERED, **_LINK_REFUSALS},
    openapi_extra=body_of(AcceptIn, "The signature; the page posts the same fields as a form."),
)
async def accept(
    token: str, request: Request, client: TemporalDep, settings: SettingsDep
) -> Response:
    """Accept the quote: {signer_name, po_reference?}; the typed name is the signature."""
    return await _answer(token, request, client, settings, accept=True)


@router.post(
    "/{token}/decline",
    response_model=None,
    responses={**_ANSWERED, **_LINK_REFUSALS},
    openapi_extra=body_of(DeclineIn, "The reason; the page posts the same fields as a form."),
)
async def decline(
    token: str, request: Request, client: TemporalDep, settings: SettingsDep
) -> Response:
    """Decline the quote: {reason}."""
    return await _answer(token, request, client, settings, accept=False)


@router.get("/{token}/done", response_class=HTMLResponse, responses=link_refusals(400, 410))
async def answered(
    token: str, request: Request, client: TemporalDep, settings: SettingsDep
) -> Response:
    """The page shown after an answer: the thank-you, the order number once it is open."""
    assert settings.SECRET_KEY is not None
    try:
        link, state = await _current(client, settings.SECRET_KEY, token)
        # An acceptance opens the order within a moment: the page waits for it (one workflow
        # update that completes when the quote is ordered), so it shows the order number and
        # the signed copy without a reload.
        if state.status == QuoteStatus.ACCEPTED:
            state = await wait_quote(client, link.number, QuoteStatus.ORDERED, ORDER_WAIT_SECONDS)
    except DomainError as error:
        return _refusal(request, error)
    if _closed(link, state):
        return closing_page(request, state, token)
    message = client_status_words(state.status)
    return page(request, 200, state=state, closing=Closing("Thank you", message), token=token)


@router.get(
    "/{token}/signed.pdf",
    response_class=Response,
    responses={**pdf_answer("The signed copy: the quote with the acceptance."), **_LINK_REFUSALS},
)
async def signed_copy(token: str, client: TemporalDep, settings: SettingsDep) -> FileResponse:
    """The signed copy, once the order is open."""
    assert settings.SECRET_KEY is not None
    link, state = await _current(client, settings.SECRET_KEY, token)
    if link.revision != state.revision or state.signed_document_key is None:
        raise Conflict("there is no signed copy of this quote: it has not been accepted")
    path = DocumentStore(settings.DOCUMENTS_DIR).path(state.signed_document_key)
    return FileResponse(path, media_type="application/pdf", filename=f"{state.number}-signed.pdf")
