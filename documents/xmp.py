"""The XMP packet of a PDF/A-3b document: its identification, the Dublin Core, PDF and XMP basic
properties that mirror the document information dictionary, and for a hybrid invoice or order
the Factur-X extension schema with the properties it declares."""

from __future__ import annotations

from typing import Any, Protocol
from xml.sax.saxutils import escape

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PROPERTIES = {
    "DocumentFileName": "The name of the embedded XML document",
    "DocumentType": "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
    "Version": "The actual version of the standard applying to the embedded XML document",
    "ConformanceLevel": "The conformance level of the embedded XML document",
}


class Embedded(Protocol):
    @property
    def file_name(self) -> str: ...
    @property
    def document_type(self) -> str: ...
    @property
    def conformance(self) -> str: ...
    @property
    def namespace(self) -> str: ...


def xmp_date(stamp: Any) -> str:
    """A reportlab TimeStamp as XMP writes dates: the same instant as the information
    dictionary's D:… string, with its offset."""
    y, mo, d, h, mi, s = stamp.YMDhms
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{stamp.dhh:+03d}:{stamp.dmm:02d}"


def _description(namespaces: str, body: str) -> str:
    return f'  <rdf:Description rdf:about=""{namespaces}>\n{body}  </rdf:Description>\n'


def _alt(tag: str, value: str) -> str:
    return f'   <{tag}><rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt></{tag}>\n'


def _hybrid(h: Embedded) -> str:
    fields = [
        f'      <rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>'
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{escape(text)}</pdfaProperty:description></rdf:li>\n"
        for name, text in _PROPERTIES.items()
    ]
    schema = (
        "   <pdfaExtension:schemas><rdf:Bag>\n"
        '    <rdf:li rdf:parseType="Resource">\n'
        "     <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\n"
        f"     <pdfaSchema:namespaceURI>{h.namespace}</pdfaSchema:namespaceURI>\n"
        "     <pdfaSchema:prefix>fx</pdfaSchema:prefix>\n"
        f"     <pdfaSchema:property><rdf:Seq>\n{''.join(fields)}     </rdf:Seq></pdfaSchema:property>\n"
        "    </rdf:li>\n"
        "   </rdf:Bag></pdfaExtension:schemas>\n"
    )
    names = (
        ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"'
    )
    values = (
        f"   <fx:DocumentType>{h.document_type}</fx:DocumentType>\n"
        f"   <fx:DocumentFileName>{h.file_name}</fx:DocumentFileName>\n"
        "   <fx:Version>1.0</fx:Version>\n"
        f"   <fx:ConformanceLevel>{h.conformance}</fx:ConformanceLevel>\n"
    )
    return _description(names, schema) + _description(f' xmlns:fx="{h.namespace}"', values)


def xmp_packet(
    *, title: str, author: str, subject: str, keywords: str, producer: str, creator: str,
    date: str, hybrid: Embedded | None,
) -> bytes:  # fmt: skip
    body = (
        _description(
            ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
            "   <pdfaid:part>3</pdfaid:part>\n   <pdfaid:conformance>B</pdfaid:conformance>\n",
        )
        + _description(
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
            "   <dc:format>application/pdf</dc:format>\n"
            + _alt("dc:title", title)
            + f"   <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>\n"
            + _alt("dc:description", subject),
        )
        + _description(
            ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
            f"   <pdf:Producer>{escape(producer)}</pdf:Producer>\n"
            f"   <pdf:Keywords>{escape(keywords)}</pdf:Keywords>\n"
            "   <pdf:Trapped>False</pdf:Trapped>\n",
        )
        + _description(
            ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            f"   <xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>\n"
            f"   <xmp:CreateDate>{date}</xmp:CreateDate>\n"
            f"   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n",
        )
        + (_hybrid(hybrid) if hybrid is not None else "")
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/">\n <rdf:RDF xmlns:rdf="{_RDF}">\n{body} </rdf:RDF>\n'
        '</x:xmpmeta>\n<?xpacket end="w"?>'
    )
    return packet.encode()
