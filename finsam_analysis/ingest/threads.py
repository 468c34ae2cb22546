"""Two threads for whole-column work that releases the GIL.

pyarrow compute kernels and numpy's vectorised loops release the GIL while
they work on a column, so two columns can be processed at once on two cores.
The functions given here must be pure (no shared state); callers apply their
results in order, so the outcome is the same as a plain loop.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many rows in total, a second thread costs more than it saves.
MIN_ROWS = 100_000


def on_two_cores(fn: Callable[[T], R], items: Iterable[T], rows: int) -> list[R]:
    """``[fn(x) for x in items]``, two at a time when ``rows`` is large.

    Parameters
    ----------
    fn : callable
        A pure function of one item.
    items : iterable
    rows : int
        The size of the work (rows of the table); decides whether to use a
        second thread.

    Returns
    -------
    list
        The results in the order of ``items``. An exception in ``fn`` is
        raised here, as in a loop.
    """
    items = list(items)
    if len(items) < 2 or rows < MIN_ROWS:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(fn, items))
