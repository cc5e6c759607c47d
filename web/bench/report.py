"""The targets as ratios of the same run, the Markdown table and the JSON document."""

from __future__ import annotations

import json

from . import number

# Targets from the issue; every one is relative to a floor of the same run,
# except the update time, which a user feels in seconds.
ASK_P50_MAX = 1.5
ASK_P95_MAX = 2.5
THROUGHPUT_MIN = 0.7
BUILD_MIN = 0.85
UPDATE_MAX_S = 5.0
# At a million chunks (part 5): the retrieval step of an approximate index, and lexical search.
SCALE_CHUNKS = 1_000_000
SCALE_P95_MAX_MS = 50.0
SCALE_MEMORY_MAX_MB = 1536.0
SCALE_RECALL_MIN = 0.95
# Under the table: what the measured server runs without, and the names of the time breakdown's parts.
SERVER_NOTE = ("De gemeten server draait zonder snelheidslimiet en zonder query-cache "
               "(`VRAAGBAAK_RATE_LIMIT=off`, `VRAAGBAAK_QUERY_CACHE=0`): elke vraag wordt echt ge-embed, "
               "ook in de vloer.")
BREAKDOWN_NAMES = {"embed_ms": "vraag embedden", "search_ms": "zoeken", "answer_ms": "antwoord kiezen",
                   "total_ms": "totaal in de dienst", "http_and_app_ms": "HTTP en app (p50 − totaal)"}


def evaluate_targets(result: dict) -> tuple[dict, list[dict]]:
    floor_ms, floor_rps = result["floor_ms"], result["floor_rps"]
    update = result["update"]
    ratios = {
        "ask_p50_over_floor": result["ask_p50_ms"] / floor_ms,
        "ask_p95_over_floor": result["ask_p95_ms"] / floor_ms,
        "ask_p99_over_floor": result["ask_p99_ms"] / floor_ms,
        "throughput_over_floor_rps": result["throughput_rps"] / floor_rps,
        "build_over_model_rate": result["build_rate"] / result["model_passage_rate"],
    }
    targets = [
        {"name": "ask_p50_over_floor", "value": ratios["ask_p50_over_floor"], "max": ASK_P50_MAX,
         "met": ratios["ask_p50_over_floor"] <= ASK_P50_MAX},
        {"name": "ask_p95_over_floor", "value": ratios["ask_p95_over_floor"], "max": ASK_P95_MAX,
         "met": ratios["ask_p95_over_floor"] <= ASK_P95_MAX},
        {"name": "throughput_over_floor_rps", "value": ratios["throughput_over_floor_rps"], "min": THROUGHPUT_MIN,
         "met": ratios["throughput_over_floor_rps"] >= THROUGHPUT_MIN and result["errors"] == 0},
        {"name": "build_over_model_rate", "value": ratios["build_over_model_rate"], "min": BUILD_MIN,
         "met": ratios["build_over_model_rate"] >= BUILD_MIN},
        {"name": "update_s", "value": update["update_s"], "max": UPDATE_MAX_S,
         "met": update["update_s"] <= UPDATE_MAX_S and update["only_changed_file"],
         # The target is set for a corpus of ~10,000 paragraphs; a quick run updates the seeds.
         "corpus": update["corpus"]},
    ]
    targets += _scale_targets(result.get("scale") or [])
    from .chunking import targets as chunking_targets

    targets += chunking_targets(result.get("chunking") or [])
    return ratios, targets


