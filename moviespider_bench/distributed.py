"""The distributed scenarios: catalog crawls by 1, 2 and 4 workers sharing a Redis frontier
(moviespider's leased one, and stock scrapy-redis's for the cost of leases), workers killed at
random moments, and worker memory over a long crawl. See docs/distributed.md."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from moviespider_bench.clients import REPO_ROOT
from moviespider_bench.measure import process_cpu_seconds

SEED = 0
SEED_FILMS = 64  # films the crawl starts from: enough that 4 workers have work at once


@dataclass(frozen=True)
class DistributedPlan:
    films: int = 1000  # the sandbox's catalog: every film is crawled
    latency: float = 1.0
    concurrency: int = 16  # per worker
    workers: tuple[int, ...] = (1, 2, 4)
    stock: bool = True  # the same runs on stock scrapy-redis
    kills: int = 10
    kill_latency: float = 0.2
    lease: float = 3.0  # DISTRIBUTED_LEASE in the kill runs: a killed worker's requests back soon
    rss_every: int = 0  # films between RSS samples (0: none); the long run samples every tenth
    redis: str = "redis://127.0.0.1:6379/13"
    timeout: float = 3600.0


@dataclass
class WorkerRun:
    """One set of workers crawling the whole catalog."""

    mode: str  # "moviespider" or "scrapy-redis"
    workers: int
    films: int
    wall_seconds: float = 0.0
    crawl_seconds: float = 0.0  # first film to last film
    cpu_seconds: float = 0.0  # all workers
    items: int = 0
    distinct: int = 0
    missing: int = 0
    kills: int = 0
    leases_at_kills: int = 0  # what the killed workers held: the duplicates allowed
    rss_mb: list[tuple[int, list[float]]] = field(default_factory=list)  # (films, MB a worker)
    problem: str | None = None

    @property
    def duplicates(self) -> int:
        return self.items - self.distinct

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_seconds / self.items if self.items else 0.0


class Workers:
    """Worker processes of one crawl, their feeds, CPU and memory."""

    def __init__(self, plan, mode: str, base_url: str, crawl: str, seeds: str, work_dir: Path):
        self.plan, self.mode, self.base_url, self.crawl = plan, mode, base_url, crawl
        self.seeds, self.work_dir = seeds, work_dir
        self.processes: list[subprocess.Popen] = []
        self.cpu: dict[int, float] = {}  # pid -> last CPU seconds read
        self.feeds: list[Path] = []
        self.lines: dict[Path, tuple[int, int]] = {}  # feed -> (bytes read, lines)

    def settings(self) -> list[str]:
        common = {
            "DOUBAN_BASE_URL": self.base_url,
            "DOUBAN_PROFILE": "fast",
            "CONCURRENT_REQUESTS": self.plan.concurrency,
            "LOG_LEVEL": "INFO",
        }
        if self.mode == "moviespider":
            extra = {
                "DISTRIBUTED": self.plan.redis,
                "DISTRIBUTED_CRAWL": self.crawl,
                "DISTRIBUTED_LEASE": self.plan.lease,
            }
        else:  # stock scrapy-redis, as its README sets it up
            extra = {
                "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
                "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
                "SCHEDULER_PERSIST": True,
                "REDIS_URL": self.plan.redis,
                "SCHEDULER_QUEUE_KEY": f"{self.crawl}:requests",
                "SCHEDULER_DUPEFILTER_KEY": f"{self.crawl}:dupefilter",
            }
        return [
            arg for name, value in {**common, **extra}.items() for arg in ("-s", f"{name}={value}")
        ]

    def start(self) -> subprocess.Popen:
        number = len(self.processes) + 1
        feed = self.work_dir / f"{self.crawl}-w{number}.jsonl"
        self.feeds.append(feed)
        command = [
            sys.executable, "-m", "scrapy", "crawl", "douban_catalog",
            "-a", "seeds=none", "-a", f"ids={self.seeds}", "-a", "max_films=0",
            "-O", str(feed), *self.settings(),
        ]  # fmt: skip
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "SCRAPY_SETTINGS_MODULE": "moviespider.settings",
            "DATABASE_URL": "",
        }
        with (self.work_dir / f"{self.crawl}-w{number}.log").open("w") as log:
            process = subprocess.Popen(
                command, cwd=self.work_dir, env=env, stdout=subprocess.DEVNULL, stderr=log
            )
        self.processes.append(process)
        return process

    def running(self) -> list[subprocess.Popen]:
        return [p for p in self.processes if p.poll() is None]

    def sample_cpu(self) -> None:
        for process in self.running():
            if (cpu := process_cpu_seconds(process.pid)) is not None:
                self.cpu[process.pid] = cpu

    def films(self) -> int:
        """Lines written to the feeds so far (read incrementally)."""
        total = 0
        for feed in self.feeds:
            offset, lines = self.lines.get(feed, (0, 0))
            if feed.exists():
                with feed.open("rb") as file:
                    file.seek(offset)
                    chunk = file.read()
                cut = chunk.rfind(b"\n") + 1
                lines += chunk[:cut].count(b"\n")
                self.lines[feed] = (offset + cut, lines)
            total += lines
        return total

    def ids(self) -> list[str]:
        ids = []
        for feed in self.feeds:
            if feed.exists():
                for line in feed.read_text("utf-8").splitlines():
                    if line.strip():
                        ids.append(json.loads(line)["subject_id"])
        return ids


def vm_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def held_leases(redis_url: str, crawl: str, pid: int) -> int:
    from redis import Redis

    from moviespider.frontier.store import Frontier

    server = Redis.from_url(redis_url)
    try:
        leased = Frontier(server, crawl).status().leased
    finally:
        server.close()
    return sum(n for worker, n in leased.items() if f"-{pid}-" in worker)


def clear(redis_url: str, crawl: str) -> None:
    from redis import Redis

    from moviespider.frontier.store import Frontier

    server = Redis.from_url(redis_url)
    Frontier(server, crawl).clear()  # also the stock keys: the same names
    server.close()


def crawl_once(
    plan: DistributedPlan,
    mode: str,
    workers: int,
    base_url: str,
    all_ids: set[str],
    seeds: str,
    work_dir: Path,
    kills: int = 0,
    say: Callable[[str], None] = print,
) -> WorkerRun:
    crawl = f"bench-{mode.replace('-', '')}-{workers}w-{uuid.uuid4().hex[:6]}"
    run = WorkerRun(mode, workers, len(all_ids))
    group = Workers(plan, mode, base_url, crawl, seeds, work_dir)
    rng = random.Random(f"{SEED}-{kills}")
    kill_at = sorted(rng.uniform(0.05, 0.85) for _ in range(kills))  # shares of the catalog
    started = time.monotonic()
    first_film = last_film = None
    killed_all = False
    next_rss = plan.rss_every or None
    try:
        for _ in range(workers):
            group.start()
        last_count = 0
        while group.running():
            time.sleep(0.2)
            group.sample_cpu()
            count = group.films()
            now = time.monotonic()
            if count and first_film is None:
                first_film = now
            if count != last_count:
                last_film, last_count = now, count
            if next_rss is not None and count >= next_rss:
                rss = [vm_rss_mb(p.pid) for p in group.running()]
                run.rss_mb.append((count, [round(r, 1) for r in rss if r is not None]))
                while next_rss <= count:
                    next_rss += plan.rss_every
            if kill_at and count >= kill_at[0] * len(all_ids):
                kill_at.pop(0)
                victim = rng.choice(group.running())
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                run.kills += 1
                run.leases_at_kills += held_leases(plan.redis, crawl, victim.pid)
                group.start()  # the restarted worker
                say(f"    killed worker {victim.pid} at {count} films; restarted")
            if kills and not kill_at and not killed_all and count >= 0.9 * len(all_ids):
                # Last, every worker at once, then as many started again.
                killed_all = True
                victims = group.running()
                for victim in victims:
                    victim.send_signal(signal.SIGKILL)
                for victim in victims:
                    victim.wait()
                    run.leases_at_kills += held_leases(plan.redis, crawl, victim.pid)
                    group.start()
                run.kills += len(victims)
                say(f"    killed every worker ({len(victims)}) at {count} films; restarted")
            if now - started > plan.timeout:
                run.problem = f"killed after {plan.timeout:g} s"
                break
    finally:
        for process in group.running():
            process.kill()
            process.wait()
        clear(plan.redis, crawl)
    run.wall_seconds = time.monotonic() - started
    run.crawl_seconds = (last_film - first_film) if first_film and last_film else 0.0
    run.cpu_seconds = sum(group.cpu.values())
    ids = group.ids()
    run.items, run.distinct = len(ids), len(set(ids))
    run.missing = len(all_ids - set(ids))
    failed = [p.returncode for p in group.processes if p.returncode not in (0, -signal.SIGKILL)]
    if run.problem is None and failed:
        run.problem = f"exit statuses {failed} (logs in {work_dir})"
    elif run.problem is None and run.missing:
        run.problem = f"{run.missing} films missing"
    return run


def run_distributed(
    plan: DistributedPlan,
    names: set[str],
    work_dir: Path,
    say: Callable[[str], None] = print,
) -> list[WorkerRun]:
    from douban_sandbox import SandboxProcess
    from douban_sandbox.catalog import build_catalog

    work_dir.mkdir(parents=True, exist_ok=True)
    catalog = build_catalog(plan.films, SEED)
    all_ids = {catalog.by_rank(rank).subject_id for rank in range(1, plan.films + 1)}
    seeds = ",".join(
        catalog.by_rank(r).subject_id for r in range(1, min(SEED_FILMS, plan.films) + 1)
    )
    runs: list[WorkerRun] = []
    if "distributed" in names:
        with sandbox(SandboxProcess, plan.films, plan.latency) as site:
            say(
                f"distributed: {plan.films} films at {plan.latency:g} s latency, "
                f"C={plan.concurrency} a worker"
            )
            modes = ("moviespider", "scrapy-redis") if plan.stock else ("moviespider",)
            for workers in plan.workers:
                for mode in modes:
                    run = crawl_once(
                        plan, mode, workers, site.url, all_ids, seeds, work_dir, say=say
                    )
                    runs.append(run)
                    say(f"  {describe(run)}")
    if "distributed-kills" in names:
        with sandbox(SandboxProcess, plan.films, plan.kill_latency) as site:
            say(
                f"distributed-kills: {plan.kills} kills of one of 2 workers, then of both, "
                f"{plan.films} films"
            )
            run = crawl_once(
                plan, "moviespider", 2, site.url, all_ids, seeds, work_dir, plan.kills, say
            )
            runs.append(run)
            say(f"  {describe(run)}")
    return runs


@contextlib.contextmanager
def sandbox(process_class, films: int, latency: float):
    process = process_class(args=[f"--catalog={films}", f"--latency={latency}", f"--seed={SEED}"])
    process.start()
    try:
        yield process
    finally:
        process.stop()


def describe(run: WorkerRun) -> str:
    text = (
        f"{run.mode} × {run.workers}: {run.crawl_seconds:.1f} s crawl, {run.wall_seconds:.1f} s "
        f"wall, {run.cpu_ms_per_page:.2f} CPU ms/page, {run.items} items ({run.distinct} "
        f"distinct, {run.missing} missing, {run.duplicates} duplicates"
    )
    if run.kills:
        text += f"; {run.kills} kills holding {run.leases_at_kills} leases"
    text += ")"
    return text if run.problem is None else f"{text} — {run.problem}"


def report(runs: list[WorkerRun]) -> str:
    lines = []
    speed = [r for r in runs if not r.kills]
    if speed:
        lines += [
            "| frontier | workers | crawl s | wall s | speed-up | CPU ms/page | films | dup. |",
            "|---|---|---|---|---|---|---|---|",
        ]
        one = {r.mode: r.crawl_seconds for r in speed if r.workers == 1}
        for r in speed:
            base = one.get(r.mode)
            ratio = f"{base / r.crawl_seconds:.2f}×" if base and r.crawl_seconds else "-"
            lines.append(
                f"| {r.mode} | {r.workers} | {r.crawl_seconds:.1f} | {r.wall_seconds:.1f} | "
                f"{ratio} | {r.cpu_ms_per_page:.2f} | {r.distinct}/{r.films} | "
                f"{r.duplicates} |"
            )
    for r in runs:
        if r.kills:
            lines += ["", f"Kills: {describe(r)}"]
    rss = [r for r in runs if r.rss_mb]
    for r in rss:
        lines += ["", f"Worker RSS ({r.mode} × {r.workers}), MB at each sample:"]
        lines += [f"- {films} films: {', '.join(f'{m:.0f}' for m in mb)}" for films, mb in r.rss_mb]
    return "\n".join(lines)


def write_results(runs: list[WorkerRun], plan: DistributedPlan, out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    text = report(runs)
    (out / "distributed.md").write_text(text + "\n", encoding="utf-8")
    (out / "distributed.json").write_text(
        json.dumps({"plan": asdict(plan), "runs": [asdict(r) for r in runs]}, indent=1),
        encoding="utf-8",
    )
    return text
