"""The README's sample outputs, written by running the commands they show.

A sample is a fenced block (```) whose first line is ``$ cms-law …``. Each ``$ `` line is a
command, run from a temporary folder that holds a copy of ``examples/`` (so that ``-o
resultats.csv`` and ``--chart objectifs.svg`` write there); the lines after it show its output
(standard output and error, as a terminal shows them): its first lines, then a line ``…`` and,
if the sample shows them, its last lines. A line longer than ``WIDTH`` characters is cut at a
space and ends with `` …``. The number of first and last lines is the README's own choice; the
lines themselves always come from the commands::

    .venv/bin/python tests/readme_samples.py            # say whether the README is up to date
    .venv/bin/python tests/readme_samples.py --ecrire   # rewrite the samples from the commands

``tests/test_readme.py`` fails when a sample differs from what the commands print today.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
WIDTH = 160
ELLIPSIS = "…"
_SAMPLE = re.compile(r"^```\n(\$ cms-law .*?)^```$", re.M | re.S)


def _run(command: str, folder: Path) -> list[str]:
    """The lines a terminal shows for ``command`` (« cms-law » is this tree's, by its interpreter)."""
    words = shlex.split(command)
    if words[0] == "cms-law":
        words = [sys.executable, "-m", "cms_law", *words[1:]]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    completed = subprocess.run(
        words, cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
    )
    return completed.stdout.decode("utf-8").splitlines()


def _cut(line: str) -> str:
    if len(line) <= WIDTH:
        return line
    return line[: line.rfind(" ", 0, WIDTH - len(ELLIPSIS) - 1)] + " " + ELLIPSIS


def _render_sample(body: str, folder: Path) -> str:
    """One sample rewritten: each command, then as many first and last lines of its output."""
    commands: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    written = []
    for command, shown in commands:
        output = [_cut(line) for line in _run(command, folder)]
        if ELLIPSIS in shown:
            head = shown.index(ELLIPSIS)
            tail = len(shown) - head - 1
            if head + tail < len(output):
                output = [*output[:head], ELLIPSIS, *(output[len(output) - tail :] if tail else [])]
        written += [f"$ {command}", *output]
    return "\n".join(written) + "\n"


def render(readme: str) -> str:
    """The README with every sample as the commands print it today."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        shutil.copytree(ROOT / "examples", folder / "examples")
        return _SAMPLE.sub(lambda match: f"```\n{_render_sample(match.group(1), folder)}```", readme)


def main() -> int:
    parser = argparse.ArgumentParser(description="Les exemples de sortie du README, écrits par les commandes")
    parser.add_argument("--ecrire", action="store_true", help="réécrire les exemples du README")
    arguments = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    rendered = render(current)
    if arguments.ecrire:
        README.write_text(rendered, encoding="utf-8")
        print("README.md : exemples réécrits" if rendered != current else "README.md : déjà à jour")
        return 0
    print("README.md : à jour" if rendered == current else "README.md : exemples périmés (--ecrire les réécrit)")
    return 0 if rendered == current else 1


if __name__ == "__main__":
    sys.exit(main())
