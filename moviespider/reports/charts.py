"""Small SVG charts drawn by hand: bars, a histogram, a timeline, a bump chart, a calendar strip.

Hand-drawn rather than matplotlib: these few shapes take a page of code, while matplotlib would
add about 40 MB and a second of import to the crawler's runtime. Every chart carries its figures
in ``data-*`` attributes (``data-count`` on each bar, totals on the ``<svg>``) so that a test
reading the page in a browser can check them against the crawl.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from html import escape
from itertools import pairwise
from typing import Any

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
COLOURS = {
    "requests": "#4c78a8",
    "items": "#54a24b",
    "retries": "#f58518",
    "blocks": "#e45756",
    "pause": "#bab0ac",
    "bar": "#4c78a8",
    "low": "#e45756",
    "up": "#54a24b",
    "down": "#e45756",
}


def attrs(**values: Any) -> str:
    return " ".join(
        f'{name.replace("_", "-")}="{escape(str(value))}"'
        for name, value in values.items()
        if value is not None
    )


def svg(name: str, width: int, height: int, body: Iterable[str], **data: Any) -> str:
    data_attrs = attrs(**{f"data_{k}": v for k, v in data.items()})
    return (
        f'<svg class="chart" data-chart="{name}" {data_attrs} width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" role="img" {FONT}>'
        + "".join(body)
        + "</svg>"
    )


def text(x: float, y: float, content: Any, anchor: str = "start", **extra: Any) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {attrs(**extra)}>'
        f"{escape(str(content))}</text>"
    )


def horizontal_bars(
    name: str,
    bars: Sequence[tuple[str, int]],
    *,
    width: int = 560,
    colour: str = COLOURS["bar"],
    **data: Any,
) -> str:
    """One labelled bar per (label, count), longest first as given."""
    row, left, right = 18, 150, 50
    height = row * len(bars) + 10
    top = max((count for _, count in bars), default=0) or 1
    body = []
    for i, (label, count) in enumerate(bars):
        y = 5 + i * row
        length = (width - left - right) * count / top
        body.append(text(left - 6, y + 12, label, "end"))
        body.append(
            f'<rect class="bar" {attrs(data_label=label, data_count=count)} x="{left}" y="{y + 2}"'
            f' width="{length:.1f}" height="{row - 5}" fill="{colour}"><title>'
            f"{escape(label)}: {count}</title></rect>"
        )
        body.append(text(left + length + 4, y + 12, count))
    return svg(name, width, height, body, total=sum(c for _, c in bars), **data)


def vertical_bars(
    name: str,
    bars: Sequence[tuple[str, int]],
    *,
    width: int = 560,
    height: int = 200,
    colours: Sequence[str] | None = None,
    **data: Any,
) -> str:
    """A histogram-like column per (label, count), in the order given."""
    bottom, top_margin, left = 30, 15, 30
    plot = height - bottom - top_margin
    top = max((count for _, count in bars), default=0) or 1
    step = (width - left - 10) / max(len(bars), 1)
    every = max(1, len(bars) // 16)  # labels that fit
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#999"/>',
        text(left - 4, top_margin + 4, top, "end"),
    ]
    for i, (label, count) in enumerate(bars):
        x = left + i * step
        h = plot * count / top
        fill = colours[i] if colours else COLOURS["bar"]
        body.append(
            f'<rect class="bar" {attrs(data_label=label, data_count=count)} x="{x + 1:.1f}" '
            f'y="{height - bottom - h:.1f}" width="{max(step - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="{fill}"><title>{escape(label)}: {count}</title></rect>'
        )
        if i % every == 0:
            body.append(text(x + step / 2, height - bottom + 14, label, "middle"))
    return svg(name, width, height, body, total=sum(c for _, c in bars), **data)


def coverage_bars(rows: Sequence[tuple[str, float, float | None]], width: int = 560) -> str:
    """A bar per field (share 0-1), its threshold as a tick; fields below it in red."""
    row, left, right = 18, 120, 60
    plot = width - left - right
    body = []
    for i, (name, share, threshold) in enumerate(rows):
        y = 5 + i * row
        low = threshold is not None and share < threshold
        body.append(text(left - 6, y + 12, name, "end"))
        body.append(
            f'<rect class="bar" {attrs(data_label=name, data_share=round(share, 4))} '
            f'{attrs(data_threshold=threshold)} x="{left}" y="{y + 2}" '
            f'width="{plot * share:.1f}" height="{row - 5}" '
            f'fill="{COLOURS["low"] if low else COLOURS["bar"]}"><title>{escape(name)}: '
            f"{100 * share:.1f}%</title></rect>"
        )
        if threshold is not None:
            x = left + plot * threshold
            body.append(
                f'<line class="threshold" x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + row - 1}" '
                'stroke="#000" stroke-width="2"/>'
            )
        body.append(text(left + plot + 6, y + 12, f"{100 * share:.1f}%"))
    low = sum(1 for _, share, t in rows if t is not None and share < t)
    return svg("coverage", width, row * len(rows) + 10, body, fields=len(rows), low=low)


def timeline(samples: Sequence[dict[str, float]], events: Sequence[dict[str, Any]]) -> str:
    """Requests, items and retries so far over the crawl's seconds; blocks as red ticks,
    backoff pauses as grey bands."""
    width, height, left, bottom, top_margin = 900, 260, 50, 30, 20
    last = samples[-1] if samples else {}
    end = max([s["t"] for s in samples] + [e["t"] for e in events] + [1.0])
    # Items on the left axis, requests and retries on the right: a list page holds 25 films, so
    # one scale would flatten the requests.
    peaks = {
        "items": max([s.get("items", 0) for s in samples] + [1]),
        "requests": max([s.get("requests", 0) for s in samples] + [1]),
    }
    peaks["retries"] = peaks["requests"]
    plot_w, plot_h = width - left - 50, height - bottom - top_margin

    def x(t: float) -> float:
        return left + plot_w * t / end

    def y(v: float, series: str = "items") -> float:
        return height - bottom - plot_h * v / peaks[series]

    body = []
    pauses = 0
    for before, after in pairwise(samples):
        paused = after.get("backoff", 0) - before.get("backoff", 0)
        if paused > 0:
            pauses += 1
            start = x(before["t"])
            band = max(x(min(before["t"] + paused, end)) - start, 2)
            body.append(
                f'<rect class="pause" data-seconds="{paused:g}" x="{start:.1f}" '
                f'y="{top_margin}" width="{band:.1f}" '
                f'height="{plot_h}" fill="{COLOURS["pause"]}" opacity="0.4">'
                f"<title>backoff pause {paused:g} s</title></rect>"
            )
    right = left + plot_w
    body.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{right}" y2="{height - bottom}" '
        'stroke="#999"/>'
        f'<line x1="{left}" y1="{top_margin}" x2="{left}" y2="{height - bottom}" stroke="#999"/>'
        f'<line x1="{right}" y1="{top_margin}" x2="{right}" y2="{height - bottom}" stroke="#999"/>'
    )
    body.append(text(left - 4, top_margin + 4, f"{int(peaks['items'])} items", "end"))
    body.append(text(left - 4, height - bottom, 0, "end"))
    body.append(text(right + 4, top_margin + 4, f"{int(peaks['requests'])} req."))
    body.append(text(right, height - 8, f"{end:.1f} s", "end"))
    body.append(text(left, height - 8, "0 s"))
    for series in ("requests", "items", "retries"):
        points = " ".join(f"{x(s['t']):.1f},{y(s.get(series, 0), series):.1f}" for s in samples)
        body.append(
            f'<polyline class="series" data-series="{series}" '
            f'data-last="{last.get(series, 0)}" points="{points}" fill="none" '
            f'stroke="{COLOURS[series]}" stroke-width="2"/>'
        )
    blocks = [e for e in events if e.get("type") == "block"]
    for event in blocks:
        body.append(
            f'<line class="block" x1="{x(event["t"]):.1f}" y1="{top_margin}" '
            f'x2="{x(event["t"]):.1f}" y2="{height - bottom}" stroke="{COLOURS["blocks"]}">'
            f"<title>block: {escape(str(event.get('kind')))}</title></line>"
        )
    legend_x = left + 10
    for series in ("requests", "items", "retries", "blocks", "pause"):
        body.append(f'<rect x="{legend_x}" y="4" width="10" height="10" fill="{COLOURS[series]}"/>')
        body.append(text(legend_x + 14, 13, series))
        legend_x += 80
    return svg(
        "timeline",
        width,
        height,
        body,
        requests=last.get("requests", 0),
        items=last.get("items", 0),
        retries=last.get("retries", 0),
        blocks=len(blocks),
        pauses=pauses,
        seconds=end,
    )


def bump_chart(moves: Sequence[tuple[str, int | None, int | None]], size: int) -> str:
    """Each film's rank in the previous crawl (left) and the latest (right); a film that
    entered or left has one end only."""
    width, top_margin, bottom = 700, 20, 10
    height = max(200, min(900, 3 * size + 40))
    plot_h = height - top_margin - bottom
    left_x, right_x = 200, 500

    def y(rank: int) -> float:
        return top_margin + plot_h * (rank - 1) / max(size - 1, 1)

    body = [
        text(left_x, 12, "previous", "middle"),
        text(right_x, 12, "latest", "middle"),
        *(
            f'<line x1="{at}" y1="{top_margin}" x2="{at}" y2="{height - bottom}" stroke="#ccc"/>'
            for at in (left_x, right_x)
        ),
    ]
    moved = [m for m in moves if m[1] is not None and m[2] is not None and m[1] != m[2]]
    biggest = {m[0] for m in sorted(moved, key=lambda m: -abs(m[1] - m[2]))[:12]}  # type: ignore[operator]
    for title, before, after in moves:
        data = attrs(data_film=title, data_before=before, data_after=after)
        if before is not None and after is not None:
            colour = COLOURS["up"] if after < before else COLOURS["down"]
            if after == before:
                colour = "#ddd"
            body.append(
                f'<line class="move" {data} x1="{left_x}" y1="{y(before):.1f}" x2="{right_x}" '
                f'y2="{y(after):.1f}" stroke="{colour}" stroke-width="1.2">'
                f"<title>{escape(title)}: {before} → {after}</title></line>"
            )
            if title in biggest:
                body.append(text(right_x + 6, y(after) + 4, f"{title} ({before}→{after})"))
        elif after is not None:
            body.append(
                f'<circle class="entered" {data} cx="{right_x}" cy="{y(after):.1f}" r="3" '
                f'fill="{COLOURS["up"]}"><title>{escape(title)}: new at {after}</title></circle>'
            )
        elif before is not None:
            body.append(
                f'<circle class="left" {data} cx="{left_x}" cy="{y(before):.1f}" r="3" '
                f'fill="{COLOURS["down"]}"><title>{escape(title)}: left from {before}</title>'
                "</circle>"
            )
    return svg(
        "bump",
        width,
        height,
        body,
        moved=len(moved),
        entered=sum(1 for m in moves if m[1] is None),
        left=sum(1 for m in moves if m[2] is None),
    )


def calendar_strip(days: dict[date, int]) -> str:
    """One cell per day from the first release to the last, darker for more films."""
    if not days:
        return svg("calendar", 10, 10, [], total=0)
    first, last = min(days), max(days)
    count = (last - first).days + 1
    cell = max(8, min(24, 860 // count))
    width, height = 40 + cell * count, 70
    top = max(days.values())
    body = []
    month = None
    for i in range(count):
        day = first + timedelta(days=i)
        films = days.get(day, 0)
        shade = "#eee" if not films else f"rgba(76,120,168,{0.3 + 0.7 * films / top:.2f})"
        body.append(
            f'<rect class="day" {attrs(data_date=day.isoformat(), data_count=films)} '
            f'x="{20 + i * cell}" y="25" width="{cell - 1}" height="{cell - 1}" fill="{shade}">'
            f"<title>{day.isoformat()}: {films} films</title></rect>"
        )
        if day.month != month:
            month = day.month
            body.append(text(20 + i * cell, 18, day.strftime("%Y-%m")))
    return svg("calendar", width, height, body, total=sum(days.values()), days=count)
