"""SCB: helårsekvivalenter as SCB delivers them (docs/dataformat.md §10).

Reading the downloaded files (:mod:`.read`), fetching them through PxWebApi
2.0 (:mod:`.fetch`) and the förbund's series over its member kommuner month by
month (:mod:`.population`). Public figures: nothing here is suppressed.
"""
