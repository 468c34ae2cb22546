"""Disclosure control (röjandekontroll): the one rule, :func:`suppress`.

Every count of persons meant to be read by people is decided by
:func:`suppress`: a table (:mod:`finsam_analysis.disclosure.tables`), the
counts of persons of one period (:mod:`finsam_analysis.disclosure.published`),
the exploration notebooks' tables (:mod:`finsam_analysis.disclosure.cells`).
The counts a förbund publishes for many periods at once (participations
and their outcomes) are decided for all periods together by
:mod:`finsam_analysis.disclosure.family`, with the same rule
(docs/methods.md §5). What a reader can work out is computed in
:mod:`finsam_analysis.disclosure.audit`.

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

* **Counts of the data's quality** (``exempt``): shown whatever their size,
  known to a reader, never hidden: ``kon_okand``, the persons whose kön is
  missing in the förbund's file.

``min_cell = 1`` turns suppression off (internal use only). Hidden cells are
shown as :data:`SUPPRESSED` (``..``) with the footnote :func:`footnote`; in
the key-figures JSON a hidden value is ``null`` and its key is listed in
``"suppressed"`` (:func:`finsam_analysis.disclosure.published.key_figures`).

Public SCB figures (befolkning, riket) are not counts of our persons and are
never passed through here.

Decisions
---------
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
* The protection rule (docs/rapporter.md says "cannot be worked out"): a hidden
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
* Lines that put a value in more than two lines (tables linked to each
  other) make the bounds audit solve in whole numbers (mixed-integer
  programs), so it stays exact.
* Among several complements that would each do, the one that would not
  itself be the only unknown of another line is taken first; then as above.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence

import pandas as pd

from finsam_analysis.disclosure.audit import Line, bounded, derivable
from finsam_analysis.fmt import SUPPRESSED

__all__ = [
    "DEFAULT_MIN_CELL",
    "FOOTNOTE_TEMPLATE",
    "KEY_FIGURE_COUNTS",
    "KEY_FIGURE_LINES",
    "SUPPRESSED",
    "Cell",
    "footnote",
    "rules_text",
    "suppress",
]

#: Smallest count of persons shown unless the run says otherwise.
DEFAULT_MIN_CELL = 5


#: The footnote under every table with a hidden cell (docs/rapporter.md §3).
FOOTNOTE_TEMPLATE = "Uppgifter som bygger på färre än {min_cell} personer redovisas inte (..)"

#: Counts of persons in the key figures (docs/rapporter.md §5).
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
    exempt: Iterable[Hashable] = (),
) -> frozenset:
    """The keys to hide: primary, secondary and share suppression.

    Parameters
    ----------
    values : mapping
        Counts of persons by key. ``None`` (or NaN) is not published: an
        unknown to a reader, never reported as hidden. The order of the keys
        breaks ties, so the result is deterministic.
    lines : sequence of (total_key, part_keys)
        Additive constraints ``values[total] == sum(values[parts])`` that a
        reader can use; a total may be a part of another line.
    min_cell : int, default 5
        Counts ``1 .. min_cell - 1`` are hidden; ``min_cell = 1`` hides nothing.
    shares : mapping, optional
        ``share_key -> (numerator_key, denominator_key)``; the numerator may be
        None (a median over the denominator's persons). A share is hidden when
        its denominator is None or below ``min_cell``, or its numerator or
        denominator is hidden.
    hidden : iterable, optional
        Keys hidden by another publication of the same numbers: hidden here
        too and protected like small counts (even a zero, even with
        ``min_cell = 1``).
    known : iterable, optional
        Keys a reader knows from elsewhere: never complements, published for
        the checks. A small known count is hidden all the same.
    exempt : iterable, optional
        Keys shown whatever their size: counts of the data's quality
        (``kon_okand``; docs/methods.md §5.4). Known to a reader, never hidden.

    Returns
    -------
    frozenset
        Hidden keys of ``values`` and of ``shares``. Every hidden count that is
        not zero (or is ``hidden``) has at least two possible whole values
        given the published and known counts, ``lines`` and the bounds a
        reader knows, unless the known counts and the zeros alone give it away
        (see the module notes).

    Raises
    ------
    ValueError
        ``min_cell < 1``, a negative count, a key that is not in ``values``, a
        key both ``known`` and ``hidden``, or both ``exempt`` and ``hidden``.

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
    norm_lines = _checked_lines(lines, counts)
    share_map = _checked_shares(shares, counts)
    held, known_keys, free = _checked_roles(hidden, known, exempt, counts)
    if min_cell == 1 and not held:
        return frozenset()

    hidden_keys = {key for key, v in counts.items() if v is not None and 0 < v < min_cell and key not in free}
    hidden_keys |= {key for key in held if counts[key] is not None}
    _secondary(counts, norm_lines, hidden_keys, order, held, known_keys)
    return frozenset(hidden_keys | _hidden_shares(share_map, counts, hidden_keys, min_cell))


def _checked_roles(hidden, known, exempt, counts) -> tuple[set, set, set]:
    """The keys hidden elsewhere, known to a reader (the exempt included) and exempt."""
    held = _member_keys(hidden, counts, "dold")
    known_keys = _member_keys(known, counts, "känd")
    if both := held & known_keys:
        raise ValueError(f"Nycklarna {sorted(map(repr, both))} kan inte vara både dolda och kända.")
    free = _member_keys(exempt, counts, "undantagen")
    if both := free & held:
        raise ValueError(f"Nycklarna {sorted(map(repr, both))} kan inte vara både undantagna och dolda.")
    return held, known_keys | free, free


def _hidden_shares(share_map, counts, hidden_keys, min_cell: int) -> set:
    """A share is hidden when its denominator is unknown or small, or a part of it is hidden."""
    return {
        share_key
        for share_key, (num, den) in share_map.items()
        if counts[den] is None or counts[den] < min_cell or den in hidden_keys or num in hidden_keys
    }


def _checked_lines(lines, counts: Mapping[Hashable, object]) -> list[Line]:
    out: list[Line] = []
    for total, parts in lines:
        parts = tuple(parts)
        for key in (total, *parts):
            if key not in counts:
                raise ValueError(f"Nyckeln {key!r} i en summarad rad saknas bland värdena.")
        out.append((total, parts))
    return out


def _checked_shares(shares, counts: Mapping[Hashable, object]) -> dict:
    share_map = dict(shares or {})
    for share_key, (num, den) in share_map.items():
        if share_key in counts:
            raise ValueError(f"Andelen {share_key!r} har samma nyckel som ett antal.")
        for key in (num, den):
            if key is not None and key not in counts:
                raise ValueError(f"Andelen {share_key!r} bygger på {key!r}, som saknas bland värdena.")
        if den is None:
            raise ValueError(f"Andelen {share_key!r} saknar nämnare.")
    return share_map


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
    lines: Sequence[Line],
    hidden: set,
    order: Mapping[Hashable, int],
    held: frozenset = frozenset(),
    known: frozenset = frozenset(),
) -> None:
    """Add complements to ``hidden`` (in place) until nothing hidden is disclosed.

    ``held`` keys are protected even when zero; ``known`` keys are published
    for the equations and never complements. Each round first asks the rank
    test (:func:`derivable`, cheap); only when it finds nothing does the
    bounds audit (:func:`bounded`, linear programs) run, so the audit is the
    final check. Hiding more only widens what a reader must allow for, so a
    value once shown to have room keeps it: ``safe`` carries over between
    rounds and is not audited again.
    """
    if not lines:
        return
    safe: set = set()
    if known:
        pinned, given_away = _pinned(counts, lines, held, known, order)
        known = known | pinned
        safe |= given_away
    while True:
        unknown = (hidden | {key for key, v in counts.items() if v is None}) - known
        disclosed = derivable(counts, lines, hidden, unknown, order, held)
        if not disclosed:
            disclosed = bounded(counts, lines, hidden, unknown, order, held, safe)
        if not disclosed:
            return
        complement = _choose_complement(counts, lines, unknown, disclosed, order, known)
        if complement is None:
            # Every member of every line through an unknown is unknown or
            # known: what is still disclosed, the known values give away on
            # their own, and hiding more here changes nothing.
            return
        hidden.add(complement)


