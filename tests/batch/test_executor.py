"""papermill's in-process engine ``finsam`` (finsam_analysis.batch.executor).

Each test runs in a fresh Python process: the engine makes an IPython shell
and turns on the inline backend, which must not touch the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import nbformat


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def execute(tmp_path, sources: list[str], parameters: dict | None = None) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(s) if not s.startswith("#md ") else nbformat.v4.new_markdown_cell(s[4:])
              for s in sources]
    nb = nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    run_python(f"""
        import papermill as pm
        from finsam_analysis.batch.executor import register
        try:
            pm.execute_notebook({str(src)!r}, {str(out)!r}, parameters={parameters or {}!r},
                                engine_name=register(), progress_bar=False)
        except pm.PapermillExecutionError as exc:
            print("ERROR", exc.ename, exc.evalue)
    """)
    return nbformat.read(out, as_version=4)


def outputs(nb, index):
    return [dict(o) for o in nb.cells[index].outputs]


def test_outputs_in_order_and_valid(tmp_path):
    nb = execute(tmp_path, [
        "print('a'); print('b')\nimport sys; print('fel', file=sys.stderr)\nprint('c')",
        "from IPython.display import HTML, display\ndisplay(HTML('<b>x</b>'))\nprint('efter')\n1 + x",
        "#md ## Rubrik",
        "",
    ], parameters={"x": 41})
    nbformat.validate(nb)  # a valid notebook, as a kernel would leave it
    # cell 0 parameters, 1 injected parameters, then ours
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4, None]
    assert outputs(nb, 2) == [
        {"output_type": "stream", "name": "stdout", "text": "a\nb\n"},
        {"output_type": "stream", "name": "stderr", "text": "fel\n"},
        {"output_type": "stream", "name": "stdout", "text": "c\n"},
    ]
    out = outputs(nb, 3)
    assert [o["output_type"] for o in out] == ["display_data", "stream", "execute_result"]
    assert out[0]["data"]["text/html"] == "<b>x</b>"
    assert out[2]["data"] == {"text/plain": "42"} and out[2]["execution_count"] == 4
    assert not nb.metadata.papermill.get("exception")


def test_an_error_stops_the_notebook_like_a_kernel(tmp_path):
    nb = execute(tmp_path, ["y = 1", "print('före')\n1 / 0", "print('aldrig')"])
    nbformat.validate(nb)
    # papermill puts a banner cell first when a cell fails, as with a kernel
    failing = next(c for c in nb.cells if c.get("outputs") and any(o.output_type == "error" for o in c.outputs))
    error = next(o for o in failing.outputs if o.output_type == "error")
    assert error.ename == "ZeroDivisionError" and error.evalue == "division by zero"
    assert "\x1b[" not in "".join(error.traceback)  # plain text, no colour codes
    assert failing.outputs[0]["text"] == "före\n"
    last = nb.cells[-1]
    assert last.source == "print('aldrig')" and last.outputs == [] and last.execution_count is None


def test_pyplot_figures_show_inline(tmp_path):
    nb = execute(tmp_path, ["import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.title('t');"])
    (fig,) = [o for o in outputs(nb, -1) if o["output_type"] == "display_data"]
    assert "image/png" in fig["data"]


def test_engine_is_refused_inside_another_ipython(tmp_path):
    out = run_python("""
        from IPython.core.interactiveshell import InteractiveShell
        InteractiveShell.instance()
        from finsam_analysis.batch import executor
        try:
            executor.shell()
        except RuntimeError as exc:
            print("refused:", exc)
    """)
    assert out.startswith("refused: Motorn finsam kan inte köras")
