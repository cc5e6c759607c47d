"""Shared helpers of the layout-aware PDF tests (tests/test_pdf_layout_*.py).

Every PDF is written by fpdf2 (or printed by Chromium), so what each
paragraph says, and what the page furniture says, is known: the known text,
the PDF makers, reading a file into a document and its chunks, and the two
checks (the known paragraphs come out whole; no chunk holds furniture).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from index.chunker import chunk_document
from index.readers import read_document

def _font(style: str = "") -> str | None:
    """A TrueType file for fpdf2 (DejaVu Sans), found by fontconfig."""
    if shutil.which("fc-match") is None:
        return None
    pattern = "DejaVuSans" + (":bold" if style == "B" else "")
    out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True)
    path = out.stdout.strip()
    return path if path.endswith(".ttf") and Path(path).is_file() else None


HEADER = "Gemeente Utrecht - Jaarverslag sociaal domein"
PARAGRAPHS = [
    "De gemeente Utrecht heeft in 2025 ruim vierhonderd inwoners geholpen bij het vinden van "
    "betaald werk. Dat is meer dan in enig eerder jaar sinds de invoering van de Participatiewet.",
    "Werkgevers in de regio melden dat de samenwerking met het werkgeversservicepunt goed verloopt. "
    "Zij vragen wel om snellere afspraken over loonkostensubsidie en begeleiding op de werkvloer.",
    "Het aantal huishoudens met problematische schulden daalde licht. De schuldhulpverlening "
    "bereikt nu ook zzp'ers en jongeren, twee groepen die eerder buiten beeld bleven.",
    "Voor 2026 zet de gemeente in op preventie: vroegsignalering van betalingsachterstanden bij "
    "woningcorporaties, energieleveranciers en zorgverzekeraars wordt in de hele stad ingevoerd.",
    "In de wijken Overvecht en Kanaleneiland opent de gemeente twee nieuwe buurtteams, zodat "
    "inwoners dichter bij huis terechtkunnen met vragen over werk, inkomen en zorg.",
]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _chunks(path: Path):
    doc = read_document(path, path.parent)
    return doc, chunk_document(doc)


def _assert_whole(chunks, paragraphs):
    texts = [_norm(c.text) for c in chunks]
    for paragraph in paragraphs:
        assert any(_norm(paragraph) in t for t in texts), f"niet heel gevonden: {paragraph[:60]}"


def _assert_no_furniture(chunks, *needles):
    for chunk in chunks:
        for needle in needles:
            assert needle.lower() not in chunk.text.lower(), f"{needle!r} in chunk: {chunk.text[:120]}"


def _pdf(header: str | None = HEADER, page_numbers: str | None = "Pagina {n} van {nb}"):
    from fpdf import FPDF

    class Paged(FPDF):
        def header(self):
            if header:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 6, header, align="C")
                self.ln(14)

        def footer(self):
            if page_numbers:
                self.set_y(-15)
                self.set_font("Helvetica", "", 8)
                text = page_numbers.replace("{n}", str(self.page_no())).replace("{nb}", "{nb}")
                self.cell(0, 6, text, align="C")

    pdf = Paged(format="A4")
    pdf.set_auto_page_break(True, margin=25)
    pdf.alias_nb_pages()
    pdf.set_font("Helvetica", size=11)
    return pdf


def _paragraph(pdf, text: str, size: float = 11) -> None:
    pdf.set_font("Helvetica", size=size)
    pdf.multi_cell(0, 5.5, text)
    pdf.ln(4)


def _save(pdf, path: Path) -> Path:
    path.write_bytes(bytes(pdf.output()))
    return path


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _print_html(html: str, tmp_path: Path) -> Path:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium ontbreekt: installeer het Debian-pakket chromium")
    page = tmp_path / "pagina.html"
    page.write_text(html, encoding="utf-8")
    out = tmp_path / "pagina.pdf"
    subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profiel'}",
            f"--print-to-pdf={out}", page.as_uri(),
        ],
        capture_output=True, timeout=120, check=False,
    )
    if not out.is_file():
        pytest.skip("Chromium kon de pagina niet als PDF afdrukken")
    return out
