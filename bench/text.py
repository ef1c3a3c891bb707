"""Cost of reading a complaint: the normaliser and the rule set, per text, on the test corpora.

    .venv/bin/python bench/text.py [--texts 20000] [--repeat 7]

Pure CPU, no database. Each figure is the best of `--repeat` runs over about `--texts` texts
(the run least disturbed by other work on a shared machine) divided by the number of texts;
prints a Markdown table and the load average.
"""

import argparse
import csv
import os
import platform
import timeit
from collections.abc import Callable
from pathlib import Path

from app.classification.rules import classify
from app.classification.text import tokens

DATA = Path(__file__).resolve().parents[1] / "tests" / "classification" / "data"
LETTER = (
    "Dengan hormat, kami warga RT 03 RW 02 Desa Sidolaju menyampaikan bahwa jalan kabupaten ruas "
    "Sidolaju-Walikukun mengalami kerusakan berat sepanjang kurang lebih 800 meter. Mohon dapat "
    "ditinjau dan diperbaiki, karena setiap hari dilalui anak sekolah dan truk hasil panen. "
) * 2


def _per_text(texts: list[str], read: Callable[[str], object], total: int, repeat: int) -> float:
    rounds = max(1, total // len(texts))
    best = min(timeit.repeat(lambda: [read(t) for t in texts], number=rounds, repeat=repeat))
    return best / rounds / len(texts) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000, help="texts read per run")
    parser.add_argument("--repeat", type=int, default=7, help="runs; the best one counts")
    args = parser.parse_args()
    sets = {
        name: [r["text"] for r in csv.DictReader((DATA / name).open(encoding="utf-8"))]
        for name in ("sms_holdout.csv", "complaints_ngawi.csv")
    }
    sets["one 500-character letter"] = [LETTER[:500]]
    print(f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}\n")
    print("| texts | n | mean chars | tokens() µs/text | classify() µs/text |")
    print("|---|---|---|---|---|")
    for name, texts in sets.items():
        chars = sum(map(len, texts)) / len(texts)
        cost = [_per_text(texts, f, args.texts, args.repeat) for f in (tokens, classify)]
        print(f"| {name} | {len(texts)} | {chars:.0f} | {cost[0]:.1f} | {cost[1]:.1f} |")


if __name__ == "__main__":
    main()
