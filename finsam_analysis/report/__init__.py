"""The report layer: tables, charts, HTML, Excel, and the helpers of the exploration notebooks.

The report notebook calls :func:`open_report` (re-exported here, its one entry point).
"""

from finsam_analysis.report.html import open_report

__all__ = ["open_report"]
