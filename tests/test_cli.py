"""The vraagbaak command, run the way a user runs it."""

import json

from click.testing import CliRunner

from web.cli import main


def test_index_then_ask_prints_the_answer_with_sources(small_corpus, tmp_path, embedder):
    runner = CliRunner()
    index_dir = str(tmp_path / "idx")
    built = runner.invoke(main, ["index", str(small_corpus), "--index-dir", index_dir])
    assert built.exit_code == 0, built.output
    assert "2 documenten" in built.output

    again = runner.invoke(main, ["index", str(small_corpus), "--index-dir", index_dir])
    assert again.exit_code == 0 and "al actueel" in again.output

    asked = runner.invoke(main, ["ask", "Welke punten legt Valente voor aan de Kamercommissie?",
                                 "--index-dir", index_dir])
    assert asked.exit_code == 0, asked.output
    assert "Antwoord:" in asked.output and "Bronnen:" in asked.output
    assert "[1] 001_ab8a111fa1afc862.txt" in asked.output or "[1] 000_d31a0db93372aa9b.txt" in asked.output
    assert "alinea" in asked.output and "regels" in asked.output

    as_json = runner.invoke(main, ["ask", "Wat vraagt Valente?", "--json", "--top-k", "3",
                                   "--index-dir", index_dir])
    assert as_json.exit_code == 0
    assert len(json.loads(as_json.output)["passages"]) == 3

    # A damaged manifest of the current version: the next build replaces the version.
    manifest = (tmp_path / "idx" / "current").resolve() / "manifest.json"
    manifest.write_text(manifest.read_text("utf-8")[:100], "utf-8")
    rebuilt = runner.invoke(main, ["index", str(small_corpus), "--index-dir", index_dir])
    assert rebuilt.exit_code == 0 and "onleesbaar" in rebuilt.output and "2 documenten" in rebuilt.output
    assert runner.invoke(main, ["ask", "Wat vraagt Valente?", "--index-dir", index_dir]).exit_code == 0


def test_ask_without_index_and_with_empty_question_fail_clearly(tmp_path, embedder):
    runner = CliRunner()
    missing = runner.invoke(main, ["ask", "Wat vraagt Valente?", "--index-dir", str(tmp_path / "geen")])
    assert missing.exit_code == 1 and "nog geen index" in missing.output
    empty = runner.invoke(main, ["ask", "  ", "--index-dir", str(tmp_path / "geen")])
    assert empty.exit_code != 0 and "Traceback" not in empty.output


