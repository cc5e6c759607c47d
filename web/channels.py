"""Which collections a Slack or Mattermost channel searches (VRAAGBAAK_CHANNEL_COLLECTIONS).

The setting maps channel ids to collections (`C012345=intern,*=openbaar`,
index.settings `Settings.channel_map()`). A question in a mapped channel
searches only that channel's collections; any other channel, and every
direct message, searches those of `*` (without `*`: the public collections).
So a channel that nobody mapped never sees an internal document.

A collection in the mapping that does not exist (not yet created, or
removed) is left out, with one warning per name in the log; when nothing
is left the question is asked over no collection at all, and
web.answering refuses it with a Dutch message that names no collection.
"""

from __future__ import annotations

import logging
import threading

from index.collections import Collections
from index.settings import Settings, env_name

from .config import app_settings
from .library import library

log = logging.getLogger(__name__)

DEFAULT = "*"


class ChannelCollections:
    """Channel id -> the existing collections a question there searches; thread-safe."""

    def __init__(self, settings: Settings, collections: Collections):
        self.mapping = settings.channel_map()
        self.collections = collections
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def for_channel(self, channel: str | None, *, direct: bool = False) -> tuple[str, ...]:
        """The collections to search for a question in `channel` (a direct message: always `*`'s)."""
        key = channel if channel and not direct and channel in self.mapping else DEFAULT
        return tuple(name for name in self.mapping[key] if self._exists(name))

    def _exists(self, name: str) -> bool:
        if self.collections.exists(name):
            return True
        with self._lock:
            first = name not in self._warned
            self._warned.add(name)
        if first:
            log.warning("Collectie '%s' uit %s bestaat niet en wordt overgeslagen.", name,
                        env_name("channel_collections"), extra={"reason": "collection_not_found"})
        return False


EXTENSION = "vraagbaak.channels"


def channel_collections(app) -> ChannelCollections:
    """The app's one mapping (shared by Slack and Mattermost, so each missing name is warned about once)."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = ChannelCollections(app_settings(app), library(app).collections)
    return found
