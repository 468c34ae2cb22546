"""What the data cover: the extract date, and whether a period fits inside it (docs/rapporter.md §1).

A dataset describes participations up to its *extract date* (uttagsdatum):
``uttagsdatum`` in ``dataset.yaml`` when the förbund writes it there, else the
latest start or end date in the participations. A period that ends after it
would count participations that are still open as running on, and say
"deltog 124 personer" for a year the data do not cover, so it is refused with
one sentence. A run may ask for it all the same (``allow_partial``, on the
command line ``--allow-partial``): the report then covers the part up to the
extract date and says so on every page.

The SCB months a förbund's population figures use are those wholly inside
the period (:func:`finsam_analysis.scb.population.population_figures`);
a figure from fewer months than the period has is marked as partial.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from finsam_analysis.periods import Period, PeriodError
from finsam_analysis.periods import swedish_date as _swedish_date

__all__ = ["Coverage", "CoverageError", "check_period", "extract_date", "extract_date_text"]


class CoverageError(PeriodError):
    """A period the data do not cover (a usage error: exit code 2)."""


@dataclass(frozen=True)
class Coverage:
    """A period checked against the data.

    Attributes
    ----------
    period : Period
        The period the figures describe: the one asked for, or for an
        allowed partial period its part up to the extract date.
    asked : Period
        The period asked for.
    extract_date : date
    source : str
        ``"dataset.yaml"`` or ``"data"`` (the latest date in the data).
    partial : bool
        True when ``period`` is shorter than ``asked``.
    """

    period: Period
    asked: Period
    extract_date: _dt.date
    source: str
    partial: bool

    @property
    def note(self) -> str:
        """The sentence every page of a partial report carries (empty otherwise)."""
        if not self.partial:
            return ""
        return (
            f"Delperiod: {self.asked.swedish} är inte slut i uppgifterna. Talen gäller "
            f"{_swedish_date(self.period.start)}–{_swedish_date(self.period.end)} ({extract_date_text(self)})."
        )


def extract_date(dataset) -> _dt.date:
    """The dataset's extract date (``uttagsdatum``, else the latest date in the data)."""
    day = getattr(dataset, "uttagsdatum", None)
    return day if day is not None else _dt.date.today()


def extract_date_text(coverage_or_dataset) -> str:
    """``"uttagsdatum 31 december 2025 enligt dataset.yaml"`` or ``"… senaste datum i uppgifterna"``."""
    if isinstance(coverage_or_dataset, Coverage):
        day, source = coverage_or_dataset.extract_date, coverage_or_dataset.source
    else:
        day, source = extract_date(coverage_or_dataset), getattr(coverage_or_dataset, "uttagsdatum_source", "data")
    where = "enligt dataset.yaml" if source == "dataset.yaml" else "det senaste datumet i uppgifterna"
    return f"uttagsdatum {_swedish_date(day)}, {where}"


def check_period(dataset, period: Period, *, allow_partial: bool = False) -> Coverage:
    """``period`` checked against the extract date.

    Raises
    ------
    CoverageError
        When the period ends after the extract date and ``allow_partial`` is
        False, or when it begins after it.
    """
    last = extract_date(dataset)
    source = getattr(dataset, "uttagsdatum_source", "data")
    if period.end <= last:
        return Coverage(period, period, last, source, False)
    about = f"uppgifterna gäller till och med {_swedish_date(last)} ({'enligt dataset.yaml' if source == 'dataset.yaml' else 'senaste datumet i uppgifterna'})"
    if period.start > last:
        raise CoverageError(f"Perioden {period.label} börjar efter datauttaget: {about}.")
    if not allow_partial:
        fix = (
            "Välj en period som slutar senast då, eller ange --allow-partial för en markerad delperiod."
            if source == "dataset.yaml"
            else "Gäller uppgifterna längre, skriv uttagsdatum: ÅÅÅÅ-MM-DD i dataset.yaml; annars välj en period "
            "som slutar senast då eller ange --allow-partial för en markerad delperiod."
        )
        raise CoverageError(f"Perioden {period.label} slutar {_swedish_date(period.end)}, men {about}. {fix}")
    return Coverage(Period.from_dates(period.start, last), period, last, source, True)
