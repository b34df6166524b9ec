"""How fast is cms-law? Every figure printed beside its target; run on demand, never as a test.

    .venv/bin/python benchmarks/benchmark.py            # everything (a few minutes)
    .venv/bin/python benchmarks/benchmark.py --quick    # without the 35 000 communes
    .venv/bin/python benchmarks/benchmark.py --profile  # adds a profile of the batch path

Measured: the latency of one commune evaluated with its full explanation; the batch path
(``cms-law batch``, in a fresh process, as a user runs it) on a 2 200-commune inventory and on
35 000 communes shaped like France, sequential and on all cores; the same 35 000 communes through
``baseline_3ds.objectif_3ds``, a plain function, whose ratio to the engine is the price of the
declarative engine; the start-up time; the peak memory of every process. The synthetic communes
are drawn with a fixed seed, so two runs measure the same work.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import json
import math
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

from baseline_3ds import objectif_3ds
from synthetic import synthetic_communes, write_csv

from cms_law import evaluate
from cms_law.batch import default_jobs, keep_heap_slack, run
from cms_law.inputs import read_file

ROOT = Path(__file__).resolve().parent.parent
SEED = 2023
INVENTAIRE, FRANCE = 2_200, 35_000
LATENCY_RUNS = 2_000
STARTUP_RUNS = 5

TARGET_LATENCY_P95_MS = 2.0
TARGET_INVENTAIRE_S = 2.0
TARGET_FRANCE_S = 30.0
TARGET_MEMORY_MB = 200.0


# The peak memory of this process since it was started: VmHWM, which exec resets, whereas
# ru_maxrss keeps that of the benchmark process the child was forked from.
_PEAK = """
def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
"""
# Run in a fresh interpreter: the batch as a user starts it, with the CPU time and the peak memory
# of the process and of its workers (children, counted once they have been waited for). CPU time
# varies less than wall time when other programs share the machine.
_BATCH = _PEAK + """
import json, resource, sys
from cms_law.cli import main
code = main(sys.argv[2:])
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
json.dump({"code": code, "cpu": sum(u.ru_utime + u.ru_stime for u in usage),
           "main_mb": peak_mb(), "workers_mb": usage[1].ru_maxrss / 1024}, open(sys.argv[1], "w"))
"""
_STARTUP = _PEAK + """
import json, time
start = time.perf_counter()
import cms_law
from cms_law.evaluator import compiled_for, parse_period
imported = time.perf_counter()
book = cms_law.load_rulebook()
loaded = time.perf_counter()
compiled_for(book, parse_period(book, None))
compiled = time.perf_counter()
print(json.dumps([imported - start, loaded - imported, compiled - loaded, peak_mb()]))
"""


# --------------------------------------------------------------------------- measures


def startup() -> list[float]:
    """Median over fresh interpreters of: import, rule loading, compilation (s), memory (MB)."""
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", _STARTUP], capture_output=True, check=True, text=True).stdout)
        for _ in range(STARTUP_RUNS)
    ]
    return [statistics.median(run[i] for run in runs) for i in range(4)]


def latency() -> tuple[list[float], list[float]]:
    """Milliseconds per commune: evaluation alone, and evaluation with its explanation as text."""
    commune = read_file(ROOT / "examples" / "commune_exemple.yaml")
    for _ in range(50):
        evaluate(commune).texte()
    alone, explained = [], []
    for _ in range(LATENCY_RUNS):
        start = time.perf_counter()
        result = evaluate(commune)
        evaluated = time.perf_counter()
        result.texte()
        end = time.perf_counter()
        alone.append((evaluated - start) * 1000)
        explained.append((end - start) * 1000)
    return alone, explained


def batch(source: Path, jobs: int, workdir: Path) -> dict[str, Any]:
    """``cms-law batch`` in a fresh process: wall time, exit code, peak memory, output rows."""
    output = workdir / f"{source.stem}.jobs{jobs}.csv"
    measures = workdir / "mesures.json"
    command = [sys.executable, "-c", _BATCH, str(measures), "batch", str(source), "-o", str(output)]
    command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    subprocess.run(command, check=False, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    result = json.loads(measures.read_text())
    with output.open(encoding="utf-8", newline="") as stream:
        result["rows"] = list(csv.DictReader(stream))
    return {"wall": wall, **result}


def baseline(communes: list[dict[str, Any]]) -> tuple[float, list[tuple[int, int, int] | None]]:
    start = time.perf_counter()
    results = [objectif_3ds(commune) for commune in communes]
    return time.perf_counter() - start, results


def disagreements(rows: list[dict[str, str]], expected: list[tuple[int, int, int] | None]) -> int:
    """Communes where the engine and the baseline differ (objective, minimum PLAI, maximum PLS)."""
    found = 0
    for row, wanted in zip(rows, expected, strict=True):
        figures = (row["objectif_triennal"], row["plai_minimum"], row["pls_maximum"])
        got = None if figures == ("", "", "") else tuple(int(figure) for figure in figures)
        found += got != wanted
    return found


def profile(source: Path, workdir: Path) -> None:
    """The batch path, sequential and in this process, under cProfile: where the time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    run(source, workdir / "profil.csv", jobs=1, stderr=io.StringIO())
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(entry[2] for entry in stats.stats.values())  # type: ignore[attr-defined]
    by_area: dict[str, float] = defaultdict(float)
    for (filename, _, _), entry in stats.stats.items():  # type: ignore[attr-defined]
        by_area[_area(filename)] += entry[2]
    print(f"\nProfil du traitement par lots séquentiel ({source.name}), temps propre par zone :")
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1])[:12]:
        print(f"  {area:<44} {100 * seconds / total:5.1f} %")
    print("\nFonctions les plus coûteuses (temps cumulé) :")
    stats.sort_stats("cumulative").print_stats(25)


