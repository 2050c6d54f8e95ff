"""What every email to a person must be, read as its reader gets it: a text and an HTML part
(viewport, one button per link), a Reply-To someone who can answer, no API call, a subject
without folded spaces, and every amount saying whether it is before or with tax and being one
of the deal's own figures as the API returns them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.message import EmailMessage
from fractions import Fraction
from typing import Any

from models.money import amount_text

# An amount stands as a word of its own: not the tail of a link's token ("…Q.59fsx").
AMOUNT = re.compile(r"(?<![\w.,/-])(\d{1,3}(?: \d{3})*\.\d{2})(?![\w])")
QUALIFIED = re.compile(r"^(?: [A-Z]{3})? (?:before|with) (?:tax|VAT)")
API_CALL = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE) (?:/|https?://)|API key")
HREF = re.compile(r'<a href="([^"]+)"[^>]*>([^<]*)</a>')


def text_part(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None, f"{mail['Subject']}: no text part"
    return str(part.get_content())


def html_part(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("html",))
    assert part is not None, f"{mail['Subject']}: no HTML part"
    return str(part.get_content())


def cents_of(text: str) -> int:
    value = Fraction(text.replace(" ", "")) * 100
    assert value.denominator == 1
    return int(value)


def figures(view: Any) -> set[int]:
    """Every amount a view of the API carries ("1234.50" strings, at any depth), in cents."""
    found: set[int] = set()
    if isinstance(view, dict):
        for value in view.values():
            found |= figures(value)
    elif isinstance(view, list):
        for value in view:
            found |= figures(value)
    elif isinstance(view, str) and re.fullmatch(r"-?\d+\.\d{2}", view):
        found.add(cents_of(view))
    return found


def assert_a_real_email(mail: EmailMessage, known: set[int]) -> None:
    """The class checks every email of the deal must pass."""
    subject = str(mail["Subject"])
    assert "  " not in subject and subject == subject.strip(), subject
    reply = mail["Reply-To"]
    assert reply is not None and reply.addresses, f"{subject}: no Reply-To"
    assert reply.addresses[0].addr_spec != mail["From"].addresses[0].addr_spec, subject
    text, html = text_part(mail), html_part(mail)
    assert 'name="viewport"' in html and "<!doctype html>" in html, subject
    for body in (text, html):
        assert not API_CALL.search(body), f"{subject}: an API call in {body}"
    for anchor, label in HREF.findall(html):
        # A link is a button naming its action; its address shows only as the fallback.
        assert label and not label.startswith("http"), f"{subject}: raw link {anchor}"
    for found in AMOUNT.finditer(text):
        said = text[found.end() : found.end() + 20]
        assert QUALIFIED.match(said), f"{subject}: {found.group(0)!r} before {said!r} in {text}"
        assert cents_of(found.group(1)) in known, f"{subject}: {found.group(1)} is no API figure"


def total_words(view: dict[str, Any], currency: str = "EUR") -> str:
    """How an email states a quote's total: with tax first, the net beside it."""
    with_tax = amount_text(cents_of(view["total_with_tax"]), currency)
    return f"{with_tax} with tax ({amount_text(cents_of(view['total']), currency)} before tax)"


def to(mails: Iterable[EmailMessage], address: str, word: str) -> list[EmailMessage]:
    """The emails to one address whose subject holds `word`."""
    return [
        m for m in mails if address in str(m["To"]) and word.lower() in str(m["Subject"]).lower()
    ]
