"""The rule every holder of store-derived values in ``lod serve`` follows (answers, rendered
pages, the feed's dataset lists, the last-change stamp): kept for one store generation only."""

from __future__ import annotations

from lod.serve.generational import Generational


def test_a_new_generation_drops_everything_and_an_old_one_keeps_nothing() -> None:
    kept: Generational[str, int | None] = Generational()
    assert kept.lookup("g1", "a") == (False, None)
    kept.put("g1", "a", 1)
    kept.put("g1", "none", None)
    assert kept.lookup("g1", "a") == (True, 1)
    assert kept.lookup("g1", "none") == (True, None)  # a value that is None is still kept
    assert kept.lookup("g2", "a") == (False, None)  # the store changed
    assert len(kept) == 0
    kept.put("g1", "a", 1)  # read before the change: never kept
    assert kept.lookup("g2", "a") == (False, None)


def test_least_recently_used_go_first_by_count_and_by_weight() -> None:
    by_count: Generational[str, str] = Generational(2)
    by_count.lookup("g", "x")
    by_count.put("g", "a", "1")
    by_count.put("g", "b", "2")
    by_count.lookup("g", "a")  # a is now the most recently used
    by_count.put("g", "c", "3")
    assert [k for k in "abc" if by_count.lookup("g", k)[0]] == ["a", "c"]

    by_size: Generational[str, bytes] = Generational(weigh=len, total=10)
    by_size.lookup("g", "x")
    by_size.put("g", "a", b"12345")
    by_size.put("g", "b", b"1234")
    by_size.put("g", "a", b"123")  # replaced, and now the most recent: 4 + 3 bytes kept
    assert [k for k in "ab" if by_size.lookup("g", k)[0]] == ["a", "b"]
    by_size.put("g", "c", b"1234")  # 3 + 4 + 4 > 10: the least recently used, a, goes
    assert [k for k in "abc" if by_size.lookup("g", k)[0]] == ["b", "c"]
