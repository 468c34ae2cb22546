"""Disclosure control (röjandekontroll): every decision about what may be shown.

The one rule (:mod:`.rules`, :func:`~.rules.suppress`), what a reader can work
out (:mod:`.audit`), tables with margins (:mod:`.tables`), all periods of a
förbund's year protected together (:mod:`.family`, :mod:`.forbund`), the
published key figures (:mod:`.published`) and the exploration notebooks'
tables (:mod:`.cells`). See docs/methods.md §5.
"""
