"""How a setting is named to the user, and the one Dutch sentence for each refused value.

It decides where a value is said to come from (`source`: "code", "omgeving"
or the settings file, which `vraagbaak settings` shows too), how a setting is
named in a message (its variable, with "(omgeving)", or its key in the file),
and the wording of every refusal: type, range, choices, an unknown key with a
"bedoelt u" suggestion. It reads the one registry (index.settings.Settings)
only through the `RegistryView` that index.settings hands it, so that
index.settings can use it without an import cycle.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class RegistryView:
    """What the messages, checks and reports read of the settings registry; index.settings builds the one view."""

    fields: Mapping[str, FieldInfo]  # Settings.model_fields: setting -> its type, default, limits, help
    env_name: Callable[[str], str]  # setting -> its environment variable
    is_secret: Callable[[str], bool]
    prefix: str  # VRAAGBAAK_, the prefix of every variable but the libraries' own two
    config_env: str  # VRAAGBAAK_CONFIG, the variable that names the settings file


def source(view: RegistryView, key: str, environ: Mapping[str, str], file_values: dict, config_file: Path | None,
           overrides: dict) -> str | None:
    """Where a setting's value came from: "code", "omgeving", the settings file, or None (its default)."""
    if key in overrides:
        return "code"
    if key in view.fields and environ.get(view.env_name(key), "") != "":
        return "omgeving"
    if key in file_values:
        return str(config_file)
    return None


def label(view: RegistryView, key: str, where: str | None) -> str:
    """The setting as the user set it: `'key' in <file>`, `VRAAGBAAK_KEY (omgeving)`, or its variable."""
    if where and where not in ("omgeving", "code"):
        return f"'{key}' in {where}"
    if key in view.fields:
        return f"{view.env_name(key)} (omgeving)" if where == "omgeving" else view.env_name(key)
    return f"'{key}'"


def invalid(view: RegistryView, key: str, where: str | None, error: dict) -> str:
    """A pydantic validation error as one Dutch sentence that names the setting."""
    name = label(view, key, where)
    kind, given, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
    if kind == "extra_forbidden":
        return unknown_key(view, key, None)
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{name} moet een geheel getal zijn, niet {shown}."
    if kind in ("float_parsing", "float_type"):
        return f"{name} moet een getal zijn, niet {shown}."
    if kind == "value_error" and key in view.fields and view.fields[key].annotation is float:
        return f"{name} moet een eindig getal zijn, niet {shown}."
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} moet waar of onwaar zijn (1/0, true/false, ja/nee), niet {shown}."
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{name} moet {bounds(view.fields[key])} zijn, niet {shown}."
    if kind == "literal_error":
        return f"{name} moet een van {ctx.get('expected', '').replace(' or ', ', ')} zijn, niet {shown}."
    if kind in ("string_type", "path_type"):
        return f"{name} moet tekst zijn, niet {type(given).__name__}."
    if kind == "value_error":
        return f"{name} is ongeldig: {error.get('msg', kind).removeprefix('Value error, ')} (gegeven: {shown})."
    return f"{name} is ongeldig: {error.get('msg', kind)} (gegeven: {shown})."


def bounds(field: FieldInfo) -> str:
    """A setting's range in words: "van 1 tot en met 64", "minstens 1", "hoogstens 10"."""
    low = high = None
    for rule in field.metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    if low is not None and high is not None:
        return f"van {number(low)} tot en met {number(high)}"
    return f"minstens {number(low)}" if low is not None else f"hoogstens {number(high)}"


def number(value) -> str:
    """A bound as Dutch writes it: 64, or 0,5 with a decimal comma."""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def unknown_key(view: RegistryView, key: str, config_file: Path | None) -> str:
    """A key no setting has, with the setting it most resembles."""
    match = difflib.get_close_matches(key, list(view.fields), n=1, cutoff=0.75)
    where = f" in {config_file}" if config_file else ""
    return f"Onbekende instelling '{key}'{where}" + (f" (bedoelt u '{match[0]}'?)" if match else "") + "."
