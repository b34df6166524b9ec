"""How fast is cms-law? Every figure printed beside its target; run on demand, never as a test.

    .venv/bin/python benchmarks/benchmark.py                 # everything (several minutes)
    .venv/bin/python benchmarks/benchmark.py --quick         # without the 35 000 communes
    .venv/bin/python benchmarks/benchmark.py --compare main  # and the code of a git revision, side by side
    .venv/bin/python benchmarks/benchmark.py --profile       # adds a profile of the batch path
    .venv/bin/python benchmarks/benchmark.py --memoire       # peak memory of batches of 10³ to 10⁵ rows
    .venv/bin/python benchmarks/benchmark.py --memoire --million   # … and of 10⁶ rows (several minutes)

Every measure runs in a fresh interpreter, as a user starts cms-law, and reports its CPU time
(which varies less than wall time when other programs share the machine) beside its wall time.
With ``--compare REV`` the same measures run, in turn, on the code of REV (extracted from git
into a temporary folder) and on this tree, and each line gives the ratio of the two.

Measured (the targets are those of the issue « an explained evaluation at close to the engine's own
price »): the start-up of ``cms-law evaluate`` beside importing its dependencies; one commune with
its full explanation; ``cms-law batch`` on a 2 200-commune inventory and on 35 000 communes shaped
like France, on one core and on all, with and without ``--explain``; the same 35 000 communes
through a raw durable_rules ruleset doing the same arithmetic (``raw_ruleset.py``, the engine's
own price) and through a plain function (``baseline_3ds.py``); the effect of a heap top pad
(``keep_heap_slack()``, removed from cms-law when it measured no effect) under several hash seeds; with
``--memoire``, the peak memory of batches of 1 000 to 100 000 rows (1 000 000 with ``--million``),
which must not grow with the number of rows.
The synthetic communes are drawn with a fixed seed, so two runs measure the same work.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from baseline_3ds import objectif_3ds
from synthetic import synthetic_communes, write_csv

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(__file__).resolve().parent
SEED = 2023
INVENTAIRE, FRANCE = 2_200, 35_000
RUNS = 5

TARGET_STARTUP_MS = 150.0
TARGET_STARTUP_RATIO = 2.5
TARGET_LATENCY_P95_MS = 0.4
TARGET_INVENTAIRE_S = 0.6
TARGET_FRANCE_S = 5.0
TARGET_EXPLAIN_RATIO = 1.3
TARGET_RAW_RATIO = 4.0
TARGET_MILLION_MB = 80.0
MEMORY_ROWS = (1_000, 10_000, 100_000)
HEAP_SEEDS = 8
MILLION = 1_000_000

# A 64 MiB top pad for glibc's heap (mallopt M_TOP_PAD), set in the measured process before the
# batch starts: what ``keep_heap_slack()`` did in cms-law until it measured no effect; kept here to
# see again whether glibc trims the heap after every commune under some hash seed.
_TOP_PAD = """
import ctypes, ctypes.util, os
if os.environ.get("RESERVE_TAS"):
    ctypes.CDLL(ctypes.util.find_library("c")).mallopt(-2, 64 * 1024 * 1024)
"""
# The batch as a user starts it, with the CPU time, minor page faults and peak memory of the
# process and of its workers (counted once they have been waited for). VmHWM, which exec resets,
# is the process's own peak; ru_maxrss of the children is the largest worker's.
_BATCH = _TOP_PAD + """
import json, os, resource, sys
from cms_law.cli import main
code = main(sys.argv[2:])
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
json.dump({"code": code, "cpu": sum(u.ru_utime + u.ru_stime for u in usage),
           "faults": sum(u.ru_minflt for u in usage), "main_mb": peak,
           "workers_mb": usage[1].ru_maxrss / 1024}, open(sys.argv[1], "w"))
"""
# One commune evaluated again and again in process, with its explanation as text.
_LATENCY = """
import json, os, sys, time
from cms_law import evaluate
from cms_law.inputs import read_file
commune = read_file(sys.argv[1])
for _ in range(300):
    evaluate(commune).texte()
