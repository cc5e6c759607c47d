"""The settings of the running app: one accessor over index.settings.Settings.

The app factory builds the settings once (environment, settings file,
defaults, and the values the caller sets in code) and keeps them on the app;
every view reads them through `app_settings()`.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app

from index.settings import PREFIX, SETTINGS, Settings, load_settings, with_values

EXTENSION = "vraagbaak.settings"


def app_settings(app: Flask | None = None) -> Settings:
    """The settings of `app` (default: the app of the current request)."""
    return (app or current_app).extensions[EXTENSION]


def setting_values(config: Mapping | None) -> dict:
    """The settings among Flask config keys: "VRAAGBAAK_INDEX_DIR" -> {"index_dir": ...}."""
    values = {}
    for name, value in (config or {}).items():
        key = name[len(PREFIX):].lower() if name.startswith(PREFIX) else None
        if key in SETTINGS:
            values[key] = value
    return values


def settings_for_app(config: Mapping | None, settings: Settings | None) -> Settings:
    """The app's settings: the given ones (or those of the environment) with the config's settings on top."""
    values = setting_values(config)
    if settings is None:
        return load_settings(overrides=values, check_paths=False)
    return with_values(settings, **values) if values else settings
