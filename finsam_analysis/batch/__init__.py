"""Batch: many reports in one run, the notebook's execution, and PDF.

:func:`.pipeline.run_reports` validates the run up front, renders the
parameterised notebook once per förbund (in forked, prepared workers by
default, :mod:`.executor`), keeps going past a failing förbund and writes the
index and ``manifest.json`` (docs/rapporter.md §5).
"""
