"""Renders a member's statement (R24): both parties' identities, then per kind of money a table
from the opening balance through the period's movements to the closing balance, and a summary.

A pure function over `models.documents.StatementPdf`: no database.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph

from documents.layout import (
    BOLD,
    ITALIC,
    MUTED,
    STYLES,
    WIDTH,
    TableCommand,
    cell,
    day,
    gap,
    grid,
    header,
    identities,
    money,
    para,
    render,
    section,
)
from models.documents import StatementPdf
from models.payouts import Balance
from models.statements import SECTION_MEANINGS, SECTION_TITLES, StatementSection

# The money columns hold "-1 234 567 890.12", the reference "CN-2026-00001"; the description
# takes what is left.
_WIDTHS = [62.0, 0.0, 82.0, 88.0, 88.0]
_WIDTHS[1] = WIDTH - sum(_WIDTHS)
_SUMMARY_WIDTHS = [WIDTH - 110, 110.0]
_HEAD = ["Date", "Description", "Reference", "Amount", "Balance"]
_NOTHING = "Nothing in this period"
_SIGNS = (
    "In each table a positive amount raises the balance the table counts and a negative one "
    "lowers it; every balance is the running total from the opening balance."
)


def render_statement_pdf(pdf: StatementPdf) -> bytes:
    for kind in pdf.sections:
        _check(kind)
    period = f"{day(pdf.period_from)} to {day(pdf.period_to)}"
    facts = [("Issued", day(pdf.issued_on)), ("Cluster", pdf.cluster_name),
             ("Currency", pdf.currency)]  # fmt: skip
    story: list[Flowable] = [
        header("Statement", period, pdf.platform.legal_name, facts),
        gap(),
        identities(("From (platform)", pdf.platform), ("Statement for (member)", pdf.member)),
        gap(4),
        para(_SIGNS, "small"),
    ]
    for kind in pdf.sections:
        story += _section(pdf, kind)
    summary = [[SECTION_TITLES[k.kind], money(k.closing_cents)] for k in pdf.sections]
    story += section(
        f"Balances on {day(pdf.period_to)} (amounts in {pdf.currency})",
        grid(["Section", "Closing balance"], summary, _SUMMARY_WIDTHS, numeric_from=1),
    )
    if pdf.payouts is not None:
        story += _payouts(pdf.payouts, pdf)
    name = pdf.platform.legal_name
    footer = f"{name} · Statement {pdf.member.legal_name} {period}"
    return render(story, title=pdf.title, author=name, footer=footer, issued_on=pdf.issued_on)


def _payouts(found: Balance, pdf: StatementPdf) -> list[Flowable]:
    """Where the earnings stand on their way out: credited = paid out + available + pending +
    netted, with what clawbacks after payout still owe."""
    rows = [
        ["Credited (every share)", money(found.credited)],
        ["Pending (in the hold period after payment)", money(found.pending)],
        ["Available (paid by the next payout run)", money(found.available)],
        ["Paid out (or set aside by a run)", money(found.paid_out)],
        ["Netted (clawbacks absorbed)", money(found.netted)],
        ["Owed (clawbacks after payout, taken from the next credits)", money(found.owed)],
    ]
    return section(
        f"Payouts on {day(pdf.period_to)} (amounts in {pdf.currency})",
        grid(["", "Amount"], rows, _SUMMARY_WIDTHS, numeric_from=1),
    )


def _check(kind: StatementSection) -> None:
    balance = kind.opening_cents
    for row in kind.rows:
        balance += row.movement.amount_cents
        if row.balance_cents != balance:
            raise ValueError("a statement row's balance does not follow from the rows before it")
    if balance != kind.closing_cents:
        raise ValueError("statement entries do not lead from the opening to the closing balance")


def _section(pdf: StatementPdf, kind: StatementSection) -> list[Flowable]:
    """One kind's table; its title band and what its balance counts repeat on every page."""
    rows: list[list[Any]] = [
        [day(pdf.period_from), "Opening balance", "", "", money(kind.opening_cents)]
    ]
    for row in kind.rows:
        move = row.movement
        rows.append([day(move.at.date()), cell(move.description, _WIDTHS[1]),
                     cell(move.reference, _WIDTHS[2]), money(move.amount_cents),
                     money(row.balance_cents)])  # fmt: skip
    style: list[TableCommand] = [("NOSPLIT", (0, 0), (-1, 2))]  # never a title alone
    if not kind.rows:
        rows.append(["", _NOTHING, "", "", ""])
        style += [("FONT", (1, 3), (1, 3), ITALIC, 8.5), ("TEXTCOLOR", (1, 3), (1, 3), MUTED)]
    rows.append([day(pdf.period_to), "Closing balance", "", "", money(kind.closing_cents)])
    # Rows start below the title band and the header.
    style += [("FONT", (0, r), (-1, r), BOLD, 8.5) for r in (2, len(rows) + 1)]
    title = Paragraph(
        f"<b>{escape(SECTION_TITLES[kind.kind])}</b> (amounts in {escape(pdf.currency)})<br/>"
        f'<font size="7.5" color="#{MUTED.hexval()[2:]}">'
        f"{escape(SECTION_MEANINGS[kind.kind])}</font>",
        STYLES["cell"],
    )
    return [gap(6), grid(_HEAD, rows, _WIDTHS, numeric_from=3, extra=style, title=title)]
