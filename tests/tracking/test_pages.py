"""Paging through a search: every run once, in order, with tokens tied to their search."""

from __future__ import annotations

import pytest

import dsmagic as dm


def _runs(count: int) -> None:
    for index in range(count):
        with dm.start_run(f"r{index:02d}"):
            dm.log_metric("acc", (index % 5) / 10)  # ties: the run id breaks them


@pytest.mark.parametrize("order_by", [None, "metrics.acc DESC"])
def test_pages_cover_every_run_once_in_order(dsmagic_home, order_by):
    _runs(23)
    whole = list(dm.search_runs(order_by=order_by)["run_id"])
    seen, token, pages = [], None, 0
    while True:
        page = dm.search_runs(order_by=order_by, max_results=10, page_token=token)
        seen += list(page["run_id"])
        pages += 1
        token = page.attrs["next_page_token"]
        if token is None:
            break
    assert pages == 3 and seen == whole and len(set(seen)) == 23


def test_a_token_of_another_search_or_a_bad_token_is_one_line(dsmagic_home):
    _runs(3)
    token = dm.search_runs("metrics.acc >= 0", max_results=1).attrs["next_page_token"]
    assert token is not None
    assert len(dm.search_runs("metrics.acc >= 0", max_results=1, page_token=token)) == 1
    for bad, message in [
        (token, "belongs to another search"),
        ("not-a-token", "is not a page token"),
    ]:
        with pytest.raises(dm.DsmagicError, match=message) as caught:
            dm.search_runs("metrics.acc > 0", max_results=1, page_token=bad)
        assert "\n" not in str(caught.value)
    with pytest.raises(dm.DsmagicError, match="page_token needs max_results"):
        dm.search_runs("metrics.acc >= 0", page_token=token)
    assert dm.search_runs(max_results=5).attrs["next_page_token"] is None  # one page holds all
