"""The scenarios, the plan that sizes them, and the loop that runs them against the sandbox."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from moviespider.addons.profiles import PROFILES
from moviespider_bench.clients import CLIENTS, REPO_ROOT, Client, Job
from moviespider_bench.databases import CLIENT_KINDS, reset_database
from moviespider_bench.measure import (
    Run,
    process_cpu_seconds,
    read_items,
    read_report,
    run_process,
)
from moviespider_bench.realpages import RealPagesServer
from moviespider_bench.realpages import subject_ids as real_subject_ids

SEED = 0
MARKUP = "2019"  # the peers' selectors are written for the classic markup
PAGE_SIZE = 25
VERIFY_EVERY = 37  # films checked against the ground truth: one in this many
SECONDS_PER_PAGE_ALLOWED = 0.05  # a run is killed after max(Plan.timeout, pages × this)
PEERS = ("aiohttp_lxml", "scrapy_floor", "naive_scrapy", "seed_bs4", "crawlee")
# moviespider as users run it by default: what storing every film costs on top of the feed.
VARIANTS = ("moviespider_stored",)
# The storage scenario: the feed alone, then each database on top of it.
STORAGE = ("moviespider", "moviespider_stored", "moviespider_postgresql", "moviespider_mariadb")


@dataclass(frozen=True)
class Plan:
    """How big each scenario is and how often each run is repeated."""

    runs: int = 3
    cpu_pages: int = 2000
    cpu_concurrency: int = int(PROFILES["fast"]["CONCURRENT_REQUESTS"])  # what users get
    peers: tuple[str, ...] = PEERS
    variants: tuple[str, ...] = VARIANTS
    latency_pages: int = 500
    latencies: tuple[float, ...] = (0.2, 1.0)
    concurrencies: tuple[int, ...] = (16, 64, 100, 250, 500)
    storage_pages: int = 1000
    storage: tuple[str, ...] = STORAGE
    scale_pages: tuple[int, ...] = (1000, 10000, 50000)
    real_pages: int = 2000  # real Douban subject pages (80–160 KB), when they are beside us
    seeds_pages: int = 100
    seeds_latency: float = 3.0
    seeds_concurrency: int = 100
    sequential_pages: int = 10  # 100 pages one after another take 300 s: timed on fewer
    timeout: float = 600.0
    pin: str | None = None  # taskset -c CPU list for the clients (cli: --pin)


FULL = Plan()
QUICK = Plan(
    runs=1,
    cpu_pages=500,
    storage_pages=300,
    scale_pages=(500, 2000),
    real_pages=300,
    latency_pages=200,
    latencies=(1.0,),
    concurrencies=(16, 100, 500),
    sequential_pages=3,
)
SCENARIOS = ("cpu", "latency", "seeds", "storage", "scale", "real")
REAL_PAGES_CLIENTS = ("moviespider_subjects", "subjects_aiohttp", "subjects_crawlee")


@dataclass(frozen=True)
class Entry:
    client: str
    concurrency: int
    pages: int
    settings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str  # "cpu", "latency" or "seeds": how the report groups it
    pages: int
    latency: float
    entries: tuple[Entry, ...]

    @property
    def subject_pages(self) -> bool:
        """One film a page, fetched by subject id (scale, real), not Top250 pages."""
        return self.name in ("scale", "real")

    @property
    def catalog_size(self) -> int:
        pages = max(entry.pages for entry in self.entries)
        return pages if self.subject_pages else pages * PAGE_SIZE


def scenarios(plan: Plan, names: Iterable[str] = SCENARIOS) -> list[Scenario]:
    chosen: list[Scenario] = []
    names = set(names)
    if "cpu" in names:
        clients = ("moviespider", *plan.variants, *plan.peers)
        entries = tuple(Entry(c, plan.cpu_concurrency, plan.cpu_pages) for c in clients)
        chosen.append(Scenario("cpu", plan.cpu_pages, 0.0, entries))
    if "latency" in names:
        for latency in plan.latencies:
            entries = tuple(
                Entry("moviespider", concurrency, plan.latency_pages)
                for concurrency in plan.concurrencies
            )
            chosen.append(Scenario("latency", plan.latency_pages, latency, entries))
    if "storage" in names:
        entries = tuple(Entry(c, plan.cpu_concurrency, plan.storage_pages) for c in plan.storage)
        chosen.append(Scenario("storage", plan.storage_pages, 0.0, entries))
    if "scale" in names:
        entries = tuple(
            Entry("moviespider_subjects", plan.cpu_concurrency, pages) for pages in plan.scale_pages
        )
        chosen.append(Scenario("scale", max(plan.scale_pages), 0.0, entries))
    if "real" in names:
        entries = tuple(
            Entry(client, plan.cpu_concurrency, plan.real_pages) for client in REAL_PAGES_CLIENTS
        )
        chosen.append(Scenario("real", plan.real_pages, 0.0, entries))
    if "seeds" in names:
        pages, concurrency = plan.seeds_pages, plan.seeds_concurrency
        entries = (
            Entry("moviespider", concurrency, pages),
            # The floor: how soon any client can have 100 pages that all arrive at once.
            Entry("aiohttp_lxml", concurrency, pages),
            Entry("seed_bs4", concurrency, pages),
            Entry("sequential", 1, min(plan.sequential_pages, pages)),
        )
        chosen.append(Scenario("seeds", pages, plan.seeds_latency, entries))
    return chosen


def missing_modules(client: Client) -> list[str]:
    missing = [module for module in client.needs if importlib.util.find_spec(module) is None]
    if not missing and (kind := CLIENT_KINDS.get(client.name)):
        try:
            reset_database(kind)
        except SQLAlchemyError as error:
            missing.append(f"a {kind} server ({type(error).__name__})")
    return missing


def run_scenarios(
    plan: Plan,
    chosen: Iterable[Scenario],
    work_dir: Path,
    say: Callable[[str], None] = print,
) -> list[Run]:
    """Run every scenario ``plan.runs`` times, one sandbox per scenario.

    Runs are interleaved (all entries once, then all again), so drift on a shared machine
    spreads over every client instead of landing on one.
    """
    from douban_sandbox import SandboxProcess  # not before a run needs it
    from douban_sandbox.catalog import build_catalog

    work_dir.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for scenario in chosen:
        entries = []
        for entry in scenario.entries:
            missing = missing_modules(CLIENTS[entry.client])
            if missing:
                say(
                    f"skipping {entry.client}: needs {', '.join(missing)} "
                    "(pip install -r requirements-bench.txt; storage: the database servers)"
                )
            else:
                entries.append(entry)
        if scenario.name == "real":
            try:
                sandbox = RealPagesServer()
            except FileNotFoundError as error:
                say(f"skipping the real-pages scenario: {error}")
                continue
        else:
            sandbox = SandboxProcess(
                args=[
                    f"--catalog={scenario.catalog_size}",
                    f"--latency={scenario.latency}",
                    f"--markup={MARKUP}",
                    f"--seed={SEED}",
                ]
            )
        sandbox.start()
        try:
            catalog = build_catalog(scenario.catalog_size, SEED)
            say(
                f"{scenario.name}: {scenario.pages} pages at {scenario.latency:g} s latency, "
                f"sandbox at {sandbox.url}"
            )
            if not scenario.subject_pages:  # the subject pages' first rendering is the sandbox's
                warm_up(sandbox.url, scenario, work_dir, plan.timeout)
            for number in range(1, plan.runs + 1):
                for entry in entries:
                    # 50,000 subject pages take longer than any Top250 run
                    timeout = max(plan.timeout, entry.pages * SECONDS_PER_PAGE_ALLOWED)
                    run = run_entry(sandbox, catalog, scenario, entry, work_dir, timeout, plan.pin)
                    runs.append(run)
                    say(f"  run {number}/{plan.runs} {describe(run)}")
        finally:
            sandbox.stop()
    return runs


def warm_up(base_url: str, scenario: Scenario, work_dir: Path, timeout: float) -> None:
    """Have the sandbox render every page once, so the first measured run is not its first."""
    job = Job(
        base_url=base_url,
        pages=max(entry.pages for entry in scenario.entries),
        concurrency=100,
        output=work_dir / "warm-up.jsonl",
        report=work_dir / "warm-up.json",
    )
    run_process(
        CLIENTS["aiohttp_lxml"].command(job),
        cwd=REPO_ROOT,
        env=client_environment(),
        log=work_dir / "warm-up.log",
        timeout=timeout,
    )


def client_environment() -> dict[str, str]:
    env = dict(os.environ)
    # The peers import moviespider_bench.peers.common, and the probe rides in Scrapy clients.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    env.pop("SCRAPY_PROJECT", None)
    # The clients say which database they store in (-s DATABASE_URL); an exported one would win
    # over that, and the benchmark would write its invented films into the user's database.
    env.pop("DATABASE_URL", None)
    return env


def run_entry(
    sandbox,
    catalog,
    scenario: Scenario,
    entry: Entry,
    work_dir: Path,
    timeout: float,
    pin: str | None = None,
):
    client = CLIENTS[entry.client]
    stem = f"{scenario.name}-{scenario.latency:g}s-{client.name}-c{entry.concurrency}"
    if scenario.subject_pages:
        stem += f"-{entry.pages}"
    if entry.settings:  # an A/B pair of one client: each its own files
        stem += "-" + "-".join(s.replace("=", "_") for s in entry.settings)
    output = work_dir / f"{stem}{client.output_suffix}"
    report = work_dir / f"{stem}.report.json"
    job = Job(sandbox.url, entry.pages, entry.concurrency, output, report, entry.settings)
    for stale in (output, report, job.database):
        stale.unlink(missing_ok=True)
    if kind := CLIENT_KINDS.get(client.name):
        reset_database(kind)
    if scenario.subject_pages:
        ids = (
            real_subject_ids(entry.pages)
            if scenario.name == "real"
            else [catalog.subject_id_of(i) for i in range(entry.pages)]
        )
        job.ids_file.write_text("".join(f"{subject_id}\n" for subject_id in ids), encoding="utf-8")
    cwd = REPO_ROOT if client.in_project else work_dir / "scratch"  # no scrapy.cfg above it
    cwd.mkdir(exist_ok=True)
    server_pid = sandbox.pid
    server_cpu = process_cpu_seconds(server_pid) if server_pid else None
    usage = run_process(
        client.command(job),
        cwd=cwd,
        env=client_environment(),
        log=work_dir / f"{stem}.log",
        timeout=timeout,
        pin=pin,
    )
    run = Run(
        scenario=scenario.name,
        client=client.name,
        pages=entry.pages,
        latency=scenario.latency,
        concurrency=entry.concurrency,
        expected_items=entry.pages * (1 if scenario.subject_pages else PAGE_SIZE),
        wall_seconds=usage.wall_seconds,
        cpu_seconds=usage.cpu_seconds,
        peak_rss_mb=usage.peak_rss_mb,
        exit_code=usage.exit_code,
        log=str(work_dir / f"{stem}.log"),
    )
    if server_cpu is not None and (after := process_cpu_seconds(server_pid)) is not None:
        run.server_cpu_seconds = after - server_cpu
    figures = read_report(report)
    run.crawl_seconds = figures.get("crawl_seconds", 0.0)
    run.crawl_cpu_seconds = figures.get("crawl_cpu_seconds", 0.0)
    if scenario.name == "real":  # four real films under many ids: each id once is the check
        verify(run, read_items(output), None, by_id=True)
    else:
        verify(run, read_items(output), catalog, by_id=scenario.subject_pages)
    if usage.timed_out:
        run.problem = f"killed after {timeout:g} s"
    elif usage.exit_code != 0:
        run.problem = f"exit status {usage.exit_code} (see {run.log})"
    elif not figures:
        run.problem = "the client wrote no report"
    if run.ok:
        output.unlink(missing_ok=True)  # a 50,000-film feed per run adds up
        job.database.unlink(missing_ok=True)
    if scratch := cwd if not client.in_project else None:
        shutil.rmtree(scratch / "storage", ignore_errors=True)
    return run


def verify(run: Run, items: list[dict], catalog, *, by_id: bool = False) -> None:
    """Every film there, once, and a sample of them right: a fast client must be a correct one."""
    run.items = len(items)
    ids = {item.get("subject_id") for item in items}
    run.distinct_ids = len(ids - {None})
    for item in items[::VERIFY_EVERY] if catalog is not None else ():
        rank = item.get("rank")
        if by_id:
            film = catalog.film(item.get("subject_id") or "")
        else:
            film = catalog.by_rank(rank) if isinstance(rank, int) and rank > 0 else None
        if film is None or (film.subject_id, film.title) != (item["subject_id"], item["title"]):
            run.mismatches += 1
    if run.items != run.expected_items or run.distinct_ids != run.expected_items:
        run.problem = (
            f"{run.items} films ({run.distinct_ids} distinct) where {run.expected_items} "
            "were expected"
        )
    elif run.mismatches:
        run.problem = f"{run.mismatches} sampled films differ from the ground truth"


def describe(run: Run) -> str:
    text = (
        f"{run.client} C={run.concurrency}: {run.crawl_seconds:.2f} s crawl, "
        f"{run.wall_seconds:.2f} s wall, {run.pages_per_second:.0f} pages/s, "
        f"{run.cpu_ms_per_page:.2f} CPU ms/page, {run.peak_rss_mb:.0f} MB"
    )
    return text if run.ok else f"{text} — NOT COUNTED: {run.problem}"


def with_runs(plan: Plan, runs: int | None) -> Plan:
    return plan if runs is None else replace(plan, runs=runs)