def _scale_targets(entries: list[dict]) -> list[dict]:
    at_scale = [e for e in entries if e["chunks"] >= SCALE_CHUNKS]
    if not at_scale:
        return []
    targets = []
    approximate = [e for e in at_scale if e["kind"] != "flat"]
    if approximate:
        best = min(approximate, key=lambda e: e["retrieval_p95_ms"])
        targets.append({
            "name": "retrieval_1m", "kind": best["kind"], "value": best["retrieval_p95_ms"],
            "max": SCALE_P95_MAX_MS, "memory_mb": best["rss_mb"], "recall_at_10": best["recall_at_10"],
            "met": (best["retrieval_p95_ms"] <= SCALE_P95_MAX_MS and best["rss_mb"] <= SCALE_MEMORY_MAX_MB
                    and best["recall_at_10"] >= SCALE_RECALL_MIN)})
    lexical = max(e["lexical_p95_ms"] for e in at_scale)
    targets.append({"name": "lexical_1m", "value": lexical, "max": SCALE_P95_MAX_MS,
                    "met": lexical <= SCALE_P95_MAX_MS})
    return targets


def to_json(result: dict) -> str:
    # allow_nan=False: a NaN or infinity is a measuring bug and must not pass as a number.
    return json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _yes(met: bool) -> str:
    return "ja" if met else "**nee**"


