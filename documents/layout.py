"""The shared look of every PDF: number formats, styles, header, party boxes, tables, footer."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import TimeStamp
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tables import CellStyle

from documents.pdfa import Hybrid, make_archival
from models.documents import LegalIdentity, PartyView
from models.money import amount_text

# Streams are Flate-compressed only: ASCII85 on top would make them larger and slower to write.
rl_config.useA85 = 0

MARGIN = 15 * mm
FRAME_PADDING = 6  # platypus frames keep 6 pt inside the page margins
WIDTH = A4[0] - 2 * (MARGIN + FRAME_PADDING)
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#d5dbe3")
BAND = colors.HexColor("#eef2f7")
ACCENT = colors.HexColor("#1f3a5f")
CELL_PADDING = 4  # left and right, in lines tables
TableCommand = tuple[Any, ...]


def _register_fonts() -> tuple[str, str, str]:
    """DejaVu Sans when installed: it prints names like "Łódź" or "Ørsted", which the PDF
    standard fonts cannot; otherwise Helvetica (Latin-1 only)."""
    for folder in _FONT_DIRS:
        files = {f"Arkanna{face}": folder / f"DejaVuSans{face}.ttf" for face in _FACES}
        if all(path.is_file() for path in files.values()):
            for name, path in files.items():
                pdfmetrics.registerFont(TTFont(name, path))
            pdfmetrics.registerFontFamily(
                "Arkanna", normal="Arkanna", bold="Arkanna-Bold", italic="Arkanna-Oblique",
                boldItalic="Arkanna-BoldOblique",
            )  # fmt: skip
            return "Arkanna", "Arkanna-Bold", "Arkanna-Oblique"
    return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"


_FACES = ("", "-Bold", "-Oblique", "-BoldOblique")
_FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu (fonts-dejavu-core)
    Path("/usr/share/fonts/dejavu"),  # Fedora, Alpine
    Path("/usr/share/fonts/TTF"),  # Arch
]
FONT, BOLD, ITALIC = _register_fonts()
# A table sets its cells' font even when they hold paragraphs: without this it names the
# unembedded standard Helvetica, which an archival (PDF/A) document may not.
_CELL_FONT: TableCommand = ("FONT", (0, 0), (-1, -1), FONT)
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)


def _style(name: str, **overrides: Any) -> ParagraphStyle:
    return ParagraphStyle(name, _BODY, **overrides)


STYLES = {
    "body": _BODY,
    "cell": _style("cell", fontSize=8.5, leading=10.5),
    # A unit wraps between words only: "kilowatt-hours" never loses its end to the next line.
    "unit": _style("unit", fontSize=8.5, leading=10.5, splitLongWords=0),
    "sub": _style("sub", fontName=ITALIC, fontSize=7.5, leading=9.5, textColor=MUTED),
    "small": _style("small", fontSize=7.5, leading=10, textColor=MUTED),
    "heading": _style("heading", fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=8,
                      spaceAfter=4, textColor=ACCENT),
    "title": _style("title", fontName=BOLD, fontSize=20, leading=24, textColor=ACCENT),
    "brand": _style("brand", fontName=BOLD, fontSize=11, leading=14, alignment=TA_RIGHT),
    "facts": _style("facts", alignment=TA_RIGHT),
}  # fmt: skip


def money(cents: int | Decimal, currency: str = "") -> str:
    """1234550 -> "12 345.50": the one spelling of amounts (models.money.amount_text)."""
    return amount_text(cents, currency)


def number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def percent(rate: Decimal, *, blank_zero: bool = False) -> str:
    return "–" if blank_zero and rate == 0 else f"{number(rate)}%"


def day(value: date | None, missing: str = "–") -> str:
    return value.isoformat() if value else missing


class Text(Flowable):
    """Plain text in one or more styles, one after the other, each wrapped between words
    (inside a word only when the word is wider than the column and its style allows), its line
    breaks kept, and drawn line by line as a Paragraph of that style would draw it.

    Most of a document's text is plain: a Paragraph parses markup for each, which made up
    about a third of an invoice's rendering; this one measures words and draws strings. It
    splits between lines over pages.

    `below` is a last piece wrapped at its own width, wider than the cell: a table row's
    footnote that runs on under the row's other cells, which must be empty at that height."""

    def __init__(
        self,
        *pieces: tuple[str, ParagraphStyle],
        below: tuple[str, ParagraphStyle, float] | None = None,
    ) -> None:
        super().__init__()
        self.pieces = pieces
        self.below = below
        first = pieces[0][1]
        self.spaceBefore, self.spaceAfter = first.spaceBefore, first.spaceAfter
        self._lines: list[tuple[str, ParagraphStyle]] = []
        self._wrapped_at: float | None = None
        self._kept = False  # a part of a split keeps the lines it was cut from

    @classmethod
    def _part(cls, lines: list[tuple[str, ParagraphStyle]], first: ParagraphStyle) -> Text:
        """A part of a split text: its lines as they were wrapped, kept at any width."""
        part = cls(("", first))
        part._lines, part._kept = lines, True
        return part

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped_at != availWidth and not self._kept:
            self._lines = [
                (line, style)
                for text, style in self.pieces
                for raw in text.split("\n")
                for line in _wrapped(raw, style, availWidth)
            ]
            if self.below is not None:
                text, style, width = self.below
                self._lines += [(line, style) for line in _wrapped(text, style, width)]
            self._wrapped_at = availWidth
        self.width = availWidth
        self.height = sum(style.leading for _, style in self._lines)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        used, cut = 0.0, 0
        for _, style in self._lines:
            if used + style.leading > availHeight:
                break
            used, cut = used + style.leading, cut + 1
        if cut == 0 or cut == len(self._lines):
            return [] if cut == 0 else [self]
        first = self.pieces[0][1]
        head, rest = self._part(self._lines[:cut], first), self._part(self._lines[cut:], first)
        head.spaceAfter, rest.spaceBefore = 0, 0
        return [head, rest]

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        for line, style in self._lines:
            canvas.setFont(style.fontName, style.fontSize)
            canvas.setFillColor(style.textColor)
            baseline = top - style.fontSize
            if style.alignment == TA_RIGHT:
                canvas.drawRightString(self.width, baseline, line)
            else:
                canvas.drawString(0, baseline, line)
            top -= style.leading


