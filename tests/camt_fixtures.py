"""camt.053.001.08 statements and camt.054.001.08 notifications as banks send them, built in the
tests: structured (SCOR) or unstructured remittance, batch bookings, returns. Every document is
checked against the official XSD by `assert_valid` before a test uses it."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from lxml import etree

from documents.camt import XSD_DIR

ACCOUNT = "FR7630006000011234567890189"
NS = "urn:iso:std:iso:20022:tech:xsd:{kind}"


@dataclass
class Tx:
    amount: str | None = None  # a batch's transactions carry their own amount
    payer: str = ""
    ustrd: str = ""  # unstructured remittance text
    scor: str = ""  # structured creditor reference
    end_to_end: str = "NOTPROVIDED"


@dataclass
class Entry:
    amount: str
    credit: bool = True
    reversal: bool = False
    acct_ref: str = ""
    ntry_ref: str = ""
    status: str = "BOOK"
    txs: list[Tx] = field(default_factory=list)
    info: str = ""


def document(entries: list[Entry], stmt_id: str, kind: str = "camt.053.001.08") -> bytes:
    """One statement (camt.053) or notification (camt.054) of the entries, on one account."""
    statement = kind.startswith("camt.053")
    message, report = (
        ("BkToCstmrStmt", "Stmt") if statement else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    )
    balance = (
        "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>"
        '<Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-04</Dt></Dt></Bal>'
        if statement
        else ""
    )
    body = "".join(_entry(e) for e in entries)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NS.format(kind=kind)}">\n'
        f"<{message}><GrpHdr><MsgId>MSG-{escape(stmt_id)}</MsgId>"
        "<CreDtTm>2026-12-05T06:00:00+01:00</CreDtTm></GrpHdr>\n"
        f"<{report}><Id>{escape(stmt_id)}</Id><CreDtTm>2026-12-05T06:00:00+01:00</CreDtTm>"
        f"<Acct><Id><IBAN>{ACCOUNT}</IBAN></Id></Acct>{balance}\n{body}</{report}></{message}>\n"
        "</Document>\n"
    ).encode()


def _entry(entry: Entry) -> str:
    parts = [f"<NtryRef>{escape(entry.ntry_ref)}</NtryRef>" if entry.ntry_ref else ""]
    parts.append(f'<Amt Ccy="EUR">{entry.amount}</Amt>')
    parts.append(f"<CdtDbtInd>{'CRDT' if entry.credit else 'DBIT'}</CdtDbtInd>")
    parts.append("<RvslInd>true</RvslInd>" if entry.reversal else "")
    parts.append(f"<Sts><Cd>{entry.status}</Cd></Sts>")
    parts.append("<BookgDt><Dt>2026-12-04</Dt></BookgDt><ValDt><Dt>2026-12-04</Dt></ValDt>")
    parts.append(f"<AcctSvcrRef>{escape(entry.acct_ref)}</AcctSvcrRef>" if entry.acct_ref else "")
    family = "RCDT" if entry.credit else "ICDT"
    parts.append(
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
        "</Fmly></Domn></BkTxCd>"
    )
    if entry.txs:
        parts.append(
            "<NtryDtls>" + "".join(_tx(t, entry.credit) for t in entry.txs) + "</NtryDtls>"
        )
    parts.append(f"<AddtlNtryInf>{escape(entry.info)}</AddtlNtryInf>" if entry.info else "")
    return "<Ntry>" + "".join(parts) + "</Ntry>\n"


def _tx(tx: Tx, credit: bool) -> str:
    parts = [f"<Refs><EndToEndId>{escape(tx.end_to_end)}</EndToEndId></Refs>"]
    if tx.amount is not None:
        parts.append(f'<Amt Ccy="EUR">{tx.amount}</Amt>')
        parts.append(f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>")
    if tx.payer:
        parts.append(f"<RltdPties><Dbtr><Pty><Nm>{escape(tx.payer)}</Nm></Pty></Dbtr></RltdPties>")
    remittance = f"<Ustrd>{escape(tx.ustrd)}</Ustrd>" if tx.ustrd else ""
    if tx.scor:
        remittance += (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{escape(tx.scor)}</Ref></CdtrRefInf></Strd>"
        )
    parts.append(f"<RmtInf>{remittance}</RmtInf>" if remittance else "")
    return "<TxDtls>" + "".join(parts) + "</TxDtls>"


def assert_valid(data: bytes, kind: str = "camt.053.001.08") -> bytes:
    """The document, after the official XSD accepted it (or the assertion says why not)."""
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / f"{kind}.xsd")))
    root = etree.fromstring(data)
    assert schema.validate(root), schema.error_log
    return data
