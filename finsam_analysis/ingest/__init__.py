"""Ingest: a förbund's own files to the canonical tables (docs/dataformat.md).

Reading (:mod:`.readers`: CSV and Excel to strings, row numbers kept), the
förbund's own headers and labels (:mod:`.mapping`), typing and the rules that
reject a row (:mod:`.validation`), personnummer to pseudonyms
(:mod:`.personnummer`), and the loaded dataset with what it covers
(:mod:`.dataset`, :mod:`.coverage`). Nothing here knows a measure or a report.
"""
