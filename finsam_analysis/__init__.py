"""finsam_analysis — statistik och rapporter för samordningsförbund (Finsam).

Load a förbund's participant data into one canonical schema
(:func:`load_dataset`), validate it with nothing lost, and compute the
statistics a förbund publishes. The subpackages are the architecture
(docs/architecture.md): ``ingest`` → ``measures`` → ``disclosure`` →
``report`` → ``batch``, with ``scb`` and ``synthetic`` beside them.
"""

from finsam_analysis.errors import FinsamError
from finsam_analysis.ingest.dataset import Dataset, load_dataset, read_participants
from finsam_analysis.disclosure.published import key_figures, key_figures_all
from finsam_analysis.version import __version__

__all__ = [
    "Dataset", "FinsamError", "__version__", "key_figures", "key_figures_all", "load_dataset", "read_participants",
]