times = []
for _ in range(3000):
    start = time.perf_counter()
    evaluate(commune).texte()
    times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({"median": times[len(times) // 2] * 1000, "p95": times[int(len(times) * 0.95)] * 1000}))
"""
# The raw durable_rules ruleset on the same communes: CPU time of the evaluations alone.
_RAW = """
import json, random, sys, time
sys.path.insert(0, sys.argv[1])
from synthetic import synthetic_communes
from raw_ruleset import objectif_brut
from baseline_3ds import objectif_3ds
communes = synthetic_communes(int(sys.argv[2]), sys.argv[3] == "inventaire", random.Random(int(sys.argv[4])))
start = time.process_time()
results = [objectif_brut(commune) for commune in communes]
cpu = time.process_time() - start
start = time.process_time()
plain = [objectif_3ds(commune) for commune in communes]
print(json.dumps({"cpu": cpu, "plain": time.process_time() - start,
                  "disagree": sum(a != b for a, b in zip(results, plain))}))
"""


# --------------------------------------------------------------------------- the trees measured


class Tree:
    """A source tree of cms-law, run with this interpreter: this one, or a git revision's."""

    def __init__(self, label: str, root: Path | None) -> None:
        self.label, self.root = label, root

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, **extra}
        if self.root is not None:
            env["PYTHONPATH"] = str(self.root)
        return env

    @property
    def cwd(self) -> Path:
        """Where its processes start: ``python -c`` and ``-m`` import first from there."""
        return self.root or ROOT

    def python(self, code: str, *arguments: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, *arguments],
            env=self.env(**extra), cwd=self.cwd, capture_output=True, text=True, check=False,
        )


def extract(revision: str, directory: Path) -> Tree:
    """The code of ``revision``, laid out as the installed package (rules inside cms_law)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    if not (directory / "cms_law" / "rules").exists():  # older trees mapped rules/ at install only
        (directory / "cms_law" / "rules").symlink_to(directory / "rules", target_is_directory=True)
    vendored = ROOT / "cms_law" / "_vendor" / "durable_rules"
    if (directory / "cms_law" / "_vendor" / "durable_rules").is_dir():  # the C engine, as built here
        for built in vendored.glob("durable_rules_engine*.so"):
            shutil.copy(built, directory / "cms_law" / "_vendor" / "durable_rules" / built.name)
    return Tree(revision, directory)


# --------------------------------------------------------------------------- measures


def startup(tree: Tree, cache: Path) -> dict[str, float]:
    """Whole processes, in turn (median of pairs): ``cms-law evaluate`` with its start-up cache
    warm, without it (``CMS_LAW_CACHE=0``), and importing its dependencies; wall and CPU time.

    Run as from an installed package: bytecode written and reused (``PYTHONDONTWRITEBYTECODE``,
    which some environments set, would compile every module on every start, which pip spares a
    user), the cache in a folder of this run."""
    import resource
    import time

    env = {key: value for key, value in tree.env(CMS_LAW_CACHE_DIR=str(cache)).items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    example = str(ROOT / "examples" / "commune_exemple.yaml")
    commands = {
        "evaluate": ([sys.executable, "-m", "cms_law", "evaluate", example], env),
        "sans_cache": ([sys.executable, "-m", "cms_law", "evaluate", example], {**env, "CMS_LAW_CACHE": "0"}),
        "imports": ([sys.executable, "-c", "import yaml, attrs, babel"], env),
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(RUNS + 1):
        for name, (command, environment) in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=environment, cwd=tree.cwd, capture_output=True, check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if run:  # the first round writes the bytecode and the cache
                walls[name].append(wall * 1000)
                cpus[name].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    result = {name: statistics.median(values) for name, values in walls.items()}
    result |= {f"{name}_cpu": statistics.median(values) for name, values in cpus.items()}
    result["ratio"] = statistics.median(a / b for a, b in zip(walls["evaluate"], walls["imports"]))
    result["ratio_cpu"] = statistics.median(a / b for a, b in zip(cpus["evaluate"], cpus["imports"]))
    return result


def latency(tree: Tree) -> dict[str, float]:
    completed = tree.python(_LATENCY, str(ROOT / "examples" / "commune_exemple.yaml"))
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


def batch(
    tree: Tree, source: Path, jobs: int, workdir: Path, *options: str, pad: bool = False, rows: bool = True,
    seed: int | None = None,
) -> dict[str, Any]:
    """``cms-law batch`` in a fresh process: wall and CPU time, exit code, memory, output rows
    (or, with ``rows=False``, their number only: a million rows are not held here either)."""
    import time

    output = workdir / f"{source.stem}.{tree.label}.jobs{jobs}.csv"
    errors = output.with_suffix(".erreurs.csv")
    measures = workdir / "mesures.json"
    command = [str(measures), "batch", str(source), "-o", str(output), "--errors", str(errors), "--jobs", str(jobs), *options]
    start = time.perf_counter()
    extra = {**({"RESERVE_TAS": "1"} if pad else {}), **({} if seed is None else {"PYTHONHASHSEED": str(seed)})}
    measures.unlink(missing_ok=True)  # a process that died must not be read as the last one's figures
    completed = tree.python(_BATCH, *command, **extra)
    wall = time.perf_counter() - start
    if not measures.exists() or not output.exists():
        raise SystemExit(f"cms-law batch ({tree.label}) n'a pas abouti, code {completed.returncode} :\n{completed.stderr[-2000:]}")
    result = json.loads(measures.read_text())
    with output.open(encoding="utf-8", newline="") as stream:
        records = csv.reader(_after_comments(stream))
        header = next(records, [])
        if rows:
            result["rows"] = [dict(zip(header, record, strict=True)) for record in records]
        result["count"] = len(result["rows"]) if rows else sum(1 for _ in records)
    with errors.open(encoding="utf-8", newline="") as stream:
        result["rejected"] = sum(1 for _ in csv.reader(stream)) - 1  # its header
    output.unlink()
    errors.unlink()
    return {"wall": wall, **result}


def _after_comments(stream: io.TextIOBase) -> Iterator[str]:
    """The lines of a results file from its header on: the batch writes first a comment line
    (« # Produit par cms-law … ») saying what produced it, which older trees did not."""
    lines = iter(stream)
    for line in lines:
        if not line.startswith("#"):
            yield line
            break
    yield from lines


def failure(done: dict[str, Any], count: int) -> str:
    """Empty when the batch did all it was asked: exit code 0, one result row per commune, no row rejected."""
    if done["code"] == 0 and done["count"] == count and done["rejected"] == 0:
        return ""
    return f"   ÉCHEC : code {done['code']}, {done['count']} lignes de résultats sur {count}, {done['rejected']} rejetée(s)"


def heap_pad(tree: Tree, source: Path, count: int, workdir: Path) -> None:
    """The batch without and with a 64 MiB heap top pad, sequential, under hash seeds 0 to 7: where
    the heap's top sits may depend on the seed, and with it whether glibc trims the heap after every
    commune (cms-law set such a pad, ``keep_heap_slack()``, until this measured no effect)."""
    ratios, faults = [], []
    for seed in range(HEAP_SEEDS):
        without = batch(tree, source, 1, workdir, rows=False, seed=seed)
        padded = batch(tree, source, 1, workdir, pad=True, rows=False, seed=seed)
        ratios.append(without["cpu"] / padded["cpu"])
        faults.append((without["faults"] / count, padded["faults"] / count))
    trimmed = sum(off > 2 * on for off, on in faults)
    print(f"  réserve de tas de 64 Mo (ancien keep_heap_slack()), {HEAP_SEEDS} graines de hachage : CPU sans / avec, médiane × {statistics.median(ratios):.2f}"
          f" (de × {min(ratios):.2f} à × {max(ratios):.2f}) ; fautes de page par commune sans / avec :"
          f" {', '.join(f'{off:.0f}/{on:.0f}' for off, on in faults)} ; le tas rendu à chaque commune sans elle :"
          f" {trimmed} graine(s) sur {HEAP_SEEDS}")


def write_many(path: Path, count: int) -> None:
    """``count`` communes of all of France, drawn and written by blocks: the benchmark holds none whole.
    Past 90 000 the codes start again from 00001 (a code has five digits; duplicates are evaluated)."""
    rng = random.Random(SEED)
    block = 10_000
    for first in range(1, count + 1, block):
        drawn = synthetic_communes(min(block, count - first + 1), False, rng, first=(first - 1) % 90_000 + 1)
        write_csv(path, drawn, append=first > 1)


def memory(trees: list[Tree], workdir: Path, million: bool) -> None:
    """Peak memory of ``cms-law batch`` on all the cores, by number of rows: flat when it streams."""
    cores = os.cpu_count() or 1
    counts = (*MEMORY_ROWS, *((MILLION,) if million else ()))
    print(f"\nMémoire de cms-law batch --jobs {cores} selon le nombre de lignes (pic du processus principal"
          " et du plus gros processus de calcul) :")
    for count in counts:
        source = workdir / f"memoire_{count}.csv"
        write_many(source, count)
        size = source.stat().st_size / 2**20
        for tree in trees if count < MILLION else trees[-1:]:
            done = batch(tree, source, cores, workdir, rows=False)
            target = f"   cible < {TARGET_MILLION_MB:.0f} Mo : {verdict(max(done['main_mb'], done['workers_mb']), TARGET_MILLION_MB)}"
            print(f"  {count:>9} lignes ({size:5.0f} Mo)  {tree.label:<6} principal {done['main_mb']:5.0f} Mo,"
                  f" calcul ≤ {done['workers_mb']:5.0f} Mo ; {done['wall']:6.1f} s ; charge {_load()}"
                  + (target if count == MILLION else "")
                  + failure(done, count))
        source.unlink()


def raw(count: int, kind: str) -> dict[str, float]:
    completed = Tree("brut", None).python(_RAW, str(BENCHMARKS), str(count), kind, str(SEED))
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


def disagreements(rows: list[dict[str, str]], communes: list[dict[str, Any]]) -> int:
    """Communes where the engine and the plain function differ (objective, minimum PLAI, maximum PLS).
    A commune without objective has no figure, or, exempted, an objective of 0 and no split."""
    found = 0
    for row, commune in zip(rows, communes, strict=True):
        figures = (row["objectif_triennal"], row["plai_minimum"], row["pls_maximum"])
        none = figures == ("", "", "") or (row["exemptee"] == "oui" and figures == ("0", "", ""))
        got = None if none else tuple(int(figure) for figure in figures)
        found += got != objectif_3ds(commune)
    return found


def profile(source: Path, workdir: Path) -> None:
    """The batch path, sequential and in this process, under cProfile: where the time goes."""
    from cms_law.batch import run

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
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1])[:14]:
        print(f"  {area:<48} {100 * seconds / total:5.1f} %")
    print("\nFonctions les plus coûteuses (temps propre) :")
    stats.sort_stats("tottime").print_stats(25)


