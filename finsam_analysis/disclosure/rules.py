"""Disclosure control (röjandekontroll) of one table, REPORT.md §3.

Every table of counts of persons meant to be read by people passes through
this module, and all of it is built on one function, :func:`suppress`. The
counts that a förbund publishes for many periods at once (participations and
their outcomes) are decided for all periods together by
:mod:`finsam_analysis.disclosure.family`, which uses the same rule (docs/methods.md §5);
the counts of persons of one period (aktiva deltagare by kön, ålder,
utbildning, kommun) are protected here.

* **Primary suppression.** A count of persons from 1 to ``min_cell - 1`` is
  hidden. Zero is shown.
* **Shares.** A share (or any statistic over a group of persons, such as a
  median) is hidden when its denominator is below ``min_cell`` or when its
  numerator or denominator is hidden (share × denominator gives the count
  back).
* **Secondary suppression.** Published totals must not let anyone work out a
  hidden count. Totals are given as *lines*, ``total = sum(parts)``. A reader
  knows more than the equations: no count is negative, and since zeros are
  shown, a hidden count is at least 1. A hidden value is *disclosed* when the
  line equations, with every published value filled in, and these bounds
  leave it a single whole number. Two tests, one mechanism: the rank test
  (the value is *derivable*, the equations alone fix it: its unit vector
  lies in the row space of the equations over the hidden values) is a quick
  first pass; the bounds audit (a linear program per value, min and max of
  ``x_k``, with ``scipy.optimize.linprog``) is the final check. Example: a
  row ``10, 1, 1`` with total 12 and the two 1s hidden: their sum is 2 and
  each is at least 1, so both are 1. While some hidden value is disclosed,
  one more published value in a line through it is hidden as a complement
  (the 10 here).
* **Numbers published elsewhere.** A table whose margins are also published
  somewhere else (the key figures) must hide and show them as that other
  publication does, or the two together give a hidden number back. The
  caller says which values are hidden there (``hidden``: held hidden and
  protected like any hidden count) and which a reader knows from there
  (``known``: never chosen as complements, and published as far as the
  checks go); :func:`protect_table` takes them per cell as
  ``agree_with``. Complements are then chosen with both in view, in the same
  single pass.

* **Counts that are never published.** A reader can subtract one published
  count from another. Such a difference is passed as ``unpublished``:
  always unknown to a reader, never a complement, never reported, and
  protected like a hidden count when it is from 1 to ``min_cell - 1``.
* **Counts of the data's quality** (``exempt``): shown whatever their size,
  known to a reader, never hidden: ``kon_okand``, the persons whose kön is
  missing in the förbund's file.

``min_cell = 1`` turns suppression off (internal use only). Hidden cells are
shown as :data:`SUPPRESSED` (``..``) with the footnote :func:`footnote`; in
the key-figures JSON a hidden value is ``null`` and its key is listed in
``"suppressed"`` (:func:`finsam_analysis.disclosure.published.key_figures`).

Public SCB figures (befolkning, riket) are not counts of our persons and are
never passed through here.

Decisions where REPORT.md is silent
-----------------------------------
* Choice of complement: among the published, nonzero members of the lines
  through a disclosed hidden value, prefer one whose other lines already
  hold a hidden value (this closes the usual rectangle of four cells instead
  of spreading suppression over the table), then the smallest value, then the
  order of the keys. Zeros are never chosen while anything else can be:
  hiding a zero protects nothing a reader cannot guess.
* A value that is ``None`` (not computable, or not published at all) is an
  unknown to a reader too; it is never listed as hidden.
* A value held hidden is protected even when it is zero: the other
  publication hides it, and showing what it is here would help a reader
  work out that publication's other hidden values.
* A count from 1 to ``min_cell - 1`` is hidden even when it is ``known``
  (the rule has no exception; a correctly protected other publication never
  shows one). Being known, it needs no complements.
* A value that the known values and the zeros determine through the lines
  counts as known too (a reader works it out): it is never a complement
  and, when small, needs none.
* When a hidden value stays disclosed and every value that could still be
  hidden is known from elsewhere, nothing more is hidden: the other
  publication gives the value away on its own, and hiding more here could
  not change that. Likewise a value that the known values, the zeros and the
  bounds pin even with everything else hidden is protected against the rank
  test only.
* The protection rule (REPORT.md says "cannot be worked out"): a hidden
  count must have at least two possible whole values, i.e. its interval
  ``[min x_k, max x_k]`` holds a whole number other than its own. Nothing
  more is asked (no minimum width, no reach up to ``min_cell``): ``..``
  already tells a reader that a count may be small, and an interval such as
  1–3 says no more than that; only an exact value is worked out.
* Bounds: hidden nonzero counts are at least 1, everything else unknown at
  least 0, nothing has an upper bound (a reader does not know which hidden
  values are the small ones). A hidden zero (held hidden, or a last-resort
  complement) gets 0, so the true table always satisfies the program; a
  reader who took it for at least 1 would reason from a false premise.
  Inequalities that are not lines (``okand`` is at most ``ovriga``) are not
  part of the program.
* A share of a private count (``_n_offentlig_fore`` …) whose count is not in
  the key figures is checked against the count it reveals,
  ``round(share × denominator)``.
* An unpublished count has the lower bound 0: a reader cannot tell it from
  zero. Linked tables put a value in more than two lines; the bounds audit
  then solves in whole numbers (mixed-integer programs), so it stays exact.
* Among several complements that would each do, the one that protects the
  most disclosed values is taken first when unpublished counts are in play
  (they make the usual rectangle rule near-sighted); then the one that would
  not itself be the only unknown of another line; then as above.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from finsam_analysis.fmt import SUPPRESSED

__all__ = [
    "DEFAULT_MIN_CELL",
    "FOOTNOTE_TEMPLATE",
    "KEY_FIGURE_COUNTS",
    "KEY_FIGURE_LINES",
    "SUPPRESSED",
    "Cell",
    "ProtectedTable",
    "footnote",
    "protect_table",
    "rules_text",
    "suppress",
]

#: Smallest count of persons shown unless the run says otherwise.
DEFAULT_MIN_CELL = 5


#: How many complement candidates :func:`_choose_complement` weighs by effect.
EFFECT_CANDIDATES = 8

#: The footnote under every table with a hidden cell (REPORT.md §3).
FOOTNOTE_TEMPLATE = "Uppgifter som bygger på färre än {min_cell} personer redovisas inte (..)"

#: Counts of persons in the key figures (REPORT.md §5).
KEY_FIGURE_COUNTS: tuple[str, ...] = (
    "aktiva_deltagare", "kvinnor", "man", "kon_okand",
    "aktiva_deltaganden", "nya_deltaganden", "avslutade_deltaganden",
    "pagaende_vid_periodens_slut",
    "arbete", "studier", "arbete_studier", "arbetssokande", "ovriga", "okand",
)  # fmt: skip

#: Additive relations between the key-figure counts: ``total = sum(parts)``.
#: ``okand`` is a subset of ``ovriga``, not a sum, so it has no line.
KEY_FIGURE_LINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aktiva_deltagare", ("kvinnor", "man", "kon_okand")),
    ("aktiva_deltaganden", ("avslutade_deltaganden", "pagaende_vid_periodens_slut")),
    ("arbete_studier", ("arbete", "studier")),
    ("avslutade_deltaganden", ("arbete_studier", "arbetssokande", "ovriga")),
)


_Line = tuple[Hashable, tuple[Hashable, ...]]

#: A cell of a table: ``(row label, column label)``.
Cell = tuple[Hashable, Hashable]


def footnote(min_cell: int = DEFAULT_MIN_CELL) -> str:
    """The Swedish footnote for tables with hidden cells.

    Parameters
    ----------
    min_cell : int, default 5
        Smallest count of persons shown.

    Returns
    -------
    str
        ``"Uppgifter som bygger på färre än 5 personer redovisas inte (..)"``
        with ``min_cell`` in place of the 5.
    """
    return FOOTNOTE_TEMPLATE.format(min_cell=min_cell)


def rules_text(min_cell: int = DEFAULT_MIN_CELL) -> str:
    """The disclosure rules as the report states them (docs/methods.md §5 has the whole story)."""
    if min_cell <= 1:
        return "Röjandekontrollen är avstängd (min_cell = 1): rapporten är endast för internt bruk."
    return (
        f"{footnote(min_cell)}. Förbundets alla perioder – helår, delår, halvår, kvartal, tertial och "
        "månader – skyddas tillsammans, så att inget dolt tal kan räknas fram genom att jämföra rapporter för "
        "olika perioder; därför kan också ett större tal visas som .. när det annars skulle ge bort ett mindre. "
        f"En andel på 0 % eller 100 % i en grupp med färre än {2 * min_cell} personer visas inte, och inte heller "
        f"kvartiler över färre än {2 * min_cell}. Kön uppgift saknas beskriver förbundets register och visas "
        "alltid; i tabeller över resultat räknas de utan kön med männen. Noll visas. Offentlig statistik från "
        "SCB döljs inte."
    )



# ---------------------------------------------------------------------------
# The core
# ---------------------------------------------------------------------------


def suppress(
    values: Mapping[Hashable, int | float | None],
    lines: Sequence[tuple[Hashable, Sequence[Hashable]]] = (),
    min_cell: int = DEFAULT_MIN_CELL,
    shares: Mapping[Hashable, tuple[Hashable | None, Hashable]] | None = None,
    *,
    hidden: Iterable[Hashable] = (),
    known: Iterable[Hashable] = (),
    unpublished: Iterable[Hashable] = (),
    exempt: Iterable[Hashable] = (),
) -> frozenset:
    """The keys to hide: primary, secondary and share suppression.

    Parameters
    ----------
    values : mapping
        Counts of persons by key. ``None`` (or NaN) is a value that is not
        published; it is an unknown to a reader and never reported as hidden.
        The order of the keys breaks ties, so the result is deterministic.
    lines : sequence of (total_key, part_keys)
        Additive constraints ``values[total] == sum(values[parts])`` that a
        reader can use. A total may itself be a part of another line.
    min_cell : int, default 5
        Smallest count shown. Counts ``1 .. min_cell - 1`` are hidden;
        ``min_cell = 1`` hides nothing.
    shares : mapping, optional
        ``share_key -> (numerator_key, denominator_key)``, both keys of
        ``values``. The numerator may be ``None`` for a statistic that has only
        a population (a median over the denominator's persons). A share is
        hidden when its denominator is ``None`` or below ``min_cell``, or when
        its numerator or denominator is hidden.
    hidden : iterable, optional
        Keys of ``values`` to hide whatever their value: what another
        publication of the same numbers hides. They are protected like the
        small counts (even a zero), so no complement choice here reveals
        them. With ``min_cell = 1`` they are still hidden.
    known : iterable, optional
        Keys of ``values`` a reader knows from elsewhere (another publication
        shows them). They are never chosen as complements and count as
        published when checking what is disclosed. A known count from 1 to
        ``min_cell - 1`` is hidden all the same (see the module notes).
    unpublished : iterable, optional
        Keys of ``values`` that are never published but that a reader may
        work out from the published values through ``lines`` (avslutade in
        the last month of a period: aktiva that month minus pågående at the
        period's end). They are unknowns to a reader, never complements and
        never in the result; a reader does not know that one is nonzero (its
        lower bound is 0). One from 1 to ``min_cell - 1`` is protected like
        a hidden small count, and so is one that is also ``hidden``.
    exempt : iterable, optional
        Keys of ``values`` that are shown whatever their size: counts of the
        data's quality rather than of persons with a property (``kon_okand``,
        the persons whose kön is missing in the förbund's file; see
        docs/methods.md §5). They are known to a reader and never hidden.

    Returns
    -------
    frozenset
        Hidden keys of ``values`` and of ``shares``: every ``hidden`` key
        whose value is not ``None``, and no ``known`` key other than a small
        count. Every hidden count that is not zero (or is ``hidden``) has at
        least two possible whole values given the published and the known
        counts, ``lines``, and the bounds a reader knows (hidden counts are at
        least 1, all counts at least 0), unless the known counts and the zeros
        alone give it away (then nothing hidden here could help; it is still
        not determined by the equations alone unless they fix it too).

    Raises
    ------
    ValueError
        For ``min_cell < 1``, a negative count, a key in ``lines``,
        ``shares``, ``hidden``, ``known`` or ``unpublished`` that is not in
        ``values``, or a key both ``known`` and ``hidden`` or ``unpublished``.

    Examples
    --------
    >>> sorted(suppress({"tot": 53, "k": 3, "m": 50, "o": 0}, [("tot", ["k", "m", "o"])]))
    ['k', 'm']

    Another publication shows ``m`` and hides ``tot``, so ``m`` cannot be the
    complement; ``tot`` is hidden anyway and protects ``k`` on its own:

    >>> sorted(suppress({"tot": 53, "k": 3, "m": 50, "o": 0}, [("tot", ["k", "m", "o"])],
    ...                 hidden=["tot"], known=["m"]))
    ['k', 'tot']
    """
    _check_min_cell(min_cell)
    counts = {key: _as_count(key, value) for key, value in values.items()}
    order = {key: i for i, key in enumerate(counts)}
    norm_lines: list[_Line] = []
    for total, parts in lines:
        parts = tuple(parts)
        for key in (total, *parts):
            if key not in counts:
                raise ValueError(f"Nyckeln {key!r} i en summarad rad saknas bland värdena.")
        norm_lines.append((total, parts))
    share_map = dict(shares or {})
    for share_key, (num, den) in share_map.items():
        if share_key in counts:
            raise ValueError(f"Andelen {share_key!r} har samma nyckel som ett antal.")
        for key in (num, den):
            if key is not None and key not in counts:
                raise ValueError(f"Andelen {share_key!r} bygger på {key!r}, som saknas bland värdena.")
        if den is None:
            raise ValueError(f"Andelen {share_key!r} saknar nämnare.")
    held = _member_keys(hidden, counts, "dold")
    known_keys = _member_keys(known, counts, "känd")
    if both := held & known_keys:
        raise ValueError(f"Nycklarna {sorted(map(repr, both))} kan inte vara både dolda och kända.")
    unpub = _member_keys(unpublished, counts, "opublicerad")
    if both := unpub & known_keys:
        raise ValueError(f"Nycklarna {sorted(map(repr, both))} kan inte vara både opublicerade och kända.")
    free = _member_keys(exempt, counts, "undantagen")
    if both := free & (held | unpub):
        raise ValueError(f"Nycklarna {sorted(map(repr, both))} kan inte vara både undantagna och dolda.")
    known_keys |= free

    if min_cell == 1 and not held:
        return frozenset()

    hidden_keys = {key for key, v in counts.items() if v is not None and 0 < v < min_cell and key not in free}
    hidden_keys |= {key for key in held if counts[key] is not None}
    _secondary(counts, norm_lines, hidden_keys, order, held, known_keys, unpub)

    hidden_shares = {
        share_key
        for share_key, (num, den) in share_map.items()
        if counts[den] is None or counts[den] < min_cell or den in hidden_keys or num in hidden_keys
    }
    return frozenset((hidden_keys - unpub) | hidden_shares)


def _member_keys(keys: Iterable[Hashable], counts: Mapping[Hashable, object], what: str) -> frozenset:
    """``keys`` as a set, each checked to be a key of ``counts``."""
    out = frozenset(keys)
    for key in out:
        if key not in counts:
            raise ValueError(f"Nyckeln {key!r}, angiven som {what}, saknas bland värdena.")
    return out


def _check_min_cell(min_cell: int) -> None:
    if isinstance(min_cell, bool) or not isinstance(min_cell, numbers.Integral) or min_cell < 1:
        raise ValueError(f"min_cell måste vara ett heltal som är minst 1 (fick {min_cell!r}).")


def _as_count(key: Hashable, value) -> float | None:
    """A count as a number, or None when it is missing."""
    number = _as_number(value)
    if number is not None and number < 0:
        raise ValueError(f"Antalet för {key!r} är negativt ({value!r}).")
    return number


def _as_number(value) -> float | None:
    """A share or statistic as a number, or None when it is missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _secondary(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[_Line],
    hidden: set,
    order: Mapping[Hashable, int],
    held: frozenset = frozenset(),
    known: frozenset = frozenset(),
    unpublished: frozenset = frozenset(),
) -> None:
    """Add complements to ``hidden`` (in place) until nothing hidden is disclosed.

    ``held`` keys are protected even when zero; ``known`` keys are published
    for the equations and never complements; ``unpublished`` keys are always
    unknown (those in ``hidden`` are protected). Each round first asks the rank
    test (:func:`_derivable`, cheap); only when it finds nothing does the
    bounds audit (:func:`_bounded`, linear programs) run, so the audit is the
    final check. Hiding more only widens what a reader must allow for, so a
    value once shown to have room keeps it: ``safe`` carries over between
    rounds and is not audited again.
    """
    if not lines:
        return
    safe: set = set()
    if known:
        pinned, given_away = _pinned(counts, lines, held, known, order, unpublished)
        known = known | pinned
        safe |= given_away
    while True:
        unknown = (hidden | unpublished | {key for key, v in counts.items() if v is None}) - known
        disclosed = _derivable(counts, lines, hidden, unknown, order, held)
        fixes = None
        if disclosed:
            if unpublished:  # linked tables: choose by effect (costly, so only there)

                fixes = _rank_effect(lines, unknown, disclosed, order)

        else:
            disclosed = _bounded(counts, lines, hidden, unknown, order, held, safe, floor0=unpublished)
            if disclosed and unpublished:

                def fixes(candidate, disclosed=disclosed, unknown=unknown, hidden=hidden):
                    """How many disclosed values hiding ``candidate`` leaves with room."""
                    others = (hidden | {candidate}) - set(disclosed)
                    still = _bounded(
                        counts, lines, hidden | {candidate}, unknown | {candidate}, order, held, others,
                        floor0=unpublished,
                    )
                    return len(disclosed) - len(still)

        if not disclosed:
            return
        complement = _choose_complement(counts, lines, unknown, disclosed, order, known, unpublished, fixes)
        if complement is None:
            # Every member of every line through an unknown is unknown or
            # known: what is still disclosed, the known values give away on
            # their own, and hiding more here changes nothing.
            return
        hidden.add(complement)


def _pinned(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[_Line],
    held: frozenset,
    known: frozenset,
    order: Mapping[Hashable, int],
    unpublished: frozenset = frozenset(),
) -> tuple[set, set]:
    """Nonzero keys the known values and the zeros give away, whatever is hidden here.

    Zeros count as shown (hiding one is a last resort), unless unpublished;
    everything else that is not known is taken as hidden. Returns the keys
    that the equations then determine (:func:`_derivable`; a reader works them
    out, so they count as known) and, apart from those, the keys that the
    equations and the bounds pin (:func:`_bounded`; the bounds audit leaves
    them alone, since hiding more here cannot help, but the rank test still
    protects them). A key held hidden is among them too: it stays hidden, but
    if the known values give it away (the pågående at a period's end are
    the next period's aktiva minus nya), protecting it here is hopeless and
    a reader counts on it.
    """
    free = {key for key, v in counts.items() if key not in known and (v != 0 or key in held or key in unpublished)}
    derivable = set(_derivable(counts, lines, free, free, order, held))
    bounded = set(_bounded(counts, lines, free, free, order, held, floor0=unpublished)) - derivable
    return derivable, bounded


def _bounded(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[_Line],
    hidden: set,
    unknown: set,
    order: Mapping[Hashable, int],
    held: frozenset = frozenset(),
    safe: set | None = None,
    around_values: bool = False,
    floor0: frozenset = frozenset(),
) -> list:
    """Hidden nonzero (or ``held``) keys pinned to one whole number by the lines and the bounds.

    The reader's linear program: the unknowns are the keys in ``unknown``
    that lie in a line; each line is an equation over them, the published
    members moved to the right-hand side. Bounds (none above: a reader does
    not know which hidden values are the small ones):

    * a hidden value that is not zero is at least 1 (zeros are shown, so
      ``..`` tells a reader the value is not zero);
    * a hidden zero (held hidden, or a last-resort complement) is at least 0,
      and so is a value that is ``None``: the true values always satisfy the
      program;
    * a key in ``floor0`` (never published, so a reader cannot tell it from
      zero) is at least 0.

    A key is pinned when no solution puts it 1 or more away from its value:
    ``max x_k < value + 1`` and ``min x_k > value - 1``. The equations of a
    table with margins, and the key-figure lines, have a totally unimodular
    matrix (every value lies in at most two lines, with signs that split the
    lines into two classes), so the bounds of each ``x_k`` are whole numbers
    and every whole number between them is the value of a whole-number
    solution: "not pinned" means at least two possible counts. Lines that
    link several tables (a value in three lines or more, or signs that do
    not split the lines into two classes) lack that guarantee; for them
    every program is solved in whole numbers (mixed-integer, HiGHS) and the
    shortcuts below that rely on it are skipped, so the audit stays exact.

    When the values do not satisfy the lines (a caller that passes lines for
    the shape of the equations only), the program is solved around the
    values instead (``around_values``): ``x = value + d`` with ``A d = 0``,
    the same bounds on ``x`` and none on values that are ``None``.

    Work saved, in order: keys in ``safe`` (updated in place: keys already
    shown to have room) are not audited; a key that can move while every
    value at its bound stays put has room (linear algebra, no program); two
    joint programs push all open keys up (by at most 1) and down, and every
    whole-number solution is a witness for each key it moves by 1 or more;
    only what is left gets a program of its own. The equation matrix is
    built once per call.
    """
    safe = set() if safe is None else safe
    in_lines = {key for total, parts in lines for key in (total, *parts)}
    columns = sorted(unknown & in_lines, key=order.__getitem__)
    audit = [
        key for key in columns
        if key in hidden and key not in safe and counts[key] is not None and (counts[key] or key in held)
    ]  # fmt: skip
    if not audit:
        return []
    position = {key: j for j, key in enumerate(columns)}
    rows, published = [], []
    consistent = not around_values
    for total, parts in lines:
        row = np.zeros(len(columns))
        rest = 0.0  # published members, moved to the right-hand side
        line_values = [counts[total], *(counts[p] for p in parts)]
        if None not in line_values and abs(line_values[0] - sum(line_values[1:])) > 1e-9:
            consistent = False
        for key, sign in ((total, 1.0), *((part, -1.0) for part in parts)):
            if key in position:
                row[position[key]] += sign
            elif counts[key] is not None:
                rest += sign * counts[key]
        if row.any():
            rows.append(row)
            published.append(-rest)
    if not consistent and not around_values:
        return _bounded(counts, lines, hidden, unknown, order, held, safe, around_values=True, floor0=floor0)
    if not rows:
        safe.update(audit)  # in no equation with another unknown: anything goes
        return []
    a_eq = np.vstack(rows)
    value = np.array([counts[key] if counts[key] is not None else 0.0 for key in columns])
    lower = np.array([1.0 if counts[key] and key not in floor0 else 0.0 for key in columns])
    at_bound = np.array([counts[key] is None or value[j] <= lower[j] for j, key in enumerate(columns)])
    if around_values:
        b_eq = a_eq @ value
        bounds = [(lo, None) if counts[key] is not None else (None, None) for key, lo in zip(columns, lower)]
    else:
        b_eq = np.array(published)
        bounds = [(lo, None) for lo in lower]

    # Linear algebra first, exact for the totally unimodular systems above:
    # if the equations let x_k move while every value at its bound (and every
    # None) stays put, or while just one of them goes up, x_k moves a little
    # without leaving the bounds (up, if it is at its own bound), so its
    # interval has positive length and whole ends: another count fits. With
    # F the values off their bounds: x_k at its bound moves when its column
    # a_k lies in span(A_F), or a_k + c a_t does for another t at its bound
    # and some c > 0 (their residuals off span(A_F) point opposite ways); x_k
    # off its bound moves when the null space of A_F moves it, or when some
    # a_t at its bound lies in span(A_F) and A_F n = -a_t needs n_k != 0.
    tol = 1e-9
    unimodular = _unimodular(a_eq)
    integrality = None if unimodular else np.ones(len(columns))
    if unimodular:
        _move_by_algebra(a_eq, at_bound, [position[key] for key in audit], audit, safe, tol)

    def solve(objective: np.ndarray, box: list | None = None):
        result = linprog(
            objective, A_eq=a_eq, b_eq=b_eq, bounds=box or bounds, method="highs", integrality=integrality
        )
        if result.status == 4:  # "unbounded or infeasible": tell them apart
            result.status = 3 if solve(np.zeros(len(columns))).status == 0 else 2
        if result.status == 2:
            raise _Infeasible
        if result.status == 0 and np.all(np.abs(result.x - np.round(result.x)) < 1e-6):
            moved = np.abs(result.x - value) > 1 - 1e-6
            safe.update(key for key in audit if moved[position[key]])
        return result

    out = []
    try:
        open_keys = [key for key in audit if key not in safe]
        if len(open_keys) > 1:
            # Values at their bound up (by at most 1), the others down: the
            # usual move, a small hidden count up and its complement down.
            objective = np.zeros(len(columns))
            box = list(bounds)
            for key in open_keys:
                j = position[key]
                objective[j] = -1.0 if at_bound[j] else 1.0
                box[j] = (lower[j], value[j] + 1 if at_bound[j] else value[j])
            solve(objective, box)
        for key in audit:
            if key in safe:
                continue
            j = position[key]
            unit = np.zeros(len(columns))
            unit[j] = 1.0
            # Down first: a value above its bound usually sits in a line with
            # values at theirs, which can only go up.
            if not at_bound[j]:
                low = solve(unit)
                if low.status == 0 and low.fun <= value[j] - 1 + 1e-6:
                    safe.add(key)
                    continue
                if low.status != 0:
                    raise RuntimeError(f"Röjandekontrollens LP för {key!r} löstes inte: {low.message}")
            high = solve(-unit)
            if high.status == 3 or (high.status == 0 and -high.fun >= value[j] + 1 - 1e-6):
                safe.add(key)
                continue
            if high.status != 0:
                raise RuntimeError(f"Röjandekontrollens LP för {key!r} löstes inte: {high.message}")
            out.append(key)
    except _Infeasible:
        if around_values:  # x = value is a solution: cannot happen
            raise RuntimeError("Röjandekontrollens LP saknar lösning.") from None
        # The values break a line with a None member.
        return _bounded(counts, lines, hidden, unknown, order, held, safe, around_values=True, floor0=floor0)
    return out


def _unimodular(matrix: np.ndarray) -> bool:
    """Whether ``matrix`` is totally unimodular by the Heller–Tompkins test.

    Sufficient, not necessary: entries in {-1, 0, 1}, at most two nonzeros
    per column, and the rows split into two classes so that a column's two
    entries have opposite signs within a class and equal signs across. A
    table with margins and the key-figure lines pass; linked tables may not.
    """
    if not np.isin(matrix, (-1.0, 0.0, 1.0)).all() or (np.count_nonzero(matrix, axis=0) > 2).any():
        return False
    side = [None] * matrix.shape[0]
    pairs = [np.flatnonzero(matrix[:, j]) for j in range(matrix.shape[1])]
    edges: dict[int, list[tuple[int, bool]]] = {i: [] for i in range(matrix.shape[0])}
    for j, rows in enumerate(pairs):
        if len(rows) == 2:
            a, b = rows
            same = matrix[a, j] != matrix[b, j]  # opposite signs: same class
            edges[a].append((b, same))
            edges[b].append((a, same))
    for start in range(matrix.shape[0]):
        if side[start] is not None:
            continue
        side[start] = 0
        stack = [start]
        while stack:
            a = stack.pop()
            for b, same in edges[a]:
                want = side[a] if same else 1 - side[a]
                if side[b] is None:
                    side[b] = want
                    stack.append(b)
                elif side[b] != want:
                    return False
    return True


class _Infeasible(Exception):
    """The reader's program has no solution: the values break a line (see :func:`_bounded`)."""


def _move_by_algebra(a_eq: np.ndarray, at_bound: np.ndarray, columns: list, audit: list, safe: set, tol: float) -> None:
    """Add to ``safe`` the audited keys whose value can move without leaving the bounds.

    Exact only for a totally unimodular system (see :func:`_bounded`).
    """
    free = np.flatnonzero(~at_bound)
    bound_at = np.flatnonzero(at_bound)
    sub = a_eq[:, free]
    if free.size:
        u, s, vt = np.linalg.svd(sub)
    else:
        u, s, vt = np.zeros((a_eq.shape[0], 0)), np.zeros(0), np.zeros((0, 0))
    rank = int((s > tol * max(sub.shape, default=1) * (s[0] if s.size else 1.0)).sum())
    span, null = u[:, :rank], vt[rank:]
    residual = a_eq - span @ (span.T @ a_eq)
    in_span = np.abs(residual).max(axis=0) < tol
    norm = np.linalg.norm(residual, axis=0)
    # k-components of the least-squares n with A_F n = -a_t, for t at its bound
    through = -(vt[:rank].T / s[:rank]) @ (span.T @ a_eq[:, bound_at])
    where_free = {j: i for i, j in enumerate(free)}
    for key, j in zip(audit, columns):
        if at_bound[j]:
            opposite = residual[:, bound_at].T @ residual[:, j] <= -(1 - tol) * norm[bound_at] * norm[j]
            moves = in_span[j] or bool(np.any(opposite & (bound_at != j) & (norm[bound_at] > tol)))
        else:
            i = where_free[j]
            moves = bool(null.shape[0] and np.abs(null[:, i]).max() > tol) or bool(
                np.any(in_span[bound_at] & (np.abs(through[i]) > tol))
            )
        if moves:
            safe.add(key)


def _derivable(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[_Line],
    hidden: set,
    unknown: set,
    order: Mapping[Hashable, int],
    held: frozenset = frozenset(),
) -> list:
    """Hidden nonzero (or ``held``) keys that the line equations determine uniquely.

    One equation per line over its unknown members (the published members
    move to the right-hand side, which does not matter for uniqueness). Key
    ``k`` is determined iff ``e_k`` lies in the row space of the equation
    matrix ``A``, i.e. ``rank([A; e_k]) == rank(A)``.
    """
    # A hidden zero (only ever hidden when nothing else could be) needs no
    # protection unless it is held hidden, and a None value is not ours to
    # protect.
    audit = [key for key in sorted(unknown, key=order.__getitem__) if key in hidden and (counts[key] or key in held)]
    return _determined(lines, unknown, audit, order)


def _gauss_jordan(matrix: np.ndarray, track: bool = False) -> tuple[np.ndarray, list[int], np.ndarray | None]:
    """Reduced row echelon form of ``matrix``, its pivot columns, and (``track``) the row operations.

    Element-wise numpy on rows that need it, no multithreaded BLAS: the
    systems are small and sparse, and on a busy machine BLAS threads cost
    more than the whole elimination. Entries are small whole numbers, so
    partial pivoting is exact enough.

    Returns
    -------
    (R, pivots, E)
        ``R = E @ matrix``; row ``i < len(pivots)`` of ``R`` has a 1 in column
        ``pivots[i]`` and 0 there in every other row.
    """
    a = matrix.astype(float)
    n_rows, n_cols = a.shape
    ops = np.eye(n_rows) if track else None
    pivots: list[int] = []
    r = 0
    for j in range(n_cols):
        if r == n_rows:
            break
        i = r + int(np.argmax(np.abs(a[r:, j])))
        if abs(a[i, j]) <= 1e-9:
            continue
        if i != r:
            a[[r, i]] = a[[i, r]]
            if ops is not None:
                ops[[r, i]] = ops[[i, r]]
        scale = a[r, j]
        a[r] /= scale
        if ops is not None:
            ops[r] /= scale
        factors = a[:, j].copy()
        factors[r] = 0.0
        rows = np.flatnonzero(np.abs(factors) > 1e-12)
        if rows.size:
            a[rows] -= np.outer(factors[rows], a[r])
            if ops is not None:
                ops[rows] -= np.outer(factors[rows], ops[r])
        pivots.append(j)
        r += 1
    return a, pivots, ops


def _fixed_columns(reduced: np.ndarray, pivots: list[int]) -> set[int]:
    """Columns whose value the equations fix: a pivot whose reduced row has nothing else."""
    out = set()
    for i, j in enumerate(pivots):
        rest = np.abs(reduced[i]) > 1e-9
        rest[j] = False
        if not rest.any():
            out.add(j)
    return out


def _determined(lines: Sequence[_Line], unknown: set, keys: Sequence, order: Mapping[Hashable, int]) -> list:
    """The ``keys`` (all in ``unknown``) that the line equations determine (rank test).

    ``e_k`` lies in the row space exactly when, in reduced row echelon form,
    column ``k`` is a pivot whose row has no other entry.
    """
    matrix, position = _equations(lines, unknown, order)
    if matrix is None:
        return []
    fixed = _fixed_columns(*_gauss_jordan(matrix)[:2])
    return [key for key in keys if key in position and position[key] in fixed]


def _rank_effect(lines: Sequence[_Line], unknown: set, disclosed: Sequence, order: Mapping[Hashable, int]):
    """``fixes(candidate)``: how many ``disclosed`` values hiding ``candidate`` leaves undetermined.

    One elimination for all candidates. With A the equations over the
    unknowns and a the candidate's column, the solutions of [A a] (x, t) = 0
    are the null space of A plus t·(x0, 1) where A x0 = −a, when a lies in A's
    column space (otherwise nothing changes). A value determined before (zero
    in every null vector of A) is free afterwards exactly when x0 moves it.
    A line in which the candidate would be the only unknown makes a fall
    outside the column space: hiding it protects nothing.
    """
    columns = sorted(unknown, key=order.__getitem__)
    position = {key: j for j, key in enumerate(columns)}
    matrix = np.zeros((len(lines), len(columns)))
    for i, (total, parts) in enumerate(lines):
        for key, sign in ((total, 1.0), *((part, -1.0) for part in parts)):
            if key in position:
                matrix[i, position[key]] += sign
    _, pivots, ops = _gauss_jordan(matrix, track=True)
    row_of = {j: i for i, j in enumerate(pivots)}
    watched = [row_of[position[key]] for key in disclosed if key in position and position[key] in row_of]

    def fixes(candidate) -> int:
        column = np.zeros(len(lines))
        for i, (total, parts) in enumerate(lines):
            column[i] = (total == candidate) - sum(part == candidate for part in parts)
        reduced = ops @ -column
        if np.abs(reduced[len(pivots) :]).max(initial=0.0) > 1e-9:
            return 0
        return int(sum(abs(reduced[i]) > 1e-9 for i in watched))

    return fixes


def _equations(lines: Sequence[_Line], unknown: set, order: Mapping[Hashable, int]):
    """The equation matrix of the lines over their unknown members, and each key's column."""
    in_lines = {key for total, parts in lines for key in (total, *parts)}
    columns = sorted(unknown & in_lines, key=order.__getitem__)
    if not columns:
        return None, {}
    position = {key: j for j, key in enumerate(columns)}
    rows = []
    for total, parts in lines:
        row = np.zeros(len(columns))
        if total in position:
            row[position[total]] += 1.0
        for part in parts:
            if part in position:
                row[position[part]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return None, position
    return np.vstack(rows), position


def _choose_complement(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[_Line],
    unknown: set,
    disclosed: Sequence,
    order: Mapping[Hashable, int],
    known: frozenset = frozenset(),
    unpublished: frozenset = frozenset(),
    fixes=None,
) -> Hashable | None:
    """The next published value to hide, or None when none is left (``known`` never is).

    ``fixes(candidate)``, when given, counts the disclosed values that hiding
    the candidate protects; among several candidates the most effective is
    taken first.

    An ``unpublished`` unknown does not make a line count as already holding
    a hidden value: it is unknown in every line it is in, so hiding beside
    it closes no rectangle.
    """
    disclosed_set = set(disclosed)
    closed = unknown | known

    def members(line: _Line) -> tuple:
        return (line[0], *line[1])

    def unknowns_of(line: _Line) -> set:
        return {key for key in members(line) if key in unknown}

    # Lines where a disclosed value is the only unknown are why it is
    # disclosed; a complement there fixes it. Otherwise any line through a
    # disclosed value (where one that only the bounds give away starts: it
    # is never the only unknown of a line), then the lines one, two, …
    # unpublished values away (a reader works those out on the way: aktiva
    # minus nya gives the pågående at the start, which is last period's
    # pågående at its end), then any line that touches something unknown.
    direct = [line for line in lines if len(u := unknowns_of(line)) == 1 and u <= disclosed_set]
    through = [line for line in lines if unknowns_of(line) & disclosed_set]
    touching = [line for line in lines if unknowns_of(line)]
    pools = [direct, through]
    reached = set(disclosed_set)
    while step := {key for line in pools[-1] for key in members(line) if key in unpublished and key in unknown} - reached:
        reached |= step
        pools.append([line for line in lines if set(members(line)) & step])
    if fixes is not None and len(pools) > 2:
        # With a measure of effect, weigh the whole chain at once: the value
        # that protects is often a step away (last period's pågående).
        pools = [direct, [line for pool in pools[1:] for line in pool]]
    pools.append(touching)
    links = {key: 0 for key in counts}
    exposed = {key: 0 for key in counts}
    for line in lines:
        holds = unknowns_of(line)
        for key in set(members(line)):
            if holds - unpublished:
                links[key] += 1
            if not holds:
                exposed[key] += 1

    for pool in pools:
        candidates = {key for line in pool for key in members(line) if key not in closed and counts[key]}
        if candidates:
            # Most disclosed values protected first, then fewest lines where
            # it would be the only unknown (hiding it there would need yet
            # another complement), then most lines already holding a hidden
            # value (closes rectangles), then the smallest value, then key order.
            rest = sorted(candidates, key=lambda key: (exposed[key], -links[key], counts[key], order[key]))
            if fixes is None or len(rest) == 1:
                return rest[0]
            # Weigh the effect of the first few only: with the bounds, each
            # candidate costs linear programs.
            effect = {key: fixes(key) for key in rest[:EFFECT_CANDIDATES]}
            return max(rest[:EFFECT_CANDIDATES], key=lambda key: (effect[key], -rest.index(key)))
    # Only zeros are left to hide: take a total of a line through a disclosed
    # value first (REPORT rule: no nonzero candidate -> hide the total).
    for line in through:
        if line[0] not in closed:
            return line[0]
    leftovers = {key for line in touching for key in members(line) if key not in closed}
    return min(leftovers, key=order.__getitem__) if leftovers else None


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts (and shares) after disclosure control.

    Attributes
    ----------
    values : pandas.DataFrame
        The numbers, with margins when they were added; count columns are
        integers, share columns floats.
    hidden : pandas.DataFrame
        Booleans of the same shape: True where the cell must not be shown.
    min_cell : int
        Smallest count of persons shown.
    """

    values: pd.DataFrame
    hidden: pd.DataFrame
    min_cell: int = DEFAULT_MIN_CELL

    @property
    def n_hidden(self) -> int:
        """Number of hidden cells."""
        return int(self.hidden.to_numpy().sum())

    @property
    def footnote(self) -> str:
        """The footnote to print under the table; empty when nothing is hidden."""
        return footnote(self.min_cell) if self.n_hidden else ""

    def display(self, decimals: int | None = None) -> pd.DataFrame:
        """The table to publish: hidden cells are ``".."``, the rest numbers.

        Parameters
        ----------
        decimals : int, optional
            Round float columns (shares) to this many decimals.

        Returns
        -------
        pandas.DataFrame
            Object dtype, same labels as :attr:`values`. Formatting numbers
            the Swedish way is left to the caller.
        """
        shown = self.values.astype(object)
        if decimals is not None:
            for j, dtype in enumerate(self.values.dtypes):
                if pd.api.types.is_float_dtype(dtype):
                    shown.iloc[:, j] = self.values.iloc[:, j].round(decimals).astype(object)
        return shown.mask(self.hidden.to_numpy(), SUPPRESSED)


def protect_table(
    counts: pd.DataFrame,
    min_cell: int = DEFAULT_MIN_CELL,
    *,
    margins: bool | str = True,
    total_label: str = "Totalt",
    shares: Mapping[Hashable, tuple[Hashable | None, Hashable]] | None = None,
    agree_with: Mapping[Cell, bool] | None = None,
    exempt: Iterable[Hashable] = (),
) -> ProtectedTable:
    """Apply disclosure control to a table of counts of persons.

    Parameters
    ----------
    counts : pandas.DataFrame
        Non-negative whole numbers, no missing values (e.g. from
        :func:`pandas.crosstab`). With ``shares``, the share columns are floats
        and may be missing.
    min_cell : int, default 5
        Smallest count shown; 1 turns suppression off.
    margins : {True, False, "given"}, default True
        ``True``: add a total column and a total row (labelled
        ``total_label``) and publish them; a table with a single column gets
        no total column (it would repeat that column), likewise a single
        row. ``"given"``: the last row, and for a cross-table with at least
        two columns the last column, already hold the totals (they must be
        the sums). ``False``: no totals; only safe when the table's total is
        not published anywhere else either.
    total_label : str, default "Totalt"
        Label of the added total row and column.
    shares : mapping, optional
        ``{share_column: (numerator_column, denominator_column)}`` for a table
        whose rows are groups and whose columns are different measures
        (numerator may be None for a statistic such as a median over the
        denominator's persons). Such columns are not summed across, so only
        a total row applies: ``margins`` must then be ``"given"`` or False.
    agree_with : mapping, optional
        ``{(row label, column label): hidden there}`` for count cells of the
        protected table, margins included, whose value is also published
        elsewhere (e.g. the kön totals of a kön × ålder table, which the key
        figures publish too), with whether that other publication hides it.
        The table then hides such a cell exactly when the other publication
        does, so the two together reveal nothing: cells hidden there are held
        hidden (:func:`suppress` ``hidden``), cells shown there are known to
        a reader (``known``) and never chosen as complements. Cells that are
        not in the table (a group left out because it is empty) are ignored.
    exempt : iterable, optional
        Column labels whose counts are shown whatever their size, margins
        included (:func:`suppress` ``exempt``): the "Uppgift saknas" column
        of kön.

    Returns
    -------
    ProtectedTable
        The values (with margins), the mask of hidden cells, and helpers to
        display them.

    Raises
    ------
    ValueError
        Missing, negative or fractional counts; given totals that are not the
        sums; ``margins=True`` with ``shares``; an unknown column in
        ``shares``; a cell of ``agree_with`` that is a share or whose label
        is not unique.

    Examples
    --------
    The key figures hide kvinnor (2) and, as its complement, man (8), and
    show the 10 aktiva deltagare. On its own the table would hide its grand
    total as well, and the 10 from the key figures minus g0's 6 would give
    g1's 4 back. Agreeing with the key figures, it shows the 10 and protects
    g1 with g0's cells instead:

    >>> counts = pd.DataFrame({"Kvinna": [0, 2], "Man": [6, 2]}, index=["g0", "g1"])
    >>> protect_table(counts).display()
           Kvinna Man Totalt
    g0          0   6      6
    g1         ..  ..     ..
    Totalt     ..  ..     ..
    >>> kf = {("Totalt", "Kvinna"): True, ("Totalt", "Man"): True, ("Totalt", "Totalt"): False}
    >>> protect_table(counts, agree_with=kf).display()
           Kvinna Man Totalt
    g0          0  ..     ..
    g1         ..  ..     ..
    Totalt     ..  ..     10
    """
    _check_min_cell(min_cell)
    if margins not in (True, False, "given"):
        raise ValueError(f"margins måste vara True, False eller 'given' (fick {margins!r}).")
    share_map = dict(shares or {})
    if share_map and margins is True:
        raise ValueError(
            "En tabell med andelar summeras inte över kolumnerna: ange margins='given' eller False."
        )
    if share_map and not counts.columns.is_unique:
        raise ValueError("En tabell med andelar måste ha unika kolumnnamn.")
    columns = list(counts.columns)
    for share_col, (num, den) in share_map.items():
        for col in (share_col, num, den):
            if col is not None and col not in columns:
                raise ValueError(f"Kolumnen {col!r} finns inte i tabellen.")
        if den is None or den in share_map or num in share_map:
            raise ValueError(f"Andelen {share_col!r} måste bygga på antal i tabellen.")

    is_count = [col not in share_map for col in columns]
    table = _typed_counts(counts, is_count)
    total_row = total_col = None
    n_rows, n_cols = table.shape
    if margins is True:
        table, total_row, total_col = _add_margins(table, total_label)
    elif margins == "given":
        total_row = n_rows - 1 if n_rows >= 2 else None
        total_col = n_cols - 1 if n_cols >= 2 and not share_map else None

    n_rows, n_cols = table.shape
    count_cols = [j for j in range(n_cols) if j == total_col or is_count[j]]
    if margins == "given":
        _check_given_totals(table, total_row, total_col, count_cols)
    data_rows = [i for i in range(n_rows) if i != total_row]
    data_cols = [j for j in count_cols if j != total_col]
    array = table.to_numpy(dtype=float, na_value=np.nan)

    values = {(i, j): array[i, j] for i in range(n_rows) for j in count_cols}
    lines: list[tuple[Hashable, list]] = []
    if total_col is not None:
        lines += [((i, total_col), [(i, j) for j in data_cols]) for i in range(n_rows)]
    if total_row is not None:
        lines += [((total_row, j), [(i, j) for i in data_rows]) for j in count_cols]
    position = {col: j for j, col in enumerate(columns)}
    share_keys = {
        (i, position[share_col]): ((i, position[num]) if num is not None else None, (i, position[den]))
        for share_col, (num, den) in share_map.items()
        for i in range(n_rows)
    }

    held, known = _agreeing_cells(table, agree_with, set(count_cols))
    exempt_cols = {j for j, col in enumerate(table.columns) if col in set(exempt)}
    free = [key for key in values if key[1] in exempt_cols]
    held = [key for key in held if key[1] not in exempt_cols]
    known = [key for key in known if key[1] not in exempt_cols]
    hidden_keys = suppress(values, lines, min_cell, share_keys, hidden=held, known=known, exempt=free)
    mask = np.zeros((n_rows, n_cols), dtype=bool)
    for i, j in hidden_keys:
        mask[i, j] = not np.isnan(array[i, j])  # a missing share has nothing to hide
    hidden = pd.DataFrame(mask, index=table.index, columns=table.columns)
    return ProtectedTable(values=table, hidden=hidden, min_cell=int(min_cell))


def _agreeing_cells(
    table: pd.DataFrame, agree_with: Mapping[Cell, bool] | None, count_cols: set
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The positions of ``agree_with`` cells hidden elsewhere, and of those shown there."""
    held, known = [], []
    for (row, col), hidden_there in (agree_with or {}).items():
        position = []
        for labels, label in ((table.index, row), (table.columns, col)):
            try:
                loc = labels.get_loc(label)
            except (KeyError, TypeError):
                break
            if not isinstance(loc, numbers.Integral):
                raise ValueError(f"Etiketten {label!r} finns flera gånger i tabellen.")
            position.append(int(loc))
        else:
            if position[1] not in count_cols:
                raise ValueError(f"Cellen {(row, col)!r} är ingen antalscell.")
            (held if hidden_there else known).append(tuple(position))
    return held, known


def _typed_counts(counts: pd.DataFrame, is_count: Sequence[bool]) -> pd.DataFrame:
    """Check the count columns and make them int64; share columns become float."""
    out = {}
    for j, col in enumerate(counts.columns):
        series = counts.iloc[:, j]
        if not is_count[j]:
            out[j] = pd.to_numeric(series, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
            continue
        if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
            raise ValueError(f"Kolumnen {col!r} innehåller inte antal.")
        numbers_ = series.to_numpy(dtype=float, na_value=np.nan)
        if np.isnan(numbers_).any():
            raise ValueError(f"Kolumnen {col!r} saknar antal på någon rad; ange 0 där det inte finns någon.")
        if (numbers_ < 0).any() or (numbers_ != np.round(numbers_)).any():
            raise ValueError(f"Kolumnen {col!r} innehåller annat än antal (negativa tal eller decimaler).")
        out[j] = numbers_.astype("int64")
    frame = pd.DataFrame({j: out[j] for j in range(len(is_count))}, index=counts.index)
    frame.columns = counts.columns
    return frame


def _with_label(index: pd.Index, label: str) -> pd.Index:
    """``index`` plus a total label (categories dropped, names kept)."""
    if isinstance(index, pd.MultiIndex):
        entry = (label,) + ("",) * (index.nlevels - 1)
        if entry in index:
            raise ValueError(f"Etiketten {label!r} finns redan i tabellen.")
        return pd.MultiIndex.from_tuples([*index.tolist(), entry], names=index.names)
    if label in index:
        raise ValueError(f"Etiketten {label!r} finns redan i tabellen.")
    return pd.Index([*index.tolist(), label], dtype=object, name=index.name)


def _add_margins(table: pd.DataFrame, label: str) -> tuple[pd.DataFrame, int | None, int | None]:
    """Add a total row and column (not for a single row or column)."""
    array = table.to_numpy(dtype="int64")
    index, columns = table.index, table.columns
    total_row = total_col = None
    if array.shape[1] >= 2:
        array = np.column_stack([array, array.sum(axis=1)])
        columns = _with_label(columns, label)
        total_col = array.shape[1] - 1
    if array.shape[0] >= 2:
        array = np.vstack([array, array.sum(axis=0)])
        index = _with_label(index, label)
        total_row = array.shape[0] - 1
    return pd.DataFrame(array, index=index, columns=columns), total_row, total_col


def _check_given_totals(
    table: pd.DataFrame, total_row: int | None, total_col: int | None, count_cols: Sequence[int]
) -> None:
    """Given totals must be the sums, or the equations would be false."""
    array = table.to_numpy(dtype=float, na_value=np.nan)[:, list(count_cols)]
    if total_col is not None:  # only for a table of counts alone: the last column
        if not np.array_equal(array[:, :-1].sum(axis=1), array[:, -1]):
            raise ValueError("Den sista kolumnen är inte summan av de övriga kolumnerna.")
    if total_row is not None:
        parts = np.delete(array, total_row, axis=0)
        if not np.array_equal(parts.sum(axis=0), array[total_row]):
            raise ValueError("Den sista raden är inte summan av de övriga raderna.")


# ---------------------------------------------------------------------------
# Key figures
# ---------------------------------------------------------------------------
