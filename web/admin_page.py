"""GET /beheer: the admin page, in Dutch, with no build step (as the chat page).

The page itself is public and holds nothing: it asks for the admin token,
keeps it in the tab's session storage (never a cookie, so no request can be
forged with it), and does everything through the admin API, which checks the
token on every call (web.collections_api, web.jobs).
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("admin_page", __name__)


@bp.get("/beheer")
def admin():
    return render_template("beheer.html")
