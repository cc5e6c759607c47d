"""`vraagbaak token create|list|revoke`: API tokens on the server (web.tokens).

`create` prints the new token alone on standard output, so a script can
capture it (`TOKEN=$(vraagbaak token create --collections intern)`); every
message goes to standard error. `--expires DAYS` makes a token that expires
after that many days; `list` shows, after the state of each token (valid,
expired or revoked), when it expires.
"""

from __future__ import annotations

import re

import click

from index.collections import open_collections
from index.errors import VraagbaakError

from .cli_common import command_settings
from .tokens import EXPIRES_RULE, MAX_EXPIRES_DAYS, MIN_EXPIRES_DAYS, TokenError, TokenInfo, TokenStore, issue


def _store() -> TokenStore:
    return TokenStore(command_settings().tokens_path)


def _days(text: str | None) -> int | None:
    """The value of --expires as a number of days (None without it); TokenError when it is no whole number.

    Only the digits 0-9: int() would also take "1_000" and digits of other scripts.
    """
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()):
        raise TokenError(EXPIRES_RULE)
    return int(text.strip())  # the range is checked where every token is made (web.tokens.issue)


def _line(info: TokenInfo) -> str:
    """One token in `token list`: name, collections, made, state, expiry; tab-separated, never its value."""
    if info.revoked:
        state = f"ingetrokken {info.revoked}"
    else:
        state = "verlopen" if info.expired() else "geldig"
    expiry = f"verloopt {info.expires}" if info.expires else "verloopt niet"
    return f"{info.name}\t{','.join(info.collections)}\tgemaakt {info.created}\t{state}\t{expiry}"


@click.group()
def token() -> None:
    """API-tokens: wie welke collecties mag lezen."""


@token.command("create")
@click.option("--collections", required=True, metavar="NAMEN",
              help="Collecties die de token mag lezen, met komma's ertussen (bv. openbaar,intern).")
@click.option("--name", help="Naam van de token, om hem later te herkennen en in te trekken "
                             "(standaard: token-<8 tekens>).")
@click.option("--expires", metavar="DAGEN",
              help=f"Na zoveel dagen verloopt de token (een geheel getal van {MIN_EXPIRES_DAYS} tot en met "
                   f"{MAX_EXPIRES_DAYS}; standaard: hij verloopt niet).")
def create(collections: str, name: str | None, expires: str | None) -> None:
    """Maak een token; alleen de token zelf komt op standaarduitvoer."""
    names = [part.strip() for part in collections.split(",") if part.strip()]
    try:
        days = _days(expires)
        registry = open_collections(command_settings())
        value, info = issue(_store(), name, names, registry.exists, days)
    except (TokenError, VraagbaakError) as exc:
        raise click.ClickException(getattr(exc, "message", None) or str(exc)) from exc
    until = f" Hij verloopt op {info.expires}." if info.expires else " Hij verloopt niet."
    click.echo(f"Token '{info.name}' gemaakt; hij mag lezen: {', '.join(info.collections)} (en de openbare "
               f"collecties).{until} Bewaar hem nu: Vraagbaak bewaart alleen een hash en kan hem niet opnieuw "
               "tonen.", err=True)
    click.echo(value)


@token.command("list")
def list_tokens() -> None:
    """Toon de tokens (naam, collecties, gemaakt, geldig/verlopen/ingetrokken, verloopdatum), nooit hun waarde."""
    tokens = _store().list()
    if not tokens:
        click.echo("Er zijn nog geen tokens. Maak er een met: vraagbaak token create --collections <namen>", err=True)
        return
    for info in tokens:
        click.echo(_line(info))


@token.command("revoke")
@click.argument("name", metavar="NAAM")
def revoke(name: str) -> None:
    """Trek de token NAME in; hij werkt vanaf het volgende verzoek niet meer."""
    try:
        info = _store().revoke(name)
    except TokenError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Token '{info.name}' is ingetrokken ({info.revoked}).", err=True)
