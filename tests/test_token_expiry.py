"""API tokens that expire: `--expires DAYS`, `"expires_in_days"`, the 401 of an expired token, and old token files.

The real app over the seeds index (no collection is public, so only a token reads `standaard`), its real
SQLite token file, the real `vraagbaak token` command through click's CliRunner, and the store itself
with a `now` of the test's choosing. A token is made expired by writing a past expiry into the file,
as the clock will one day do.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SEEDS
from web.app import create_app
from web.cli import main
from web.tokens import EXPIRES_RULE, TokenError, TokenExpired, TokenRefused, TokenStore, token_hash

ADMIN = {"Authorization": "Bearer beheer"}
QUESTION = {"question": "Hoeveel dakloze mensen telde het CBS in Nederland?", "top_k": 1}
DOCUMENT = f"/documents/{sorted(p.name for p in SEEDS.iterdir() if p.suffix == '.txt')[0]}"
LEGACY_TOKEN = "vb_" + "o" * 43  # a token made before tokens could expire
# The tokens table as it was before tokens could expire.
OLD_SCHEMA = """
CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    collections TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
)
"""


def _old_token_file(path: Path, token: str = LEGACY_TOKEN, name: str = "oud") -> None:
    """A token file of the old schema, with one token for `standaard`, as an older Vraagbaak left it."""
    with sqlite3.connect(path) as db:
        db.execute(OLD_SCHEMA)
        db.execute("INSERT INTO tokens (name, hash, collections, created) VALUES (?, ?, ?, ?)",
                   (name, token_hash(token), '["standaard"]', "2025-01-01T00:00:00+00:00"))
    db.close()


def _columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(tokens)")]
    db.close()
    return columns


def _set_expiry(path: Path, name: str, expires: str) -> None:
    """Write an expiry into the token file, as if the token had been made to expire then."""
    with sqlite3.connect(path) as db:
        assert db.execute("UPDATE tokens SET expires = ? WHERE name = ?", (expires, name)).rowcount == 1
    db.close()


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def served(seeds_index_dir, embedder, tmp_path_factory):
    """(test client, token file): the real app, whose token file starts as one of the old schema."""
    base = tmp_path_factory.mktemp("token-expiry")
    tokens = base / "tokens.sqlite"
    _old_token_file(tokens)
    app = create_app({"VRAAGBAAK_INDEX_DIR": str(seeds_index_dir), "VRAAGBAAK_RATE_LIMIT": "off",
                      "VRAAGBAAK_ADMIN_TOKEN": "beheer", "VRAAGBAAK_PUBLIC_COLLECTIONS": "-",
                      "VRAAGBAAK_TOKENS_DB": str(tokens), "VRAAGBAAK_COLLECTIONS_DIR": str(base / "collections"),
                      "VRAAGBAAK_FEEDBACK_DB": str(base / "feedback.sqlite"),
                      "VRAAGBAAK_JOBS_DB": str(base / "jobs.sqlite")})
    app.extensions["vraagbaak"]._embedder = embedder  # the session's model, not a second load
    return app.test_client(), tokens


def _make(client, **fields) -> dict:
    response = client.post("/api/v1/tokens", json={"collections": ["standaard"], **fields}, headers=ADMIN)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def _listed(client) -> dict[str, dict]:
    response = client.get("/api/v1/tokens", headers=ADMIN)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["name"]: row for row in response.get_json()}


# ---------- the API ----------


def test_a_token_with_a_future_expiry_reads_and_says_when_it_expires(served):
    client, _ = served
    assert client.post("/api/v1/ask", json=QUESTION).status_code == 401  # nothing is public: only a token reads
    made = _make(client, name="dertig-dagen", expires_in_days=30)
    assert _moment(made["expires"]) - _moment(made["created"]) == timedelta(days=30)
    assert made["expired"] is False and made["revoked"] is None
    response = client.post("/api/v1/ask", json=QUESTION, headers=_bearer(made["token"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.get(DOCUMENT, headers=_bearer(made["token"])).status_code == 200
    listed = _listed(client)["dertig-dagen"]
    assert (listed["expires"], listed["expired"]) == (made["expires"], False)
    assert "token" not in listed


def test_without_an_expiry_a_token_never_expires(served):
    client, _ = served
    made = _make(client, name="voor-altijd")
    assert made["expires"] is None and made["expired"] is False
    made_null = _make(client, name="ook-voor-altijd", expires_in_days=None)
    assert made_null["expires"] is None
    whole = _make(client, name="heel-getal", expires_in_days=7.0)  # JSON does not tell 7 from 7.0
    assert _moment(whole["expires"]) - _moment(whole["created"]) == timedelta(days=7)
    assert client.post("/api/v1/ask", json=QUESTION, headers=_bearer(made["token"])).status_code == 200


def test_an_expired_token_is_refused_like_an_unknown_one_with_its_own_dutch_message(served):
    client, tokens = served
    made = _make(client, name="verloopt-zo", expires_in_days=1)
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat(timespec="seconds")
    _set_expiry(tokens, "verloopt-zo", past)

    unknown = client.post("/api/v1/ask", json=QUESTION, headers=_bearer("vb_nooituitgegeven"))
    for response in (client.post("/api/v1/ask", json=QUESTION, headers=_bearer(made["token"])),
                     client.post("/api/v1/feedback", json={"question": "q", "answer": "a", "rating": "up"},
                                 headers=_bearer(made["token"])),
                     client.get(DOCUMENT, headers=_bearer(made["token"]))):
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"]
        error = response.get_json()["error"]
        assert error["code"] == unknown.get_json()["error"]["code"] == "unauthorized"
        assert error["message"].startswith("Deze token is verlopen") and past in error["message"]
        assert "nieuwe token" in error["message"] and made["token"] not in error["message"]
    assert unknown.get_json()["error"]["message"].startswith("Deze token is onbekend of ingetrokken")

    listed = _listed(client)["verloopt-zo"]
    assert (listed["expires"], listed["expired"], listed["revoked"]) == (past, True, None)
    # Revoked as well: it is then refused as revoked.
    assert client.delete("/api/v1/tokens/verloopt-zo", headers=ADMIN).status_code == 200
    response = client.post("/api/v1/ask", json=QUESTION, headers=_bearer(made["token"]))
    assert response.status_code == 401
    assert response.get_json()["error"]["message"].startswith("Deze token is onbekend of ingetrokken")


def test_an_expiry_that_is_no_timestamp_refuses_the_token_never_reads(served):
    """Only a hand-edited file holds one; the token is then refused (fail closed), not read without expiry."""
    client, tokens = served
    made = _make(client, name="kapotte-datum", expires_in_days=5)
    _set_expiry(tokens, "kapotte-datum", "morgen")
    try:
        response = client.post("/api/v1/ask", json=QUESTION, headers=_bearer(made["token"]))
        assert response.status_code == 401
        assert response.get_json()["error"]["message"].startswith("Deze token is verlopen")
        listed = _listed(client)["kapotte-datum"]  # the list shows it as expired, without the unreadable date
        assert listed["expired"] is True and listed["expires"] is None
    finally:
        _set_expiry(tokens, "kapotte-datum", made["expires"])


@pytest.mark.parametrize("days", [0, -1, 3651, 10**12, "30", "", 1.5, True, False, [30], {"dagen": 30}])
def test_an_invalid_expiry_is_a_dutch_400_and_makes_no_token(served, days):
    client, _ = served
    before = set(_listed(client))
    response = client.post("/api/v1/tokens", json={"name": "ongeldig", "collections": ["standaard"],
                                                   "expires_in_days": days}, headers=ADMIN)
    assert response.status_code == 400, (days, response.get_data(as_text=True))
    assert response.get_json() == {"error": {"code": "invalid_expires", "message": EXPIRES_RULE}}
    assert set(_listed(client)) == before


def test_the_edges_of_the_range_are_accepted(served):
    client, _ = served
    for days in (1, 3650):
        made = _make(client, name=f"grens-{days}", expires_in_days=days)
        assert _moment(made["expires"]) - _moment(made["created"]) == timedelta(days=days)


def test_the_document_describes_the_expiry(served):
    client, _ = served
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    field = schemas["TokenRequest"]["properties"]["expires_in_days"]
    assert {"type": "integer", "minimum": 1, "maximum": 3650} in field["anyOf"]
    assert "expires_in_days" not in schemas["TokenRequest"].get("required", [])
    assert {"expires", "expired"} <= set(schemas["TokenInfo"]["required"])
    [example] = schemas["TokenRequest"]["examples"]
    made = _make(client, **{**example, "name": "uit-het-voorbeeld"})
    assert made["expires"] is not None
    message = client.post("/api/v1/tokens", json={"collections": ["standaard"], "verloopt": 3},
                          headers=ADMIN).get_json()["error"]["message"]
    assert "expires_in_days" in message


# ---------- a token file of the old schema ----------


def test_the_old_token_file_of_the_app_was_migrated_and_its_token_still_works(served):
    client, tokens = served
    response = client.post("/api/v1/ask", json=QUESTION, headers=_bearer(LEGACY_TOKEN))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "expires" in _columns(tokens)
    old = _listed(client)["oud"]
    assert (old["expires"], old["expired"], old["created"]) == (None, False, "2025-01-01T00:00:00+00:00")


def test_an_old_token_file_gets_the_column_once_and_keeps_its_tokens(tmp_path):
    path = tmp_path / "tokens.sqlite"
    _old_token_file(path)
    assert "expires" not in _columns(path)
    store = TokenStore(path)
    [old] = store.list()
    assert (old.name, old.collections, old.expires, old.expired()) == ("oud", ("standaard",), None, False)
    assert _columns(path) == ["name", "hash", "collections", "created", "revoked", "expires"]
    assert store.check(LEGACY_TOKEN).name == "oud"
    token, made = store.create("nieuw", ["standaard"], 3)
    assert TokenStore(path).check(token).expires == made.expires  # opened again: nothing added twice
    assert [info.name for info in TokenStore(path).list()] == ["oud", "nieuw"]


def test_a_file_that_is_no_database_is_still_named_as_unreadable(tmp_path):
    path = tmp_path / "tokens.sqlite"
    path.write_text("geen database", encoding="utf-8")
    from web.sqlite_file import StoreUnreadable

    with pytest.raises(StoreUnreadable):
        TokenStore(path).list()


# ---------- the store, with a clock of the test's choosing ----------


def test_the_store_counts_the_expiry_from_now(tmp_path):
    store = TokenStore(tmp_path / "tokens.sqlite")
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    token, info = store.create("twee-dagen", ["standaard"], 2, now=now)
    assert (info.created, info.expires) == ("2026-03-01T12:00:00+00:00", "2026-03-03T12:00:00+00:00")
    last_second = now + timedelta(days=2, seconds=-1)
    assert store.check(token, now=last_second).name == "twee-dagen"
    assert store.find(token, now=last_second) is not None
    with pytest.raises(TokenExpired) as expired:
        store.check(token, now=now + timedelta(days=2))
    assert isinstance(expired.value, TokenRefused) and expired.value.status == 401
    assert expired.value.message.startswith("Deze token is verlopen (op 2026-03-03T12:00:00+00:00)")
    assert store.find(token, now=now + timedelta(days=2)) is None
    assert store.list()[0].as_dict(now=now)["expired"] is False
    assert store.list()[0].as_dict(now=now + timedelta(days=3))["expired"] is True
    forever, _ = store.create("altijd", ["standaard"], now=now)
    assert store.check(forever, now=now + timedelta(days=365 * 100)).expires is None


@pytest.mark.parametrize("days", [0, -5, 3651, True, 2.0, "2"])
def test_the_store_refuses_an_invalid_expiry(tmp_path, days):
    store = TokenStore(tmp_path / "tokens.sqlite")
    with pytest.raises(TokenError) as refused:
        store.create("fout", ["standaard"], days)
    assert refused.value.message == EXPIRES_RULE
    assert store.list() == []


# ---------- the command ----------


def _env(tokens: Path, base: Path) -> dict:
    return {"VRAAGBAAK_TOKENS_DB": str(tokens), "VRAAGBAAK_COLLECTIONS_DIR": str(base / "collections"),
            "VRAAGBAAK_CONFIG": None}


def test_the_command_makes_an_expiring_token_that_the_app_takes(served):
    client, tokens = served
    env = _env(tokens, tokens.parent)
    made = CliRunner().invoke(main, ["token", "create", "--collections", "standaard", "--name", "cli-week",
                                     "--expires", "7"], env=env)
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("vb_")  # the token alone, for a script
    assert "verloopt op" in made.stderr and token not in made.stderr
    assert client.post("/api/v1/ask", json=QUESTION, headers=_bearer(token)).status_code == 200

    listed = CliRunner().invoke(main, ["token", "list"], env=env)
    assert listed.exit_code == 0 and token not in listed.stdout
    lines = {line.split("\t")[0]: line.split("\t") for line in listed.stdout.splitlines()}
    name, collections, created, state, expiry = lines["cli-week"]
    assert (collections, state) == ("standaard", "geldig")
    assert _moment(expiry.removeprefix("verloopt ")) - _moment(created.removeprefix("gemaakt ")) == timedelta(days=7)
    assert lines["oud"][3:] == ["geldig", "verloopt niet"]

    _set_expiry(tokens, "cli-week", "2026-01-02T03:04:05+00:00")
    listed = CliRunner().invoke(main, ["token", "list"], env=env)
    line = next(x for x in listed.stdout.splitlines() if x.startswith("cli-week\t"))
    assert line.endswith("\tverlopen\tverloopt 2026-01-02T03:04:05+00:00")
    response = client.post("/api/v1/ask", json=QUESTION, headers=_bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["message"].startswith("Deze token is verlopen (op 2026-01-02T03:04:05+00:00)")


@pytest.mark.parametrize("days", ["0", "3651", "-3", "zeven", "1.5", "7d", "", "1_0", "٣"])
def test_the_command_refuses_an_invalid_expiry_in_dutch(served, days):
    _, tokens = served
    env = _env(tokens, tokens.parent)
    before = CliRunner().invoke(main, ["token", "list"], env=env).stdout
    result = CliRunner().invoke(main, ["token", "create", "--collections", "standaard", "--name", "cli-fout",
                                       "--expires", days], env=env)
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert EXPIRES_RULE in result.stderr and "Traceback" not in result.output
    assert CliRunner().invoke(main, ["token", "list"], env=env).stdout == before
