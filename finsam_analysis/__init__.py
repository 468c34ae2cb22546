"""finsam_analysis — statistik och rapporter för samordningsförbund (Finsam).

Load a förbund's participant data into one canonical schema
(:func:`load_dataset`), validate it with nothing lost, and compute the
statistics a förbund publishes.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("finsam-analysis")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from .errors import FinsamError  # noqa: E402
from .loading import Dataset, load_dataset, read_participants  # noqa: E402
from .figures import key_figures, key_figures_all  # noqa: E402

__all__ = [
    "Dataset", "FinsamError", "__version__", "key_figures", "key_figures_all", "load_dataset", "read_participants",
]
