"""The SEPA credit transfer file of a payout run: ISO 20022 pain.001.001.09, one payment
information block drawn on the platform's account, one transfer per member paid.

Built with lxml and checked against the official XSD (`documents/iso20022/`, loaded once per
process) before it is stored: a file the bank would refuse is never handed to the treasurer.
Names and remittance texts keep to the SEPA character set (Latin letters, digits and
`/ - ? : ( ) . , ' +` and space); other letters are written without their accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from lxml import etree

from documents.camt import XSD_DIR
from models.money import format_cents

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
MAX_NAME = 70
MAX_REMITTANCE = 140


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str  # ≤ 35 characters: the self-billed invoice's number
    amount_cents: int
    creditor_name: str
    iban: str
    bic: str | None
    remittance: str  # unstructured, ≤ 140 characters


def sepa_text(text: str, limit: int) -> str:
    """The text in the SEPA character set, cut to `limit` characters."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_SEPA.sub(" ", plain).split())[:limit]


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def _party(parent: etree._Element, tag: str, name: str) -> None:
    _el(_el(parent, tag), "Nm", sepa_text(name, MAX_NAME))


def _account(parent: etree._Element, tag: str, iban: str) -> None:
    _el(_el(_el(parent, tag), "Id"), "IBAN", iban.replace(" ", "").upper())


def _agent(parent: etree._Element, tag: str, bic: str | None) -> None:
    institution = _el(_el(parent, tag), "FinInstnId")
    if bic:
        _el(institution, "BICFI", bic)
    else:  # SEPA: the IBAN alone routes the transfer
        _el(_el(institution, "Othr"), "Id", "NOTPROVIDED")


def credit_transfer_file(
    message_id: str,
    created_at: datetime,
    debtor: Debtor,
    execution_date: date,
    transfers: Sequence[Transfer],
) -> bytes:
    """The pain.001.001.09 document; a ValueError for a file no bank would take."""
    if not transfers:
        raise ValueError("a transfer file needs at least one transfer")
    if any(t.amount_cents <= 0 for t in transfers):
        raise ValueError("every transfer is of a positive amount")
    ids = [t.end_to_end_id for t in transfers]
    if len(set(ids)) != len(ids):
        raise ValueError("end-to-end ids repeat within the file")
    total = format_cents(sum(t.amount_cents for t in transfers))
    count = str(len(transfers))
    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    initiation = _el(root, "CstmrCdtTrfInitn")
    group = _el(initiation, "GrpHdr")
    _el(group, "MsgId", message_id[:35])
    _el(group, "CreDtTm", created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    _el(group, "NbOfTxs", count)
    _el(group, "CtrlSum", total)
    _party(group, "InitgPty", debtor.name)
    payment = _el(initiation, "PmtInf")
    _el(payment, "PmtInfId", message_id[:35])
    _el(payment, "PmtMtd", "TRF")
    _el(payment, "NbOfTxs", count)
    _el(payment, "CtrlSum", total)
    _el(_el(_el(payment, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _el(_el(payment, "ReqdExctnDt"), "Dt", execution_date.isoformat())
    _party(payment, "Dbtr", debtor.name)
    _account(payment, "DbtrAcct", debtor.iban)
    _agent(payment, "DbtrAgt", debtor.bic)
    _el(payment, "ChrgBr", "SLEV")
    for transfer in transfers:
        item = _el(payment, "CdtTrfTxInf")
        _el(_el(item, "PmtId"), "EndToEndId", sepa_text(transfer.end_to_end_id, 35))
        amount = _el(item, "Amt")
        _el(amount, "InstdAmt", format_cents(transfer.amount_cents), Ccy="EUR")
        if transfer.bic:
            _agent(item, "CdtrAgt", transfer.bic)
        _party(item, "Cdtr", transfer.creditor_name)
        _account(item, "CdtrAcct", transfer.iban)
        _el(_el(item, "RmtInf"), "Ustrd", sepa_text(transfer.remittance, MAX_REMITTANCE))
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return data


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / "pain.001.001.09.xsd")))


def check_pain001(data: bytes) -> None:
    """Raises ValueError naming the first error when `data` breaks the pain.001.001.09 XSD."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    schema = _schema()
    if not schema.validate(etree.fromstring(data, parser)):
        error = schema.error_log.last_error
        raise ValueError(f"the transfer file breaks its XSD: line {error.line}: {error.message}")
