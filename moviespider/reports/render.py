"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network."""

from __future__ import annotations

from collections import Counter
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moviespider.reports import charts
from moviespider.reports.build import RANKED_SOURCE, ReportData, changes_since_previous

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

RATING_ROWS = 20  # the largest rating changes listed; the count says how many there are
TOP_CATEGORIES = 15  # genres and countries beyond these are summed as "other"
STYLE = """
body { font: 14px system-ui, sans-serif; margin: 24px auto; max-width: 960px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; }
.summary td { padding: 2px 12px 2px 0; } .bad { color: #c0392b; font-weight: bold; }
.grid { display: flex; flex-wrap: wrap; gap: 24px; } .grid > div { flex: 1 1 420px; }
table.list { border-collapse: collapse; font-size: 13px; }
table.list td, table.list th { border-bottom: 1px solid #eee; padding: 3px 8px; text-align: left; }
.note { color: #666; font-size: 12px; }
"""


def render_report(data: ReportData) -> str:
    timeline = data.timeline or {}
    stats = timeline.get("stats", {})
    sections = [
        summary(data, stats),
        section("Requests and items over time", timeline_chart(timeline)),
        section("Responses", responses(timeline, stats)),
        section("Field coverage", coverage(timeline)),
        section("The films", films(data.films)),
        section("Pages given up on", failed_pages(timeline.get("failed"))),
    ]
    if data.changes is not None:
        heading = "Top250: rank movements since the last complete crawl"
        sections.append(section(heading, ranks(data)))
    upcoming = [f for f in data.films if f.get("release_date")]
    if upcoming and any(f.get("source") == "later" for f in data.films):
        sections.append(section("Release dates", calendar(upcoming)))
    title = f"moviespider: {data.spider}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>" + "".join(sections) + "</body></html>\n"
    )


def section(heading: str, body: str) -> str:
    return f"<section><h2>{escape(heading)}</h2>{body}</section>"


def summary(data: ReportData, stats: dict[str, Any]) -> str:
    reason = data.finish_reason or stats.get("finish_reason") or "running or died"
    rows = [
        ("crawl", data.crawl_id or "(not stored)"),
        ("started (UTC)", (data.timeline or {}).get("started_at") or stats.get("start_time", "-")),
        ("seconds", _round(stats.get("elapsed_time_seconds"))),
        ("ended", reason),
        ("outcome", _outcome(stats)),
        ("films", len(data.films)),
        ("expected", (data.timeline or {}).get("expected_items") or "-"),
        ("requests", stats.get("downloader/request_count", "-")),
        ("retries", stats.get("retry/count", 0)),
        ("blocks", stats.get("moviespider/blocked_total", 0)),
        ("pages given up on", len((data.timeline or {}).get("failed") or [])),
    ]
    cells = "".join(
        f'<tr><td>{escape(name)}</td><td class="{_bad(name, value)}" data-field="{escape(name)}">'
        f"{escape(str(value))}</td></tr>"
        for name, value in rows
    )
    return f'<table class="summary">{cells}</table>'


def _outcome(stats: dict[str, Any]) -> str:
    name = stats.get("moviespider/outcome")
    return "-" if name is None else f"{name} (exit status {stats.get('moviespider/exit_status')})"


def _bad(name: str, value: Any) -> str:
    if (name == "ended" and value != "finished") or (
        name == "outcome" and value != "-" and not value.startswith("complete")
    ):
        return "bad"
    return ""


def _round(value: Any) -> Any:
    return round(value, 1) if isinstance(value, float) else (value if value is not None else "-")


def timeline_chart(timeline: dict[str, Any]) -> str:
    samples = timeline.get("samples") or []
    if not samples:
        return '<p class="note">No timeline was recorded for this crawl.</p>'
    return charts.timeline(samples, timeline.get("events") or [])


def responses(timeline: dict[str, Any], stats: dict[str, Any]) -> str:
    prefix = "downloader/response_status_count/"
    by_status = sorted(
        ((name[len(prefix) :], count) for name, count in stats.items() if name.startswith(prefix)),
        key=lambda pair: pair[0],
    )
    kinds: Counter[str] = Counter()
    for row in timeline.get("pages") or []:
        kinds[f"{row['kind']} ({row['status']})"] += row["count"]
    parts = []
    if by_status:
        parts.append(
            "<div><h3>By status</h3>"
            + charts.horizontal_bars("status", by_status, width=420)
            + "</div>"
        )
    if kinds:
        parts.append(
            "<div><h3>By page kind</h3>"
            + charts.horizontal_bars("kinds", kinds.most_common(), width=420)
            + "</div>"
        )
    if not parts:
        return '<p class="note">No responses recorded.</p>'
    return f'<div class="grid">{"".join(parts)}</div>'


def coverage(timeline: dict[str, Any]) -> str:
    recorded = timeline.get("coverage") or {}
    shares: dict[str, float] = recorded.get("shares") or {}
    thresholds: dict[str, float] = recorded.get("thresholds") or {}
    if not shares and not thresholds:
        return '<p class="note">No field coverage was recorded.</p>'
    names = [*thresholds, *(name for name in shares if name not in thresholds)]
    rows = [(name, shares.get(name, 0.0), thresholds.get(name)) for name in names]
    note = ""
    if recorded.get("items", 0) < recorded.get("min_items", 0):
        note = (
            f'<p class="note">{recorded["items"]} items: fewer than COVERAGE_MIN_ITEMS '
            f"({recorded['min_items']}), so not judged.</p>"
        )
    return charts.coverage_bars(rows) + note


