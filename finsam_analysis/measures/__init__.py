"""Measures: the statistics of docs/rapporter.md §2, before any disclosure control.

Pure functions on the canonical tables: the report's measures
(:mod:`.outcomes`), the key-figure dictionary (:mod:`.key_figures`), the
monthly flows and extra splits of the exploration notebooks (:mod:`.flows`) and
the outcome model (:mod:`.models`). Every number here is exact and private;
what may be shown is decided in :mod:`finsam_analysis.disclosure`.
"""
