"""--drift: the same Top250 some time later, films moved a few places, ratings with them."""

from __future__ import annotations

from douban_sandbox.catalog import build_catalog


def test_drift_moves_films_a_few_places_and_keeps_the_list_consistent():
    still, later = build_catalog(300, 3), build_catalog(300, 3, drift=3)
    before = {film.subject_id: film for film in still.top250_page(0, 300)}
    after = {film.subject_id: film for film in later.top250_page(0, 300)}
    assert set(before) == set(after)  # the same films
    assert [film.rank for film in later.top250_page(0, 300)] == list(range(1, 301))
    moves = [after[key].rank - before[key].rank for key in before]
    assert any(moves) and max(map(abs, moves)) <= 2 * 3
    assert any(after[key].rating != before[key].rating for key in before)
    assert all(later.by_rank(rank).rank == rank for rank in range(1, 301))
    # The upcoming tail, unrated, stays where it was.
    tail = still.top250_page(300 - still.upcoming_pool, 300)
    assert [after[film.subject_id].rank for film in tail] == [film.rank for film in tail]


def test_no_drift_is_the_catalog_as_before():
    assert build_catalog(300, 3, drift=0).top250_page(0, 300) == build_catalog(300, 3).top250_page(
        0, 300
    )
