"""GET /beheer: the admin page, in Dutch, with no build step (as the chat page).

The page itself is public and holds nothing: it asks for the admin token,
keeps it in the tab's session storage (never a cookie, so no request can be
forged with it), and does everything through the admin API, which checks the
token on every call (web.collections_api, web.jobs).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from index.settings import COLLECTION_NAME

bp = Blueprint("admin_page", __name__)


@bp.get("/beheer")
def admin():
    # The form checks a new name by the same rule as the API (index.settings_values.COLLECTION_NAME).
    return render_template("beheer.html", name_pattern=COLLECTION_NAME.pattern)
