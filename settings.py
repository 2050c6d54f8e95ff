"""Typed settings read from the environment; the defaults run with no environment at all."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.company_ids import country_problem, siren_problem, siret_problem
from models.documents import EARLY_PAYMENT, LATE_PAYMENT, PartyView
from models.money import parse_percent

ROOT = Path(__file__).resolve().parent
# Where the local state lives (databases, Temporal history, outbox, documents, generated keys).
VAR_DIR = Path(os.environ.get("VAR_DIR") or ROOT / "var")

# Custom search attributes the quote, invoice and payout run workflows carry (SPEC §6).
SEARCH_ATTRIBUTES: dict[str, str] = {
    "QuoteNumber": "Keyword",
    "QuoteStatus": "Keyword",
    "ClusterId": "Keyword",
    "SellerId": "Keyword",
    "ClientCompany": "Keyword",
    "QuoteTotal": "Double",
    "SupplierIds": "KeywordList",
    "PendingSupplierIds": "KeywordList",
    "InvoiceNumber": "Keyword",
    "InvoiceStatus": "Keyword",
    "InvoiceOverdue": "Bool",
    "PayoutPeriod": "Keyword",
    "PayoutStatus": "Keyword",
}


class Settings(BaseSettings):
    """Every knob of the product, named as the environment names it."""

    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", case_sensitive=True, env_ignore_empty=True
    )

    DATABASE_URL: str = Field(
        default=f"sqlite:///{VAR_DIR / 'arkanna.db'}",
        description="SQLAlchemy URL of the app database (postgresql+psycopg2://… in production).",
    )
    TEMPORAL_ADDRESS: str = Field(default="localhost:7233", description="Temporal frontend.")
    TEMPORAL_NAMESPACE: str = Field(default="default", description="Temporal namespace.")
    TEMPORAL_TASK_QUEUE: str = Field(default="arkanna", description="Task queue of the worker.")
    SMTP_URL: str | None = Field(
        default=None,
        description="smtp://user:pass@host:port; when unset, mail goes to OUTBOX_DIR as .eml files.",
    )
    OUTBOX_DIR: Path = Field(default=VAR_DIR / "outbox", description="Folder of sent .eml files.")
    DOCUMENTS_DIR: Path = Field(
        default=VAR_DIR / "documents", description="Folder where rendered PDFs are stored."
    )
    EINVOICE_DROP_DIR: Path | None = Field(
        default=None,
        description="Folder the issued invoices and credit notes are transmitted to (their "
        "Factur-X PDF and XML), the embedded stand-in for an approved platform (PA); when "
        "unset, einvoice-drop beside DOCUMENTS_DIR (var/einvoice-drop).",
    )
    MAIL_FROM: str = Field(default="Arkanna <no-reply@arkanna.local>", description="Sender.")
    PUBLIC_BASE_URL: str = Field(
        default="http://localhost:8000", description="Base of the links emailed to clients."
    )
    SECRET_KEY: str | None = Field(
        default=None,
        description="Signs client links; when unset the run command generates one under var/.",
    )
    OPERATOR_KEY: str | None = Field(
        default=None,
        description="The operator's API key; when unset the run command generates one under var/.",
    )
    API_PORT: int = Field(default=8000, description="Port of the HTTP API.")
    TEMPORAL_UI_PORT: int = Field(default=8233, description="Port of the Temporal UI (dev server).")
    TEMPORAL_PORT: int = Field(
        default=7233, description="Port of the embedded Temporal dev server."
    )
    FORWARDED_ALLOW_IPS: str = Field(
        default="",
        description="Comma-separated addresses or networks (10.0.0.0/8) of the reverse proxies "
        "whose X-Forwarded-For and X-Forwarded-Proto are believed; empty: none, every caller is "
        "the address it connects from. The per-address limits count what this yields.",
    )
    KEEP_ALIVE_SECONDS: int = Field(
        default=5, ge=1, description="An idle keep-alive connection is closed after this long."
    )
    HEADER_TIMEOUT_SECONDS: float = Field(
        default=10,
        gt=0,
        description="A request's headers must arrive within this long of the connection "
        "opening or of its first byte; else the connection is cut (slow clients).",
    )
    BODY_TIMEOUT_SECONDS: float = Field(
        default=30,
        gt=0,
        description="A request's body must arrive within this long of its headers; else the "
        "connection is cut.",
    )
    MAX_CONNECTIONS: int = Field(
        default=500,
        ge=1,
        description="Connections one API process serves at once; a request on any further "
        "connection gets 503.",
    )
    MAX_HEADER_BYTES: int = Field(
        default=16_384,
        ge=1024,
        description="Most bytes of a request line and headers held while they are still "
        "incomplete; past it, 400 (a head arriving whole in one read is bounded by that read).",
    )
    MAX_BODY_BYTES: int = Field(
        default=1_000_000, ge=1, description="Largest accepted request body; larger ones get 413."
    )
    AUTH_FAILURES_PER_IP: int = Field(
        default=20,
        ge=1,
        description="Requests with a missing or wrong API key one client address may make per "
        "AUTH_FAILURE_WINDOW_SECONDS; past it, such requests get 429 instead of 401. A valid key "
        "is always let in, whatever others from that address tried.",
    )
    AUTH_FAILURE_WINDOW_SECONDS: int = Field(
        default=60,
        ge=1,
        description="Window of AUTH_FAILURES_PER_IP (seconds), from a key's first event.",
    )
    CLIENT_LINK_REQUESTS_PER_IP: int = Field(
        default=120,
        ge=1,
        description="Requests to client links (/q/…) one client address may make per "
        "CLIENT_LINK_WINDOW_SECONDS; past it, 429.",
    )
    CLIENT_LINK_WINDOW_SECONDS: int = Field(
        default=60,
        ge=1,
        description="Window of CLIENT_LINK_REQUESTS_PER_IP (seconds), from a key's first event.",
    )
    INVITATIONS_PER_MEMBER: int = Field(
        default=50,
        ge=1,
        description="Invitations one member may send per INVITATION_WINDOW_SECONDS; past it, 429.",
    )
    INVITATION_WINDOW_SECONDS: int = Field(
        default=3600,
        ge=1,
        description="Window of INVITATIONS_PER_MEMBER (seconds), from a key's first event.",
    )
    # The platform's legal identity (R20), printed on every document. The defaults say, on the
    # document itself, that they are placeholders to set.
    PLATFORM_LEGAL_NAME: str = Field(
        default="Arkanna (placeholder legal name — set PLATFORM_LEGAL_NAME)",
        description="The platform's legal name.",
    )
    PLATFORM_ADDRESS: str = Field(
        default="(placeholder address — set PLATFORM_ADDRESS)",
        description="The platform's registered address; line breaks are kept.",
    )
    PLATFORM_REGISTRATION: str = Field(
        default="(placeholder registration number — set PLATFORM_REGISTRATION)",
        description="The platform's company registration number.",
    )
    PLATFORM_VAT_ID: str = Field(
        default="(placeholder VAT id — set PLATFORM_VAT_ID)",
        description="The platform's VAT identification number.",
    )
    PLATFORM_IBAN: str = Field(
        default="(placeholder IBAN — set PLATFORM_IBAN)",
        description="Account the platform is paid on (commission invoices).",
    )
    PLATFORM_BIC: str = Field(
        default="(placeholder BIC — set PLATFORM_BIC)", description="BIC of PLATFORM_IBAN."
    )
    # Structured identity and invoicing terms (R25); unset identifiers stay empty and the
    # invoices' BR-FR check names them missing.
    PLATFORM_SIREN: str = Field(default="", description="The platform's SIREN (9 digits).")
    PLATFORM_SIRET: str = Field(default="", description="SIRET of the invoicing establishment.")
    PLATFORM_ADDRESS_LINE1: str = Field(default="", description="Postal address, first line.")
    PLATFORM_ADDRESS_LINE2: str = Field(default="", description="Postal address, second line.")
    PLATFORM_POSTCODE: str = Field(default="", description="Postal code.")
    PLATFORM_CITY: str = Field(default="", description="City.")
    PLATFORM_COUNTRY: str = Field(default="FR", description="ISO 3166 alpha-2 country code.")
    PLATFORM_LEGAL_FORM: str = Field(default="", description='Legal form, e.g. "SAS".')
    PLATFORM_SHARE_CAPITAL: str = Field(
        default="", description='Share capital as printed, e.g. "10 000 EUR".'
    )
    PLATFORM_VAT_ON_DEBITS: bool = Field(
        default=False,
        description="The platform opted to pay VAT on its services on debits (when invoiced) "
        "rather than on receipt of payment; its invoices then say so.",
    )
    PLATFORM_LATE_PAYMENT_TERMS: str = Field(
        default=LATE_PAYMENT, description="Late-payment penalties as invoices state them."
    )
    PLATFORM_EARLY_PAYMENT_TERMS: str = Field(
        default=EARLY_PAYMENT, description="Early-payment discount terms, or that there is none."
    )

    MAX_WAIT_SECONDS: float = Field(
        default=20,
        ge=0,
        description="Longest a read with wait_for holds its answer (GET /quotes/{number}, "
        "GET /commission-invoices/{number}), in seconds.",
    )
    PLATFORM_EMAIL: str = Field(
        default="accounts@arkanna.local",
        description="Where a supplier's reply to a commission invoice, reminder or receipt goes.",
    )
    PLATFORM_TAX_RATE: str = Field(
        default="20",
        description="The platform's tax rate in percent on its commission (R22), frozen on each "
        'commission invoice when it is issued; "0" allowed.',
    )

    @field_validator("PLATFORM_SIREN", "PLATFORM_SIRET", "PLATFORM_COUNTRY")
    @classmethod
    def _identifier(cls, value: str, info: ValidationInfo) -> str:
        name = str(info.field_name)
        rule = {"PLATFORM_SIREN": siren_problem, "PLATFORM_SIRET": siret_problem}
        problem = rule.get(name, country_problem)(value) if value else None
        if problem:
            raise ValueError(f"{name}: {problem}")
        return value

    @field_validator("PLATFORM_TAX_RATE")
    @classmethod
    def _percent(cls, value: str) -> str:
        return str(parse_percent(value, "PLATFORM_TAX_RATE"))


def drop_dir(settings: Settings) -> Path:
    """Where the file drop transmits documents: the setting, or beside the documents."""
    return settings.EINVOICE_DROP_DIR or settings.DOCUMENTS_DIR.parent / "einvoice-drop"


def platform_party(settings: Settings) -> PartyView:
    """The platform's legal identity as documents print it (R20)."""
    return PartyView(
        name=settings.PLATFORM_LEGAL_NAME,
        company=settings.PLATFORM_LEGAL_NAME,
        email=settings.MAIL_FROM,
        address=settings.PLATFORM_ADDRESS,
        registration_number=settings.PLATFORM_REGISTRATION,
        vat_id=settings.PLATFORM_VAT_ID,
    )


def _stored_secret(name: str) -> str:
    """Reads var/<name>, creating it with a fresh random value on first use."""
    path = VAR_DIR / name.lower()
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; unset secrets come from (or are created under) var/."""
    settings = Settings()
    if settings.SECRET_KEY is None:
        settings.SECRET_KEY = _stored_secret("SECRET_KEY")
    if settings.OPERATOR_KEY is None:
        settings.OPERATOR_KEY = _stored_secret("OPERATOR_KEY")
    return settings
