"""Signed client links: a token read back is the link signed, anything else is refused (400)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import BadRequest, Gone
from models.links import QuoteLink, read_link, sign_link

SECRET = "test-secret-key"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
LINK = QuoteLink("Q-2026-00001", 2, NOW + timedelta(days=1))


def test_a_signed_token_reads_back_as_its_link() -> None:
    assert read_link(SECRET, sign_link(SECRET, LINK), NOW) == LINK


def test_an_expired_token_is_gone() -> None:
    with pytest.raises(Gone):
        read_link(SECRET, sign_link(SECRET, LINK), LINK.expires_at)


@pytest.mark.parametrize("token", ["0.\x80", "é.é", "eyJuIjoxfQ.ñ", ".", "", "no-dot"])
def test_a_malformed_token_is_refused_even_outside_ascii(token: str) -> None:
    with pytest.raises(BadRequest):
        read_link(SECRET, token, NOW)


@settings(max_examples=500, deadline=None, database=None)
@given(st.text())
def test_any_text_is_refused_as_a_token(token: str) -> None:
    with pytest.raises(BadRequest):
        read_link(SECRET, token, NOW)
