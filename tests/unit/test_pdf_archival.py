"""Every PDF holds what PDF/A-3b asks of it, as far as poppler, pypdf and lxml can read it.

No PDF/A validator can be installed here (veraPDF is a Java program that neither Debian nor PyPI
ships), so these checks stand in for its rules that the renderer could break: a PDF 1.7 header
with its binary comment, every font embedded, the sRGB output intent with an RGB ICC profile,
an XMP packet that parses, is not compressed and says part 3 conformance B, the document
information dictionary and the XMP agreeing on title, author, subject, keywords, producer,
creator and dates, the file written once (one cross-reference table, one end of file), and for
an invoice or an order its XML attached as the document's data (`/AF`, with its MIME type, size
and checksum).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from collections.abc import Callable
from datetime import datetime

import pytest
from lxml import etree
from PIL import ImageCms
from pypdf import PdfReader

from documents.render import (
    render_invoice_pdf,
    render_purchase_order_pdf,
    render_quote_pdf,
    render_statement_pdf,
)
from tests.unit.test_documents import make_invoice, make_quote, make_statement
from tests.unit.test_orderx import make_order

KINDS: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "invoice": (lambda: render_invoice_pdf(make_invoice()), "factur-x.xml"),
    "purchase order": (lambda: render_purchase_order_pdf(make_order()), "order-x.xml"),
    "quote": (lambda: render_quote_pdf(make_quote(lines_per_supplier=30)), None),
    "statement": (lambda: render_statement_pdf(make_statement()), None),
}
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}


def unembedded_fonts(data: bytes) -> list[str]:
    out = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True)
    rows = [line.split() for line in out.stdout.decode().splitlines()[2:]]
    # name, type…, encoding, emb, sub, uni, object, generation: "emb" is the fifth from the end
    return [row[0] for row in rows if row[-5] != "yes"]


def _xmp(reader: PdfReader) -> etree._Element:
    stream = reader.trailer["/Root"]["/Metadata"].get_object()
    assert "/Filter" not in stream, "the XMP stream must not be compressed"
    return etree.fromstring(stream.get_data())


def _one(root: etree._Element, path: str) -> str:
    (value,) = root.xpath(path, namespaces=NS)
    return str(value)


def _pdf_date(text: str) -> datetime:
    return datetime.strptime(text.replace("'", ""), "D:%Y%m%d%H%M%S%z")


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_is_pdfa3b_as_far_as_it_can_be_read(kind: str) -> None:
    data = KINDS[kind][0]()
    assert data.startswith(b"%PDF-1.7\n%") and all(b > 127 for b in data[10:14])
    assert data.count(b"%%EOF") == 1 and data.count(b"\nxref\n") == 1  # written once
    assert unembedded_fonts(data) == []
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    (intent,) = (i.get_object() for i in root["/OutputIntents"])
    assert (intent["/S"], intent["/OutputConditionIdentifier"]) == (
        "/GTS_PDFA1",
        "sRGB IEC61966-2.1",
    )
    profile = ImageCms.ImageCmsProfile(
        io.BytesIO(intent["/DestOutputProfile"].get_object().get_data())
    )
    assert profile.profile.xcolor_space.strip() == "RGB"
    xmp = _xmp(PdfReader(io.BytesIO(data)))
    assert (_one(xmp, "//pdfaid:part/text()"), _one(xmp, "//pdfaid:conformance/text()")) == (
        "3",
        "B",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_information_dictionary_and_the_xmp_agree(kind: str) -> None:
    reader = PdfReader(io.BytesIO(KINDS[kind][0]()))
    info, xmp = reader.metadata, _xmp(reader)
    assert info is not None
    assert {
        "/Title": _one(xmp, "//dc:title/rdf:Alt/rdf:li/text()"),
        "/Author": _one(xmp, "//dc:creator/rdf:Seq/rdf:li/text()"),
        "/Subject": _one(xmp, "//dc:description/rdf:Alt/rdf:li/text()"),
        "/Keywords": "".join(xmp.xpath("//pdf:Keywords/text()", namespaces=NS)),
        "/Producer": _one(xmp, "//pdf:Producer/text()"),
        "/Creator": _one(xmp, "//xmp:CreatorTool/text()"),
    } == {key: info[key] for key in ("/Title", "/Author", "/Subject", "/Keywords",
                                      "/Producer", "/Creator")}  # fmt: skip
    assert info["/Producer"].startswith("Arkanna") and info["/Creator"] == "Arkanna"
    for entry, tag in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
        written = datetime.fromisoformat(_one(xmp, f"//xmp:{tag}/text()"))
        assert _pdf_date(info[entry]) == written, entry
    assert (info["/Trapped"], _one(xmp, "//pdf:Trapped/text()")) == ("/False", "False")


@pytest.mark.parametrize("kind", [kind for kind, (_, name) in KINDS.items() if name])
def test_the_hybrid_documents_carry_their_xml_as_data(kind: str) -> None:
    render, attached = KINDS[kind]
    root = PdfReader(io.BytesIO(render())).trailer["/Root"]
    (spec,) = (s.get_object() for s in root["/AF"])
    assert (spec["/F"], spec["/UF"], spec["/AFRelationship"]) == (attached, attached, "/Data")
    stream = spec["/EF"]["/F"].get_object()
    xml = stream.get_data()
    assert stream["/Subtype"] == "/text/xml"
    params = stream["/Params"]
    assert params["/Size"] == len(xml)
    checksum = params["/CheckSum"]  # a byte string; pypdf decodes one that happens to be text
    written = getattr(checksum, "original_bytes", checksum)
    assert written == hashlib.md5(xml, usedforsecurity=False).digest()
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == attached and names[1].get_object() == spec
    xmp = _xmp(PdfReader(io.BytesIO(render())))
    fx = {"fx": xmp.xpath("//*[local-name()='DocumentFileName']")[0].nsmap["fx"]}
    assert xmp.xpath("//fx:DocumentFileName/text()", namespaces=fx) == [attached]


def test_a_document_renders_to_the_same_bytes_twice() -> None:
    for render, _ in KINDS.values():
        assert render() == render()