def _area(filename: str) -> str:
    path = Path(filename)
    if "_vendor" in path.parts:
        return "durable_rules (hôte Python)"
    if "cms_law" in path.parts:
        return f"cms_law/{path.name}"
    for package in ("babel", "attrs", "yaml"):
        if package in path.parts:
            return package
    if filename.startswith("~") or filename.startswith("<"):
        return "fonctions natives (dont moteur C durable_rules)"
    return f"bibliothèque standard : {path.name}"


# --------------------------------------------------------------------------- report


def _load() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def verdict(value: float, target: float) -> str:
    return "atteinte" if value < target else "MANQUÉE"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sans les 35 000 communes")
    parser.add_argument("--profile", action="store_true", help="profiler le traitement par lots séquentiel")
    arguments = parser.parse_args()
    cores = default_jobs()
    print(f"cms-law — mesures ({cores} cœurs, Python {platform.python_version()}, graine {SEED})")
    print(f"Charge moyenne de la machine au départ (1, 5, 15 min) : {_load()}\n")

    imported, loaded, compiled, memory = startup()
    print(f"Démarrage (médiane de {STARTUP_RUNS} processus neufs) :")
    print(f"  import de cms_law                     {imported * 1000:8.0f} ms")
    print(f"  chargement et validation des règles   {loaded * 1000:8.0f} ms")
    print(f"  compilation durable_rules             {compiled * 1000:8.0f} ms")
    print(f"  total                                 {(imported + loaded + compiled) * 1000:8.0f} ms")
    print(f"  mémoire du processus                  {memory:8.0f} Mo")

    print(f"\nUne commune ({LATENCY_RUNS} évaluations de examples/commune_exemple.yaml) :")
    for setting in ("tel que", "avec keep_heap_slack()"):
        if setting != "tel que":
            # What the batch path does; evaluate() alone would gain as much (see keep_heap_slack).
            keep_heap_slack()
        alone, explained = latency()
        p95 = statistics.quantiles(explained, n=20)[-1]
        print(f"  {setting} :")
        print(f"    évaluation seule, médiane           {statistics.median(alone):8.2f} ms")
        print(f"    avec son explication, médiane       {statistics.median(explained):8.2f} ms")
        print(
            f"    avec son explication, 95e centile   {p95:8.2f} ms   cible < {TARGET_LATENCY_P95_MS} ms :"
            f" {verdict(p95, TARGET_LATENCY_P95_MS)}"
        )

    rng = random.Random(SEED)
    datasets = [("inventaire", INVENTAIRE, True, TARGET_INVENTAIRE_S)]
    if not arguments.quick:
        datasets.append(("france", FRANCE, False, TARGET_FRANCE_S))
    peak_memory = memory
    with tempfile.TemporaryDirectory(prefix="cms-law-bench-") as directory:
        workdir = Path(directory)
        for name, count, inventaire, target in datasets:
            communes = synthetic_communes(count, inventaire, rng)
            source = workdir / f"{name}_{count}.csv"
            write_csv(source, communes)
            subject = sum(objectif_3ds(commune) is not None for commune in communes)
            print(f"\n{count} communes ({name}, {subject} avec un objectif triennal), cms-law batch :")
            sequential_wall = 0.0
            for jobs in sorted({1, cores}):
                measured = batch(source, jobs, workdir)
                complete = measured["code"] == 0 and len(measured["rows"]) == count
                peak_memory = max(peak_memory, measured["main_mb"], measured["workers_mb"])
                label = "séquentiel (--jobs 1)" if jobs == 1 else f"tous les cœurs (--jobs {jobs})"
                print(
                    f"  {label:<26} {measured['wall']:7.2f} s  {count / measured['wall']:7.0f} communes/s"
                    f"   cible < {target:.0f} s : {verdict(measured['wall'], target)}"
                    + ("" if complete else f"   ÉCHEC : code {measured['code']}, {len(measured['rows'])} lignes")
                )
                workers = f", chaque processus de calcul ≤ {measured['workers_mb']:.0f} Mo" if jobs > 1 else ""
                print(
                    f"  {'':<26} CPU {measured['cpu']:.2f} s ({1000 * measured['cpu'] / count:.2f} ms par commune) ;"
                    f" mémoire : principal {measured['main_mb']:.0f} Mo{workers} ; charge {_load()}"
                )
                if jobs == 1:
                    sequential_wall = measured["wall"]
                    sequential_rows = measured["rows"]
                else:
                    same = measured["rows"] == sequential_rows
                    print(f"  {'':<26} résultats identiques au séquentiel, dans l'ordre : {'oui' if same else 'NON'}")
            seconds, expected = baseline(communes)
            print(
                f"  fonction Python simple (référence)  {seconds:7.3f} s  {count / seconds:7.0f} communes/s"
                f"   moteur séquentiel / référence : × {sequential_wall / seconds:.0f}"
            )
            print(f"  désaccords moteur / référence : {disagreements(sequential_rows, expected)} commune(s)")
        if arguments.profile:
            profile(workdir / f"inventaire_{INVENTAIRE}.csv", workdir)
    print(
        f"\nMémoire de pointe, tous processus : {peak_memory:.0f} Mo   cible < {TARGET_MEMORY_MB:.0f} Mo :"
        f" {verdict(peak_memory, TARGET_MEMORY_MB)}"
    )


if __name__ == "__main__":
    main()
