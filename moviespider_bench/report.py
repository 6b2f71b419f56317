"""Medians, Markdown tables, the targets and the chart, from the runs."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from moviespider_bench.clients import CLIENTS
from moviespider_bench.measure import Run

# The targets of issue 16 (docs/performance.md, "Targets"); CPU per page is in-crawl CPU.
CRAWLEE_RATIO_TARGET = 0.85  # moviespider's CPU per page against Crawlee's
RAW_RATIO_TARGET = 2.2  # … and against the raw aiohttp + lxml client's
REAL_CRAWLEE_RATIO_TARGET = 0.85  # on real subject pages, against Crawlee's
REAL_RAW_RATIO_TARGET = 2.0  # … and against the raw client's
SQLITE_TARGET_MS = 1.0  # storage's CPU per page over the feed-only run
SERVER_DATABASE_TARGET_MS = 1.5
SEEDS_RATIO_TARGET = 1.1  # the seeds' table: crawl time against the raw client's
SCALE_CPU_RATIO_TARGET = 1.05  # CPU per page of the largest subject crawl against the smallest
RSS_GROWTH_TARGET_KB = 0.5  # per page, from the smallest subject crawl to the largest
LATENCY_RATIO_TARGET = 1.3
RSS_TARGET_MB = 250


@dataclass
class Summary:
    """The runs of one client in one configuration."""

    scenario: str
    client: str
    latency: float
    concurrency: int
    pages: int
    runs: list[Run] = field(default_factory=list)
    failed: list[Run] = field(default_factory=list)

    def median(self, metric: str) -> float:
        values = self.values(metric)
        return statistics.median(values) if values else float("nan")

    def values(self, metric: str) -> list[float]:
        return [getattr(run, metric) for run in self.runs]

    def cell(self, metric: str, digits: int = 1) -> str:
        """ "median (min–max)", or the median alone for a single run."""
        values = self.values(metric)
        if not values:
            return "—"
        median = f"{statistics.median(values):.{digits}f}"
        if len(values) == 1:
            return median
        return f"{median} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def summarise(runs: Iterable[Run]) -> list[Summary]:
    groups: dict[tuple, Summary] = {}
    for run in runs:
        key = (run.scenario, run.client, run.latency, run.concurrency, run.pages)
        summary = groups.setdefault(key, Summary(*key[:4], pages=run.pages))
        (summary.runs if run.ok else summary.failed).append(run)
    return list(groups.values())


def find(summaries: list[Summary], **where) -> list[Summary]:
    return [s for s in summaries if all(getattr(s, k) == v for k, v in where.items())]


def markdown(summaries: list[Summary]) -> str:
    parts = []
    if cpu := find(summaries, scenario="cpu"):
        parts.append(cpu_table(cpu))
    if latency := find(summaries, scenario="latency"):
        parts.append(latency_table(latency, cpu_per_page(summaries)))
    if seeds := find(summaries, scenario="seeds"):
        parts.append(seeds_table(seeds))
    if storage := find(summaries, scenario="storage"):
        parts.append(storage_table(storage))
    if scale := find(summaries, scenario="scale"):
        parts.append(scale_table(scale))
    if real := find(summaries, scenario="real"):
        parts.append(real_table(real))
    parts.append(targets_list(summaries))
    return "\n\n".join(parts) + "\n"


def counted(summary: Summary) -> str:
    total = len(summary.runs) + len(summary.failed)
    return f"{len(summary.runs)}/{total}"


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def cpu_table(summaries: list[Summary]) -> str:
    first = summaries[0]
    title = (
        f"### CPU-bound: {first.pages} Top250 pages ({first.pages * 25} films), no latency, "
        f"C={first.concurrency}"
    )
    ordered = sorted(summaries, key=lambda s: s.median("cpu_ms_per_page"))
    rows = [
        [
            CLIENTS[s.client].label,
            s.cell("cpu_ms_per_page", 2),
            s.cell("crawl_cpu_ms_per_page", 2),
            s.cell("pages_per_second", 0),
            s.cell("items_per_second", 0),
            s.cell("crawl_seconds", 2),
            s.cell("wall_seconds", 2),
            s.cell("peak_rss_mb", 0),
            counted(s),
        ]
        for s in ordered
    ]
    header = [
        "client",
        "CPU ms/page",
        "in-crawl CPU ms/page",
        "pages/s",
        "items/s",
        "crawl s",
        "wall s",
        "peak RSS MB",
        "runs",
    ]
    return f"{title}\n\n{table(header, rows)}"


def storage_table(summaries: list[Summary]) -> str:
    first = summaries[0]
    title = (
        f"### Storage: {first.pages} Top250 pages ({first.pages * 25} films), no latency, "
        f"C={first.concurrency}"
    )
    feed = storage_baseline(summaries)
    rows = [
        [
            CLIENTS[s.client].label,
            s.cell("crawl_cpu_ms_per_page", 2),
            "—"
            if feed is None or s.client == "moviespider" or not s.runs
            else f"{s.median('crawl_cpu_ms_per_page') - feed:.2f}",
            s.cell("pages_per_second", 0),
            s.cell("peak_rss_mb", 0),
            counted(s),
        ]
        for s in summaries
    ]
    header = ["client", "in-crawl CPU ms/page", "over the feed", "pages/s", "peak RSS MB", "runs"]
    return f"{title}\n\n{table(header, rows)}"


def scale_table(summaries: list[Summary]) -> str:
    ordered = sorted(summaries, key=lambda s: s.pages)
    title = (
        "### Scale: subject crawls of growing size (one film a page), no latency, "
        f"C={ordered[0].concurrency}"
    )
    rows = [
        [
            f"{s.pages:,}",
            s.cell("crawl_cpu_ms_per_page", 2),
            s.cell("peak_rss_mb", 0),
            s.cell("pages_per_second", 0),
            counted(s),
        ]
        for s in ordered
    ]
    header = ["pages", "in-crawl CPU ms/page", "peak RSS MB", "pages/s", "runs"]
    return f"{title}\n\n{table(header, rows)}"


def real_table(summaries: list[Summary]) -> str:
    first = summaries[0]
    title = (
        f"### Real subject pages: {first.pages} pages of Douban's own markup (80–160 KB), "
        f"no latency, C={first.concurrency}"
    )
    ordered = sorted(summaries, key=lambda s: s.median("crawl_cpu_ms_per_page"))
    rows = [
        [
            CLIENTS[s.client].label,
            s.cell("crawl_cpu_ms_per_page", 2),
            s.cell("cpu_ms_per_page", 2),
            s.cell("pages_per_second", 0),
            s.cell("peak_rss_mb", 0),
            counted(s),
        ]
        for s in ordered
    ]
    header = ["client", "in-crawl CPU ms/page", "CPU ms/page", "pages/s", "peak RSS MB", "runs"]
    return f"{title}\n\n{table(header, rows)}"


def scale_ends(summaries: list[Summary]) -> tuple[Summary, Summary] | None:
    measured = sorted(
        (s for s in find(summaries, scenario="scale") if s.runs), key=lambda s: s.pages
    )
    return (measured[0], measured[-1]) if len(measured) > 1 else None


def storage_baseline(summaries: list[Summary]) -> float | None:
    found = [s for s in find(summaries, scenario="storage", client="moviespider") if s.runs]
    return found[0].median("crawl_cpu_ms_per_page") if found else None


def cpu_per_page(summaries: list[Summary]) -> float | None:
    """douban_top250's CPU seconds per page in the CPU-bound scenario, if it ran."""
    found = find(summaries, scenario="cpu", client="moviespider")
    if not found or not found[0].runs:
        return None
    return found[0].median("cpu_ms_per_page") / 1000