def films(films: list[dict[str, Any]]) -> str:
    if not films:
        return '<p class="note">No films.</p>'
    bins: Counter[str] = Counter()
    for film in films:
        rating = film.get("rating")
        bins["unrated" if rating is None else _rating_bin(rating)] += 1
    labels = [f"{low / 2:.1f}" for low in range(0, 20)] + ["unrated"]
    first = next((i for i, label in enumerate(labels) if bins[label]), 0)
    labels = labels[first:]
    rating_chart = charts.vertical_bars(
        "ratings",
        [(label, bins[label]) for label in labels],
        colours=["#bab0ac" if label == "unrated" else charts.COLOURS["bar"] for label in labels],
        films=len(films),
    )
    years = Counter(film["year"] for film in films if film.get("year"))
    year_chart = '<p class="note">No years.</p>'
    if years:
        decades = Counter({f"{year // 10 * 10}s": 0 for year in years})
        for year, count in years.items():
            decades[f"{year // 10 * 10}s"] += count
        year_chart = charts.vertical_bars(
            "years", sorted(decades.items()), films=sum(years.values())
        )
    return (
        '<div class="grid">'
        f"<div><h3>Ratings</h3>{rating_chart}</div>"
        f"<div><h3>Films per decade</h3>{year_chart}</div>"
        f"<div><h3>Genres</h3>{categories('genres', films)}</div>"
        f"<div><h3>Countries</h3>{categories('countries', films)}</div>"
        "</div>"
    )


def _rating_bin(rating: float) -> str:
    return f"{min(int(rating * 2), 19) / 2:.1f}"


def categories(name: str, films: list[dict[str, Any]]) -> str:
    counts = Counter(value for film in films for value in film.get(name) or ())
    if not counts:
        return f'<p class="note">No {name}.</p>'
    bars = counts.most_common(TOP_CATEGORIES)
    other = sum(counts.values()) - sum(count for _, count in bars)
    if other:
        bars.append(("other", other))
    return charts.horizontal_bars(
        name, bars, width=420, films=sum(1 for film in films if film.get(name))
    )


def failed_pages(failed: list[dict[str, Any]] | None) -> str:
    if not failed:
        return '<p class="note" data-failed="0">None.</p>'
    rows = "".join(
        f'<tr class="failed"><td>{escape(page["url"])}</td>'
        f"<td>{'-' if page.get('status') is None else page['status']}</td>"
        f"<td>{escape(page.get('error') or '-')}</td></tr>"
        for page in failed
    )
    return (
        f'<table class="list" data-failed="{len(failed)}"><tr><th>page</th><th>status</th>'
        f"<th>reason</th></tr>{rows}</table>"
    )


def ranks(data: ReportData) -> str:
    changes = data.changes
    assert changes is not None
    moves: list[tuple[str, int | None, int | None]] = []
    for change in changes.changed:
        moves.append((_name(change.after), change.before.rank, change.after.rank))
    for placing in changes.entered:
        moves.append((_name(placing), None, placing.rank))
    for placing in changes.left:
        moves.append((_name(placing), placing.rank, None))
    size = max([m for move in moves for m in move[1:] if m is not None] + [1])
    heading = (
        f'<p class="note">{changes.previous.started_at:%Y-%m-%d %H:%M} UTC against '
        f"{changes.latest.started_at:%Y-%m-%d %H:%M} UTC: {len(changes.changed)} changed, "
        f"{len(changes.entered)} entered, {len(changes.left)} left.</p>"
    )
    if not moves:
        return heading
    rated = sorted(
        (c for c in changes.changed if c.before.rating != c.after.rating),
        key=lambda c: -abs((c.after.rating or 0) - (c.before.rating or 0)),
    )
    rating_rows = "".join(
        f'<tr class="rating-change"><td>{escape(_name(c.after))}</td><td>{c.before.rating}</td>'
        f"<td>{c.after.rating}</td></tr>"
        for c in rated[:RATING_ROWS]
    )
    more = (
        f'<p class="note">… and {len(rated) - RATING_ROWS} more.</p>'
        if len(rated) > RATING_ROWS
        else ""
    )
    ratings_table = (
        f'<h3>Rating changes ({len(rated)}, largest first)</h3><table class="list" '
        f'data-rating-changes="{len(rated)}"><tr><th>film</th><th>before</th><th>after</th></tr>'
        f"{rating_rows}</table>{more}"
        if rated
        else '<p class="note" data-rating-changes="0">No rating changed.</p>'
    )
    return heading + charts.bump_chart(moves, size) + ratings_table


def _name(placing: Any) -> str:
    return placing.title or placing.subject_id


def calendar(films: list[dict[str, Any]]) -> str:
    days: Counter[date] = Counter()
    for film in films:
        try:
            days[date.fromisoformat(film["release_date"])] += 1
        except ValueError:
            continue
    return charts.calendar_strip(dict(days))


def write_report_at_close(
    settings: BaseSettings,
    path: str,
    *,
    spider: str,
    crawl_id: str | None,
    timeline: dict[str, Any],
    films: list[dict[str, Any]],
) -> None:
    """The report of the crawl that is closing: its films as it saw them, its timeline, and,
    for a complete Top250 crawl with storage on, the changes since the last complete one."""
    reason = timeline.get("stats", {}).get("finish_reason")
    changes = None
    if crawl_id and reason == "finished" and any(f.get("source") == RANKED_SOURCE for f in films):
        changes = changes_since_previous(settings, crawl_id, films)
    data = ReportData(spider, crawl_id, reason, films, timeline, changes)
    write_file(Path(path), render_report(data))


def write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
