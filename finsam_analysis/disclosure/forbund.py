"""The family of one förbund: its series, and one frame of decisions per calendar year.

:func:`forbund_family` turns a förbund's prepared participations into the
cumulative series the report's tables are differences of (nya, avslutade,
pågående, the outcome groups, the splits by kön, ålder and insats,
nya and pågående per insats and nya and avslutade per insats × kön,
avslutsanledning, försörjning före × efter), and decides them with the
engine of :mod:`finsam_analysis.disclosure.family`, one year at a time
(:class:`ForbundFamily`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finsam_analysis.disclosure.family import (
    FLOW, STANDARD_BOUNDS, STANDARD_PERIODS, STOCK, Family, Line, SeriesSpec, standard_bounds,
)  # fmt: skip
from finsam_analysis.disclosure.rules import DEFAULT_MIN_CELL
from finsam_analysis.memo import PerDataset

__all__ = ["ForbundFamily", "forbund_family"]


#: The series of the key figures, in the order they are decided at a bound
#: (the first is the last to be hidden as a complement).
KEY_SERIES: tuple[str, ...] = (
    "Av", "N", "pag", "as", "arbete", "studier", "arbetssokande", "ovriga", "okand",
    "off_fore", "off_efter", "omf_kand", "omf_okat",
)  # fmt: skip

#: Outcome groups as the prepared table codes them (``utfall``).
OUTCOME_GROUPS = ("arbete", "studier", "arbetssokande", "ovriga")

#: The codes of sysselsättning efter in the outcome group ovriga other than okänd, shown as their own rows.
OVRIGA_CATEGORIES = ("praktik", "sjukskriven", "ovrigt")

#: Splits of avslutade (and arbete/studier) that the report shows by group.
SPLIT_COLUMNS = {"kon": "kon_grupp", "alder": "aldersgrupp", "insats": "insats_id"}

#: Kön in tables of outcomes: a participation without kön is counted with män
#: (docs/methods.md §5), so no table of outcomes has a group of its own for it.
KON_GROUPS = ("kvinna", "man")


def _days(values) -> np.ndarray:
    """Dates as numpy day numbers (NaT dropped)."""
    arr = np.asarray(values, dtype="datetime64[D]")
    return arr[~np.isnat(arr)].astype("int64")


def _month_ends(first: _dt.date, last: _dt.date) -> list[_dt.date]:
    """Every month end from ``first`` (a month end) through ``last``."""
    out, (y, m) = [], (first.year, first.month)
    while True:
        nxt_y, nxt_m = (y + 1, 1) if m == 12 else (y, m + 1)
        end = _dt.date(nxt_y, nxt_m, 1) - _dt.timedelta(days=1)
        if end > last:
            return out
        out.append(end)
        y, m = nxt_y, nxt_m


def _group_codes(values) -> np.ndarray:
    """Group keys as text, missing values as ``"okand"``.

    A numpy string array, not objects: the many ``codes == g`` over a large
    förbund's rows then compare in C (at a million participations the object
    comparisons were most of the protection's time).
    """
    series = pd.Series(values).astype("object")
    return series.where(series.notna(), "okand").astype(str).to_numpy(dtype=str)


def _present(codes: np.ndarray) -> list[str]:
    """The distinct codes, sorted, as plain ``str``."""
    return sorted(set(codes.tolist()))


@dataclass
class ForbundFamily:
    """The decisions for one förbund: one :class:`Family` per calendar year.

    No standard period crosses a year's end, so each year is its own frame:
    a reader knows the counts of a year relative to its first day, and a
    year whose bound 31 December is hidden does not hide the next year's
    figures (the next year starts from the same day, known there as its
    start). Queries take dates; a period or month before the förbund's first
    participation has only zeros and is always shown.

    A period outside the family (an explicit range that does not begin and
    end at the standard bounds) gets its bounds decided after the family,
    in a copy of its year's frame that takes over every decision of the
    family (:meth:`with_periods`): it shows only what it can show without
    giving anything away *given the family*. The family's later periods do
    not take it into account (docs/methods.md §5). A range across a year's
    end is shown only when each year's part is, so it adds nothing.
    """

    d: object = field(repr=False)
    years: dict[int, Family]
    first_year: int
    last_day: _dt.date
    min_cell: int
    group_min: int
    aldersgrupper: tuple = ()  # the run's own age groups (finsam_analysis.aldersgrupper)

    def _frame(self, day: _dt.date) -> Family | None:
        """The frame of the year ``day`` ends a stretch in (None before the data)."""
        if day.year < self.first_year:
            return None
        if day > self.last_day:
            raise ValueError(f"{day} ligger efter uttagsdatum {self.last_day}.")
        return self.years[day.year]

    def _pieces(self, start: _dt.date, end: _dt.date) -> list[tuple[Family | None, _dt.date, _dt.date]]:
        """The stretch cut at year ends: (frame, first day, last day) per year."""
        out = []
        first = start
        while first <= end:
            last = min(end, _dt.date(first.year, 12, 31))
            out.append((self._frame(last), first, last))
            first = last + _dt.timedelta(days=1)
        return out

    def flow_shown(self, key: Hashable, start: _dt.date, end: _dt.date) -> bool:
        return all(fam is None or fam.flow_shown(key, a, b) for fam, a, b in self._pieces(start, end))

    def stock_shown(self, key: Hashable, day: _dt.date) -> bool:
        fam = self._frame(day)
        return True if fam is None else fam.stock_shown(key, day)

    def aktiva_shown(self, started: Hashable, stock: Hashable, start: _dt.date, end: _dt.date) -> bool:
        """Aktiva = going on the day before the start + nya: shown when a reader has both."""
        pieces = self._pieces(start, end)
        if len(pieces) == 1:
            fam, a, b = pieces[0]
            return True if fam is None else fam.aktiva_shown(started, stock, a, b)
        return self.stock_shown(stock, start - _dt.timedelta(days=1)) and self.flow_shown(started, start, end)

    def month_shown(self, month_end: _dt.date) -> bool:
        fam = self._frame(month_end)
        return True if fam is None else fam.month_shown(month_end)

    def value(self, key: Hashable, start: _dt.date, end: _dt.date) -> int:
        return sum(0 if fam is None else fam.value(key, a, b) for fam, a, b in self._pieces(start, end))

    def stock_value(self, key: Hashable, day: _dt.date) -> int:
        fam = self._frame(day)
        return 0 if fam is None else int(fam.values[fam.key_index(key), fam.node(day)])

    def with_periods(self, periods: Iterable) -> "ForbundFamily":
        """A view in which the bounds of ``periods`` outside the family are decided too."""
        extra: dict[int, set[_dt.date]] = {}
        for p in periods:
            for day in (p.start - _dt.timedelta(days=1), p.end):
                fam = self._frame(day)
                if fam is not None and not _is_bound(fam, day):
                    extra.setdefault(day.year, set()).add(day)
        if not extra:
            return self
        years = dict(self.years)
        for year, days in extra.items():
            years[year] = _year_frame(
                self.d, year, self.last_day, self.min_cell, self.group_min,
                base=self.years[year], extra=sorted(days), aldersgrupper=self.aldersgrupper,
            )  # fmt: skip
        return ForbundFamily(self.d, years, self.first_year, self.last_day, self.min_cell, self.group_min,
                             self.aldersgrupper)


def _is_bound(fam: Family, day: _dt.date) -> bool:
    """Whether ``day`` is a node of ``fam`` where every series has a value."""
    t = np.datetime64(day, "D").astype("int64")
    i = int(np.searchsorted(fam.days, t))
    return i < len(fam.days) and fam.days[i] == t and bool(fam.standard[i] or fam.extra[i])


def forbund_family(
    d,
    last_day: _dt.date,
    min_cell: int = DEFAULT_MIN_CELL,
    *,
    group_min: int | None = None,
    aldersgrupper: tuple = (),
) -> ForbundFamily:
    """Decide every standard bound and month of one förbund up to ``last_day``.

    Parameters
    ----------
    d : DataFrame
        The förbund's prepared participations (:func:`finsam_analysis.measures.outcomes.participations`
        rows of one förbund).
    last_day : date
        The dataset's extract date: bounds after it are not decided.
    min_cell : int, default 5
    group_min : int, optional
        Smallest group for a share of 0 % or 100 %; default ``2 * min_cell``.
    aldersgrupper : tuple of (int, int), optional
        The run's own age groups, decided together with the fixed ones.
    """
    group_min = 2 * min_cell if group_min is None else group_min
    starts = d["startdatum"].to_numpy(dtype="datetime64[D]")
    first_year = int(starts.min().astype("datetime64[Y]").astype(int) + 1970) if len(d) else last_day.year
    first_year = min(first_year, last_day.year)
    years: dict[int, Family] = {}
    stock_known: bool | dict = True  # before the first year nothing was going on
    for year in range(first_year, last_day.year + 1):
        years[year] = _year_frame(d, year, last_day, min_cell, group_min, stock_start_known=stock_known,
                                  aldersgrupper=aldersgrupper)
        frame = years[year]
        stock_known = frame.stocks_known_at_end()
    return ForbundFamily(d, years, first_year, last_day, min_cell, group_min, aldersgrupper)


def _year_frame(
    d, year: int, last_day: _dt.date, min_cell: int, group_min: int,
    *, base: Family | None = None, extra: Sequence[_dt.date] = (), stock_start_known: bool | dict = True,
    aldersgrupper: tuple = (),
) -> Family:
    """The frame of one year: from 31 December before it, decided in release order.

    With ``base`` and ``extra``: the frame with the ``extra`` days as bounds
    too, taking over every decision of ``base`` and then deciding them.
    """
    start = _dt.date(year - 1, 12, 31)
    month_ends = _month_ends(_dt.date(year, 1, 31), min(last_day, _dt.date(year, 12, 31)))
    nodes = sorted({start, *month_ends, *extra})
    node_days = np.array([np.datetime64(x, "D").astype("int64") for x in nodes])
    bounds = set(standard_bounds(year))
    extra_set = set(extra)
    standard = np.array([i == 0 or x in bounds for i, x in enumerate(nodes)])
    is_extra = np.array([x in extra_set and x not in bounds for x in nodes])
    year_end = np.array([(x.month, x.day) == (12, 31) for x in nodes])
    series, lines, subsets, shares = _forbund_series(d, node_days, aldersgrupper)
    a_year_earlier = [_dt.date(x.year - 1, x.month, min(x.day, 28) if x.month == 2 else x.day) for x in nodes]
    a_year_earlier.append(_dt.date(year - 1, 12, 31))
    earlier_days = np.array([np.datetime64(x, "D").astype("int64") for x in a_year_earlier])
    earlier = _forbund_series(d, earlier_days, aldersgrupper)[0]
    remainder = np.vstack([spec.values[-1] - spec.values[:-1] for spec in earlier])
    month_nodes = {x: i for i, x in enumerate(nodes) if x == start or x in set(month_ends)}
    ordered = sorted(month_nodes.items())
    links = {i: (i, ordered[k - 1][1]) for k, (_, i) in enumerate(ordered) if k > 0}
    fam = Family(
        days=node_days, standard=standard | is_extra, year_end=year_end, series=series, lines=lines,
        subsets=subsets, shares=shares, min_cell=min_cell, group_min=group_min,
        room_min=3 * min_cell, month_links=links, remainder=remainder,
        periods=_period_nodes(nodes) + _extra_periods(nodes, extra_set), extra=is_extra,
        stock_start_known=base.stock_start_known if base is not None else stock_start_known,
    )  # fmt: skip
    if min_cell <= 1:
        fam.known[:] = fam.exists
        fam.month_accepted = {i: True for i in links}
        return fam
    if base is not None:
        fam.replay(base)
        for i in np.flatnonzero(is_extra):
            for s in range(len(series)):
                fam.decide_node(s, int(i))
        return fam
    releases, pending = [], []
    for i in range(1, len(nodes)):
        if i in links:
            pending.append(i)
        if standard[i]:
            releases.append((i, pending))
            pending = []
    fam.decide_all(releases)
    return fam


def _extra_periods(nodes: list[_dt.date], extra: set[_dt.date]) -> list[tuple[int, int]]:
    """Every pair of bounds with an extra day among them: each may be a period's cell."""
    where = {x: i for i, x in enumerate(nodes)}
    bound = [x for x in nodes if x in extra or x == nodes[0] or (x.month, x.day) in STANDARD_BOUNDS]
    return [(where[a], where[b]) for a in bound for b in bound if a < b and (a in extra or b in extra)]


