"""The settings: one definition, read the same way by every command, and the README's table is that definition."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.settings import (OPENMP_SPIN_COUNT, SETTINGS, ConfigError, env_name, environment_for_libraries,
                            load_settings, settings_markdown)
from qa.options import AnswerOptions
from web.cli import main

REPO = Path(__file__).resolve().parent.parent
# Commands that must refuse a bad setting the same way, before doing anything else.
COMMANDS = (["serve", "--check"], ["serve"], ["ask", "Wie is de minister?"], ["index", "--index-dir", "nergens"])


def test_the_readme_table_is_the_definition():
    readme = (REPO / "README.md").read_text("utf-8")
    assert settings_markdown() in readme
    shown = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `") and "_" in line}
    listed = {name for name in shown if name.startswith(("VRAAGBAAK_", "HF_", "PROMETHEUS_"))}
    assert {env_name(key) for key in SETTINGS} <= listed


def _numeric() -> list[str]:
    return [key for key, field in SETTINGS.items() if field.annotation in (int, float)]


@pytest.mark.parametrize("key", _numeric())
def test_a_bad_number_is_refused_alike_by_every_command(key, monkeypatch):
    monkeypatch.setenv(env_name(key), "veel")
    outputs = []
    for command in COMMANDS:
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)
        outputs.append(result.output)
    assert len(set(outputs)) == 1, outputs  # the same Dutch refusal from each
    assert f"{env_name(key)} (omgeving) moet" in outputs[0]


def test_numbers_are_read_the_dutch_way_and_ranges_are_checked():
    settings = load_settings({"VRAAGBAAK_ABSTAIN_THRESHOLD": "0,83", "VRAAGBAAK_LOG_QUESTIONS": "ja",
                              "VRAAGBAAK_QUESTION_TIMEOUT": " 2,5 "})
    assert settings.abstain_threshold == 0.83 and settings.log_questions is True
    assert settings.question_timeout == 2.5
    assert AnswerOptions.from_settings(settings).min_dense_score == 0.83
    with pytest.raises(ConfigError) as caught:
        load_settings({"VRAAGBAAK_ABSTAIN_THRESHOLD": "1,5", "VRAAGBAAK_RETRIEVAL": "snel",
                       "VRAAGBAAK_MILVUS_TIMEOUT": "inf"})
    problems = "\n".join(caught.value.problems)
    assert "VRAAGBAAK_ABSTAIN_THRESHOLD (omgeving) moet van -1 tot en met 1 zijn" in problems
    assert "VRAAGBAAK_RETRIEVAL (omgeving) moet een van 'dense', 'lexical', 'hybrid' zijn" in problems
    assert "VRAAGBAAK_MILVUS_TIMEOUT" in problems


def test_secrets_never_show(monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_API_TOKEN", "heel-geheim")
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 0 and "VRAAGBAAK_API_TOKEN" in result.output
    assert "heel-geheim" not in result.output and "***" in result.output


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for package in ("index", "qa", "web"):
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if relative in ("index/settings.py", "web/bench/server_process.py"):  # the bench passes it to its server
                continue
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                        and isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(f"{relative}:{node.lineno}")
    assert readers == []


def test_a_restart_finds_its_own_database_files_usable(tmp_path):
    """The feedback, token and job databases exist after a first run; a restart must accept them."""
    names = {"VRAAGBAAK_FEEDBACK_DB": "feedback.sqlite", "VRAAGBAAK_TOKENS_DB": "tokens.sqlite",
             "VRAAGBAAK_JOBS_DB": "jobs.sqlite"}
    for name in names.values():
        (tmp_path / name).write_bytes(b"")
        (tmp_path / name).chmod(0o644)  # as SQLite creates them: not executable
    environ = {key: str(tmp_path / name) for key, name in names.items()}
    assert load_settings(environ).feedback_db == tmp_path / "feedback.sqlite"
    environ["VRAAGBAAK_JOBS_DB"] = str(tmp_path / "nergens" / "jobs.sqlite")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    assert caught.value.problems == [f"De map boven VRAAGBAAK_JOBS_DB ({tmp_path / 'nergens'}) bestaat niet."]


def test_the_libraries_are_told_to_stay_offline_and_spin_briefly_unless_the_operator_says_otherwise(monkeypatch):
    for name in ("HF_HUB_OFFLINE", "GOMP_SPINCOUNT"):
        monkeypatch.delenv(name, raising=False)
    environment_for_libraries()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["GOMP_SPINCOUNT"] == str(OPENMP_SPIN_COUNT)
    monkeypatch.setenv("GOMP_SPINCOUNT", "300000")
    environment_for_libraries()
    assert os.environ["GOMP_SPINCOUNT"] == "300000"
