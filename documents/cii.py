"""The UN/CEFACT vocabulary the invoice (CII) and the order (Order-X) XML share: namespaces
and the two element builders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"

Element = Any  # an lxml element: the package ships no type hints


@dataclass(frozen=True)
class Vocabulary:
    """The namespaces of one UN/CEFACT message: the invoice's (CII) and the order's (Order-X)
    spell the same trade parties and dates in different versions of the same vocabulary."""

    rsm: str
    ram: str
    udt: str

    def root(self, tag: str) -> Element:
        return etree.Element(
            f"{{{self.rsm}}}{tag}", nsmap={"rsm": self.rsm, "ram": self.ram, "udt": self.udt}
        )


CII = Vocabulary(RSM, RAM, UDT)


def xml_el(parent: Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> Element:
    child = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def xml_day(parent: Element, tag: str, value: date, words: Vocabulary = CII) -> None:
    holder = xml_el(parent, words.ram, tag)
    xml_el(holder, words.udt, "DateTimeString", value.strftime("%Y%m%d"), format="102")
