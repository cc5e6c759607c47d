"""Runs the app under gunicorn, with the model loaded once before workers fork."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class VraagbaakServer(BaseApplication):
    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(app, *, host: str, port: int, workers: int, threads: int, timeout: int = 60) -> None:
    VraagbaakServer(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": 30,
        "preload_app": True,
        "accesslog": "-",
        "errorlog": "-",
    }).run()
