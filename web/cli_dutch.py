"""Click's own words in Dutch: "Gebruik:", "Fout: …", "Toon dit bericht en stop.".

Click writes its usage lines, help and parse errors through gettext (`_` and `ngettext` in each
of its modules), so an application can translate them. Python's gettext picks the language from
the environment, and the command line of a Dutch service should speak Dutch whatever the
machine's locale, so `speak_dutch` gives those modules a translation of their own instead. A
message click adds in a later version is shown in English until it is added here.
"""

from __future__ import annotations

import importlib
import logging

# Click's messages (click 8.x) and their Dutch; the {placeholders} are click's own.
MESSAGES = {
    "%(prog)s, version %(version)s": "%(prog)s, versie %(version)s",
    "(dynamic)": "(dynamisch)",
    "Aborted!": "Afgebroken.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} neemt {nargs} waarden.",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
    "Commands": "Opdrachten",
    "Confirm the action without prompting.": "Bevestig zonder te vragen.",
    "Could not open file {filename!r}: {message}": "Kan bestand {filename!r} niet openen: {message}",
    "Do you want to continue?": "Wilt u doorgaan?",
    "Error: The two entered values do not match.": "Fout: de twee ingevoerde waarden verschillen.",
    "Error: invalid input": "Fout: ongeldige invoer",
    "Error: {message}": "Fout: {message}",
    "Invalid start character for option ({option})": "Ongeldig beginteken voor een optie ({option})",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Missing argument": "Argument ontbreekt",
    "Missing command.": "Opdracht ontbreekt.",
    "Missing option": "Optie ontbreekt",
    "Missing parameter": "Parameter ontbreekt",
    "Missing parameter: {param_name}": "Parameter ontbreekt: {param_name}",
    "Missing {param_type}": "{param_type} ontbreekt",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Options": "Opties",
    "Positional arguments": "Argumenten",
    "Press any key to continue...": "Druk op een toets om door te gaan…",
    "Repeat for confirmation": "Herhaal ter bevestiging",
    "Show the version and exit.": "Toon de versie en stop.",
    "Show this message and exit.": "Toon dit bericht en stop.",
    "Try '{command} {option}' for help.": "Probeer '{command} {option}' voor hulp.",
    "Usage:": "Gebruik:",
    "Value must be an iterable.": "De waarde moet een reeks zijn.",
    "default: {default}": "standaard: {default}",
    "deprecated": "verouderd",
    "directory": "map",
    "env var: {var}": "omgevingsvariabele: {var}",
    "file": "bestand",
    "path": "pad",
    "unknown error": "onbekende fout",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map, geen bestand.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand, geen map.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} is niet uitvoerbaar.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "{value!r} is not a valid UUID.": "{value!r} is geen geldige UUID.",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
}
# Messages with a singular and a plural form: (singular, plural) -> the Dutch pair.
PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Onverwacht extra argument ({args})", "Onverwachte extra argumenten ({args})"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Neemt {nargs} waarden, maar er is er 1 gegeven.", "Neemt {nargs} waarden, maar er zijn er {len} gegeven."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Bedoelt u {possibility}?", "(Bedoelt u een van: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Optie {name!r} heeft een waarde nodig.", "Optie {name!r} heeft {nargs} waarden nodig."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} is niet {choice}.", "{value!r} is niet een van {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} past niet bij het formaat {format}.", "{value!r} past niet bij de formaten {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} waarden zijn nodig, maar er is {len_value} gegeven.",
         "{len_type} waarden zijn nodig, maar er zijn {len_value} gegeven."),
}
# Click's modules that translate their messages.
_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    dutch = PLURALS.get((singular, plural), (singular, plural))
    return dutch[0] if count == 1 else dutch[1]


def speak_dutch() -> None:
    """Make click's modules translate with MESSAGES and PLURALS; call before any command is made."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "waarschuwing", "ERROR": "fout", "CRITICAL": "kritiek"}


class DutchLevels(logging.Formatter):
    """Log lines on the terminal with the level in Dutch ("waarschuwing index.readers.text: …")."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.levelname = LEVELS.get(record.levelname, record.levelname.lower())
        return super().format(record)


def dutch_metavars(command) -> None:
    """The usage line's placeholders of a command and all its subcommands in Dutch ("[OPTIES]")."""
    command.options_metavar = "[OPTIES]"
    if hasattr(command, "commands"):
        command.subcommand_metavar = "OPDRACHT [ARGUMENTEN]..."
        for sub in command.commands.values():
            dutch_metavars(sub)
