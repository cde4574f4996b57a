"""The compute pool: results, exceptions and budgets, with real child processes."""

from __future__ import annotations

import os
import threading
import time

import pytest

from obrail.budget import Budget, BudgetExceeded, ComputeBusy, ComputePool, RemoteError


def add(a: int, b: int) -> int:
    return a + b


def child_pid() -> int:
    return os.getpid()


def spin(seconds: float) -> float:
    """Burn CPU for ``seconds`` of wall time."""
    end = time.perf_counter() + seconds
    total = 0.0
    while time.perf_counter() < end:
        total += 1.0
    return total


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def fail(message: str) -> None:
    raise KeyError(message)


class UnpicklableError(Exception):
    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a}/{b}")


def fail_unpicklably() -> None:
    raise UnpicklableError("a", "b")


def die() -> None:
    os._exit(3)


@pytest.fixture
def pool():
    made = ComputePool(size=1, budget=Budget(cpu_seconds=1, wall_seconds=3.0, queue_seconds=0.2))
    yield made
    made.close()


def test_a_normal_call_returns_its_result(pool):
    assert pool.run(add, 2, b=40) == 42


def test_the_call_runs_in_another_process_that_is_reused(pool):
    first = pool.run(child_pid)
    assert first != os.getpid()
    assert pool.run(child_pid) == first


def test_an_exception_in_the_child_is_raised_as_itself_with_the_child_traceback(pool):
    with pytest.raises(KeyError, match="lost") as caught:
        pool.run(fail, "lost")
    assert "fail" in str(caught.value.__cause__)
    assert pool.run(add, 1, 1) == 2


def test_an_exception_that_cannot_be_pickled_comes_back_as_a_remote_error(pool):
    with pytest.raises(RemoteError, match="UnpicklableError: a/b"):
        pool.run(fail_unpicklably)


def test_a_child_that_dies_is_reported_and_replaced(pool):
    with pytest.raises(RemoteError, match="exit code 3"):
        pool.run(die)
    assert pool.run(add, 1, 2) == 3


def test_a_call_over_the_cpu_budget_is_killed_and_reported():
    # A wall budget far above the CPU one: on a loaded host a spinning child gets a fraction of
    # a core, and one CPU second can take several wall seconds (the wall limit would win).
    pool = ComputePool(size=1, budget=Budget(cpu_seconds=1, wall_seconds=120.0))
    try:
        first = pool.run(child_pid)
        with pytest.raises(BudgetExceeded) as caught:
            pool.run(spin, 600.0)
        assert caught.value.limit == "cpu"
        assert pool.run(child_pid) != first  # the killed child was replaced
    finally:
        pool.close()


def test_a_call_over_the_wall_budget_is_killed_even_when_it_uses_no_cpu():
    pool = ComputePool(size=1, budget=Budget(cpu_seconds=5, wall_seconds=0.5))
    try:
        pool.run(add, 0, 0)
        started = time.perf_counter()
        with pytest.raises(BudgetExceeded) as caught:
            pool.run(sleep, 30.0)
        assert caught.value.limit == "wall"
        assert 0.5 <= time.perf_counter() - started < 2.0
        assert pool.run(sleep, 0.0) == "woke"
    finally:
        pool.close()


def test_a_call_finding_every_child_busy_gives_up_after_the_queue_time(pool):
    pool.run(add, 0, 0)
    worker = threading.Thread(target=pool.run, args=(sleep, 1.0))
    worker.start()
    time.sleep(0.2)
    with pytest.raises(ComputeBusy):
        pool.run(add, 1, 1)
    worker.join()
    assert pool.run(add, 1, 1) == 2


def test_budgets_are_checked():
    with pytest.raises(ValueError, match="cpu_seconds"):
        Budget(cpu_seconds=0)
    with pytest.raises(ValueError, match="context"):
        ComputePool(size=1, budget=Budget(), context="fork")


def test_a_function_the_child_cannot_import_comes_back_as_an_error_and_the_child_lives(pool):
    class Local:
        def __reduce__(self):
            return (__import__, ("no_such_module_anywhere",))

    with pytest.raises(ModuleNotFoundError, match="no_such_module_anywhere"):
        pool.run(add, Local(), 1)
    first = pool.run(child_pid)
    assert pool.run(child_pid) == first


def slow_start() -> None:
    """A child set-up slower than a call's wall budget (imports on a loaded machine)."""
    time.sleep(1.5)


def test_a_childs_start_up_is_not_charged_to_the_first_call():
    # Cold children made the first ecology request of a loaded CI run a 422 "over budget".
    made = ComputePool(
        size=1,
        budget=Budget(cpu_seconds=1, wall_seconds=0.5, queue_seconds=0.2),
        initializer=slow_start,
    )
    try:
        assert made.run(add, 2, 3) == 5
    finally:
        made.close()