def _period_nodes(nodes: list[_dt.date]) -> list[tuple[int, int]]:
    """(start node, end node) of every standard period of the frame that has ended."""
    where = {x: i for i, x in enumerate(nodes)}
    year = nodes[0].year + 1
    out = []
    for first, last in STANDARD_PERIODS:
        before = _dt.date(year, first, 1) - _dt.timedelta(days=1)
        end = _dt.date(year + (last == 12), 1 if last == 12 else last + 1, 1) - _dt.timedelta(days=1)
        if before in where and end in where:
            out.append((where[before], where[end]))
    return out


def _forbund_series(d, node_days: np.ndarray, aldersgrupper: tuple = ()):
    """The series, lines, subsets and shares of one förbund's participations."""
    return _SeriesBuilder(d, node_days, aldersgrupper).build()


#: Per förbund (the frame of its participations): the per-row work every year frame of the
#: förbund shares (:meth:`_SeriesBuilder.rows`).
_ROWS = PerDataset("a förbund's rows for its year frames")


class _SeriesBuilder:
    """Cumulative counts at the frame's nodes of every series a report shows, with their lines.

    The work per row (group codes, the masks, sorting the days) is done once
    per förbund and kept for its other frames (:data:`_ROWS`); each frame
    then only looks its nodes up in the sorted days.
    """

    def __init__(self, d, node_days: np.ndarray, aldersgrupper: tuple = ()):
        self.d, self.node_days, self.aldersgrupper = d, node_days, aldersgrupper
        self.start, self.ended, self.end = self.rows("days", self._days)
        self.utfall = self.codes("utfall")
        self.arbete_studier = self.rows("arbete_studier", lambda: np.isin(self.utfall, ("arbete", "studier")))
        self.specs: list[SeriesSpec] = []
        self.lines: list[Line] = []
        self.subsets: list[tuple] = []
        self.shares: list[tuple] = []

    def cumulative(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.sort(days), self.node_days, side="right").astype(np.int64)

    def ended_where(self, mask) -> np.ndarray:
        return self.cumulative(self.end[self.ended & np.asarray(mask, dtype=bool)])

    def rows(self, key: Hashable, compute):
        """``compute()``, once per förbund: every frame of it is built from the same rows."""
        return _ROWS.get(self.d, key, compute)

    def _days(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start days, whether ended, and end days (ongoing: never) as integers."""
        end_raw = self.d["slutdatum"].to_numpy(dtype="datetime64[D]")
        ended = ~np.isnat(end_raw)
        start = self.d["startdatum"].to_numpy(dtype="datetime64[D]").astype("int64")
        return start, ended, np.where(ended, end_raw.astype("int64"), np.iinfo(np.int64).max)

    def codes(self, column: str) -> np.ndarray:
        """:func:`_group_codes` of a column, once per förbund."""
        return self.rows(("codes", column), lambda: _group_codes(self.d[column]))

    def flow(self, key: tuple, mask, *, by_start: bool = False) -> np.ndarray:
        """``ended_where(mask())`` (or ``cumulative(start[mask()])``), the sorted days kept under ``key``.

        ``mask`` is a function, called only the first time: ``key`` must name
        the rows it picks, the same in every frame of the förbund.
        """
        def sorted_days() -> np.ndarray:
            chosen = np.asarray(mask(), dtype=bool)
            return np.sort(self.start[chosen] if by_start else self.end[self.ended & chosen])

        days = self.rows(("start" if by_start else "end", key), sorted_days)
        return np.searchsorted(days, self.node_days, side="right").astype(np.int64)

    def build(self):
        self._key_series()
        self._ovriga_categories()
        splits = self._split_codes()
        for name, codes in splits.items():
            self._split(name, codes)
        if self.aldersgrupper:
            self._own_age_groups(splits["alder"])
        self._insats_totals(splits["insats"], splits["kon"])
        self._orsak()
        self._overgang()
        return self.specs, self.lines, self.subsets, self.shares

    def _key_series(self) -> None:
        """The series of the key figures and the sum lines between them."""
        d = self.d
        every = lambda: np.ones(len(d), bool)  # noqa: E731
        flows = {"N": self.flow(("N",), every, by_start=True), "Av": self.flow(("Av",), every),
                 "as": self.flow(("as",), lambda: self.arbete_studier)}  # fmt: skip
        for g in OUTCOME_GROUPS:
            flows[g] = self.flow((g,), lambda g=g: self.utfall == g)
        for name, column in (("okand", "utfall_okand"), ("off_fore", "offentlig_fore"), ("off_efter", "offentlig_efter")):
            flows[name] = self.flow((name,), lambda column=column: d[column].to_numpy(dtype=bool))
        both = lambda: (d["omfattning_fore"].notna() & d["omfattning_efter"].notna()).to_numpy(dtype=bool)  # noqa: E731
        okat = lambda: (d["omfattning_efter"] > d["omfattning_fore"]).fillna(False).to_numpy(dtype=bool)  # noqa: E731
        flows["omf_kand"] = self.flow(("omf_kand",), both)
        flows["omf_okat"] = self.flow(("omf_okat",), lambda: both() & okat())
        self.specs += [SeriesSpec(("N",), FLOW, flows["N"], monthly=True),
                       SeriesSpec(("Av",), FLOW, flows["Av"], monthly=True),
                       SeriesSpec(("pag",), STOCK, flows["N"] - flows["Av"], monthly=True)]  # fmt: skip
        self.specs += [SeriesSpec((k,), FLOW, flows[k]) for k in KEY_SERIES[3:]]
        self.lines += [
            Line(("N",), (("Av",), ("pag",)), stock=True),
            Line(("Av",), (("as",), ("arbetssokande",), ("ovriga",))),
            Line(("as",), (("arbete",), ("studier",))),
        ]
        self.subsets += [(("okand",), ("ovriga",)), (("off_fore",), ("Av",)), (("off_efter",), ("Av",)),
                         (("omf_kand",), ("Av",)), (("omf_okat",), ("omf_kand",))]  # fmt: skip
        self.subsets += [(p, ln.total) for ln in self.lines[1:] for p in ln.parts]
        self.shares += [(("as",), ("Av",)), (("off_fore",), ("Av",)), (("off_efter",), ("Av",)),
                        (("omf_okat",), ("omf_kand",))]  # fmt: skip

    def _ovriga_categories(self) -> None:
        """Övriga by the förbund's own categories (praktik, sjukskriven, övrigt) beside its okänd part.

        All three are series even when empty (a published 0), so the line
        ovriga = okand + praktik + sjukskriven + ovrigt always holds for a reader.
        """
        parts = []
        for code in OVRIGA_CATEGORIES:
            key = ("ovriga_kat", code)
            efter = lambda code=code: self.d["sysselsattning_efter"].astype("object").to_numpy() == code  # noqa: E731
            self.specs.append(SeriesSpec(key, FLOW, self.flow(key, efter)))
            parts.append(key)
        self.lines.append(Line(("ovriga",), (("okand",), *parts)))
        self.subsets += [(p, ("ovriga",)) for p in parts]

    def _split_codes(self) -> dict[str, np.ndarray]:
        kon = self.rows("kon", lambda: np.where(self.d["kon"].astype("object").to_numpy() == "kvinna", "kvinna", "man"))
        return {"kon": kon, "alder": self.codes("aldersgrupp"), "insats": self.codes("insats_id")}

    def _split(self, name: str, codes: np.ndarray) -> None:
        """Avslutade and arbete/studier by one split (kön, ålder, insats): groups add up to the total."""
        # Every insats has its series even before an avslut: _insats_totals links nya and pågående to them.
        present = self.rows(("present", name), lambda: sorted(
            _present(codes if name == "insats" else codes[self.ended]), key=_split_order(name)))
        for measure, mask in (("Av", np.ones(len(self.d), bool)), ("as", self.arbete_studier)):
            parts = []
            for g in present:
                key = (name, measure, g)
                self.specs.append(SeriesSpec(key, FLOW, self.flow(key, lambda mask=mask, g=g: mask & (codes == g))))
                parts.append(key)
            if parts:
                # Avslutade by kön and by insats cross in insats × kön (_insats_totals): solved together.
                crossing = measure == "Av" and name in ("kon", "insats")
                self.lines.append(Line((measure,), tuple(parts), rank=crossing))
                self.subsets += [(p, (measure,)) for p in parts]
        for g in present:
            self.subsets.append(((name, "as", g), (name, "Av", g)))
            self.shares.append(((name, "as", g), (name, "Av", g)))

    def _own_age_groups(self, fixed: np.ndarray) -> None:
        """The run's own age groups, with the pieces they share with the fixed groups.

        The ages are cut into *pieces*: ages in the same fixed group and in
        the same own groups. A fixed group that holds several pieces is their
        sum, and so is each own group; whatever a reader works out from the
        two (50+ minus 55–64) is a piece or a sum of pieces, so it is a
        series the engine decides like any other.
        """
        ages = self.d["alder"].to_numpy(dtype="float64", na_value=np.nan)
        inside = [(ages >= lo) & (ages <= hi) for lo, hi in self.aldersgrupper]
        piece = np.array([f"{g}|" + "".join("1" if m[i] else "0" for m in inside) for i, g in enumerate(fixed)],
                         dtype=object)  # fmt: skip
        ended_fixed = set(_present(fixed[self.ended]))
        for measure, mask in (("Av", np.ones(len(self.d), bool)), ("as", self.arbete_studier)):
            key_of = {}
            for g in sorted(ended_fixed, key=_split_order("alder")):
                mine = sorted(set(piece[self.ended & (fixed == g)]))
                if len(mine) == 1:
                    key_of[mine[0]] = ("alder", measure, g)
                    continue
                for p in mine:
                    key_of[p] = ("alder_del", measure, p)
                    self.specs.append(SeriesSpec(key_of[p], FLOW, self.ended_where(mask & (piece == p))))
                    self.subsets.append((key_of[p], ("alder", measure, g)))
                self.lines.append(Line(("alder", measure, g), tuple(key_of[p] for p in mine), rank=True))
            for k, group in enumerate(self.aldersgrupper):
                key = ("alder_egen", measure, group)
                self.specs.append(SeriesSpec(key, FLOW, self.ended_where(mask & inside[k])))
                self.subsets.append((key, (measure,)))
                parts = tuple(v for p, v in key_of.items() if p.split("|")[1][k] == "1")
                if parts:
                    self.lines.append(Line(key, parts, rank=True))
        for group in self.aldersgrupper:
            self.subsets.append((("alder_egen", "as", group), ("alder_egen", "Av", group)))
            self.shares.append((("alder_egen", "as", group), ("alder_egen", "Av", group)))

    def _insats_totals(self, insats: np.ndarray, kon: np.ndarray) -> None:
        """Per insats: nya and pågående (so "totalt sedan start" and "just nu"), and nya and avslutade by kön.

        Lines: nya = avslutade + pågående per insats (a stock line), the
        insatser add up to N and pågående, and each insats's kön to its
        total; avslutade by insats × kön also add up to avslutade by kön,
        so those lines cross and are solved by elimination.
        """
        groups = self.rows(("present", "insats"), lambda: sorted(_present(insats), key=_split_order("insats")))
        if not groups:
            return
        start_in = {g: (lambda g=g: insats == g) for g in groups}
        started = {g: self.flow(("insats", "N", g), start_in[g], by_start=True) for g in groups}
        for g in groups:
            ended = self.specs[self._index_of(("insats", "Av", g))].values
            self.specs += [SeriesSpec(("insats", "N", g), FLOW, started[g]),
                           SeriesSpec(("insats", "pag", g), STOCK, started[g] - ended)]  # fmt: skip
            self.lines.append(Line(("insats", "N", g), (("insats", "Av", g), ("insats", "pag", g)), stock=True))
            self.subsets.append((("insats", "N", g), ("N",)))
        self.lines += [Line(("N",), tuple(("insats", "N", g) for g in groups)),
                       Line(("pag",), tuple(("insats", "pag", g) for g in groups))]  # fmt: skip
        for g in groups:
            for measure, mine in (("N", self.start), ("Av", None)):
                parts = []
                for k in KON_GROUPS:
                    key = ("insats_kon", measure, g, k)
                    values = self.flow(key, lambda g=g, k=k: start_in[g]() & (kon == k), by_start=mine is not None)
                    self.specs.append(SeriesSpec(key, FLOW, values))
                    self.subsets.append((key, ("insats", measure, g)))
                    parts.append(key)
                self.lines.append(Line(("insats", measure, g), tuple(parts), rank=measure == "Av"))
        for k in KON_GROUPS:
            if ("kon", "Av", k) in {x.key for x in self.specs}:
                parts = tuple(("insats_kon", "Av", g, k) for g in groups)
                self.lines.append(Line(("kon", "Av", k), parts, rank=True))

    def _index_of(self, key) -> int:
        return next(n for n, x in enumerate(self.specs) if x.key == key)

    def _orsak(self) -> None:
        """Avslutade by avslutsanledning."""
        orsak = self.codes("avslutsanledning")
        parts = []
        for r in self.rows("orsak_present", lambda: _present(orsak[self.ended])):
            self.specs.append(SeriesSpec(("orsak", r), FLOW, self.flow(("orsak", r), lambda r=r: orsak == r)))
            parts.append(("orsak", r))
        if parts:
            self.lines.append(Line(("Av",), tuple(parts)))
            self.subsets += [(p, ("Av",)) for p in parts]

    def _overgang(self) -> None:
        """Försörjning före × efter: margins and cells, whose lines cross (solved by rank)."""
        fore, efter = self.codes("forsorjning_fore_grupp"), self.codes("forsorjning_efter_grupp")
        f_present, e_present = self.rows(
            "overgang_present", lambda: (_present(fore[self.ended]), _present(efter[self.ended])))
        for f in f_present:
            self.specs.append(SeriesSpec(("fore", f), FLOW, self.flow(("fore", f), lambda f=f: fore == f)))
        for e in e_present:
            self.specs.append(SeriesSpec(("efter", e), FLOW, self.flow(("efter", e), lambda e=e: efter == e)))
        for f in f_present:
            for e in e_present:
                cell = self.flow(("overgang", f, e), lambda f=f, e=e: (fore == f) & (efter == e))
                self.specs.append(SeriesSpec(("overgang", f, e), FLOW, cell))
        if not f_present:
            return
        self.lines.append(Line(("Av",), tuple(("fore", f) for f in f_present), rank=True))
        self.lines.append(Line(("Av",), tuple(("efter", e) for e in e_present), rank=True))
        for f in f_present:
            self.lines.append(Line(("fore", f), tuple(("overgang", f, e) for e in e_present), rank=True))
        for e in e_present:
            self.lines.append(Line(("efter", e), tuple(("overgang", f, e) for f in f_present), rank=True))
        self.subsets += [(("fore", f), ("Av",)) for f in f_present] + [(("efter", e), ("Av",)) for e in e_present]


def _split_order(name: str):
    from finsam_analysis import schema

    if name == "alder":
        order = {g: i for i, g in enumerate(schema.ALDERSGRUPPER)}
        return lambda g: (order.get(g, len(order)), g)
    return lambda g: (g == "okand", g)
