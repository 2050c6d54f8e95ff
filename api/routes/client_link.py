"""The client's side: the signed link's page, its PDF, accept and decline (R12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.client_views import ClientQuoteRead, client_quote_view
from api.contract import PAGE, body_of, link_refusals, pdf_answer
from api.deps import SettingsDep, TemporalDep, limit_client_links
from api.engine import call, quote_handle, quote_state
from api.schemas import AcceptIn, DeclineIn
from api.tax_views import tax_fields
from documents.render import DocumentStore
from models.errors import Conflict, DomainError, RuleViolation
from models.links import QuoteLink, read_link
from models.money import format_cents, format_percent
from models.quote_payloads import ClientAnswerInput, ClientViewInput, QuoteState
from store.tables import utcnow
from workflows.quote import QuoteWorkflow

# Every /q route counts against the caller's address before anything else runs.
router = APIRouter(prefix="/q", tags=["client"], dependencies=[Depends(limit_client_links)])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
templates.env.filters["money"] = format_cents
templates.env.filters["decimal"] = format_percent
templates.env.filters["taxes"] = lambda state: tax_fields(state.lines, state.total_cents)

STATUS_WORDS = {
    "accepted": "You accepted this quote. The order is being prepared.",
    "ordered": "You accepted this quote; the order is open.",
    "declined": "You declined this quote.",
    "expired": "This quote has expired.",
    "cancelled": "The seller withdrew this quote.",
}


def _wants_html(request: Request) -> bool:
    # Browsers ask for text/html when they navigate or post the page's forms; programs do not.
    return "text/html" in request.headers.get("accept", "")


def _page(request: Request, status_code: int, **context: Any) -> HTMLResponse:
    # The status lets the page tell a refused link from an answer that needs correcting (422).
    context = {"status_code": status_code, **context}
    return templates.TemplateResponse(request, "quote.html", context, status_code=status_code)


async def _current(client: TemporalDep, secret: str, token: str) -> tuple[QuoteLink, QuoteState]:
    link = read_link(secret, token, utcnow())
    state = await quote_state(client, link.number)
    return link, state


def _answerable(link: QuoteLink, state: QuoteState) -> None:
    if link.revision != state.revision:
        raise Conflict("this link is for an older revision of the quote; use the newest email")
    if state.status != "sent":
        raise Conflict(STATUS_WORDS.get(state.status, f"This quote is {state.status}."))


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
        return _page(request, error.status_code, error=error.message, state=None)
    return JSONResponse({"detail": error.message}, status_code=error.status_code)


@router.get("/{token}", response_model=None, responses={**_VIEW, **_LINK_REFUSALS})
async def open_quote(
    token: str, request: Request, client: TemporalDep, settings: SettingsDep
) -> Response:
    """The quote for its client: an HTML page (JSON with Accept: application/json)."""
    assert settings.SECRET_KEY is not None
    try:
        link, state = await _current(client, settings.SECRET_KEY, token)
        _answerable(link, state)
    except DomainError as error:
        return _refusal(request, error)
    if state.viewed_at is None:
        await quote_handle(client, state.number).signal(
            QuoteWorkflow.client_viewed, ClientViewInput(link.revision)
        )
    if not _wants_html(request):
        return _client_json(state)
    return _page(request, 200, state=state, token=token, error=None)


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


async def _payload(request: Request, model: type[AcceptIn] | type[DeclineIn]) -> Any:
    """JSON from programs, a form from the page; both validated by the same schema."""
    if "form" in request.headers.get("content-type", ""):
        form = await request.form()
        data: Any = {k: v for k, v in form.items() if v != ""}
    else:
        try:
            data = await request.json()
        except ValueError:
            raise RuleViolation("the body must be JSON", field="body") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise RuleViolation(first["msg"].removeprefix("Value error, "), field=where) from None


async def _answer(
    token: str, request: Request, client: TemporalDep, settings: SettingsDep, accept: bool
) -> Response:
    assert settings.SECRET_KEY is not None
    try:
        link, state = await _current(client, settings.SECRET_KEY, token)
        _answerable(link, state)
        if accept:
            body = await _payload(request, AcceptIn)
            message = ClientAnswerInput(link.revision, True, body.signer_name, body.po_reference)
        else:
            body = await _payload(request, DeclineIn)
            message = ClientAnswerInput(link.revision, False, reason=body.reason)
        handle = quote_handle(client, link.number)
        state = await call(handle.execute_update(QuoteWorkflow.answer, message))
    except DomainError as error:
        return _refusal(request, error)
    if _wants_html(request):
        return RedirectResponse(f"/q/{token}/done", status_code=303)
    return _client_json(state)


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
    """The page shown after an answer."""
    assert settings.SECRET_KEY is not None
    try:
        _, state = await _current(client, settings.SECRET_KEY, token)
    except DomainError as error:
        return _refusal(request, error)
    message = STATUS_WORDS.get(state.status, f"This quote is {state.status}.")
    return _page(request, 200, state=None, done=message, error=None)
