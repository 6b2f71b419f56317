"""The sandbox's synthetic catalog: invented films with their ground truth.

A pure function of ``(size, seed, today)``; each film is generated on first use. What a correct
parser must read from each page is in docs/sandbox.md, "The catalog and its ground truth".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any

from douban_sandbox import words
from moviespider.items import MOVIE_FIELDS
from moviespider.site import canonical_subject_url

DEFAULT_SIZE = 500

# Subject ids are an affine bijection of the film index modulo ID_SPAN, offset into the range
# real Douban ids occupy: they look scattered but map back to the index in O(1).
ID_OFFSET = 1_000_000
ID_SPAN = 10_000_000
ID_STRIDE = 7_654_321  # odd and not a multiple of 5: invertible modulo 10**7
# Old ids merged into the first films, and ids that serve their page: beyond ID_OFFSET + ID_SPAN.
MERGED_FILMS = 20
MERGED_OFFSET = 30_000_000
CHAINED_MERGED_OFFSET = 31_000_000
MISFILED_OFFSET = 40_000_000

# The README's example ids (Douban's own ids of its first two Top250 films) are the sandbox's
# first two films, whatever the seed, so the documented commands work against it.
WELL_KNOWN_IDS = ("1292052", "3541415")

UPCOMING_POOL = 60  # films in the "later" lists (the tail of the ranking)
NOWPLAYING_POOL = 40  # films in cinemas (just above the upcoming ones)
UPCOMING_PER_CITY = (20, 40)
NOWPLAYING_PER_CITY = (15, 25)
UPCOMING_DAYS = 75  # upcoming releases fall within this many days after `today`
RECOMMENDATIONS = 10  # films a subject page recommends, as Douban's do
PEOPLE_POOL = 3000  # people per pool (Chinese, Western) the films draw their cast and crew from


@dataclass(frozen=True, slots=True)
class Person:
    name: str  # as #info shows it: the Chinese name, else the Latin one
    latin: str | None = None  # the Latin-script name, when the page shows one too

    @property
    def full(self) -> str:
        """The name as Top250 lines and JSON-LD show it: "中文名 Latin Name"."""
        if self.latin and self.latin != self.name:
            return f"{self.name} {self.latin}"
        return self.name


@dataclass(frozen=True, slots=True)
class Film:
    index: int
    rank: int
    subject_id: str
    kind: str  # "movie" or "tv"
    title: str
    original_title: str | None
    aliases: tuple[str, ...]
    year: int
    directors: tuple[Person, ...]
    writers: tuple[Person, ...]
    actors: tuple[Person, ...]
    genres: tuple[str, ...]
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    release_dates: tuple[str, ...]  # as shown: "2010-09-01(中国大陆)"
    runtime_minutes: int | None
    episodes: int | None
    imdb_id: str | None
    rating: float | None
    votes: int | None
    quote: str | None
    summary_paragraphs: tuple[str, ...]
    poster_id: int

    @property
    def url(self) -> str:
        return canonical_subject_url(self.subject_id)

    @property
    def summary(self) -> str:
        return "\n".join(self.summary_paragraphs)

    @property
    def poster_path(self) -> str:
        """The poster's path on the sandbox (pages show it on the serving host)."""
        return f"/view/photo/s_ratio_poster/public/p{self.poster_id}.jpg"

    def movie_fields(self) -> dict[str, Any]:
        """Ground truth in Movie-schema terms: what the subject page (and Top250) show."""
        values: dict[str, Any] = {
            "subject_id": self.subject_id,
            "url": self.url,
            "title": self.title,
            "original_title": self.original_title,
            "aliases": list(self.aliases),
            "year": self.year,
            "kind": self.kind,
            "directors": [person.name for person in self.directors],
            "writers": [person.name for person in self.writers],
            "actors": [person.name for person in self.actors],
            "genres": list(self.genres),
            "countries": list(self.countries),
            "languages": list(self.languages),
            "release_dates": list(self.release_dates),
            "runtime_minutes": self.runtime_minutes,
            "episodes": self.episodes,
            "imdb_id": self.imdb_id,
            "rating": self.rating,
            "votes": self.votes,
            "rank": self.rank,
            "quote": self.quote,
            "summary": self.summary,
        }
        assert values.keys() <= set(MOVIE_FIELDS)
        return values


