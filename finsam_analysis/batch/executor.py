"""Execute a notebook inside this Python process: papermill's ``finsam`` engine.

Why
---
Running a report notebook the usual way starts a Jupyter kernel: a new Python
process that imports pandas, matplotlib and this package and reads the data
again, about 5 s before the first line of the report runs. For a batch of
dozens of förbund that start-up is most of the work (docs/performance.md).

The batch (:mod:`finsam_analysis.batch.pipeline`) therefore prepares one parent
process (imports done, dataset loaded, HTML templates compiled) and *forks*
it once per förbund; the child runs the notebook with this engine, in an
IPython shell inside itself, and exits. Each report thus starts from the same
clean state and nothing one report does (a variable, an rcParams change, a
monkeypatch) can reach another: the child's memory is its own copy and is
thrown away with it.

What the engine does
--------------------
It is a regular papermill engine (``papermill.execute_notebook(...,
engine_name="finsam")``): papermill injects the parameters, tracks cell
status and raises :class:`papermill.PapermillExecutionError` for a failing
cell exactly as with a kernel. Each code cell runs in an
:class:`IPython.core.interactiveshell.InteractiveShell`; its outputs become
ordinary nbformat outputs in the order they were produced: ``stream``
(stdout/stderr, consecutive writes merged), ``display_data`` (``display()``,
inline matplotlib figures), ``execute_result`` (the last expression) and
``error`` (plain traceback, no colour codes).

Limits: the notebook must be Python and must not need a kernel's messaging
(widgets, ``input()``); the shell is not a Jupyter kernel. The report
notebooks here only call the library and display HTML.
"""

from __future__ import annotations

import sys
from typing import Any

ENGINE_NAME = "finsam"


class _CellOutputs:
    """The outputs of one cell, in order."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, output_type: str, data: dict, metadata: dict | None, **extra) -> None:
        self.items.append({"output_type": output_type, "data": dict(data), "metadata": dict(metadata or {}), **extra})

    def clear(self) -> None:
        self.items.clear()


class _Stream:
    """A file-like stdout/stderr that records into the current cell's outputs."""

    encoding = "utf-8"

    def __init__(self, outputs: _CellOutputs, name: str) -> None:
        self._outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        self._outputs.stream(self.name, str(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _make_shell():
    """The process's IPython shell, configured for capture (created once)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            self.shell._finsam_outputs.rich("display_data", data, metadata)

        def clear_output(self, wait=False):
            self.shell._finsam_outputs.clear()

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            # the execution count is set by run_cell, which knows it for sure
            self.shell._finsam_outputs.rich("execute_result", format_dict, md_dict, execution_count=None)

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        displayhook_class = Type(Hook)
        display_pub_class = Type(Publisher)

        def enable_gui(self, gui=None):
            pass  # no event loop: figures go out through display() (inline backend)

        def _showtraceback(self, etype, evalue, stb):
            self._finsam_outputs.items.append(
                {
                    "output_type": "error",
                    "ename": getattr(etype, "__name__", str(etype)),
                    "evalue": str(evalue),
                    "traceback": list(stb),
                }
            )

    if InteractiveShell.initialized():
        existing = InteractiveShell.instance()
        if getattr(existing, "_finsam_outputs", None) is not None:
            return existing
        raise RuntimeError("Motorn finsam kan inte köras i en process som redan har ett IPython-skal (t.ex. i Jupyter).")
    config = Config()
    config.HistoryManager.enabled = False  # no sqlite file, no history thread
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    shell = Shell.instance(config=config)
    shell._finsam_outputs = _CellOutputs()
    return shell


def shell():
    """The capturing shell of this process; creating it also loads IPython."""
    return _make_shell()


def preload() -> None:
    """Import what the engine needs, without creating anything.

    The batch's parent calls this before forking, so children share the
    imports; the shell itself is made in each child (:func:`_ready_shell`),
    which leaves the parent's global state (pyplot backend, builtins) alone.
    """
    import IPython.core.interactiveshell  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401


_INLINE: list[bool] = []


def _ready_shell():
    """The shell, with matplotlib's inline backend on as in a Jupyter kernel."""
    sh = shell()
    if not _INLINE:
        sh.enable_matplotlib("inline")
        _INLINE.append(True)
    return sh


def run_cell(source: str):
    """Run ``source`` in the shell; returns ``(outputs, execution_count, ok)``."""
    sh = _ready_shell()
    outputs = _CellOutputs()
    sh._finsam_outputs = outputs
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream(outputs, "stdout"), _Stream(outputs, "stderr")
    try:
        result = sh.run_cell(source, store_history=True)
    finally:
        sys.stdout, sys.stderr = saved
    for item in outputs.items:
        if item["output_type"] == "execute_result":
            item["execution_count"] = result.execution_count
    return outputs.items, result.execution_count, bool(result.success)


def _engine_class():
    from nbformat import from_dict
    from papermill.engines import Engine

    class InProcessEngine(Engine):
        """papermill engine: every code cell runs in this process's IPython shell."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    items, count, ok = run_cell(cell.source)
                    cell.outputs = [from_dict(o) for o in items]
                    cell.execution_count = count
                    if not ok:
                        nb_man.cell_exception(cell, cell_index=index)
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)

    return InProcessEngine


def register() -> str:
    """Register the engine with papermill (idempotent); returns its name."""
    from papermill.engines import papermill_engines

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, _engine_class())
    return ENGINE_NAME