def _pinned(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[Line],
    held: frozenset,
    known: frozenset,
    order: Mapping[Hashable, int],
) -> tuple[set, set]:
    """Nonzero keys the known values and the zeros give away, whatever is hidden here.

    Zeros count as shown (hiding one is a last resort);
    everything else that is not known is taken as hidden. Returns the keys
    that the equations then determine (:func:`derivable`; a reader works them
    out, so they count as known) and, apart from those, the keys that the
    equations and the bounds pin (:func:`bounded`; the bounds audit leaves
    them alone, since hiding more here cannot help, but the rank test still
    protects them). A key held hidden is among them too: it stays hidden, but
    if the known values give it away (the pågående at a period's end are
    the next period's aktiva minus nya), protecting it here is hopeless and
    a reader counts on it.
    """
    free = {key for key, v in counts.items() if key not in known and (v != 0 or key in held)}
    worked_out = set(derivable(counts, lines, free, free, order, held))
    pinned = set(bounded(counts, lines, free, free, order, held)) - worked_out
    return worked_out, pinned


def _choose_complement(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[Line],
    unknown: set,
    disclosed: Sequence,
    order: Mapping[Hashable, int],
    known: frozenset = frozenset(),
) -> Hashable | None:
    """The next published value to hide, or None when none is left (``known`` never is)."""
    disclosed_set = set(disclosed)
    closed = unknown | known

    def members(line: Line) -> tuple:
        return (line[0], *line[1])

    def unknowns_of(line: Line) -> set:
        return {key for key in members(line) if key in unknown}

    # Lines where a disclosed value is the only unknown are why it is
    # disclosed; a complement there fixes it. Otherwise any line through a
    # disclosed value (where one that only the bounds give away starts: it
    # is never the only unknown of a line), then any line that touches
    # something unknown.
    direct = [line for line in lines if len(u := unknowns_of(line)) == 1 and u <= disclosed_set]
    through = [line for line in lines if unknowns_of(line) & disclosed_set]
    touching = [line for line in lines if unknowns_of(line)]
    pools = [direct, through, touching]
    links = {key: 0 for key in counts}
    exposed = {key: 0 for key in counts}
    for line in lines:
        holds = unknowns_of(line)
        for key in set(members(line)):
            if holds:
                links[key] += 1
            if not holds:
                exposed[key] += 1

    for pool in pools:
        candidates = {key for line in pool for key in members(line) if key not in closed and counts[key]}
        if candidates:
            # Fewest lines where it would be the only unknown (hiding it there
            # would need yet another complement), then most lines already
            # holding a hidden value (closes rectangles), then the smallest
            # value, then key order.
            return min(candidates, key=lambda key: (exposed[key], -links[key], counts[key], order[key]))
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


# ---------------------------------------------------------------------------
# Key figures
# ---------------------------------------------------------------------------