def _wrapped(text: str, style: ParagraphStyle, width: float) -> list[str]:
    """Greedy wrapping between words, as a Paragraph wraps plain text; a word wider than the
    line is cut where it must be when the style splits long words."""
    font, size = style.fontName, style.fontSize
    measure = pdfmetrics.stringWidth
    space = measure(" ", font, size)
    lines: list[str] = []
    words: list[str] = []
    used = 0.0
    # Words are split at spaces only: a no-break space (an identifier's) holds its parts.
    for word in filter(None, re.split(r"[ \t\r\f\v]+", text)):
        wide = measure(word, font, size)
        if words and used + space + wide <= width:
            words.append(word)
            used += space + wide
            continue
        if words:
            lines.append(" ".join(words))
        if wide > width and style.splitLongWords:
            *pieces, word = _cut(word, font, size, width)
            lines.extend(pieces)
            wide = measure(word, font, size)
        words, used = [word], wide
    if words or not lines:
        lines.append(" ".join(words))
    return lines


def _cut(word: str, font: str, size: float, width: float) -> list[str]:
    pieces, start = [], 0
    for end in range(1, len(word) + 1):
        if end - start > 1 and pdfmetrics.stringWidth(word[start:end], font, size) > width:
            pieces.append(word[start : end - 1])
            start = end - 1
    pieces.append(word[start:])
    return pieces


def para(text: str, style: str = "cell") -> Text:
    """User text, drawn as written: its line breaks kept, wrapped to its column."""
    return Text((text, STYLES[style]))


def cell(text: str, width: float, style: str = "cell") -> str | Text:
    """Plain text when it fits the column (cheap to lay out), else wrapping text.

    Plain text takes the table's font: give the cell the style's font with `cell_font`.
    """
    font = STYLES[style]
    fits = pdfmetrics.stringWidth(text, font.fontName, font.fontSize) <= width - 2 * CELL_PADDING
    return text if fits and "\n" not in text else para(text, style)


