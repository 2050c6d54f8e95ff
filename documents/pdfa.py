"""What PDF/A-3 asks of an archived invoice or order beyond what the `factur-x` package writes.

The package writes the PDF/A-3 identification (XMP) and attaches the XML as an associated file;
the standard also wants the colour space the pages are drawn in declared by an output intent
with its ICC profile. The pages are plain sRGB, and the sRGB profile is made by LittleCMS
(through Pillow) rather than read from a file the machine may not have.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO

from PIL import ImageCms
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

SRGB = "sRGB IEC61966-2.1"


@cache
def srgb_profile() -> bytes:
    profile: bytes = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile


def with_srgb_output_intent(pdf: bytes) -> bytes:
    """The PDF with an sRGB output intent (PDF/A), everything else as it was."""
    writer = PdfWriter(clone_from=BytesIO(pdf))
    profile = StreamObject()
    profile.set_data(srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)  # three colour components: RGB
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFA1"),  # the subtype every PDF/A part uses
        NameObject("/OutputConditionIdentifier"): TextStringObject(SRGB),
        NameObject("/Info"): TextStringObject(SRGB),
        NameObject("/DestOutputProfile"): writer._add_object(profile),
    })  # fmt: skip
    writer._root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