def test_evaluate_reports_every_metric(small_corpus, tmp_path, embedder, monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_EVAL_INDEX_DIR", str(tmp_path / "eval-indexes"))
    questions = tmp_path / "vragen.jsonl"
    rows = [
        {"id": "a", "question": "Op welke dag debatteert de Kamer over arbeidsmigratie?", "answers": ["juni"],
         "source": "001_ab8a111fa1afc862.txt", "kind": "factoid"},
        {"id": "b", "question": "Wat is de hoofdstad van Peru?", "answers": [], "source": None,
         "kind": "unanswerable"},
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    out = tmp_path / "metrics.json"
    result = CliRunner().invoke(main, ["evaluate", "--corpus", str(small_corpus), "--questions", str(questions),
                                       "--json", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text("utf-8"))
    for key in ("source_hit@1", "source_hit@5", "mrr@10", "answer_hit@1", "answer_hit@5",
                "answer_in_answer_text", "answer_is_question", "abstention", "false_abstention",
                "latency_p50_ms", "latency_p95_ms", "questions"):
        assert key in metrics
    assert metrics["questions"] == 2
    # one question of each kind: the first of each kind is tuned on, so the report half is empty
    assert metrics["by_half"]["tune"]["questions"] == 2 and metrics["by_half"]["report"]["questions"] == 0
    assert metrics["source_hit@5"] == 1.0
    assert set(metrics["by_kind"]) == {"factoid", "unanswerable"}
    assert (tmp_path / "eval-indexes").is_dir()


def test_click_speaks_dutch_too(tmp_path):
    """Usage lines, help and parse errors come from click, in English unless translated (web.cli_dutch)."""
    runner = CliRunner()
    document = tmp_path / "nota.txt"
    document.write_text("Een nota.", encoding="utf-8")
    wrong = runner.invoke(main, ["index", str(document)], prog_name="vraagbaak")
    assert wrong.exit_code == 2
    assert wrong.output.splitlines()[0] == "Gebruik: vraagbaak index [OPTIES] [MAP]"
    assert "Probeer 'vraagbaak index --help' voor hulp." in wrong.output
    assert "Fout: Ongeldige waarde voor '[MAP]'" in wrong.output and "is een bestand, geen map" in wrong.output
    unknown = runner.invoke(main, ["index", "--onbekend"], prog_name="vraagbaak")
    assert "Fout: Onbekende optie '--onbekend'." in unknown.output
    missing = runner.invoke(main, ["ask"], prog_name="vraagbaak")
    assert "Fout: Argument ontbreekt 'VRAAG'." in missing.output
    helped = runner.invoke(main, ["--help"], prog_name="vraagbaak")
    assert helped.exit_code == 0
    assert "Gebruik: vraagbaak [OPTIES] OPDRACHT [ARGUMENTEN]..." in helped.output
    assert "Opties:" in helped.output and "Toon dit bericht en stop." in helped.output
    assert "Opdrachten:" in helped.output
    for output in (wrong.output, unknown.output, missing.output, helped.output):
        for english in ("Usage:", "Error:", "Try '", "Options:", "Show this message"):
            assert english not in output, (english, output)


def test_what_the_system_refuses_ends_in_one_dutch_line(tmp_path, monkeypatch):
    """A folder that does not exist, a file that is no database: a Dutch line and exit code 1, no traceback."""
    runner = CliRunner()
    monkeypatch.setenv("VRAAGBAAK_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(main, ["feedback", "export", "--out", str(tmp_path / "weg" / "f.json")])
    assert result.exit_code == 1 and "Fout: Bestand of map bestaat niet:" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, FileNotFoundError)
    garbage = tmp_path / "tokens.sqlite"
    garbage.write_text("geen database", encoding="utf-8")
    monkeypatch.setenv("VRAAGBAAK_TOKENS_DB", str(garbage))
    result = runner.invoke(main, ["token", "list"])
    assert result.exit_code == 1 and f"{garbage} is geen leesbare SQLite-database" in result.output


def test_an_unknown_vraagbaak_variable_is_named_by_every_command(tmp_path, monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_INDX_DIR", str(tmp_path))  # a typo of VRAAGBAAK_INDEX_DIR
    result = CliRunner().invoke(main, ["settings"])
    assert "onbekende omgevingsvariabele VRAAGBAAK_INDX_DIR" in result.output


def test_a_build_stopped_by_sigterm_says_so_and_publishes_nothing(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    err = (tmp_path / "err").open("w+")
    build = subprocess.Popen([sys.executable, "-m", "web.cli", "index", str(seeds), "--index-dir", str(tmp_path / "i")],
                             stdout=subprocess.DEVNULL, stderr=err, cwd=seeds.parent)
    deadline = time.monotonic() + 120
    while "embedden" not in (tmp_path / "err").read_text() and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    build.send_signal(signal.SIGTERM)
    assert build.wait(60) == 128 + signal.SIGTERM
    said = (tmp_path / "err").read_text()
    assert "Gestopt (SIGTERM)." in said and "Traceback" not in said
    assert not (tmp_path / "i" / "current").exists()  # nothing half built is published


def test_serve_on_a_port_in_use_says_so_before_loading_anything():
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "web.cli", "serve", "--port", str(port)], capture_output=True,
                              text=True, timeout=60, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 1
    assert f"Poort {port} op 127.0.0.1 is al in gebruik" in done.stderr and "Traceback" not in done.stderr
