"""The job runner behind the report: urgent jobs go ahead of queued ones, errors surface."""

import threading

import pytest

from dsmagic.eda._schedule import Jobs


def test_an_urgent_job_added_later_runs_before_the_queued_ones():
    release = threading.Event()
    ran: list[str] = []
    with Jobs(1) as jobs:
        jobs.add("first", lambda: release.wait(10) and ran.append("first"))
        for name in ("a", "b"):
            jobs.add(name, lambda name=name: ran.append(name))
        jobs.add("urgent", lambda: ran.append("urgent"), priority=0)
        release.set()
        finished = [key for key, _ in jobs.finished()]
    assert ran == ["first", "urgent", "a", "b"]
    assert sorted(finished) == ["a", "b", "first", "urgent"]


def test_jobs_added_while_iterating_are_waited_for_and_errors_are_raised():
    results = {}
    with pytest.raises(ZeroDivisionError), Jobs(2) as jobs:
        jobs.add("one", lambda: 1)
        for key, value in jobs.finished():
            results[key] = value
            if key == "one":
                jobs.add("two", lambda: 2)
            if key == "two":
                jobs.add("broken", lambda: 1 / 0)
    assert results == {"one": 1, "two": 2}


def test_a_job_can_queue_follow_up_jobs_that_are_waited_for():
    with Jobs(2) as jobs:

        def parent():
            for n in range(3):
                jobs.add(("child", n), lambda n=n: n * n)
            return "parent"

        jobs.add("parent", parent)
        results = dict(jobs.finished())
    assert results == {"parent": "parent", ("child", 0): 0, ("child", 1): 1, ("child", 2): 4}
