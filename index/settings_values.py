"""What a setting's value may look like: how the text people write becomes a typed value.

These are the value types the fields of `index.settings.Settings` are declared
with; each coercer runs before pydantic checks the type, so that `0,83` is
0.83, "ja"/"nee" are booleans, an empty text is unset, and a list of
collections may be written as "openbaar, intern". Nothing here knows the
registry itself: `index.settings` imports these, never the other way round.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_settings import NoDecode

# What a collection is called (index.collections); defined here, the lowest module, because settings name them.
STANDARD_COLLECTION = "standaard"
# Not starting with "-": "-" alone means "none" in VRAAGBAAK_PUBLIC_COLLECTIONS.
COLLECTION_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def is_collection_name(name: Any) -> bool:
    return isinstance(name, str) and bool(COLLECTION_NAME.fullmatch(name))


_TRUE = ("1", "true", "yes", "ja", "on", "waar")
_FALSE = ("0", "false", "no", "nee", "off", "onwaar")


def _decimal(value: Any) -> Any:
    """Numbers as people write them: "0,83" is 0.83 (a Dutch decimal comma)."""
    return value.strip().replace(",", ".") if isinstance(value, str) else value


def _boolean(value: Any) -> Any:
    """Yes and no as people write them, in English or Dutch ("ja", "nee", "waar", "onwaar", 1, 0)."""
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    return value


def stripped_text(value: Any) -> Any:
    """Text settings: surrounding spaces dropped, and empty means unset."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def upper_text(value: Any) -> Any:
    """Choices written in capitals (log levels), whatever case people type."""
    return value.strip().upper() if isinstance(value, str) else value


def lower_text(value: Any) -> Any:
    """Choices written in lower case (backends, index kinds), whatever case people type."""
    return value.strip().lower() if isinstance(value, str) else value


def _names(value: Any) -> Any:
    """A list of collection names: "openbaar, intern" or a TOML list; empty means none."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip() not in ("", "-")]
    if isinstance(value, (list, tuple)):
        for name in value:
            if not is_collection_name(name):
                raise ValueError(f"ongeldige collectienaam {name!r}")
        return tuple(dict.fromkeys(value))
    return value


def _channels(value: Any) -> Any:
    """"C012345=intern,*=openbaar+extra" as {channel: (collections, ...)}; empty means unset."""
    if isinstance(value, str):
        if not value.strip():
            return None
        mapping: dict[str, tuple[str, ...]] = {}
        for entry in value.split(","):
            channel, sep, names = (part.strip() for part in entry.partition("="))
            if not entry.strip():
                continue
            collections = tuple(n.strip() for n in names.split("+") if n.strip())
            if not sep or not channel or not collections:
                raise ValueError(f"{entry.strip()!r} is geen kanaal=collectie")
            for name in collections:
                if not is_collection_name(name):
                    raise ValueError(f"ongeldige collectienaam {name!r}")
            mapping[channel] = collections
        return mapping
    return value


Decimal = Annotated[float, BeforeValidator(_decimal)]
Integer = Annotated[int, BeforeValidator(_decimal)]
Flag = Annotated[bool, BeforeValidator(_boolean)]
Text = Annotated[str | None, BeforeValidator(stripped_text)]
Folder = Annotated[Path | None, BeforeValidator(stripped_text)]
Names = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_names)]  # NoDecode: a list as people write it, not JSON
Channels = Annotated[dict[str, tuple[str, ...]] | None, NoDecode, BeforeValidator(_channels)]
