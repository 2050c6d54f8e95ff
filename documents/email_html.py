"""The HTML part of an email: the text template's paragraphs, every value escaped, so a
hostile name or comment reads as text in every mail client. A paragraph that is only a link
becomes one button naming its action, with the address below it for clients that block
buttons; the page fits a phone (a viewport, no fixed width)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from string import Formatter

from documents.emails import template_of

# The action each link's button names.
BUTTONS = {"link": "Open the quote", "approval_link": "Open your approval page"}
LINK_KEYS = frozenset(BUTTONS)
_PARAGRAPH = '<p dir="auto" style="margin:0 0 1em;white-space:pre-wrap;overflow-wrap:anywhere">'
_BUTTON = (
    "display:inline-block;padding:12px 22px;min-height:24px;background:#1d4ed8;color:#ffffff;"
    "border-radius:6px;text-decoration:none;font-weight:bold"
)
_FALLBACK = "margin:0 0 1.5em;font-size:13px;color:#4b5563;overflow-wrap:anywhere"


def _is_link(key: str, value: str) -> bool:
    return key in LINK_KEYS and value.startswith(("https://", "http://"))


def _button(key: str, value: str) -> str:
    shown = html.escape(value)
    return (
        f'<p style="margin:0 0 0.5em"><a href="{shown}" style="{_BUTTON}">{BUTTONS[key]}</a></p>'
        f'<p style="{_FALLBACK}">If the button does not open, copy this address into your '
        f"browser: {shown}</p>"
    )


def _paragraph(text: str, context: Mapping[str, str]) -> str:
    """One paragraph of the template as HTML: a lone link is a button, the rest escaped."""
    pieces = list(Formatter().parse(text))
    if len(pieces) == 1 and not pieces[0][0].strip() and pieces[0][1]:
        only = pieces[0][1]
        if _is_link(only, _value(only, context)):
            return _button(only, context[only])
    parts = []
    for literal, field, _, _ in pieces:
        parts.append(html.escape(literal, quote=False))
        if field:
            parts.append(html.escape(_value(field, context)))
    shown = "".join(parts)
    return f"{_PARAGRAPH}{shown}</p>" if shown.strip() else ""


def _value(key: str, context: Mapping[str, str]) -> str:
    if key not in context:
        raise KeyError(key)
    return context[key]


def render_html(kind: str, context: Mapping[str, str]) -> str:
    """The same email as HTML: every value escaped, each link a button, each paragraph kept."""
    template = template_of(kind)
    try:
        body = "".join(_paragraph(p, context) for p in template.body.split("\n\n"))
    except KeyError as missing:
        raise KeyError(f"email kind {kind!r} needs the context key {missing.args[0]!r}") from None
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(' '.join(template.subject.format_map(context).split()))}</title>"
        "</head>"
        '<body style="margin:0;padding:16px;font:15px/1.5 sans-serif;color:#1d2433">'
        f'<div style="max-width:640px;margin:0 auto">{body}</div></body></html>'
    )
