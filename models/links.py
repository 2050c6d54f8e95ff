"""Signed, expiring links (standard library only): the client's, bound to one quote and one
revision, and each supplier's approval link, bound also to that supplier.

Each kind is signed under its own purpose, so a token of one kind never opens the other."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from models.errors import BadRequest, Gone


@dataclass(frozen=True, slots=True)
class QuoteLink:
    number: str
    revision: int
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class ApprovalLink:
    """One supplier's link to decide on one revision, valid until the approval deadline."""

    number: str
    revision: int
    supplier_id: int
    expires_at: datetime


_CLIENT, _APPROVAL = b"quote-link:", b"approval-link:"
_ALTERED = "this link is not valid: it may have been altered or mistyped"


def _mac(secret: str, body: str, purpose: bytes = _CLIENT) -> str:
    return _b64(hmac.new(secret.encode(), purpose + body.encode(), hashlib.sha256).digest())


def _sign(secret: str, payload: dict[str, object], purpose: bytes) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(secret, body, purpose)}"


def _payload(secret: str, token: str, purpose: bytes) -> dict[str, object]:
    body, _, mac = token.partition(".")
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
    expected = _mac(secret, body, purpose).encode()
    if not body or not mac or not hmac.compare_digest(mac.encode(), expected):
        raise BadRequest(_ALTERED)
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        raise BadRequest(_ALTERED) from None
    if not isinstance(payload, dict):
        raise BadRequest(_ALTERED)
    return payload


def _expiry(payload: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(payload["e"]), UTC)


def sign_link(secret: str, link: QuoteLink) -> str:
    """The same link always gives the same token, so the seller's view can show it again."""
    payload = {"n": link.number, "r": link.revision, "e": int(link.expires_at.timestamp())}
    return _sign(secret, payload, _CLIENT)


def read_link(secret: str, token: str, now: datetime) -> QuoteLink:
    """The link the token stands for; a tampered token is refused, an expired one is gone."""
    payload: dict[str, Any] = _payload(secret, token, _CLIENT)
    try:
        link = QuoteLink(str(payload["n"]), int(payload["r"]), _expiry(payload))
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        raise BadRequest(_ALTERED) from None
    if now >= link.expires_at:
        raise Gone(f"this link to quote {link.number} has expired")
    return link


def sign_approval_link(secret: str, link: ApprovalLink) -> str:
    """A reminder for the same supplier, revision and deadline carries the same token."""
    payload = {
        "n": link.number,
        "r": link.revision,
        "s": link.supplier_id,
        "e": int(link.expires_at.timestamp()),
    }
    return _sign(secret, payload, _APPROVAL)


def read_approval_link(secret: str, token: str, now: datetime) -> ApprovalLink:
    """The approval link the token stands for; tampered refused (400), past its deadline gone."""
    payload: dict[str, Any] = _payload(secret, token, _APPROVAL)
    try:
        link = ApprovalLink(
            str(payload["n"]), int(payload["r"]), int(payload["s"]), _expiry(payload)
        )
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        raise BadRequest(_ALTERED) from None
    if now >= link.expires_at:
        raise Gone(
            f"the approval deadline of quote {link.number} has passed: this link no longer works"
        )
    return link