@dataclass(frozen=True, slots=True)
class Upcoming:
    """One entry of a /cinema/later/<city>/ list."""

    film: Film
    release_date: date  # the page shows it as "MM月DD日"
    want_count: int | None  # None: the item has only three li.dt
    has_trailer: bool

    @property
    def subject_id(self) -> str:
        return self.film.subject_id


class Catalog:
    """A deterministic catalog of ``size`` invented films (see the module docstring)."""

    def __init__(
        self, size: int = DEFAULT_SIZE, seed: int = 0, today: date | None = None, drift: int = 0
    ):
        if size < 1:
            raise ValueError(f"catalog size must be at least 1, got {size}")
        self.size = size
        self.seed = seed
        self.today = today or date.today()
        self.upcoming_pool = min(UPCOMING_POOL, max(1, size // 4))
        self.nowplaying_pool = min(NOWPLAYING_POOL, max(0, (size - self.upcoming_pool) // 4))
        self.rated = size - self.upcoming_pool
        self._id_shift = random.Random(f"{seed}/ids").randrange(ID_SPAN)
        self._id_inverse = pow(ID_STRIDE, -1, ID_SPAN)
        self._id_of: dict[int, str] = {}  # the affine mapping, swapped for WELL_KNOWN_IDS
        self._index_of: dict[str, int] = {}
        for index, subject_id in enumerate(WELL_KNOWN_IDS[:size]):
            self._swap_ids(index, subject_id)
        self.film_at = lru_cache(maxsize=65536)(self._make_film)
        # The ranking (index by rank, rank by index): the identity unless --drift moves the rated
        # films, each by up to `drift` places (the upcoming tail stays where it is).
        self._by_rank: list[int] | None = None
        self._rank_of: dict[int, int] = {}
        if drift:
            rng = random.Random(f"{seed}/drift/{drift}")
            keys = {index: index + rng.uniform(-drift, drift) for index in range(self.rated)}
            self._by_rank = sorted(keys, key=keys.__getitem__)
            self._rank_of = {index: rank for rank, index in enumerate(self._by_rank)}

    def rank_index(self, index: int) -> int:
        """Film *index*'s place in the ranking, from 0."""
        return self._rank_of.get(index, index)

    def index_at(self, place: int) -> int:
        """The film at *place* (from 0) of the ranking."""
        return self._by_rank[place] if self._by_rank and place < len(self._by_rank) else place

    def __len__(self) -> int:
        return self.size

    @property
    def cities(self) -> dict[str, str]:
        """City slug -> Chinese name, for the cities the sandbox has cinema lists for."""
        return dict(words.CITIES)

    def subject_id_of(self, index: int) -> str:
        return self._id_of.get(index) or self._affine_id(index)

    def film(self, subject_id: str) -> Film | None:
        """The film with this subject id, or None when the catalog has none."""
        index = self._index_of.get(subject_id)
        if index is None:
            index = self._affine_index(subject_id)
        return self.film_at(index) if index is not None and index < self.size else None

    def _affine_id(self, index: int) -> str:
        return str(ID_OFFSET + (index * ID_STRIDE + self._id_shift) % ID_SPAN)

    def _affine_index(self, subject_id: str) -> int | None:
        if not subject_id.isdigit():
            return None
        value = int(subject_id) - ID_OFFSET
        if not 0 <= value < ID_SPAN:
            return None
        return (value - self._id_shift) * self._id_inverse % ID_SPAN

    def _swap_ids(self, index: int, subject_id: str) -> None:
        """Give film ``index`` the id ``subject_id``, and its own id to the film that had it."""
        other = self._index_of.get(subject_id, self._affine_index(subject_id))
        own = self.subject_id_of(index)
        self._id_of[index], self._index_of[subject_id] = subject_id, index
        if other is not None and other != index:
            self._id_of[other], self._index_of[own] = own, other
        elif own != subject_id:
            self._index_of[own] = ID_SPAN  # no film has it any more

    def merged_id_of(self, index: int) -> str:
        return str(MERGED_OFFSET + index)

    def chained_merged_id_of(self, index: int) -> str:
        return str(CHAINED_MERGED_OFFSET + index)

    def misfiled_id_of(self, index: int) -> str:
        return str(MISFILED_OFFSET + index)

    def redirect_of(self, subject_id: str) -> str | None:
        """Where a merged id's page redirects (the next id on the way to the film), or None."""
        index = self._special_index(subject_id, CHAINED_MERGED_OFFSET)
        if index is not None:
            return self.merged_id_of(index)
        index = self._special_index(subject_id, MERGED_OFFSET)
        return self.subject_id_of(index) if index is not None else None

    def misfiled(self, subject_id: str) -> Film | None:
        """The film whose page a misfiled id serves, or None."""
        index = self._special_index(subject_id, MISFILED_OFFSET)
        return self.film_at(index) if index is not None else None

    def _special_index(self, subject_id: str, offset: int) -> int | None:
        if not subject_id.isdigit():
            return None
        index = int(subject_id) - offset
        return index if 0 <= index < min(MERGED_FILMS, self.size) else None

    def by_rank(self, rank: int) -> Film:
        if not 1 <= rank <= self.size:
            raise IndexError(f"rank {rank} outside 1..{self.size}")
        return self.film_at(self.index_at(rank - 1))

    def top250_page(self, start: int, count: int = 25) -> list[Film]:
        """The films a /top250?start=N page lists (empty beyond the catalog)."""
        return [
            self.film_at(self.index_at(place))
            for place in range(max(start, 0), min(start + count, self.size))
        ]

    def recommended(self, film: Film) -> list[Film]:
        """The films ``film``'s page recommends: the next film first, so that following
        recommendations from any film reaches the whole catalog, then others of its own draw."""
        size, index = self.size, film.index
        picked = [(index + 1) % size] if size > 1 else []
        rng = random.Random(f"{self.seed}/recommended/{index}")
        while len(picked) < min(RECOMMENDATIONS, size - 1):
            other = rng.randrange(size)
            if other != index and other not in picked:
                picked.append(other)
        return [self.film_at(other) for other in picked]

    def upcoming(self, city: str) -> tuple[Upcoming, ...]:
        """The /cinema/later/<city>/ list in page order (by date); KeyError for unknown cities."""
        return self._upcoming_lists[city]

    def nowplaying(self, city: str) -> tuple[Film, ...]:
        """The films /cinema/nowplaying/<city>/ shows; KeyError for unknown cities."""
        return self._nowplaying_lists[city]

    @cached_property
    def chinese_people(self) -> tuple[Person, ...]:
        """The people films from Chinese-speaking regions cast: they recur across films."""
        return self._people_pool(chinese=True)

    @cached_property
    def western_people(self) -> tuple[Person, ...]:
        """The people other films cast: they recur across films."""
        return self._people_pool(chinese=False)

    def _people_pool(self, chinese: bool) -> tuple[Person, ...]:
        rng = random.Random(f"{self.seed}/people/{chinese}")
        people = dict.fromkeys(invent_person(rng, chinese) for _ in range(PEOPLE_POOL))
        return tuple(people)

    @cached_property
    def _upcoming_lists(self) -> dict[str, tuple[Upcoming, ...]]:
        first = self.size - self.upcoming_pool
        pool = [self._upcoming_entry(index) for index in range(first, self.size)]
        lists = {}
        for slug, _ in words.CITIES:
            rng = random.Random(f"{self.seed}/later/{slug}")
            count = min(len(pool), rng.randint(*UPCOMING_PER_CITY))
            chosen = rng.sample(pool, count)
            lists[slug] = tuple(
                sorted(chosen, key=lambda entry: (entry.release_date, entry.film.index))
            )
        return lists

    @cached_property
    def _nowplaying_lists(self) -> dict[str, tuple[Film, ...]]:
        first = self.size - self.upcoming_pool - self.nowplaying_pool
        pool = list(range(first, self.size - self.upcoming_pool))
        lists = {}
        for slug, _ in words.CITIES:
            rng = random.Random(f"{self.seed}/nowplaying/{slug}")
            count = min(len(pool), rng.randint(*NOWPLAYING_PER_CITY))
            lists[slug] = tuple(self.film_at(index) for index in sorted(rng.sample(pool, count)))
        return lists

    def _upcoming_entry(self, index: int) -> Upcoming:
        rng = random.Random(f"{self.seed}/upcoming/{index}")
        shown = rng.random() < 0.8
        return Upcoming(
            film=self.film_at(index),
            release_date=self._upcoming_date(index),
            want_count=rng.randint(20, 120_000) if shown else None,
            has_trailer=rng.random() < 0.5,
        )

    def _upcoming_date(self, index: int) -> date:
        days = random.Random(f"{self.seed}/release/{index}").randint(1, UPCOMING_DAYS)
        return self.today + timedelta(days=days)

    def _make_film(self, index: int) -> Film:
        if not 0 <= index < self.size:
            raise IndexError(f"film index {index} outside 0..{self.size - 1}")
        return _FilmMaker(self, index).make()


def build_catalog(
    size: int = DEFAULT_SIZE, seed: int = 0, today: date | None = None, drift: int = 0
) -> Catalog:
    """The catalog the sandbox serves for ``--catalog SIZE --seed SEED --today TODAY``."""
    return Catalog(size=size, seed=seed, today=today, drift=drift)


class _FilmMaker:
    """Draws one film's values from its own random stream."""

    def __init__(self, catalog: Catalog, index: int):
        self.catalog = catalog
        self.index = index
        self.rng = random.Random(f"{catalog.seed}/film/{index}")

    def make(self) -> Film:
        rng, catalog, index = self.rng, self.catalog, self.index
        upcoming = index >= catalog.size - catalog.upcoming_pool
        nowplaying = not upcoming and index >= catalog.rated - catalog.nowplaying_pool
        kind = "tv" if rng.random() < 0.1 and not (upcoming or nowplaying) else "movie"

        region, language, chinese = rng.choice(words.REGIONS)
        countries = [region, *self.sample_other(words.REGIONS, region, 0.25)]
        languages = [language]
        if rng.random() < 0.3:
            extra = rng.choice(words.EXTRA_LANGUAGES)
            if extra != language:
                languages.append(extra)

        title, english = self.title()
        original_title = None if chinese else english
        aliases = self.aliases(title, english, chinese)

        if upcoming:
            first_date = catalog._upcoming_date(index)
            release_dates = [f"{first_date.isoformat()}(中国大陆)"]
            year = first_date.year
        elif nowplaying:
            first_date = catalog.today - timedelta(days=rng.randint(0, 30))
            release_dates = [f"{first_date.isoformat()}(中国大陆)"]
            year = first_date.year
        else:
            year = rng.randint(1950, catalog.today.year - 1)
            release_dates = self.release_dates(year, region, kind)

        directors = self.people(chinese, rng.choice((1, 1, 1, 1, 2)))
        writers = self.people(chinese, rng.randint(0, 3))
        if directors and writers and rng.random() < 0.3:
            writers[0] = directors[0]  # directors often write their films
        actors = self.people(chinese, rng.randint(2, 12))

        genres = rng.sample(words.GENRES, rng.randint(1, 3))
        if kind == "tv":
            episodes: int | None = rng.randint(6, 40)
            runtime: int | None = rng.randint(20, 60)
        else:
            episodes = None
            runtime = rng.randint(75, 180) if rng.random() > 0.05 else None

        rating: float | None = None
        votes: int | None = None
        if not upcoming:
            position = catalog.rank_index(index) / max(catalog.rated - 1, 1)
            rating = round(min(9.9, max(2.0, 9.7 - 5.5 * position + rng.uniform(-0.1, 0.1))), 1)
            votes = int(3_000_000 * (1 - position) ** 3) + rng.randint(150, 5000)

        return Film(
            index=index,
            rank=catalog.rank_index(index) + 1,
            subject_id=catalog.subject_id_of(index),
            kind=kind,
            title=title,
            original_title=original_title,
            aliases=tuple(aliases),
            year=year,
            directors=tuple(directors),
            writers=tuple(writers),
            actors=tuple(actors),
            genres=tuple(genres),
            countries=tuple(countries),
            languages=tuple(languages),
            release_dates=tuple(release_dates),
            runtime_minutes=runtime,
            episodes=episodes,
            imdb_id=f"tt{rng.randint(100_000, 9_999_999):07d}" if rng.random() > 0.1 else None,
            rating=rating,
            votes=votes,
            quote=self.quote() if rating is not None and rng.random() > 0.1 else None,
            summary_paragraphs=self.summary(actors),
            poster_id=2_400_000_000 + int(catalog.subject_id_of(index)) % 300_000_000,
        )

    def sample_other(self, table, first, probability):
        if self.rng.random() >= probability:
            return []
        other = self.rng.choice(table)[0]
        return [] if other == first else [other]

    def title(self) -> tuple[str, str]:
        rng = self.rng
        word_zh, word_en = rng.choice(words.TITLE_WORDS)
        shape = rng.randrange(4)
        if shape == 0:
            prefix_zh, prefix_en = rng.choice(words.TITLE_PREFIXES)
            return f"{prefix_zh}{word_zh}", f"{prefix_en} {word_en}"
        if shape == 1:
            suffix_zh, suffix_en = rng.choice(words.TITLE_SUFFIXES)
            return f"{word_zh}{suffix_zh}", f"{word_en} {suffix_en}"
        second_zh, second_en = rng.choice(words.TITLE_WORDS)
        if shape == 2:
            return f"{word_zh}与{second_zh}", f"{word_en} and {second_en}"
        return f"{word_zh}{second_zh}", f"{word_en} of the {second_en}"

    def aliases(self, title: str, english: str, chinese: bool) -> list[str]:
        rng = self.rng
        aliases: list[str] = []
        for suffix in words.ALIAS_REGION_SUFFIXES:
            if rng.random() < 0.4:
                aliases.append(f"{self.title()[0]}{suffix}")
        if rng.random() < 0.3:
            aliases.append(self.title()[0])
        if chinese and rng.random() < 0.6:
            aliases.append(english)
        return [alias for alias in dict.fromkeys(aliases) if alias != title]

    def release_dates(self, year: int, region: str, kind: str) -> list[str]:
        rng = self.rng
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        first = date(year, month, day)
        if kind == "tv":
            return [first.isoformat()]
        dates = [f"{first.isoformat()}({region})"]
        if rng.random() < 0.4:
            earlier = first - timedelta(days=rng.randint(10, 90))
            dates.insert(0, f"{earlier.isoformat()}({rng.choice(words.FESTIVALS)})")
        if region != "中国大陆" and rng.random() < 0.4:
            later = first + timedelta(days=rng.randint(20, 400))
            dates.append(f"{later.isoformat()}(中国大陆)")
        if rng.random() < 0.1:
            again = date(min(year + rng.randint(5, 25), self.catalog.today.year), month, day)
            dates.append(f"{again.isoformat()}(中国大陆重映)")
        return dates

    def people(self, chinese: bool, count: int) -> list[Person]:
        pool = self.catalog.chinese_people if chinese else self.catalog.western_people
        return self.rng.sample(pool, count)

    def quote(self) -> str:
        rng = self.rng
        return f"{rng.choice(words.QUOTE_ADJECTIVES)}的{rng.choice(words.QUOTE_NOUNS)}。"

    def summary(self, actors: list[Person]) -> tuple[str, ...]:
        rng = self.rng
        paragraphs = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            hero = actors[rng.randrange(len(actors))] if actors else None
            role = hero.full if hero else "他"
            sentences = [
                f"{rng.choice(words.PLACES)}的{rng.choice(words.JOBS)}（{role} 饰）"
                f"意外卷入了{rng.choice(words.EVENTS)}。"
            ]
            sentences.extend(f"{turn}。" for turn in rng.sample(words.TURNS, rng.randint(0, 3)))
            paragraphs.append("".join(sentences))
        return tuple(paragraphs)


def invent_person(rng: random.Random, chinese: bool) -> Person:
    """A person with an invented name: Chinese with pinyin, or Western with a transliteration."""
    if chinese:
        surname, surname_latin = rng.choice(words.SURNAMES)
        given = [rng.choice(words.GIVEN_CHARS) for _ in range(rng.randint(1, 2))]
        name = surname + "".join(char for char, _ in given)
        latin = "".join(sound for _, sound in given).capitalize() + " " + surname_latin
        return Person(name, latin if rng.random() < 0.7 else None)
    given_parts = [rng.choice(words.WESTERN_SYLLABLES) for _ in range(rng.randint(2, 3))]
    family_parts = [rng.choice(words.WESTERN_SYLLABLES) for _ in range(rng.randint(2, 3))]
    latin = " ".join(
        "".join(sound for sound, _ in parts).capitalize() for parts in (given_parts, family_parts)
    )
    if rng.random() < 0.1:
        return Person(latin)  # no Chinese name on Douban yet
    name = "·".join("".join(char for _, char in parts) for parts in (given_parts, family_parts))
    return Person(name, latin)
