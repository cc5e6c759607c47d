"""`vraagbaak token create|list|revoke`: API tokens on the server (web.tokens).

`create` prints the new token alone on standard output, so a script can
capture it (`TOKEN=$(vraagbaak token create --collections intern)`); every
message goes to standard error.
"""

from __future__ import annotations

import click

from index.collections import open_collections
from index.errors import VraagbaakError

from .cli_common import command_settings
from .tokens import TokenError, TokenStore, issue



def _store() -> TokenStore:
    return TokenStore(command_settings().tokens_path)


@click.group()
def token() -> None:
    """API-tokens: wie welke collecties mag lezen."""


@token.command("create")
@click.option("--collections", required=True, metavar="NAMEN",
              help="Collecties die de token mag lezen, met komma's ertussen (bv. openbaar,intern).")
@click.option("--name", help="Naam van de token, om hem later te herkennen en in te trekken "
                             "(standaard: token-<8 tekens>).")
def create(collections: str, name: str | None) -> None:
    """Maak een token; alleen de token zelf komt op standaarduitvoer."""
    names = [part.strip() for part in collections.split(",") if part.strip()]
    try:
        registry = open_collections(command_settings())
        value, info = issue(_store(), name, names, registry.exists)
    except (TokenError, VraagbaakError) as exc:
        raise click.ClickException(getattr(exc, "message", None) or str(exc)) from exc
    click.echo(f"Token '{info.name}' gemaakt; hij mag lezen: {', '.join(info.collections)} (en de openbare "
               "collecties). Bewaar hem nu: Vraagbaak bewaart alleen een hash en kan hem niet opnieuw tonen.",
               err=True)
    click.echo(value)


@token.command("list")
def list_tokens() -> None:
    """Toon de tokens (namen, collecties, wanneer gemaakt en ingetrokken), nooit hun waarde."""
    tokens = _store().list()
    if not tokens:
        click.echo("Er zijn nog geen tokens. Maak er een met: vraagbaak token create --collections <namen>", err=True)
        return
    for info in tokens:
        state = f"ingetrokken {info.revoked}" if info.revoked else "geldig"
        click.echo(f"{info.name}\t{','.join(info.collections)}\tgemaakt {info.created}\t{state}")


@token.command("revoke")
@click.argument("name", metavar="NAAM")
def revoke(name: str) -> None:
    """Trek de token NAME in; hij werkt vanaf het volgende verzoek niet meer."""
    try:
        info = _store().revoke(name)
    except TokenError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Token '{info.name}' is ingetrokken ({info.revoked}).", err=True)
