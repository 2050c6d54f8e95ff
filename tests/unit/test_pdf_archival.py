"""The invoice and purchase-order PDFs hold what PDF/A-3 asks of them, as far as poppler and
pypdf can read it: every font embedded, the sRGB output intent with its ICC profile, the
PDF/A-3 identification in the XMP and the XML attached as the document's data."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from PIL import ImageCms
from pypdf import PdfReader

from documents.render import render_invoice_pdf, render_purchase_order_pdf, render_quote_pdf
from tests.unit.test_documents import make_invoice, make_quote
from tests.unit.test_orderx import make_order

ARCHIVED = {
    "invoice": (lambda: render_invoice_pdf(make_invoice()), "factur-x.xml"),
    "purchase order": (lambda: render_purchase_order_pdf(make_order()), "order-x.xml"),
}


def unembedded_fonts(data: bytes) -> list[str]:
    out = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True)
    rows = [line.split() for line in out.stdout.decode().splitlines()[2:]]
    # name, type…, encoding, emb, sub, uni, object, generation: "emb" is the fifth from the end
    return [row[0] for row in rows if row[-5] != "yes"]


@pytest.mark.parametrize("kind", ARCHIVED)
def test_the_archived_documents_carry_what_pdfa3_asks(kind: str) -> None:
    render, attached = ARCHIVED[kind]
    data = render()
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
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp)
    (spec,) = (s.get_object() for s in root["/AF"])
    assert (spec["/F"], spec["/AFRelationship"]) == (attached, "/Data")


def test_the_quote_embeds_every_font_too() -> None:
    assert unembedded_fonts(render_quote_pdf(make_quote())) == []
