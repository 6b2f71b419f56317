"""``python -m moviespider_bench``: run the scenarios, print the tables, write the chart."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from moviespider_bench.distributed import (
    DistributedPlan,
    run_distributed,
    write_results,
)
from moviespider_bench.report import chart, markdown, summarise
from moviespider_bench.suite import FULL, QUICK, SCENARIOS, run_scenarios, scenarios, with_runs

DISTRIBUTED_SCENARIOS = ("distributed", "distributed-kills")
LONG_RUN = 10_000  # films from which --films is the memory run


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m moviespider_bench",
        description="Benchmark moviespider against the local sandbox and its peers "
        "(docs/performance.md). The full suite takes about 20 minutes; --quick about 3.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument("--runs", type=int, help="repetitions of each run (default 3; quick 1)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=(*SCENARIOS, *DISTRIBUTED_SCENARIOS),
        help="run only this scenario (repeatable): cpu (scenarios 1 and 4: the peers), "
        "latency (2), seeds (3); distributed (1, 2, 4 workers on Redis, and stock "
        "scrapy-redis) and distributed-kills (10 kill -9 of a worker) run only when named",
    )
    parser.add_argument(
        "--films",
        type=int,
        help="distributed scenarios: the catalog's size (default 1000); from 10,000 one run "
        "of 2 workers, their RSS sampled at every tenth of the films (100,000: every 10,000)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=1.0,
        help="the long run's sandbox latency (default 1 s; 0.05 to try it in minutes)",
    )
    parser.add_argument(
        "--redis",
        default=DistributedPlan.redis,
        help="distributed scenarios: the Redis to use (default %(default)s; keys are removed)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("bench-results"),
        help="directory for results.json, results.md, chart.png and the runs' logs",
    )
    args = parser.parse_args(argv)
    if args.films is not None and args.films < 1:
        parser.error("argument --films: must be at least 1")
    if args.runs is not None and args.runs < 1:
        parser.error("argument --runs: must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.scenario and set(args.scenario) <= set(DISTRIBUTED_SCENARIOS):
        return distributed_main(args)
    plan = with_runs(QUICK if args.quick else FULL, args.runs)
    chosen = scenarios(plan, args.scenario or SCENARIOS)
    started = time.perf_counter()
    runs = run_scenarios(plan, chosen, args.out / "runs", say=lambda line: print(line, flush=True))
    summaries = summarise(runs)
    tables = markdown(summaries)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(machine() + "\n\n" + tables, encoding="utf-8")
    (args.out / "results.json").write_text(
        json.dumps(
            {"plan": asdict(plan), "machine": machine(), "runs": [r.as_dict() for r in runs]},
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    drew = chart(summaries, args.out / "chart.png")
    print()
    print(tables)
    print(
        f"Results in {args.out}/ (results.md, results.json"
        + (", chart.png" if drew else "; no chart: matplotlib is not installed")
        + ")"
    )
    print(f"Benchmark took {time.perf_counter() - started:.0f} s")
    return 0 if all(run.ok for run in runs) else 1


def distributed_main(args: argparse.Namespace) -> int:
    plan = DistributedPlan(redis=args.redis)
    if args.quick:
        plan = replace(plan, films=200, latency=0.5, concurrency=8, kills=3)
    if args.films:
        plan = replace(plan, films=args.films)
        if args.films >= LONG_RUN:  # two workers, their memory sampled at every tenth
            plan = replace(
                plan, workers=(2,), stock=False, rss_every=args.films // 10, latency=args.latency
            )
    started = time.perf_counter()
    runs = run_distributed(plan, set(args.scenario), args.out / "runs", say=print)
    text = write_results(runs, plan, args.out)
    print()
    print(machine())
    print(text)
    print(f"Results in {args.out}/ (distributed.md, distributed.json)")
    print(f"Benchmark took {time.perf_counter() - started:.0f} s")
    return 0 if all(run.problem is None for run in runs) else 1


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"Machine: {os.cpu_count()} × {cpu}, Python {platform.python_version()} "
        f"on {platform.system()} {platform.release()}; {sys.implementation.name}"
    )