def ideal_seconds(summary: Summary, cpu_seconds: float | None) -> float:
    """max(N × latency / C, N × CPU-per-page): the best a crawl can do."""
    cpu = cpu_seconds if cpu_seconds is not None else summary.median("crawl_cpu_ms_per_page") / 1000
    return max(summary.pages * summary.latency / summary.concurrency, summary.pages * cpu)


def latency_table(summaries: list[Summary], cpu_seconds: float | None) -> str:
    first = summaries[0]
    title = f"### Latency-bound: {first.pages} Top250 pages, moviespider douban_top250"
    ordered = sorted(summaries, key=lambda s: (s.latency, s.concurrency))
    rows = []
    for s in ordered:
        ideal = ideal_seconds(s, cpu_seconds)
        rows.append(
            [
                f"{s.latency:g}",
                str(s.concurrency),
                s.cell("crawl_seconds", 2),
                f"{ideal:.2f}",
                f"{s.median('crawl_seconds') / ideal:.2f}",
                s.cell("pages_per_second", 0),
                s.cell("cpu_ms_per_page", 2),
                s.cell("peak_rss_mb", 0),
                s.cell("wall_seconds", 2),
                counted(s),
            ]
        )
    header = [
        "latency s",
        "C",
        "crawl s",
        "bound s",
        "crawl / bound",
        "pages/s",
        "CPU ms/page",
        "peak RSS MB",
        "wall s",
        "runs",
    ]
    note = (
        "bound = max(N × latency / C, N × CPU-per-page), CPU-per-page from the CPU-bound scenario"
        if cpu_seconds is not None
        else "bound = max(N × latency / C, N × in-crawl CPU-per-page of the same run)"
    )
    return f"{title}\n\n{table(header, rows)}\n\n{note}."