def markdown(result: dict) -> str:
    """The Markdown report of `vraagbaak bench`: the table of measurements and targets, the notes under it,
    and the scale part when it ran."""
    from .chunking import rows as chunking_rows

    rows = (_serving_rows(result) + _build_rows(result["builds"]) + _update_rows(result["updates"])
            + chunking_rows(result.get("chunking") or []))
    lines = [f"## Vraagbaak-benchmark ({result['mode']})", "",
             "| meting | gemeten | doel | verhouding | gehaald |", "| --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += _floor_lines(result["floor"])
    lines += _quick_run_lines(result["builds"])
    lines += ["", SERVER_NOTE]
    lines += _breakdown_lines(result["ask"])
    lines += _load_lines(result["throughput"])
    lines += _machine_lines(result["machine"], result["wall_s"])
    lines += _scale_lines(result)
    return "\n".join(lines) + "\n"


def _serving_rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    """The floor, the ask latency, the throughput and the errors: each against its target over the floor."""
    ratios = result["ratios"]
    met = {t["name"]: t["met"] for t in result["targets"]}
    ask, load = result["ask"], result["throughput"]
    return [
        ("vloer: één vraag encoderen (model alleen, mediaan)", f"{number(result['floor_ms'])} ms",
         "–", "–", "–"),
        ("vloer: vragen na elkaar encoderen (model alleen)", f"{number(result['floor_rps'])} vragen/s",
         "–", "–", "–"),
        (f"vraag p50 (POST /api/v1/ask, één client, {ask['samples']} vragen)", f"{number(result['ask_p50_ms'])} ms",
         f"≤ {number(ASK_P50_MAX)} × vloer", number(ratios["ask_p50_over_floor"], 2),
         _yes(met["ask_p50_over_floor"])),
        ("vraag p95", f"{number(result['ask_p95_ms'])} ms", f"≤ {number(ASK_P95_MAX)} × vloer",
         number(ratios["ask_p95_over_floor"], 2), _yes(met["ask_p95_over_floor"])),
        ("vraag p99", f"{number(result['ask_p99_ms'])} ms", "–", number(ratios["ask_p99_over_floor"], 2), "–"),
        (f"doorvoer ({load['clients']} clients, {number(load['seconds'], 0)} s)",
         f"{number(result['throughput_rps'])} vragen/s",
         f"≥ {number(THROUGHPUT_MIN)} × vloer (na elkaar), 0 fouten",
         number(ratios["throughput_over_floor_rps"], 2), _yes(met["throughput_over_floor_rps"])),
        ("fouten (latentie + doorvoer)", str(result["errors"]), "0", "–", _yes(result["errors"] == 0)),
    ]


def _build_rows(builds: list[dict]) -> list[tuple[str, str, str, str, str]]:
    """Per corpus, two rows: the full build's rate against the model's rate on the same passages, and that
    model-alone rate itself (noting when it was measured on a sample)."""
    rows = []
    for build in builds:
        label = f"{build['corpus']}, {build['documents']} bestanden, {build['chunks']} passages"
        if build["generated"]:
            label += ", alinea's uit de seeds"
        ratio = build["build_rate"] / build["model_passage_rate"]
        rows.append((f"index volledig bouwen ({label})", f"{number(build['build_rate'])} passages/s",
                     f"≥ {number(BUILD_MIN, 2)} × model", number(ratio, 2), _yes(ratio >= BUILD_MIN)))
        sample = build.get("model_passages", build["chunks"])
        rows.append((f"model alleen, dezelfde passages (encode_passages"
                     f"{f'; steekproef van {sample}' if sample < build['chunks'] else ''})",
                     f"{number(build['model_passage_rate'])} passages/s", "–", "–", "–"))
    return rows


def _update_rows(updates: list[dict]) -> list[tuple[str, str, str, str, str]]:
    """Per corpus, the one-file update: met when it is fast enough and re-embedded only the changed file."""
    rows = []
    for item in updates:
        re_encoded = (f"{len(item['embedded_files'])} bestand(en), {item['embedded_chunks']} passages "
                      f"opnieuw ge-embed")
        ok = item["update_s"] <= UPDATE_MAX_S and item["only_changed_file"]
        rows.append((f"bijwerken na 1 gewijzigd bestand ({item['corpus']}, {item['chunks']} passages)",
                     f"{number(item['update_s'], 2)} s", f"≤ {number(UPDATE_MAX_S, 0)} s, alleen dat bestand",
                     re_encoded, _yes(ok)))
    return rows


def _floor_lines(floor: dict) -> list[str]:
    """How the floor was taken, and a warning when its passes lie so far apart that the ratios say little."""
    passes = " en ".join(f"{number(p['floor_ms'])} ms" for p in floor["passes"])
    lines = ["", f"De vloer is de snelste van {len(floor['passes'])} metingen ({passes}; voor en na de server)."]
    if not floor["stable"]:
        lines += [f"**Let op:** die liggen {number(floor['spread'])} keer uit elkaar: de machine was niet "
                  "rustig, dus de verhoudingen zeggen weinig. Herhaal de meting op een rustige machine."]
    return lines


def _quick_run_lines(builds: list[dict]) -> list[str]:
    """A note when no generated corpus was built: the update target was then measured on the seeds only."""
    if any(b["generated"] for b in builds):
        return []
    return ["", "Snelle run: het doel voor bijwerken geldt voor een corpus van ~10.000 passages "
                "(`vraagbaak bench` zonder `--quick`); hier is het op de seeds gemeten."]


def _breakdown_lines(ask: dict) -> list[str]:
    """Where a question spends its time, from the API's `timings_ms`; nothing when the run has no breakdown."""
    breakdown = ask.get("breakdown_ms", {})
    if not breakdown:
        return []
    lines = ["", "Waar een vraag zijn tijd aan besteedt (medianen van `timings_ms` uit de API):", "",
             "| onderdeel | ms |", "| --- | --- |"]
    lines += [f"| {BREAKDOWN_NAMES[key]} | {number(value)} |"
              for key, value in breakdown.items() if key in BREAKDOWN_NAMES]
    return lines


def _load_lines(load: dict) -> list[str]:
    """The load generator, the CPU it took itself, and the latency under load."""
    return ["", f"Belasting: {load['generator']}; die gebruikte zelf {number(load['generator_cpu_s'], 2)} s CPU "
                f"({number(100 * load['generator_cpu_share'])} % van alle kernen). "
                f"Latentie onder belasting: p50 {number(load['p50_ms_under_load'])} ms, "
                f"p95 {number(load['p95_ms_under_load'])} ms."]


def _machine_lines(machine: dict, wall_s: float) -> list[str]:
    """The machine and serving settings the numbers hold for, its load before and after, and the duration."""
    return ["", f"Machine: {machine['cores']} kernen ({machine['cpu'] or 'onbekende CPU'}), "
                f"Python {machine['python']}, torch {machine['torch']}, "
                f"{machine['workers']} worker(s) × {machine['threads_per_worker']} threads, "
                f"{machine['torch_threads_per_worker']} torch-threads per worker "
                f"({machine['torch_threads_build']} bij het bouwen), {machine['date']}, "
                f"belasting vooraf {number(machine['load_average_at_start'], 2)}, "
                f"achteraf {number(machine.get('load_average_at_end'), 2)}; "
                f"duur {number(wall_s, 0)} s."]


def _scale_lines(result: dict) -> list[str]:
    """The scale section when the scale part measured something, and its error when it failed."""
    lines = []
    if result["scale"]:
        lines += ["", "### Schaal: de zoekstap alleen", "", *_scale_table(result["scale"]), "",
                  *_scale_target_lines(result["targets"]), "", SCALE_NOTE]
    if result.get("scale_error"):
        lines += ["", f"Schaalmeting mislukt: {result['scale_error']}"]
    return lines

SCALE_NOTE = (
    "Zoekstap: `Retriever.search` zonder het embedden van de vraag (vectorzoeken, BM25, fusie, "
    "documentrangen, passages uit SQLite), één thread, met de evaluatievragen, in een vers proces per index. "
    "Geheugen: wat het proces na het openen van de index en alle vragen meer resident heeft dan ervoor "
    "(geheugen-gemapte indexbestanden tellen mee voor zover ze aangeraakt zijn). Recall@10: overlap van de "
    "top 10 met exact zoeken op dezelfde vragen. Boven de echte passages (seeds en vac-corpus) zijn de "
    "vectoren gesynthetiseerd (echte passagevectoren, naar een andere echte vector getrokken, met ruis) en "
    "de teksten gegenereerd (echte passages met een vijfde van de woorden vervangen).")
KIND_NAMES = {"flat": "exact (flat)", "ivf": "ivf (IVF-SQ8)", "hnsw": "hnsw (HNSW-SQ8)"}


def _scale_table(entries: list[dict]) -> list[str]:
    rows = ["| index | passages | bouwen vectorindex | zoekstap p50 / p95 | vectorzoeken p95 | lexicaal p95 "
            "| geheugen | recall@10 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for e in entries:
        chunks = f"{e['chunks']:,}".replace(",", ".") + (" (synth.)" if e.get("synthesized") else "")
        rows.append(
            f"| {KIND_NAMES.get(e['kind'], e['kind'])} | {chunks} | {number(e.get('build_s'))} s "
            f"| {number(e['retrieval_p50_ms'])} / {number(e['retrieval_p95_ms'])} ms "
            f"| {number(e['dense_p95_ms'])} ms | {number(e['lexical_p95_ms'])} ms | {number(e['rss_mb'], 0)} MB "
            f"| {number(e['recall_at_10'], 3)} |")
    return rows


def _scale_target_lines(targets: list[dict]) -> list[str]:
    lines = []
    for t in targets:
        if t["name"] == "retrieval_1m":
            lines.append(
                f"- Zoekstap bij 1 miljoen passages, benaderend ({t['kind']}): p95 {number(t['value'])} ms "
                f"(doel ≤ {number(SCALE_P95_MAX_MS, 0)} ms), geheugen {number(t['memory_mb'], 0)} MB "
                f"(doel ≤ {number(SCALE_MEMORY_MAX_MB, 0)} MB), recall@10 {number(t['recall_at_10'], 3)} "
                f"(doel ≥ {number(SCALE_RECALL_MIN, 2)}): {_yes(t['met'])}")
        elif t["name"] == "lexical_1m":
            lines.append(f"- Lexicaal zoeken bij 1 miljoen passages: p95 {number(t['value'])} ms "
                         f"(doel ≤ {number(SCALE_P95_MAX_MS, 0)} ms): {_yes(t['met'])}")
    return lines
