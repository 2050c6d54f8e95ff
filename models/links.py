"""Signed, expiring client links bound to one quote and one revision (standard library only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

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


def _mac(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), b"quote-link:" + body.encode(), hashlib.sha256).digest())


def sign_link(secret: str, link: QuoteLink) -> str:
    """The same link always gives the same token, so the seller's view can show it again."""
    payload = {"n": link.number, "r": link.revision, "e": int(link.expires_at.timestamp())}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(secret, body)}"


def read_link(secret: str, token: str, now: datetime) -> QuoteLink:
    """The link the token stands for; a tampered token is refused, an expired one is gone."""
    body, _, mac = token.partition(".")
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
    if not body or not mac or not hmac.compare_digest(mac.encode(), _mac(secret, body).encode()):
        raise BadRequest("this link is not valid: it may have been altered or mistyped")
    try:
        payload = json.loads(_unb64(body))
        link = QuoteLink(
            number=str(payload["n"]),
            revision=int(payload["r"]),
            expires_at=datetime.fromtimestamp(int(payload["e"]), UTC),
        )
    except (ValueError, KeyError, TypeError):
        raise BadRequest("this link is not valid: it may have been altered or mistyped") from None
    if now >= link.expires_at:
        raise Gone(f"this link to quote {link.number} has expired")
    return link