def seeds_table(summaries: list[Summary]) -> str:
    first = summaries[0]
    title = f"### The seeds' table: {first.pages} pages at {first.latency:g} s latency"
    full = max(s.pages for s in summaries)
    rows = []
    for s in summaries:
        crawl = s.median("crawl_seconds")
        scaled = crawl * full / s.pages
        rows.append(
            [
                CLIENTS[s.client].label,
                str(s.concurrency),
                str(s.pages),
                s.cell("crawl_seconds", 2),
                f"{scaled:.1f}" + ("" if s.pages == full else " (extrapolated)"),
                s.cell("wall_seconds", 2),
                s.cell("cpu_ms_per_page", 2),
                counted(s),
            ]
        )
    header = [
        "client",
        "C",
        "pages fetched",
        "crawl s",
        f"s for {full} pages",
        "wall s",
        "CPU ms/page",
        "runs",
    ]
    return f"{title}\n\n{table(header, rows)}"


@dataclass
class Target:
    text: str
    met: bool | None  # None: not measured in this run

    def line(self) -> str:
        verdict = {True: "met", False: "NOT MET", None: "not measured"}[self.met]
        return f"- {verdict}: {self.text}"


def targets(summaries: list[Summary]) -> list[Target]:
    found: list[Target] = []
    cpu = {
        s.client: s.median("crawl_cpu_ms_per_page")
        for s in find(summaries, scenario="cpu")
        if s.runs
    }
    ours, limit, crawlee = cpu.get("moviespider"), cpu.get("aiohttp_lxml"), cpu.get("crawlee")
    for name, other, ratio in (
        ("Crawlee ParselCrawler", crawlee, CRAWLEE_RATIO_TARGET),
        ("the aiohttp + lxml client", limit, RAW_RATIO_TARGET),
    ):
        if ours is None or other is None:
            found.append(Target(f"Top250 CPU per page ≤ {ratio} × {name}'s", None))
            continue
        found.append(
            Target(
                f"Top250, feed only: in-crawl CPU per page {ours:.2f} ms ≤ {ratio} × {name}'s "
                f"({other:.2f} ms): ratio {ours / other:.2f}",
                ours <= ratio * other,
            )
        )
    real = {
        s.client: s.median("crawl_cpu_ms_per_page")
        for s in find(summaries, scenario="real")
        if s.runs
    }
    if (ours := real.get("moviespider_subjects")) is not None:
        for name, other, ratio in (
            ("Crawlee's", real.get("subjects_crawlee"), REAL_CRAWLEE_RATIO_TARGET),
            ("the raw client's", real.get("subjects_aiohttp"), REAL_RAW_RATIO_TARGET),
        ):
            if other is not None:
                found.append(
                    Target(
                        f"real subject pages: in-crawl CPU per page {ours:.2f} ms ≤ {ratio} × "
                        f"{name} ({other:.2f} ms): ratio {ours / other:.2f}",
                        ours <= ratio * other,
                    )
                )
    feed = storage_baseline(summaries)
    for client, limit_ms in (
        ("moviespider_stored", SQLITE_TARGET_MS),
        ("moviespider_postgresql", SERVER_DATABASE_TARGET_MS),
        ("moviespider_mariadb", SERVER_DATABASE_TARGET_MS),
    ):
        stored = [s for s in find(summaries, scenario="storage", client=client) if s.runs]
        if feed is not None and stored:
            extra = stored[0].median("crawl_cpu_ms_per_page") - feed
            found.append(
                Target(
                    f"{CLIENTS[client].label}: {extra:.2f} ms/page over the feed ≤ {limit_ms}",
                    extra <= limit_ms,
                )
            )
    cpu_seconds = cpu_per_page(summaries)
    for s in sorted(find(summaries, scenario="latency"), key=lambda s: (s.latency, s.concurrency)):
        if not s.runs or s.latency < 1:
            continue
        ideal = ideal_seconds(s, cpu_seconds)
        crawl = s.median("crawl_seconds")
        found.append(
            Target(
                f"latency {s.latency:g} s, C={s.concurrency}: crawl {crawl:.2f} s ≤ "
                f"{LATENCY_RATIO_TARGET} × {ideal:.2f} s (ratio {crawl / ideal:.2f})",
                crawl <= LATENCY_RATIO_TARGET * ideal,
            )
        )
    top = max(
        (s for s in find(summaries, scenario="latency") if s.runs),
        key=lambda s: s.concurrency,
        default=None,
    )
    if top is not None:
        rss = max(
            max(s.values("peak_rss_mb"))
            for s in find(summaries, scenario="latency", concurrency=top.concurrency)
        )
        found.append(
            Target(
                f"peak RSS at C={top.concurrency}: {rss:.0f} MB ≤ {RSS_TARGET_MB} MB",
                rss <= RSS_TARGET_MB,
            )
        )
    if ends := scale_ends(summaries):
        small, large = ends
        ratio = large.median("crawl_cpu_ms_per_page") / small.median("crawl_cpu_ms_per_page")
        found.append(
            Target(
                f"subject crawls: CPU per page at {large.pages:,} pages ≤ "
                f"{SCALE_CPU_RATIO_TARGET} × at {small.pages:,}: ratio {ratio:.2f}",
                ratio <= SCALE_CPU_RATIO_TARGET,
            )
        )
        growth = (
            (large.median("peak_rss_mb") - small.median("peak_rss_mb"))
            * 1024
            / (large.pages - small.pages)
        )
        found.append(
            Target(
                f"subject crawls: RSS growth {growth:.2f} KB/page from {small.pages:,} to "
                f"{large.pages:,} pages ≤ {RSS_GROWTH_TARGET_KB}",
                growth <= RSS_GROWTH_TARGET_KB,
            )
        )
    raw = [s for s in find(summaries, scenario="seeds", client="aiohttp_lxml") if s.runs]
    for s in find(summaries, scenario="seeds", client="moviespider"):
        if not s.runs or not raw:
            continue
        crawl, floor = s.median("crawl_seconds"), raw[0].median("crawl_seconds")
        found.append(
            Target(
                f"{s.pages} pages at {s.latency:g} s latency in {crawl:.2f} s ≤ "
                f"{SEEDS_RATIO_TARGET} × the raw client's {floor:.2f} s "
                f"(ratio {crawl / floor:.2f}; wall, with start-up: "
                f"{s.median('wall_seconds'):.2f} s)",
                crawl <= SEEDS_RATIO_TARGET * floor,
            )
        )
    return found


