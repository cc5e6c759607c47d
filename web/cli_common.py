"""What every `vraagbaak` subcommand shares: its settings, progress lines, failures, backend and model."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from index.errors import VraagbaakError
from index.settings import PROJECT_ROOT, Settings

from .cli_dutch import speak_dutch

# Every command module imports this one before it makes its commands: click's own words in Dutch.
speak_dutch()

DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


def command_settings() -> Settings:
    """The settings of this command, read and checked once by `main`."""
    return click.get_current_context().find_root().obj


def read_limits():
    """What one document may cost to read (VRAAGBAAK_MAX_BYTES and the other reading limits)."""
    from index.readers.limits import ReadLimits

    return ReadLimits.from_settings(command_settings())


class StageProgress:
    """One progress line per stage on stderr, so long builds show where they are."""

    def __init__(self):
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=max(total, 1), label=f"{stage:<9}", file=sys.stderr,
                                         show_pos=True)
            self.bar.__enter__()
            self.done = 0
        self.bar.update(done - self.done)
        self.done = done

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def counted(n: int, one: str, more: str) -> str:
    """"1 document", "5 documenten"."""
    return f"{n} {one if n == 1 else more}"


def fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


def source_at(root: Path):
    """The index backend the settings name (VRAAGBAAK_BACKEND): local files under `root`, or Milvus."""
    from index.backends import configured_source

    try:
        return configured_source(command_settings(), root)
    except VraagbaakError as exc:
        raise click.ClickException(str(exc)) from exc


def command_embedder(*, quiet: bool = False):
    """The embedding model the settings name; converting it the first time is reported on stderr."""
    from index.embedder import embedder_for

    return embedder_for(command_settings(), progress=None if quiet else lambda m: click.echo(m, err=True))

