"""douban_catalog's film budget, in one process and shared through Redis."""

from __future__ import annotations

import pytest

from moviespider.frontier.budget import RedisFilmBudget
from moviespider.frontier.store import Frontier
from moviespider.spiders.douban_catalog import LocalFilmBudget

FOUND = ("1", "2", "1", "3", "4", "2")


@pytest.fixture(params=["local", "redis"])
def make_budget(request, frontier: Frontier):
    if request.param == "local":
        return LocalFilmBudget
    return lambda max_films: RedisFilmBudget(frontier, max_films)


def test_a_budget_takes_each_film_once_up_to_its_limit(make_budget):
    budget = make_budget(3)
    assert [budget.take(film) for film in FOUND] == [True, True, True, True, False, True]


def test_no_budget_takes_every_film_and_keeps_no_record_of_them(make_budget, frontier):
    budget = make_budget(0)
    assert all(budget.take(film) for film in FOUND)
    assert getattr(budget, "taken", set()) == set()
    assert frontier.status().films == 0  # no round trip to Redis for each film found