def targets_list(summaries: list[Summary]) -> str:
    return "### Targets\n\n" + "\n".join(t.line() for t in targets(summaries))


def chart(summaries: list[Summary], path: Path) -> bool:
    """Pages/s against concurrency (one line per latency) beside the peers; False without
    matplotlib."""
    try:
        import matplotlib  # only the chart needs it

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    latency = [s for s in find(summaries, scenario="latency") if s.runs]
    cpu = sorted(
        (s for s in find(summaries, scenario="cpu") if s.runs),
        key=lambda s: -s.median("pages_per_second"),
    )
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5), width_ratios=(1.1, 1))
    for value in sorted({s.latency for s in latency}):
        line = sorted((s for s in latency if s.latency == value), key=lambda s: s.concurrency)
        left.plot(
            [s.concurrency for s in line],
            [s.median("pages_per_second") for s in line],
            marker="o",
            label=f"{value:g} s latency",
        )
    if latency:
        left.set_xscale("log")
        left.set_xticks(sorted({s.concurrency for s in latency}))
        left.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        left.get_xaxis().set_minor_formatter(matplotlib.ticker.NullFormatter())
        left.legend()
    left.set(
        title=f"douban_top250, {latency[0].pages if latency else 0} pages",
        xlabel="CONCURRENT_REQUESTS (= per domain)",
        ylabel="pages/s (median)",
    )
    left.grid(alpha=0.3)
    names = [CLIENTS[s.client].label.replace(" (", "\n(") for s in cpu]
    bars = right.barh(names, [s.median("pages_per_second") for s in cpu], color="tab:blue")
    right.bar_label(
        bars,
        labels=[
            f"{s.median('pages_per_second'):.0f} p/s, {s.median('cpu_ms_per_page'):.1f} CPU ms/page"
            for s in cpu
        ],
        padding=3,
        fontsize=8,
    )
    right.invert_yaxis()
    right.set_xlim(0, max((s.median("pages_per_second") for s in cpu), default=1) * 1.6)
    pages, concurrency = (cpu[0].pages, cpu[0].concurrency) if cpu else (0, 0)
    right.set(
        title=f"{pages} pages, no latency, C={concurrency}",
        xlabel="pages/s (median)",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def scale_chart(summaries: list[Summary], path: Path) -> bool:
    """CPU per page and peak RSS against the subject crawl's size; False without matplotlib or
    without the scale scenario."""
    ordered = sorted(
        (s for s in find(summaries, scenario="scale") if s.runs), key=lambda s: s.pages
    )
    if not ordered:
        return False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    pages = [s.pages for s in ordered]
    figure, (cpu, rss) = plt.subplots(1, 2, figsize=(11, 4))
    cpu.plot(pages, [s.median("crawl_cpu_ms_per_page") for s in ordered], marker="o")
    cpu.set(xlabel="pages in the crawl", ylabel="in-crawl CPU ms/page (median)", ylim=(0, None))
    rss.plot(pages, [s.median("peak_rss_mb") for s in ordered], marker="o", color="tab:red")
    rss.set(xlabel="pages in the crawl", ylabel="peak RSS MB (median)", ylim=(0, None))
    for axes in (cpu, rss):
        axes.set_xscale("log")
        axes.grid(alpha=0.3)
    figure.suptitle("moviespider douban_subject: cost against crawl size")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
