"""What valid settings can still get wrong, and what `vraagbaak settings` shows of them.

Checks: folders that cannot exist or cannot be written, a model folder that
is missing, a backend whose options or packages are missing, thresholds that
contradict each other (each problem one Dutch sentence naming the setting),
and VRAAGBAAK_* variables no setting knows (index.settings hands in the
environment: it alone reads it).
Reports: the settings in effect with where each came from (secrets masked),
and the reference table of every setting that the README shows. The
registry is read through the `RegistryView` index.settings hands in, so
index.settings can use these without an import cycle.
"""

from __future__ import annotations

import importlib.util
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic.fields import FieldInfo

from .settings_messages import RegistryView, bounds


def settings_problems(settings: Any, view: RegistryView) -> list[str]:
    """What valid values still make unusable: folders that cannot exist, a missing model folder, a backend."""
    env_name = view.env_name
    problems = []
    for key in ("data_dir", "index_dir", "feedback_db", "eval_index_dir", "collections_dir", "tokens_db", "jobs_db"):
        path = getattr(settings, key)
        if path is None:
            continue
        # A folder setting names the folder itself; a database file (new or
        # already there: a restart) is written with its journal beside it.
        folder = path if path.is_dir() else path.parent
        if path.exists() and key.endswith("_dir") and not path.is_dir():
            problems.append(f"{env_name(key)} wijst naar {path}, maar dat is geen map.")
        elif not folder.exists():
            problems.append(f"De map boven {env_name(key)} ({folder}) bestaat niet.")
        elif key == "index_dir":
            continue  # the service only reads the index
        elif not os.access(folder, os.W_OK | os.X_OK):
            problems.append(f"In de map {folder} ({env_name(key)}) mag Vraagbaak niet schrijven.")
        elif path.is_file() and not os.access(path, os.W_OK):
            problems.append(f"Het bestand {path} ({env_name(key)}) mag Vraagbaak niet schrijven.")
    if settings.model.startswith((".", "/", "~")):
        folder = Path(settings.model).expanduser()
        if not folder.is_dir():
            problems.append(f"VRAAGBAAK_MODEL wijst naar de map {folder}, maar die bestaat niet.")
        elif not os.access(folder, os.R_OK | os.X_OK):
            problems.append(f"De modelmap {folder} (VRAAGBAAK_MODEL) is niet leesbaar.")
    problems.extend(backend_problems(settings))
    if settings.coverage_waived_above < settings.abstain_threshold:
        problems.append("VRAAGBAAK_COVERAGE_WAIVED_ABOVE moet minstens VRAAGBAAK_ABSTAIN_THRESHOLD zijn.")
    return problems


def backend_problems(settings: Any) -> list[str]:
    """Why the configured backend cannot be used (its options, its packages); [] for the local one."""
    if settings.backend != "milvus":
        return []
    from .backends.milvus import MilvusOptions
    from .backends.milvus.client import check_options

    problems = check_options(MilvusOptions(uri=settings.milvus_uri or "", collection=settings.milvus_collection))
    if importlib.util.find_spec("pymilvus") is None:
        problems.append("Voor VRAAGBAAK_BACKEND=milvus is pymilvus nodig: pip install 'vraagbaak[milvus]'.")
    elif (settings.milvus_uri or "").endswith(".db") and importlib.util.find_spec("milvus_lite") is None:
        problems.append("Voor een Milvus Lite-bestand in VRAAGBAAK_MILVUS_URI is milvus-lite nodig: "
                        "pip install 'vraagbaak[milvus]'.")
    return problems


def unknown_environment(environ: Mapping[str, str], view: RegistryView) -> list[str]:
    """VRAAGBAAK_* variables that no setting knows: probably typos (a warning, not an error)."""
    known = {view.env_name(key) for key in view.fields} | {view.config_env}
    return sorted(name for name in environ
                  if name.startswith(view.prefix) and name not in known
                  and not name.startswith(view.prefix + "FLASK_") and not name.startswith(view.prefix + "TEST"))


def summary(settings: Any, view: RegistryView) -> list[tuple[str, str, str]]:
    """(variable name, shown value, source) for every setting that has a value; secrets are masked."""
    rows = []
    for key in view.fields:
        value = getattr(settings, key)
        if value is None:
            continue
        shown = "***" if view.is_secret(key) else str(value)
        rows.append((view.env_name(key), shown, settings._sources.get(key, "standaard")))
    return rows


def _shown_default(field: FieldInfo) -> str:
    default = field.default
    if default is None:
        return "–"
    if isinstance(default, bool):
        return "ja" if default else "nee"
    if isinstance(default, tuple):
        return f"`{','.join(default)}`" if default else "–"
    return f"`{default}`"


def _allowed(field: FieldInfo) -> str:
    """The values a setting takes, in words: its choices, its range, or its type."""
    choices = typing.get_args(field.annotation) if typing.get_origin(field.annotation) is Literal else ()
    if choices:
        return " / ".join(f"`{c}`" for c in choices)
    if any(getattr(rule, "ge", None) is not None or getattr(rule, "le", None) is not None
           for rule in field.metadata):
        return bounds(field).replace("tot en met", "t/m")
    kinds = {bool: "ja/nee", int: "geheel getal", float: "getal", tuple[str, ...]: "collectienamen"}
    if "dict" in str(field.annotation):
        return "kanaal=collecties"
    return kinds.get(field.annotation, "pad" if "Path" in str(field.annotation) else "tekst")


def settings_markdown(view: RegistryView) -> str:
    """The reference table of every setting, as the README shows it (a test keeps the two equal)."""
    lines = ["| instelling | standaard | waarden | betekenis |", "| --- | --- | --- | --- |"]
    for key, field in view.fields.items():
        secret = " (geheim: nooit in logs of uitvoer)" if view.is_secret(key) else ""
        lines.append(f"| `{view.env_name(key)}` | {_shown_default(field)} | {_allowed(field)} | {field.description}{secret} |")
    return "\n".join(lines)
