"""`vraagbaak index` on a corpus full of broken files: each is named with a Dutch reason, the rest is indexed,
and the index that was being served survives."""

from __future__ import annotations

import io
import logging
import os
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner
from fpdf import FPDF

import index.build
from index.backends.local import open_index
from index.store import current_version
from web.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
GOOD = "000_d31a0db93372aa9b.txt"
WINDOWS_TEXT = ("Het college van burgemeester en wethouders heeft besloten dat het café aan de Dorpsstraat "
                "een coöperatie mag worden. De gemeente Zeeuwse Vlaanderen betaalt € 13.500 voor de verbouwing.\n")


def _truncated_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for _ in range(40):
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(0, 8, "De minister schrijft de Kamer over de kostendelersnorm en de bijstand.")
    data = bytes(pdf.output())
    return data[: len(data) // 3]


def _junk_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rommel.bin", os.urandom(2048))
    return buffer.getvalue()


def _index(runner: CliRunner, corpus: Path, index_dir: Path):
    return runner.invoke(main, ["index", str(corpus), "--index-dir", str(index_dir)])


def test_broken_files_are_skipped_by_name_and_the_served_index_survives(tmp_path, embedder, monkeypatch, caplog):
    monkeypatch.setattr("index.embedder.load_embedder", lambda *args, **kwargs: embedder)  # no second model load
    runner = CliRunner()
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copy(SEEDS / GOOD, corpus / GOOD)

    first = _index(runner, corpus, index_dir)
    assert first.exit_code == 0, first.output
    served = current_version(index_dir)
    assert served is not None

    (corpus / "afgekapt.pdf").write_bytes(_truncated_pdf())
    (corpus / "nep.docx").write_bytes(_junk_docx())
    (corpus / "binair.txt").write_bytes(b"\x00\x01\x02\xff" * 4096 + os.urandom(4096))
    with open(corpus / "enorm.txt", "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB long, no disk time
    (corpus / "windows.txt").write_bytes(WINDOWS_TEXT.encode("cp1252"))
    (corpus / "leeg.txt").write_bytes(b"")
    # Names and file kinds that stopped a whole build, hung it, or forged a line of its report.
    os.mkfifo(corpus / "pijp.txt")  # read forever
    (corpus / "kring.txt").symlink_to("kring.txt")  # "Symlink loop": a traceback
    with open(os.fsencode(corpus) + b"/slecht\xff.txt", "wb") as handle:  # not UTF-8: a crash storing it
        handle.write(b"Een naam die geen UTF-8 is.")
    (corpus / "a\nOvergeslagen: vals.txt").write_bytes(b"")

    opened: list[str] = []
    real_read, real_sha = index.build.read_document, index.build._sha256
    monkeypatch.setattr(index.build, "read_document", lambda path, *a, **k: (opened.append(path.name),
                                                                               real_read(path, *a, **k))[1])
    monkeypatch.setattr(index.build, "_sha256", lambda path: (opened.append(path.name), real_sha(path))[1])

    with caplog.at_level(logging.WARNING):
        second = _index(runner, corpus, index_dir)
    assert second.exit_code == 0, second.output
    skipped = {line.split(" — ")[0].removeprefix("Overgeslagen: "): line.split(" — ", 1)[1]
               for line in second.output.splitlines() if line.startswith("Overgeslagen: ")}
    assert set(skipped) == {"afgekapt.pdf", "nep.docx", "binair.txt", "enorm.txt", "leeg.txt", "pijp.txt",
                            "kring.txt", "slecht\\udcff.txt", "a\\nOvergeslagen: vals.txt"}, second.output
    assert "geen gewoon bestand" in skipped["pijp.txt"] and "UTF-8" in skipped["slecht\\udcff.txt"]
    assert skipped["kring.txt"] == "symlink die in een kring naar zichzelf verwijst"
    assert "te groot" in skipped["enorm.txt"] and "200 MB" in skipped["enorm.txt"]
    assert "leeg" in skipped["leeg.txt"]
    assert skipped["nep.docx"].startswith("geen geldig Word-bestand (.docx): een verplicht onderdeel ontbreekt (")
    for name, reason in skipped.items():
        # A Dutch reason first; a library's own words may follow after a colon, never a traceback.
        head = reason.split(":")[0]
        assert head and "Traceback" not in reason and "Error" not in head and "Exception" not in head, (name, reason)
        # and what a library said comes in brackets, after what it means
        assert "Error" not in reason.split("(")[0].rsplit(":", 1)[-1], (name, reason)
    print("\n".join(f"{name}: {reason}" for name, reason in sorted(skipped.items())))
    assert "enorm.txt" not in opened  # skipped by its size alone, never read
    assert "2 documenten" in second.output and "9 overgeslagen" in second.output

    # The cp1252 file is indexed, with a warning that names it.
    assert any("windows.txt" in r.getMessage() and "UTF-8" in r.getMessage() for r in caplog.records)
    snapshot = open_index(index_dir)
    assert {d.doc_id for d in snapshot.documents()} == {GOOD, "windows.txt"}
    assert "coöperatie" in snapshot.document("windows.txt").text and "€ 13.500" in snapshot.document("windows.txt").text

    # A corpus with nothing readable fails clearly and leaves the served index alone.
    now_served = current_version(index_dir)
    for name in (GOOD, "windows.txt", "slecht\udcff.txt"):
        (corpus / name).unlink()
    third = _index(runner, corpus, index_dir)
    assert third.exit_code != 0 and "Geen leesbare documenten" in third.output
    assert current_version(index_dir) == now_served
    assert {d.doc_id for d in open_index(index_dir).documents()} == {GOOD, "windows.txt"}
    assert served.exists() or served != now_served


def test_a_terminal_sees_each_skipped_file_once(tmp_path):
    """The real command in its own process: logging is set up as on a terminal, not by pytest."""
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "goed.txt").write_text(WINDOWS_TEXT, encoding="utf-8")
    (corpus / "kapot.pdf").write_bytes(b"geen pdf")
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "web.cli", "index", str(corpus), "--index-dir", str(tmp_path / "i")],
                          cwd=repo, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(repo)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("kapot.pdf") == 1, done.stderr
    assert "Overgeslagen: kapot.pdf — " in done.stderr, done.stderr
    assert "waarschuwing" not in done.stderr and "WARNING" not in done.stderr, done.stderr
    assert "1 document, " in done.stdout, done.stdout