def _area(filename: str) -> str:
    path = Path(filename)
    if filename.startswith("<cms-law"):
        return "formules compilées des règles"
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
    return "atteinte" if value <= target else "MANQUÉE"


def _beside(values: dict[str, float], unit: str, digits: int = 2) -> str:
    """The figure of each tree, and the ratio of the last to the first."""
    shown = "   ".join(f"{label} {value:.{digits}f} {unit}" for label, value in values.items())
    if len(values) == 2:
        first, last = values.values()
        shown += f"   (rapport {last / first:.2f})" if first else ""
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sans les 35 000 communes")
    parser.add_argument("--compare", metavar="REV", help="mesurer aussi le code de cette révision git, en alternance")
    parser.add_argument("--profile", action="store_true", help="profiler le traitement par lots séquentiel")
    parser.add_argument("--memoire", action="store_true", help="seulement la mémoire des lots de 10³ à 10⁵ lignes")
    parser.add_argument("--million", action="store_true", help="avec --memoire : aussi un lot de 10⁶ lignes")
    arguments = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"cms-law — mesures ({cores} cœurs, Python {platform.python_version()}, graine {SEED})")
    print(f"Charge moyenne de la machine au départ (1, 5, 15 min) : {_load()}")
    with tempfile.TemporaryDirectory(prefix="cms-law-bench-") as directory:
        workdir = Path(directory)
        trees = [Tree("ici", None)]
        if arguments.compare:
            trees.insert(0, extract(arguments.compare, workdir / "avant"))
            print(f"Comparaison : {arguments.compare} (avant), puis cet arbre (ici) ; rapport = ici / avant")
        mine = trees[-1].label
        if arguments.memoire:
            memory(trees, workdir, arguments.million)
            print(f"\nCharge moyenne de la machine à la fin : {_load()}")
            return

        print("\nDémarrage (processus neufs en alternance, médiane ; bytecode écrit, cache de démarrage chaud) :")
        starts = {tree.label: startup(tree, workdir / f"cache-{tree.label}") for tree in trees}
        evaluate_ms = {label: s["evaluate"] for label, s in starts.items()}
        ratio = starts[mine]["ratio"]
        print(f"  cms-law evaluate examples/commune_exemple.yaml   {_beside(evaluate_ms, 'ms', 0)}"
              f"   cible < {TARGET_STARTUP_MS:.0f} ms : {verdict(evaluate_ms[mine], TARGET_STARTUP_MS)}")
        print(f"    temps CPU {_beside({label: s['evaluate_cpu'] for label, s in starts.items()}, 'ms', 0)} ;"
              f" sans le cache (CMS_LAW_CACHE=0) {starts[mine]['sans_cache']:.0f} ms,"
              f" CPU {starts[mine]['sans_cache_cpu']:.0f} ms")
        print(f"  rapport à « import yaml, attrs, babel » ({starts[mine]['imports']:.0f} ms,"
              f" CPU {starts[mine]['imports_cpu']:.0f} ms)   × {ratio:.2f} (CPU × {starts[mine]['ratio_cpu']:.2f})"
              f"   cible ≤ × {TARGET_STARTUP_RATIO} : {verdict(ratio, TARGET_STARTUP_RATIO)}")

        print("\nUne commune avec son explication complète (3 000 évaluations en processus) :")
        measured = {tree.label: latency(tree) for tree in trees}
        p95 = {label: m["p95"] for label, m in measured.items()}
        print(f"  médiane {_beside({label: m['median'] for label, m in measured.items()}, 'ms')}")
        print(f"  95e centile {_beside(p95, 'ms')}   cible < {TARGET_LATENCY_P95_MS} ms :"
              f" {verdict(p95[mine], TARGET_LATENCY_P95_MS)}   charge {_load()}")

        datasets = [("inventaire", INVENTAIRE, True, TARGET_INVENTAIRE_S)]
        if not arguments.quick:
            datasets.append(("france", FRANCE, False, TARGET_FRANCE_S))
        empty = workdir / "vide.csv"
        write_csv(empty, [])
        idle = {tree.label: batch(tree, empty, 1, workdir)["cpu"] for tree in trees}
        for name, count, inventaire, target in datasets:
            communes = synthetic_communes(count, inventaire, random.Random(SEED))
            source = workdir / f"{name}_{count}.csv"
            write_csv(source, communes)
            subject = sum(objectif_3ds(commune) is not None for commune in communes)
            print(f"\n{count} communes ({name}, {subject} avec un objectif triennal), cms-law batch :")
            runs: dict[tuple[str, int], dict[str, Any]] = {}
            per_commune: dict[int, dict[str, float]] = {}
            for jobs in sorted({1, cores}):
                for tree in trees:
                    runs[tree.label, jobs] = batch(tree, source, jobs, workdir)
                walls = {label: runs[label, jobs]["wall"] for label in (t.label for t in trees)}
                label = "séquentiel (--jobs 1)" if jobs == 1 else f"tous les cœurs (--jobs {jobs})"
                print(f"  {label:<28} {_beside(walls, 's')}" + (
                    f"   cible < {target} s : {verdict(walls[mine], target)}" if jobs == cores else ""))
                cpu = per_commune[jobs] = {t.label: 1000 * (runs[t.label, jobs]["cpu"] - idle[t.label]) / count for t in trees}
                done = runs[mine, jobs]
                print(f"  {'':<28} CPU par commune (démarrage déduit) {_beside(cpu, 'ms', 3)} ; mémoire : principal"
                      f" {done['main_mb']:.0f} Mo, calcul ≤ {done['workers_mb']:.0f} Mo ; charge {_load()}"
                      + failure(done, count))
            same = runs[mine, cores]["rows"] == runs[mine, 1]["rows"]
            print(f"  {'':<28} résultats identiques au séquentiel, dans l'ordre : {'oui' if same else 'NON'} ;"
                  f" désaccords avec la fonction simple : {disagreements(runs[mine, 1]['rows'], communes)}")
            explained = {t.label: batch(t, source, cores, workdir, "--explain")["wall"] for t in trees}
            explain_ratio = explained[mine] / runs[mine, cores]["wall"]
            print(f"  avec --explain, tous les cœurs {_beside(explained, 's')} ; × {explain_ratio:.2f} du lot simple"
                  f"   cible ≤ × {TARGET_EXPLAIN_RATIO} : {verdict(explain_ratio, TARGET_EXPLAIN_RATIO)}")
            reference = raw(count, name)
            raw_ms = 1000 * reference["cpu"] / count
            sequential = per_commune[1]
            engine_ms = sequential[mine]
            print(f"  règles durable_rules brutes (même calcul)  {raw_ms:.3f} ms CPU par commune"
                  f" ({reference['disagree']} désaccord(s) avec la fonction simple) ;"
                  f" fonction Python simple {1000 * reference['plain'] / count:.4f} ms")
            print(f"  cms-law séquentiel / règles brutes : × {engine_ms / raw_ms:.1f}"
                  + (f" (avant : × {sequential[trees[0].label] / raw_ms:.1f})" if len(trees) == 2 else "")
                  + f"   cible ≤ × {TARGET_RAW_RATIO:.0f} : {verdict(engine_ms / raw_ms, TARGET_RAW_RATIO)}")
            if name == datasets[0][0]:
                heap_pad(trees[-1], source, count, workdir)
        if arguments.profile:
            profile(workdir / f"inventaire_{INVENTAIRE}.csv", workdir)
    print(f"\nCharge moyenne de la machine à la fin : {_load()}")


if __name__ == "__main__":
    main()
