"""The HTML part of an email: the text template's paragraphs, every value escaped, so a
hostile name or comment reads as text in every mail client."""

from __future__ import annotations

import html
from collections.abc import Mapping
from string import Formatter

from documents.emails import template_of

LINK_KEYS = frozenset({"link", "approval_link"})
_PARAGRAPH = '<p dir="auto" style="margin:0 0 1em;white-space:pre-wrap;overflow-wrap:anywhere">'


def _html_value(key: str, value: str) -> str:
    shown = html.escape(value)
    if key in LINK_KEYS and value.startswith(("https://", "http://")):
        return f'<a href="{shown}">{shown}</a>'
    return shown


def render_html(kind: str, context: Mapping[str, str]) -> str:
    """The same email as HTML: every value escaped, links clickable, each paragraph kept."""
    template = template_of(kind)
    parts: list[str] = []
    for literal, key, _, _ in Formatter().parse(template.body):
        parts.append(html.escape(literal, quote=False))
        if key:
            if key not in context:
                raise KeyError(f"email kind {kind!r} needs the context key {key!r}")
            parts.append(_html_value(key, context[key]))
    paragraphs = [p for p in "".join(parts).split("\n\n") if p.strip()]
    body = "".join(f"{_PARAGRAPH}{p}</p>" for p in paragraphs)
    return (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="font:15px/1.5 sans-serif;color:#1d2433;max-width:640px">'
        f"{body}</body></html>"
    )
