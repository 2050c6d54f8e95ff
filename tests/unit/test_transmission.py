"""The file drop, the embedded transmitter: each document's XML then PDF written atomically
into its folder, once by number, with a receipt naming where it lies."""

from __future__ import annotations

from pathlib import Path

import pytest

from documents.transmission import EInvoiceDocument, FileDrop, Transmitter
from models.status_history import DocumentKind


def _document(pdf: bytes = b"%PDF-1.7 first", xml: bytes = b"<x>first</x>") -> EInvoiceDocument:
    return EInvoiceDocument("CN-2026-00007", DocumentKind.CREDIT_NOTE, pdf, xml)


def test_a_document_is_dropped_as_its_pdf_and_xml_with_a_receipt(tmp_path: Path) -> None:
    drop: Transmitter = FileDrop(tmp_path / "drop")
    receipt = drop.transmit(_document())
    assert (tmp_path / "drop" / "CN-2026-00007.pdf").read_bytes() == b"%PDF-1.7 first"
    assert (tmp_path / "drop" / "CN-2026-00007.xml").read_bytes() == b"<x>first</x>"
    assert (receipt.number, receipt.reference) == ("CN-2026-00007", "file-drop:CN-2026-00007.pdf")
    assert sorted(p.name for p in (tmp_path / "drop").iterdir()) == [
        "CN-2026-00007.pdf", "CN-2026-00007.xml",
    ]  # fmt: skip


def test_dropping_the_same_number_again_keeps_the_first_and_its_receipt(tmp_path: Path) -> None:
    drop = FileDrop(tmp_path)
    first = drop.transmit(_document())
    again = drop.transmit(_document(b"%PDF-1.7 second", b"<x>second</x>"))
    assert again == first
    assert (tmp_path / "CN-2026-00007.pdf").read_bytes() == b"%PDF-1.7 first"


def test_a_failed_write_leaves_no_document_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF, written last, is the mark of a complete drop: a crash before its rename
    leaves it absent, so the next attempt writes both again."""
    drop = FileDrop(tmp_path)

    def refuse(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("documents.atomic.os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        drop.transmit(_document())
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    drop.transmit(_document())
    assert (tmp_path / "CN-2026-00007.pdf").is_file()
