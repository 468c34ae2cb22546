"""Writing files so that a reader never sees half of one, and zips with stable bytes.

Every output of the package (reports, workbooks, manifests, fetched SCB
files, the sample data) is written through :func:`atomic_write` or
:func:`replacing`: into a temporary file beside the target, flushed to disk,
then moved over the target with :func:`os.replace`. A reader (or a run that
is interrupted) sees the old file or the new one, never a part. On an error
the temporary file is removed and an earlier file is left as it was.

:class:`FixedTimeZip` writes a zip (an .xlsx is one) whose members all carry
one given time, so the same content gives the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zipfile import ZipFile, ZipInfo


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once at import: os.umask can only be read by setting it, which is not thread-safe.
_UMASK = _current_umask()


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path``; moved over ``path`` when the block succeeds.

    The block writes the temporary file (it exists, empty); on leaving the
    block without an error it is synced, given ordinary permissions (the
    umask applies; :func:`tempfile.mkstemp` creates 0600) and moved into
    place. On an error it is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` so a reader sees the old file or the new one."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path) as tmp:
        tmp.write_bytes(raw)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make the renames inside ``directory`` durable (where the system allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class FixedTimeZip(ZipFile):
    """A zip whose members all carry ``date_time`` and mode 0644 (reproducible bytes).

    Parameters
    ----------
    file, mode, compression, **kwargs
        As for :class:`zipfile.ZipFile`.
    date_time : tuple
        ``(year, month, day, hour, minute, second)``, at least 1980-01-01.
    """

    def __init__(self, *args, date_time: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_time = date_time

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo = ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo.compress_type = self.compression
            zinfo.external_attr = 0o644 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes worksheets from temporary files; their mtime would vary.
        with open(filename, "rb") as fh:
            data = fh.read()
        self.writestr(arcname or os.path.basename(filename), data, compress_type, compresslevel)
