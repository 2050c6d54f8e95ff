"""Reading PDFs back as people would: poppler's text of every page."""

from __future__ import annotations

import html
import re
import shutil
import subprocess


def pdf_text(data: bytes) -> str:
    """The text poppler reads from the PDF, whitespace collapsed to single spaces."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def pdf_reading_text(data: bytes) -> str:
    """The text in reading order, block by block, whitespace collapsed: a party box's lines
    stay together even when a narrow column wraps them, where the layout text interleaves the
    columns of one row."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def pdf_words(data: bytes) -> list[tuple[str, float, float, float]]:
    """Every word poppler reads: its text, left and right edge and top (points)."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    out = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    )
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>'
    return [
        (html.unescape(text), float(left), float(right), float(top))
        for left, top, right, text in re.findall(pattern, out.stdout.decode())
    ]
