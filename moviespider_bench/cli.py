"""``python -m moviespider_bench``: run the scenarios, print the tables, write the chart."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from moviespider_bench import quiet
from moviespider_bench.distributed import (
    DistributedPlan,
    run_distributed,
    write_results,
)
from moviespider_bench.report import chart, markdown, scale_chart, summarise
from moviespider_bench.suite import FULL, QUICK, SCENARIOS, run_scenarios, scenarios, with_runs

DISTRIBUTED_SCENARIOS = ("distributed", "distributed-kills")
LONG_RUN = 10_000  # films from which --films is the memory run


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m moviespider_bench",
        description="Benchmark moviespider against the local sandbox and its peers "
        "(docs/performance.md). The full suite takes about an hour on 2 cores (the scale "
        "scenario's 50,000-page crawls most of it); --quick about 5 minutes.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument("--runs", type=int, help="repetitions of each run (default 3; quick 1)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=(*SCENARIOS, *DISTRIBUTED_SCENARIOS),
        help="run only this scenario (repeatable): cpu (the peers on Top250 pages), latency, "
        "seeds, storage (feed only against each database), scale (subject crawls of growing "
        "size), real (real Douban subject pages, from DOUBAN_PAGES or "
        "../shared/douban-pages); distributed (1, 2, 4 workers on Redis, and stock "
        "scrapy-redis) and distributed-kills (10 kill -9 of a worker) run only when named",
    )
    parser.add_argument(
        "--films",
        type=int,
        help="distributed scenarios: the catalog's size (default 1000); from 10,000 one run "
        "of 2 workers, their RSS sampled at every tenth of the films (100,000: every 10,000)",
    )
    parser.add_argument(
        "--scale-pages",
        type=page_counts,
        metavar="N,N,…",
        help="scale scenario: the crawl sizes (default 1000,10000,50000; 100000 for the "
        "memory target, about 15 minutes a run)",
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
    parser.add_argument(
        "--quiet-check",
        action="store_true",
        help="only check whether the machine is quiet enough to measure on, and say why not "
        "(exit 0 if it is, 3 if not)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="measure even on a machine that is not quiet; the results say so",
    )
    parser.add_argument(
        "--pin",
        metavar="CPUS",
        default=default_pin(),
        help="run every client on these CPUs (taskset -c list; default: the last CPU when "
        "taskset is installed; '' for none)",
    )
    args = parser.parse_args(argv)
    if args.films is not None and args.films < 1:
        parser.error("argument --films: must be at least 1")
    if args.runs is not None and args.runs < 1:
        parser.error("argument --runs: must be at least 1")
    return args


def page_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of page counts: {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"page counts must be at least 1: {text!r}")
    return counts


def default_pin() -> str:
    cpus = os.cpu_count() or 1
    return str(cpus - 1) if cpus > 1 and shutil.which("taskset") else ""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.scenario and set(args.scenario) <= set(DISTRIBUTED_SCENARIOS):
        return distributed_main(args)
    quietness = quiet.check()
    if args.quiet_check:
        print(quietness.describe())
        return 0 if quietness.quiet else 3
    if not quietness.quiet and not args.force:
        print(
            f"python -m moviespider_bench: error: {quietness.describe()}; CPU figures taken "
            "now would say more about the other processes than about the clients. Wait for a "
            "quiet machine, or rerun with --force (the results will be marked).",
            file=sys.stderr,
        )
        return 3
    conditions = quietness.describe()
    if not quietness.quiet:
        conditions = f"**Measured on a loaded machine (--force)**: {conditions}"
    plan = replace(with_runs(QUICK if args.quick else FULL, args.runs), pin=args.pin or None)
    if args.scale_pages:
        plan = replace(plan, scale_pages=args.scale_pages)
    chosen = scenarios(plan, args.scenario or SCENARIOS)
    started = time.perf_counter()
    runs = run_scenarios(plan, chosen, args.out / "runs", say=lambda line: print(line, flush=True))
    summaries = summarise(runs)
    tables = markdown(summaries)
    args.out.mkdir(parents=True, exist_ok=True)
    pinned = f"Clients pinned to CPU {plan.pin} (taskset)." if plan.pin else "Clients not pinned."
    (args.out / "results.md").write_text(
        f"{machine()}\n\n{conditions}. {pinned}\n\n{tables}", encoding="utf-8"
    )
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "plan": asdict(plan),
                "machine": machine(),
                "conditions": conditions,
                "runs": [r.as_dict() for r in runs],
            },
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    drew = chart(summaries, args.out / "chart.png")
    if scale_chart(summaries, args.out / "scale.png"):
        print(f"Scale chart in {args.out}/scale.png")
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
