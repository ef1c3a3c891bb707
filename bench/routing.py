"""Routing at scale: training time on N verified complaints and the cost of one prediction.

    .venv/bin/python bench/routing.py            # 50,000 complaints, 35 agencies
    .venv/bin/python bench/routing.py --smoke    # 2,000 complaints: the test that keeps it alive

The complaints are the project's corpus recombined: each synthetic one takes a corpus text,
drops and repeats words, adds a village name and a number, and belongs to one of 35 agencies
(each corpus agency split by kecamatan, as kecamatan offices and puskesmas are in life), one in
ten labels wrong (a linear SVM converges slower on noisy labels than on clean ones). Only
the timings are the point; accuracy on such text says nothing. Any error: no figure, exit 1.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.classification import training  # noqa: E402
from app.classification.evaluate_csv import read  # noqa: E402
from app.classification.learned import pack, unpack  # noqa: E402
from app.classification.text import normalize  # noqa: E402

CORPUS = ROOT / "tests" / "classification" / "data" / "complaints_ngawi.csv"
NOISE = 0.1
VILLAGES = ["beran", "kwadungan", "paron", "karangasri", "geneng", "jogorogo", "kedunggalar"]


def synthetic(n: int, agencies: int, seed: int = 1) -> list[training.Example]:
    rng = random.Random(seed)
    rows = read(str(CORPUS))
    per_base = max(1, agencies // len({r.agency for r in rows}))
    out = []
    for _ in range(n):
        r = rng.choice(rows)
        words = [w for w in r.text.split() if rng.random() > 0.15]
        words += rng.sample(words, k=min(2, len(words)))
        words.insert(rng.randrange(len(words) + 1), f"desa {rng.choice(VILLAGES)}")
        words.append(str(rng.randrange(1, 99)))
        kec = rng.randrange(1, 20)
        region = f"35.21.{kec:02d}.{2000 + rng.randrange(1, 15)}"
        agency = f"{r.agency}-{kec % per_base}"
        if rng.random() < NOISE:  # misrouted history, as real history has
            agency = f"{rng.choice(rows).agency}-{rng.randrange(per_base)}"
        out.append(
            training.Example(" ".join(words), region, {"agency": agency, "type": r.type}, {})
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="2,000 complaints, a few seconds")
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--agencies", type=int, default=35)
    args = parser.parse_args()
    n = 2_000 if args.smoke else args.complaints
    try:
        examples = synthetic(n, args.agencies)
        start, cpu = time.perf_counter(), time.process_time()
        outcome = training.run(examples, None)
        train_seconds = time.perf_counter() - start
        train_cpu = time.process_time() - cpu
        if not outcome.kept:
            raise RuntimeError(f"the model was not kept: {outcome.evaluation}")
        blob = pack(outcome.heads)
        agency = unpack(blob)["agency"]
        sample = examples[: min(2_000, n)]
        start, cpu = time.perf_counter(), time.process_time()
        for e in sample:
            words = normalize(e.text)
            agency.explain(words, e.region_code)
        predict_us = (time.perf_counter() - start) / len(sample) * 1e6
        predict_cpu_us = (time.process_time() - cpu) / len(sample) * 1e6
        top1 = outcome.evaluation["agency"]["model"]["top1"]
    except Exception as exc:  # a benchmark that saw an error reports no figure
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    load = os.getloadavg()[0]
    print(f"complaints: {n}, agencies: {len(agency.labels)}, cores: {os.cpu_count()}")
    print(f"load average while running: {load:.1f} (the cores are shared; CPU time is ours)")
    print(
        "training (hold-out fit, evaluation, refit on all; agency and type): "
        f"{train_seconds:.1f} s wall, {train_cpu:.1f} s CPU"
    )
    print(f"stored model: {len(blob) / 1e6:.2f} MB, {len(agency.vocabulary)} agency features")
    print(
        f"prediction with explanation, per complaint: {predict_us:.0f} µs wall, "
        f"{predict_cpu_us:.0f} µs CPU"
    )
    print(f"hold-out top-1 (synthetic text, says nothing about real accuracy): {top1:.3f}")


if __name__ == "__main__":
    main()
