"""The förbund's own age groups: a run option beside the fixed åldersgrupper.

The report's fixed groups (``<16``, ``16-24``, ``25-29``, ``30-39``,
``40-49``, ``50+``; docs/rapporter.md §2) are the same for every förbund.
Many förbund also report groups of their own, such as *unga 16–29* or
*55–64*. Given as ``--aldersgrupper 16-29,55-64`` (or ``aldersgrupper`` in
the report notebook), they get their own rows beside the fixed tables
(Deltagare and Resultat vid avslut).

Such a group overlaps the fixed ones (55–64 lies inside 50+), so a reader
could subtract one from the other. Disclosure control therefore decides the
fixed and the own groups together (docs/methods.md §5.6): the ages are cut
into the pieces that the fixed and the own groups share, and every piece a
reader can work out obeys the same rule as a published count. The choice
changes what may be shown, so every output of a year (the report, the
delårsrapport, the key-figures JSON) must be made with the same groups; a run
writes them in its manifest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from finsam_analysis.errors import FinsamError

__all__ = ["label", "parse_aldersgrupper"]

#: The widest range accepted: ages at start in whole years.
MIN_AGE, MAX_AGE = 0, 120
_RANGE = re.compile(r"^\s*(\d{1,3})\s*[-–—]\s*(\d{1,3})\s*(?:år)?\s*$")


def parse_aldersgrupper(value: str | Iterable | None) -> tuple[tuple[int, int], ...]:
    """The own age groups of a run as ``((first, last), ...)``, in the order given.

    Parameters
    ----------
    value : str, iterable or None
        ``"16-29,55-64"`` (``;``, ``,`` or spaces between, en dash allowed,
        both ages included), a sequence of such texts or of ``(first, last)``
        pairs, or None / ``""`` for none.

    Raises
    ------
    FinsamError
        A group that is not ``first-last`` with ``0 <= first <= last <= 120``,
        or the same group twice.

    Examples
    --------
    >>> parse_aldersgrupper("16-29, 55–64")
    ((16, 29), (55, 64))
    >>> parse_aldersgrupper(None)
    ()
    """
    if value is None:
        return ()
    parts = re.split(r"[;,]|\s+(?=\d)", value) if isinstance(value, str) else list(value)
    groups: list[tuple[int, int]] = []
    for part in parts:
        if isinstance(part, str) and not part.strip():
            continue
        group = _one(part)
        if group in groups:
            raise FinsamError(f"Åldersgruppen {label(group)} är angiven två gånger.")
        groups.append(group)
    return tuple(groups)


def _one(part) -> tuple[int, int]:
    if isinstance(part, str):
        m = _RANGE.match(part)
        if not m:
            raise FinsamError(
                f"Åldersgruppen {part.strip()!r} går inte att läsa. Ange den som första-sista ålder, t.ex. 16-29."
            )
        first, last = int(m.group(1)), int(m.group(2))
    else:
        first, last = (int(x) for x in part)
    if not MIN_AGE <= first <= last <= MAX_AGE:
        raise FinsamError(
            f"Åldersgruppen {first}-{last} är inte giltig: första åldern ska vara högst den sista, "
            f"båda mellan {MIN_AGE} och {MAX_AGE}."
        )
    return first, last


def label(group: tuple[int, int]) -> str:
    """The group as the report writes it: ``"16–29 år"``."""
    return f"{group[0]}–{group[1]} år"


def as_text(groups: Iterable[tuple[int, int]]) -> str:
    """The groups as the option is written: ``"16-29,55-64"`` (manifest, parameters)."""
    return ",".join(f"{a}-{b}" for a, b in groups)