def widened(
    widths: Sequence[float], column: int, texts: Sequence[str], *, into: int, cap: float = 90
) -> list[float]:
    """The widths with `column` as wide as its widest text in the "unit" style (up to `cap`),
    the room taken from column `into`: a unit such as "assessment" never runs into the next
    column, and every table of the document keeps the same columns."""
    font = STYLES["unit"]
    widest = max(
        (pdfmetrics.stringWidth(t, font.fontName, font.fontSize) for t in texts), default=0
    )
    extra = max(0.0, min(widest + 2 * CELL_PADDING, cap) - widths[column])
    fitted = list(widths)
    fitted[column] += extra
    fitted[into] -= extra
    return fitted


def cell_font(column: int, row: int, style: str) -> list[TableCommand]:
    font = STYLES[style]
    return [
        ("FONT", (column, row), (column, row), font.fontName, font.fontSize),
        ("TEXTCOLOR", (column, row), (column, row), font.textColor),
    ]


def bold_lead(lead: str, rest: str = "", style: str = "cell") -> Paragraph:
    return Paragraph(f"<b>{escape(lead)}</b>{escape(rest)}", STYLES[style])


def header(kind: str, number_text: str, brand: str, facts: Sequence[tuple[str, str]]) -> Table:
    fact_rows = "<br/>".join(f"{escape(k)}: <b>{escape(v)}</b>" for k, v in facts)
    left = [Paragraph(escape(kind), STYLES["title"]), para(number_text, "heading")]
    right = [para(brand, "brand"), Paragraph(fact_rows, STYLES["facts"])]
    table = Table([[left, right]], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    no_padding = [(f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT", "TOP")]
    table.setStyle(TableStyle([_CELL_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"), *no_padding]))
    return table


# Longer than this, a value is words (a placeholder's explanation), not an identifier.
_IDENTIFIER_CHARS = 32


def unbroken(value: str) -> str:
    """A registration number or VAT id is read as one: a narrow box wraps before it, never
    inside it (no-break spaces). Longer text keeps its spaces, so it wraps between words rather
    than inside one."""
    return value.replace(" ", "\u00a0") if len(value) <= _IDENTIFIER_CHARS else value


def identity(p: PartyView) -> list[Flowable]:
    """The legal identity lines of a party box; a missing one is said to be missing."""
    return [
        para(p.address or "Address not given"),
        para(f"Registration: {unbroken(p.registration_number or 'not given')}"),
        para(f"VAT id: {unbroken(p.vat_id or 'not given')}"),
    ]


def parties(*boxes: tuple[str, PartyView]) -> Table:
    cells = [
        [para(label.upper(), "small"), bold_lead(p.company, style="body"), *identity(p),
         para(p.name), para(p.email)]
        for label, p in boxes
    ]  # fmt: skip
    table = Table([cells], colWidths=[WIDTH / len(boxes)] * len(boxes))
    table.setStyle(TableStyle([
        _CELL_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))  # fmt: skip
    return table


def identities(*boxes: tuple[str, LegalIdentity]) -> Table:
    """Side-by-side legal identities: name, address, registration and VAT id when known."""
    cells = [[para(label.upper(), "small"), *_identity_lines(who)] for label, who in boxes]
    table = Table([cells], colWidths=[WIDTH / len(boxes)] * len(boxes))
    table.setStyle(TableStyle([
        _CELL_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))  # fmt: skip
    return table


def _identity_lines(who: LegalIdentity) -> list[Flowable]:
    lines = [bold_lead(who.legal_name, style="body"), para(who.address or "Address not given")]
    for label, value in (("Registration", who.registration), ("VAT id", who.vat_id)):
        lines.append(para(f"{label}: {unbroken(value or 'not given')}"))
    for label, value in (("SIREN", who.siren), ("SIRET", who.siret)):
        if value:
            lines.append(para(f"{label}: {value}"))
    if who.email:
        lines.append(para(who.email))
    return lines


class _GridCell(CellStyle):
    """A lines table's cell as it starts: set once on the class instead of by a style command
    applied to every cell of every table (and again to each part of a table split over pages)."""

    fontname = FONT
    fontsize = 8.5
    leading = 8.5 * 1.2  # what a FONT command without a leading sets
    color = INK
    valign = "TOP"
    topPadding = bottomPadding = 3
    leftPadding = rightPadding = CELL_PADDING


def grid(
    head: Sequence[str],
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    numeric_from: int,
    extra: Sequence[TableCommand] = (),
    title: Flowable | None = None,
) -> Table:
    """A lines table, numbers right-aligned; its title band and dark header repeat on each page.

    With a title, the header is row 1 and `rows` start at row 2 (for `extra` commands).
    """
    top = [[title, *[""] * (len(head) - 1)], list(head)] if title else [list(head)]
    h = len(top) - 1  # index of the header row
    style: list[TableCommand] = [
        ("FONT", (0, h), (-1, h), BOLD, 8),
        ("TEXTCOLOR", (0, h), (-1, h), colors.white),
        ("BACKGROUND", (0, h), (-1, h), ACCENT),
        ("ALIGN", (numeric_from, h), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, h + 1), (-1, -1), 0.25, RULE),
    ]
    if title:
        style += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), BAND)]
    data = [*top, *rows]
    cells = [[_GridCell("") for _ in head] for _ in data]
    table = Table(
        data, colWidths=list(widths), repeatRows=len(top), style=[*style, *extra],
        cellStyles=cells,
    )  # fmt: skip
    table.spaceAfter = 6
    return table


def totals(rows: Sequence[tuple[str, str]]) -> Table:
    """Right-hand totals; the last row is the figure that counts."""
    table = Table([list(r) for r in rows], colWidths=[WIDTH * 0.3, WIDTH * 0.22], hAlign="RIGHT")
    table.spaceBefore = 6
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("FONT", (0, -1), (-1, -1), BOLD, 10.5),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("LINEABOVE", (0, -1), (-1, -1), 1, ACCENT),
        ("TOPPADDING", (0, -1), (-1, -1), 5),
    ]))  # fmt: skip
    return table


def section(title: str, *body: Flowable) -> list[Flowable]:
    """A heading kept on the page of the body that follows it (when it has one)."""
    return [KeepTogether([para(title, "heading"), *body])] if body else [para(title, "heading")]


def gap(points: float = 8) -> Spacer:
    return Spacer(1, points)


def render(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    footer: str,
    issued_on: date | None = None,
    subject: str | None = None,
    keywords: str = "",
    hybrid: Hybrid | None = None,
) -> bytes:
    """Builds the PDF/A-3b in memory, in one pass (documents/pdfa.py; `hybrid`: the XML it
    carries); invariant output: same data, same bytes. The metadata's creation date is the
    issue date (not the render time), so a stored copy says when it was issued."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=author, subject=subject or title,
        keywords=keywords, lang="en-GB", enforceColorSpace="rgb",
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
        invariant=1,
        # Pages start in the document's embedded font: no unembedded standard font is named.
        initialFontName=FONT,
    )  # fmt: skip
    canvas = partial(_NumberedCanvas, footer=footer, issued_on=issued_on, hybrid=hybrid)
    doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()


def _issue_stamp(issued_on: date) -> TimeStamp:
    """The metadata's creation date: the issue day at midnight UTC, not the render time (and
    not the fixed date invariant output would stamp), so the same document gives the same
    bytes and says when it was issued."""
    stamp = TimeStamp(invariant=1)
    stamp.t = calendar.timegm(issued_on.timetuple())
    stamp.lt = time.gmtime(stamp.t)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


def fit(text: str, width: float, font: str, size: float) -> str:
    """The text, cut with an ellipsis where it would run past `width` (a one-line footer)."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _NumberedCanvas(Canvas):
    """Holds every page until the end so the footer can say "page x of y"."""

    def __init__(
        self, *args: Any, footer: str, issued_on: date | None, hybrid: Hybrid | None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        if issued_on is not None:
            self._doc._timeStamp = _issue_stamp(issued_on)
        self._footer = footer
        self._hybrid = hybrid
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for index, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            left, right = MARGIN + FRAME_PADDING, A4[0] - MARGIN - FRAME_PADDING
            self.line(left, MARGIN, right, MARGIN)
            page = f"page {index} of {total}"
            room = right - left - pdfmetrics.stringWidth(page, FONT, 7.5) - 12
            self.drawString(left, MARGIN - 10, fit(self._footer, room, FONT, 7.5))
            self.drawRightString(right, MARGIN - 10, page)
            super().showPage()
        make_archival(self._doc, self._hybrid)
        super().save()
