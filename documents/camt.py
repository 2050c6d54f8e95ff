"""ISO 20022 bank statements in: camt.053.001.08 (statement) and camt.054.001.08 (notification).

Each document is checked against its official XSD (ISO 20022, shipped unmodified in
`documents/iso20022/`) before anything is read from it; a refusal names the line, the element
and the rule. Only booked entries are read (pending ones come again, booked, later).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache, partial
from pathlib import Path

from lxml import etree

from models.bank import Statement, StatementLine, fallback_reference, line_key
from models.errors import RuleViolation

XSD_DIR = Path(__file__).resolve().parent / "iso20022"
KINDS = {
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08": ("camt.053.001.08", "BkToCstmrStmt", "Stmt"),
    "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08": (
        "camt.054.001.08",
        "BkToCstmrDbtCdtNtfctn",
        "Ntfctn",
    ),
}
_NAMESPACE = re.compile(r"\{[^}]*\}")


@cache
def _schema(kind: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{kind}.xsd")))


def read_statement(data: bytes) -> list[Statement]:
    """The statements (or notifications) of one document, every booked line of each."""
    root = _parse(data)
    namespace = etree.QName(root).namespace or ""
    if namespace not in KINDS:
        raise RuleViolation(
            f"line {root.sourceline}: element Document in namespace {namespace or '(none)'} is "
            "not an ISO 20022 camt.053.001.08 statement or camt.054.001.08 notification",
            field="body",
        )
    kind, message, report = KINDS[namespace]
    schema = _schema(kind)
    if not schema.validate(root):
        error = schema.error_log[0]
        rule = _NAMESPACE.sub("", error.message)
        raise RuleViolation(f"line {error.line}: {rule} (XSD {kind})", field="body")
    ns = {"c": namespace}
    message_id = root.findtext(f"c:{message}/c:GrpHdr/c:MsgId", namespaces=ns) or ""
    return [
        _statement(kind, message_id, node, ns)
        for node in root.iterfind(f"c:{message}/c:{report}", ns)
    ]


def _parse(data: bytes) -> etree._Element:
    # No entities, no network, no DTD: a statement is data, not instructions to the parser.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise RuleViolation(f"line {line}: malformed XML: {exc.msg}", field="body") from None


def _statement(kind: str, message_id: str, node: etree._Element, ns: dict[str, str]) -> Statement:
    statement_id = f"{message_id}/{node.findtext('c:Id', namespaces=ns)}"
    account = node.findtext("c:Acct/c:Id/c:IBAN", namespaces=ns) or (
        node.findtext("c:Acct/c:Id/c:Othr/c:Id", namespaces=ns) or ""
    )
    lines: list[StatementLine] = []
    for position, entry in enumerate(node.iterfind("c:Ntry", ns), start=1):
        if entry.findtext("c:Sts/c:Cd", namespaces=ns) == "BOOK":
            lines += _entry_lines(entry, ns, account, statement_id, position)
    return Statement(kind, statement_id, account, lines)


def _entry_lines(
    entry: etree._Element, ns: dict[str, str], account: str, statement_id: str, position: int
) -> list[StatementLine]:
    """One line per transaction of a batch booking; one for a single or undetailed entry."""
    text = lambda path: entry.findtext(path, namespaces=ns) or ""  # noqa: E731
    booked_on = text("c:BookgDt/c:Dt") or text("c:BookgDt/c:DtTm")[:10]
    credit, reversal = text("c:CdtDbtInd") == "CRDT", text("c:RvslInd") == "true"
    amount, currency = _amount(entry.find("c:Amt", ns))
    details = list(entry.iterfind("c:NtryDtls/c:TxDtls", ns))
    reference = text("c:AcctSvcrRef") or text("c:NtryRef")
    if not reference:
        canonical = (str(position), str(amount), currency, text("c:CdtDbtInd"), booked_on)
        reference = fallback_reference(statement_id, *canonical)
    make = partial(
        StatementLine, currency=currency, credit=credit, reversal=reversal, booked_on=booked_on
    )
    if len(details) <= 1:
        tx = details[0] if details else None
        payer, refs = _party_and_references(tx, ns) if tx is not None else ("", ())
        refs = refs or tuple(filter(None, [text("c:AddtlNtryInf")]))
        key = line_key(account, reference)
        return [make(key, amount, payer=payer, references=refs)]
    lines = []
    for index, tx in enumerate(details, start=1):
        tx_amount = tx.find("c:Amt", ns)
        if tx_amount is None:
            tx_amount = tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
        if tx_amount is None:
            raise RuleViolation(
                f"line {tx.sourceline}: TxDtls of a batch booking must carry its own Amt",
                field="body",
            )
        cents, _ = _amount(tx_amount)
        payer, refs = _party_and_references(tx, ns)
        key = line_key(account, reference, index)
        lines.append(make(key, cents, payer=payer, references=refs))
    return lines


def _amount(node: etree._Element | None) -> tuple[int, str]:
    if node is None or not node.text:
        raise RuleViolation("Amt: missing", field="body")
    value = Decimal(node.text) * 100
    if value != value.to_integral_value():
        raise RuleViolation(
            f"line {node.sourceline}: Amt {node.text} has fractions of a cent", field="body"
        )
    return int(value), node.get("Ccy", "")


def _party_and_references(tx: etree._Element, ns: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The payer's name and the remittance texts, structured references first."""
    payer = tx.findtext("c:RltdPties/c:Dbtr/c:Pty/c:Nm", namespaces=ns) or ""
    structured = [r.text or "" for r in tx.iterfind("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)]
    unstructured = [u.text or "" for u in tx.iterfind("c:RmtInf/c:Ustrd", ns)]
    return payer.strip(), tuple(t.strip() for t in (*structured, *unstructured) if t.strip())
