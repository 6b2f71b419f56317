"""Renders the sandbox's pages in Douban's markup from the catalog.

Templates live in ``templates/`` (read with importlib.resources, so they work from a zipped egg)
and are ``string.Template`` texts compiled once, when the app is created. Every function here is
pure: the same catalog, markup and base URL give the same bytes, which is what lets the app cache
rendered pages per URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from string import Template

from douban_sandbox.catalog import Catalog, Film, Person, Upcoming

MARKUPS = ("2019", "2025")
TOP250_PAGE_SIZE = 25
TOP250_LINE_LIMIT = 50  # Douban cuts the "导演: … 主演: …" line to about this many characters
TOP250_ALIASES = 2  # span.other shows the first aliases only
SUMMARY_SHORT_LIMIT = 120  # longer synopses get the short/"展开全部"/span.all.hidden form
NBSP = "\xa0"

_TEMPLATE_NAMES = (
    "layout",
    "top250",
    "top250_list",
    "top250_item_2019",
    "top250_item_2025",
    "later",
    "later_list",
    "later_item",
    "nowplaying",
    "nowplaying_list",
    "nowplaying_item",
    "nowplaying_upcoming_item",
    "subject",
    "ban",
    "login",
    "sec",
    "csr_shell",
    "not_found",
    "location",
    "index",
)


def read_resource(name: str) -> str:
    """A text file of the sandbox package's ``templates`` directory."""
    return files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def load_templates() -> dict[str, Template]:
    return {name: Template(read_resource(f"{name}.html")) for name in _TEMPLATE_NAMES}


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _nbsp(text: str) -> str:
    return _text(text).replace(NBSP, "&nbsp;")


def _stars(rating: float | None) -> str:
    """Douban's star class suffix: 9.7 -> "50", 7.3 -> "35", no rating -> "00"."""
    if rating is None:
        return "00"
    return f"{round(rating) * 5:02d}"


def _list_stars(rating: float | None) -> str:
    """The Top250 list's shorter form of the same: "5", "45", "4" ("rating45-t")."""
    stars = _stars(rating)
    return stars[0] if stars.endswith("0") else stars


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True, slots=True)
class Page:
    title: str  # the document title
    content: str  # what div#wrapper holds
    app: str  # the part of `content` a client-side-rendered page fills in (JS mode)
    head: str = ""


