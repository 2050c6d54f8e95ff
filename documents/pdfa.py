"""PDF/A-3b written in the renderer's own pass: reportlab lays out the pages and, before it
writes the file, this module adds what the standard asks of an archived document — the XMP
identification (built from the same values as the document information dictionary, so the two
agree), the sRGB output intent with its ICC profile, and for a hybrid invoice or order its XML
as an associated file (`/AF`, `/AFRelationship /Data`) — then the file is written once, as
PDF 1.7. No second reader or writer touches the bytes.

The sRGB profile is made by LittleCMS (through Pillow) once per process, rather than read from
a file the machine may not have.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import ImageCms
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDate,
    PDFDictionary,
    PDFDocument,
    PDFName,
    PDFStream,
    PDFStreamFilterZCompress,
    PDFString,
)

from documents.xmp import xmp_date, xmp_packet

SRGB = "sRGB IEC61966-2.1"
PDF_VERSION = (1, 7)  # the PDF that PDF/A-3 is built on (ISO 32000-1)
PRODUCER = "Arkanna documents (ReportLab)"
CREATOR = "Arkanna"
_FLATE = [PDFStreamFilterZCompress()]


@dataclass(frozen=True)
class Hybrid:
    """The XML a hybrid PDF carries, and how its XMP extension schema names it."""

    file_name: str
    description: str
    document_type: str  # INVOICE, ORDER
    conformance: str  # the profile, as the XMP spells it: EN 16931, COMFORT
    namespace: str
    data: bytes


def facturx(xml: bytes) -> Hybrid:
    return Hybrid(
        "factur-x.xml", "Factur-X XML file", "INVOICE", "EN 16931",
        "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#", xml,
    )  # fmt: skip


def orderx(xml: bytes) -> Hybrid:
    return Hybrid(
        "order-x.xml", "Order-X XML file", "ORDER", "COMFORT",
        "urn:factur-x:pdfa:CrossIndustryDocument:1p0#", xml,
    )  # fmt: skip


@cache
def srgb_profile() -> bytes:
    profile: bytes = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile


@cache
def _compressed_profile() -> bytes:
    return zlib.compress(srgb_profile())


def make_archival(doc: PDFDocument, hybrid: Hybrid | None) -> None:
    """Turns the reportlab document about to be written into a PDF/A-3b one."""
    doc._pdfVersion = PDF_VERSION
    info = doc.info
    info.producer, info.creator = PRODUCER, CREATOR
    catalog = doc.Catalog
    # The catalog writes only the keys its class lists; these are PDF/A's.
    catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "OutputIntents", "AF"]
    catalog.OutputIntents = PDFArray([doc.Reference(_output_intent())])
    catalog.Metadata = _metadata(info, doc._timeStamp, hybrid)
    if hybrid is not None:
        spec = doc.Reference(_file_spec(hybrid, doc))
        catalog.AF = PDFArray([spec])
        embedded = PDFDictionary({"Names": PDFArray([PDFString(hybrid.file_name), spec])})
        catalog.Names = PDFDictionary({"EmbeddedFiles": embedded})
        catalog.PageMode = PDFName("UseAttachments")


def _output_intent() -> PDFDictionary:
    # RGB: 3 components; compressed once per process.
    header = PDFDictionary({"N": 3, "Filter": PDFName("FlateDecode")})
    profile = PDFStream(header, _compressed_profile())
    return PDFDictionary({
        "Type": PDFName("OutputIntent"),
        "S": PDFName("GTS_PDFA1"),  # the subtype every PDF/A part uses
        "OutputConditionIdentifier": PDFString(SRGB),
        "Info": PDFString(SRGB),
        "DestOutputProfile": profile,
    })  # fmt: skip


def _metadata(info: Any, stamp: Any, hybrid: Hybrid | None) -> PDFStream:
    """The XMP packet, uncompressed as PDF/A wants it, from the information dictionary's
    own values: title, author, subject, keywords, producer, creator and dates agree."""
    packet = xmp_packet(
        title=info.title, author=info.author, subject=info.subject, keywords=info.keywords,
        producer=info.producer, creator=info.creator, date=xmp_date(stamp), hybrid=hybrid,
    )  # fmt: skip
    header = PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")})
    return PDFStream(header, packet)  # no filter: no /Filter key at all


def _file_spec(hybrid: Hybrid, doc: PDFDocument) -> PDFDictionary:
    params = PDFDictionary({
        "Size": len(hybrid.data),
        "CheckSum": f"<{hashlib.md5(hybrid.data, usedforsecurity=False).hexdigest()}>",
        "ModDate": PDFDate(ts=doc._timeStamp),
    })  # fmt: skip
    header = PDFDictionary({
        "Type": PDFName("EmbeddedFile"), "Subtype": "/text#2Fxml", "Params": params,
    })  # fmt: skip
    stream = doc.Reference(PDFStream(header, hybrid.data, _FLATE))
    name = PDFString(hybrid.file_name)
    return PDFDictionary({
        "Type": PDFName("Filespec"),
        "F": name,
        "UF": name,
        "Desc": PDFString(hybrid.description),
        "AFRelationship": PDFName("Data"),
        "EF": PDFDictionary({"F": stream, "UF": stream}),
    })  # fmt: skip