class PageRenderer:
    """Turns catalog films into Douban pages for one markup generation."""

    def __init__(self, catalog: Catalog, markup: str = "2019"):
        if markup not in MARKUPS:
            raise ValueError(f"markup must be one of {', '.join(MARKUPS)}, got {markup!r}")
        self.catalog = catalog
        self.markup = markup
        self.templates = load_templates()

    # --- whole documents -------------------------------------------------------------------

    def document(self, page: Page, base: str, app: str | None = None) -> str:
        """The HTML document; ``app`` replaces the page's data part (client-side rendering)."""
        content = page.content if app is None else page.content.replace(page.app, app)
        return self.templates["layout"].substitute(
            title=_text(page.title), head=page.head, content=content, base=base
        )

    def plain(self, name: str, **values: str) -> str:
        """A stand-alone page (ban, login, sec challenge) with escaped values."""
        return self.templates[name].substitute({key: _text(v) for key, v in values.items()})

    def index(self, base: str, seed: int, js: bool) -> Page:
        """The home page: what the sandbox serves, for people trying it in a browser."""
        cities = "\n".join(
            f"                    <li>{_text(name)}: "
            f'<a href="{base}/cinema/later/{slug}/">即将上映</a> '
            f'<a href="{base}/cinema/nowplaying/{slug}/">正在上映</a></li>'
            for slug, name in self.catalog.cities.items()
        )
        content = self.templates["index"].substitute(
            base=base,
            size=len(self.catalog),
            seed=seed,
            markup=self.markup,
            js=", JS mode" if js else "",
            cities=cities,
        )
        return Page(title="豆瓣电影", content=content, app=content)

    # --- Top250 --------------------------------------------------------------------------------

    def top250(self, start: int, base: str) -> Page:
        films = self.catalog.top250_page(start, TOP250_PAGE_SIZE)
        item = self.templates[f"top250_item_{self.markup}"]
        items = "\n".join(self._top250_item(item, film, base) for film in films)
        app = self.templates["top250_list"].substitute(
            items=items, paginator=self._paginator(start), total=len(self.catalog)
        )
        content = self.templates["top250"].substitute(app=app)
        return Page(title="豆瓣电影 Top 250", content=content, app=app)

    def _top250_item(self, template: Template, film: Film, base: str) -> str:
        titles = [f'                            <span class="title">{_text(film.title)}</span>']
        if film.original_title:
            titles.append(
                '                                    <span class="title">'
                f"&nbsp;/&nbsp;{_text(film.original_title)}</span>"
            )
        if film.aliases:
            other = "  /  ".join(film.aliases[:TOP250_ALIASES])
            titles.append(
                '                                <span class="other">'
                f"&nbsp;/&nbsp;{_text(other)}</span>"
            )
        people = (
            f"导演: {' / '.join(p.full for p in film.directors)}{NBSP * 3}"
            f"主演: {' / '.join(p.full for p in film.actors)}"
        )
        details = NBSP + "/" + NBSP
        line2 = details.join((str(film.year), " ".join(film.countries), " ".join(film.genres)))
        if film.quote is None:
            quote = ""
        elif self.markup == "2019":
            quote = (
                '\n                            <p class="quote">\n'
                f'                                <span class="inq">{_text(film.quote)}</span>\n'
                "                            </p>"
            )
        else:
            quote = (
                '\n                            <p class="quote">\n'
                f"                                <span>{_text(film.quote)}</span>\n"
                "                            </p>"
            )
        return template.substitute(
            rank=film.rank,
            url=f"{base}/subject/{film.subject_id}/",
            alt=_text(film.title),
            poster=base + film.poster_path,
            titles="\n".join(titles),
            playable=(
                '                            <span class="playable">[可播放]</span>'
                if film.index % 3 == 0
                else ""
            ),
            line1=_nbsp(_cut(people, TOP250_LINE_LIMIT)),
            line2=_nbsp(line2),
            stars=_list_stars(film.rating),
            rating="" if film.rating is None else f"{film.rating:.1f}",
            votes="暂无评分" if film.votes is None else f"{film.votes}人评价",
            quote=quote,
        )

    def _paginator(self, start: int) -> str:
        pages = max(1, -(-len(self.catalog) // TOP250_PAGE_SIZE))
        current = start // TOP250_PAGE_SIZE + 1
        # Long lists show the first and last two pages and four either side of this one.
        candidates = {1, 2, pages - 1, pages, *range(current - 4, current + 5)}
        shown = sorted(number for number in candidates if 1 <= number <= pages)
        parts = []
        if current > 1:
            previous = f"?start={(current - 2) * TOP250_PAGE_SIZE}&amp;filter="
            parts.append(
                f'        <span class="prev">\n            <link rel="prev" href="{previous}"/>\n'
                f'            <a href="{previous}" >&lt;前页</a>\n        </span>'
            )
        else:
            parts.append('        <span class="prev">\n            &lt;前页\n        </span>')
        last = 0
        for number in shown:
            if number > last + 1:
                parts.append('            <span class="break">...</span>')
            if number == current:
                parts.append(f'                <span class="thispage">{number}</span>')
            else:
                href = f"?start={(number - 1) * TOP250_PAGE_SIZE}&amp;filter="
                parts.append(f'            <a href="{href}" >{number}</a>')
            last = number
        if current < pages:
            following = f"?start={current * TOP250_PAGE_SIZE}&amp;filter="
            parts.append(
                f'        <span class="next">\n            <link rel="next" href="{following}"/>\n'
                f'            <a href="{following}" >后页&gt;</a>\n        </span>'
            )
        else:
            parts.append('        <span class="next">\n            后页&gt;\n        </span>')
        return "\n".join(parts)

    # --- cinema lists --------------------------------------------------------------------------

    def later(self, city: str, base: str) -> Page:
        entries = self.catalog.upcoming(city)
        item = self.templates["later_item"]
        items = "\n".join(
            self._later_item(item, entry, base, odd=position % 2 == 1)
            for position, entry in enumerate(entries)
        )
        app = self.templates["later_list"].substitute(items=items, base=base)
        city_name = self.catalog.cities[city]
        content = self.templates["later"].substitute(
            app=app, base=base, city=city, city_name=_text(city_name), location=self._location(city)
        )
        return Page(title=f"{city_name}影讯", content=content, app=app)

    def _later_item(self, template: Template, entry: Upcoming, base: str, odd: bool) -> str:
        film = entry.film
        want = (
            ""
            if entry.want_count is None
            else f'                                <li class="dt last"><span class="">'
            f"{entry.want_count}人想看</span></li>\n"
        )
        trailer = (
            f'                                <a href="{base}/trailer/{film.poster_id % 1_000_000}'
            '/#content" class="trailer_icon" >预告片</a>\n'
            if entry.has_trailer
            else ""
        )
        return template.substitute(
            odd="odd" if odd else "",
            url=f"{base}/subject/{film.subject_id}/",
            poster=base + film.poster_path,
            title=_text(film.title),
            date=f"{entry.release_date.month:02d}月{entry.release_date.day:02d}日",
            genres=_text(" / ".join(film.genres)),
            region=_text(" / ".join(film.countries)),
            want=want,
            trailer=trailer,
        )

    def nowplaying(self, city: str, base: str) -> Page:
        playing = self.templates["nowplaying_item"]
        upcoming = self.templates["nowplaying_upcoming_item"]
        app = self.templates["nowplaying_list"].substitute(
            city=city,
            playing="\n".join(
                self._nowplaying_item(playing, film, base) for film in self.catalog.nowplaying(city)
            ),
            upcoming="\n".join(
                self._nowplaying_upcoming_item(upcoming, entry, base)
                for entry in self.catalog.upcoming(city)[:10]
            ),
        )
        city_name = self.catalog.cities[city]
        content = self.templates["nowplaying"].substitute(
            app=app, city_name=_text(city_name), location=self._location(city)
        )
        return Page(title=f"{city_name} - 在线购票&影讯", content=content, app=app)

    def _location(self, city: str) -> str:
        """The city picker: Douban lists each city's slug in the ``uid`` of a.city-item."""
        cities = "\n".join(
            f'                        <span><a class="city-item" href="javascript:;" '
            f'uid="{slug}">{_text(name)}</a></span>'
            for slug, name in self.catalog.cities.items()
        )
        return self.templates["location"].substitute(city=city, cities=cities)

    @staticmethod
    def _list_item_values(film: Film, base: str) -> dict[str, object]:
        return {
            "subject_id": film.subject_id,
            "url": f"{base}/subject/{film.subject_id}/",
            "poster": base + film.poster_path,
            "title": _text(film.title),
            "duration": "" if film.runtime_minutes is None else f"{film.runtime_minutes}分钟",
            "region": _text(" ".join(film.countries)),
            "director": _text(" ".join(p.name for p in film.directors)),
            "actors": _text(" / ".join(p.name for p in film.actors[:3])),
        }

    def _nowplaying_item(self, template: Template, film: Film, base: str) -> str:
        return template.substitute(
            self._list_item_values(film, base),
            score="0" if film.rating is None else f"{film.rating:.1f}",
            star=_stars(film.rating),
            year=film.year,
            votes=film.votes or 0,
            base=base,
        )

    def _nowplaying_upcoming_item(self, template: Template, entry: Upcoming, base: str) -> str:
        date = entry.release_date
        return template.substitute(
            self._list_item_values(entry.film, base),
            wish=entry.want_count or 0,
            date=f"{date.month:02d}月{date.day:02d}日",
        )

    # --- subject -------------------------------------------------------------------------------

    def subject(self, film: Film, base: str) -> Page:
        if film.rating is None:
            rating_sum = "                                                暂无评分"
        else:
            rating_sum = (
                '                                            <a href="collections" '
                'class="rating_people">\n'
                f'                                                <span property="v:votes">'
                f"{film.votes}</span>人评价\n"
                "                                            </a>"
            )
        top250 = (
            f'        <div class="top250"><span class="top250-no">No.{film.rank}</span>'
            f'<span class="top250-link"><a href="{base}/top250">豆瓣电影Top250</a></span>\n'
            "        </div>"
            if film.rank <= 250 and film.rating is not None
            else ""
        )
        content = self.templates["subject"].substitute(
            top250=top250,
            base=base,
            subject_id=film.subject_id,
            itemreviewed=_text(_full_title(film)),
            title=_text(film.title),
            year=film.year,
            poster=base + film.poster_path,
            alt=_text(film.original_title or film.title),
            info=self._info(film, base),
            rating="" if film.rating is None else f"{film.rating:.1f}",
            not_showed="not_showed" if film.rating is None else "",
            stars=_stars(film.rating),
            rating_sum=rating_sum,
            summary=self._summary(film),
            report_id="link-report" if self.markup == "2019" else "link-report-intra",
            recommendations=self._recommendations(film, base),
        )
        head = self._json_ld(film)
        return Page(title=f"{film.title} (豆瓣)", content=content, app=content, head=head)

    def _recommendations(self, film: Film, base: str) -> str:
        films = self.catalog.recommended(film)
        if not films:
            return ""
        kind = "剧集" if film.kind == "tv" else "电影"
        items = "".join(
            f"""
                        <dl class="">
                            <dt>
                                <a href="{base}/subject/{other.subject_id}/?from=subject-page" >
                                    <img src="{base}{other.poster_path}" alt="{_text(other.title)}" class="" />
                                </a>
                            </dt>
                            <dd>
                                <a href="{base}/subject/{other.subject_id}/?from=subject-page" class="" >{_text(other.title)}</a>
                            </dd>
                        </dl>"""  # noqa: E501 (Douban's own line lengths)
            for other in films
        )
        return f"""                <div id="recommendations" class="">
                    <h2>
                        <i class="">喜欢这部{kind}的人也喜欢</i>
                        · · · · · ·
                    </h2>
                    <div class="recommendations-bd">{items}
                    </div>
                </div>"""

    def _info(self, film: Film, base: str) -> str:
        indent = "                                "
        lines = []

        def people(label: str, persons: tuple[Person, ...], rel: str | None, css: str = "") -> None:
            if not persons:
                return
            links = " / ".join(
                f'<a href="{base}/celebrity/{_person_id(p)}/"'
                + (f' rel="{rel}"' if rel else "")
                + f">{_text(p.name)}</a>"
                for p in persons
            )
            lines.append(
                f"<span {css}><span class='pl'>{label}</span>: <span class='attrs'>{links}</span>"
                "</span><br/>"
            )

        people("导演", film.directors, "v:directedBy")
        people("编剧", film.writers, None)
        people("主演", film.actors, "v:starring", css='class="actor"')
        genres = " / ".join(f'<span property="v:genre">{_text(g)}</span>' for g in film.genres)
        lines.append(f'<span class="pl">类型:</span> {genres}<br/>')
        lines.append(
            f'<span class="pl">制片国家/地区:</span> {_text(" / ".join(film.countries))}<br/>'
        )
        lines.append(f'<span class="pl">语言:</span> {_text(" / ".join(film.languages))}<br/>')
        dates = " / ".join(
            f'<span property="v:initialReleaseDate" content="{_text(d)}">{_text(d)}</span>'
            for d in film.release_dates
        )
        if film.kind == "tv":
            lines.append(f'<span class="pl">首播:</span> {dates}<br/>')
            lines.append(f'<span class="pl">集数:</span> {film.episodes}<br/>')
            if film.runtime_minutes is not None:
                lines.append(f'<span class="pl">单集片长:</span> {film.runtime_minutes}分钟<br/>')
        else:
            lines.append(f'<span class="pl">上映日期:</span> {dates}<br/>')
            if film.runtime_minutes is not None:
                lines.append(
                    f'<span class="pl">片长:</span> <span property="v:runtime" '
                    f'content="{film.runtime_minutes}">{film.runtime_minutes}分钟</span><br/>'
                )
        if film.aliases:
            lines.append(f'<span class="pl">又名:</span> {_text(" / ".join(film.aliases))}<br/>')
        if film.imdb_id and self.markup == "2019":
            lines.append(
                f'<span class="pl">IMDb链接:</span> <a href="https://www.imdb.com/title/'
                f'{film.imdb_id}" target="_blank" rel="nofollow">{film.imdb_id}</a><br>'
            )
        elif film.imdb_id:
            lines.append(f'<span class="pl">IMDb:</span> {film.imdb_id}<br>')
        return "\n".join(indent + line for line in lines)

    @staticmethod
    def _summary(film: Film) -> str:
        indent = "                        "

        def paragraphs(text: str, depth: str) -> str:
            separator = f"\n{indent}{depth}    <br />\n{indent}{depth}　　"
            return "　　" + separator.join(_text(line) for line in text.split("\n"))

        if len(film.summary) <= SUMMARY_SHORT_LIMIT:
            return (
                f'{indent}<span property="v:summary" class="">\n'
                f"{indent}    {paragraphs(film.summary, '    ')}\n"
                f"{indent}</span>"
            )
        short = paragraphs(_cut(film.summary, SUMMARY_SHORT_LIMIT - 20), "        ")
        full = paragraphs(film.summary, "    ")
        return (
            f'{indent}<span class="short">\n'
            f'{indent}    <span property="v:summary">\n'
            f"{indent}        {short}\n"
            f"{indent}    </span>\n"
            f'{indent}    <a href="javascript:void(0)" class="j a_show_full">(展开全部)</a>\n'
            f"{indent}</span>\n"
            f'{indent}<span class="all hidden">\n'
            f"{indent}    {full}\n"
            f"{indent}</span>"
        )

    @staticmethod
    def _json_ld(film: Film) -> str:
        def persons(people: tuple[Person, ...]) -> list[dict[str, str]]:
            return [
                {"@type": "Person", "url": f"/celebrity/{_person_id(p)}/", "name": p.full}
                for p in people
            ]

        duration = "" if film.runtime_minutes is None else _iso_duration(film.runtime_minutes)
        data = {
            "@context": "http://schema.org",
            "name": _full_title(film),
            "url": f"/subject/{film.subject_id}/",
            "image": film.poster_path,
            "director": persons(film.directors),
            "author": persons(film.writers),
            "actor": persons(film.actors),
            "datePublished": film.release_dates[0][:10] if film.release_dates else "",
            "genre": list(film.genres),
            "duration": duration,
            "description": _cut(film.summary, 100),
            "@type": "TVSeries" if film.kind == "tv" else "Movie",
            "aggregateRating": {
                "@type": "AggregateRating",
                "ratingCount": str(film.votes or 0),
                "bestRating": "10",
                "worstRating": "2",
                "ratingValue": "" if film.rating is None else f"{film.rating:.1f}",
            },
        }
        # Douban leaves the description's line breaks raw inside the JSON string.
        text = json.dumps(data, ensure_ascii=False, indent=2).replace("\\n", "\n")
        return f'    <script type="application/ld+json">\n{text}\n    </script>'


def _full_title(film: Film) -> str:
    """The title as the subject page's h1 shows it: "中文名 Original Title"."""
    return f"{film.title} {film.original_title}" if film.original_title else film.title


def _person_id(person: Person) -> int:
    """A stable celebrity id for a person's links (the same name gets the same id)."""
    value = 1_000_000
    for char in person.full:
        value = (value * 131 + ord(char)) % 9_000_000
    return 1_000_000 + value


def _iso_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"PT{hours}H{rest}M" if hours else f"PT{rest}M"
