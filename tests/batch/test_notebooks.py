"""Every notebook in notebooks/ runs on a small sample, is committed clean and leaks nothing.

The notebooks are executed once per test session with papermill, in parallel
threads (absolute paths, no ``cwd=``: papermill would chdir the whole
process), on a two-förbund sample written to a temporary directory.
"""

from __future__ import annotations

import ast
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from finsam_analysis.synthetic.sample import write_sample

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]
EXPLORATION = [n for n in NAMES if n != "forbund_report"]

#: Personnummer-like: six digits, an optional - or +, four digits.
PNR = re.compile(r"\d{6}[-+]?\d{4}")
#: Embedded images and hex digests (sha256 of input files, git commits) are not text anyone reads
#: as a number; they are removed before the personnummer check.
NOT_TEXT = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+|(?<![0-9a-fA-F])[0-9a-f]{32,}(?![0-9a-fA-F])")


def _committed(name: str) -> dict:
    return json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))


def _execute(path: Path, out: Path, parameters: dict):
    import papermill as pm

    try:
        return pm.execute_notebook(
            str(path), str(out), parameters=parameters, kernel_name="python3", progress_bar=False,
            log_output=False, extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - reported by the tests below
        return exc


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{(name, kind): executed notebook or the exception}; kind "ok" or "wrong_forbund"."""
    data = tmp_path_factory.mktemp("notebooks") / "data"
    write_sample(data, n_forbund=2, years=(2024, 2025))
    out = tmp_path_factory.mktemp("notebooks_out")
    jobs = {(name, "ok"): {"data_dir": str(data)} for name in NAMES}
    jobs.update({(name, "wrong_forbund"): {"data_dir": str(data), "forbund_id": "finns_inte"} for name in EXPLORATION})
    with pytest.MonkeyPatch.context() as mp:
        # The kernels inherit the environment: a private pseudonym key, never the user's.
        mp.setenv("FINSAM_KEY_FILE", str(tmp_path_factory.mktemp("key") / "pseudonym.key"))
        mp.delenv("FINSAM_PSEUDONYM_KEY", raising=False)
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {
                job: pool.submit(_execute, NOTEBOOK_DIR / f"{job[0]}.ipynb", out / f"{job[0]}-{job[1]}.ipynb", params)
                for job, params in jobs.items()
            }
            return {job: f.result() for job, f in futures.items()}


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(str(output.get("text", "")))
            elif output.get("output_type") == "error":
                parts.append(str(output.get("evalue", "")) + "\n".join(output.get("traceback", [])))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def test_there_are_the_five_notebooks():
    assert set(NAMES) >= {"forbund_report", "deltagare", "resultat", "forsorjningsformer", "jamfor_forbund"}


@pytest.mark.parametrize("name", NAMES)
def test_first_cell_is_tagged_parameters_with_the_defaults(name):
    first = _committed(name)["cells"][0]
    assert first["cell_type"] == "code"
    assert "parameters" in first.get("metadata", {}).get("tags", [])
    tree = ast.parse("".join(first["source"]))
    values = {t.id: ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
              for t in node.targets}  # fmt: skip
    assert values["data_dir"] == "../data/sample"
    assert values["forbund_id"] == "skelleftea"
    assert values["period"] == "2025"
    if "min_cell" in values:
        assert values["min_cell"] == 5


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = _committed(name)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{name}: a cell has outputs"
            assert cell.get("execution_count") is None, f"{name}: a cell has an execution count"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", EXPLORATION)
def test_code_cells_only_call_the_library(name):
    """No computation in the notebooks: no functions, loops, comprehensions or data libraries."""
    for cell in _committed(name)["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        banned = (ast.FunctionDef, ast.Lambda, ast.For, ast.While, ast.ListComp, ast.DictComp, ast.GeneratorExp,
                  ast.BinOp, ast.Subscript)  # fmt: skip
        assert not [type(n).__name__ for n in ast.walk(tree) if isinstance(n, banned)], "".join(cell["source"])
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert module.startswith("finsam_analysis"), module


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_without_error(runs, name):
    result = runs[(name, "ok")]
    if isinstance(result, Exception):
        pytest.fail(f"{name}.ipynb failed: {type(result).__name__}: {str(result)[:2000]}")
    errors = [o for c in result.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert "SYNTETISKA DATA" in _outputs_text(result)  # the sample says it is synthetic


@pytest.mark.parametrize("name", EXPLORATION)
def test_second_cell_fails_fast_with_a_clear_message(runs, name):
    import papermill as pm

    result = runs[(name, "wrong_forbund")]
    assert isinstance(result, pm.PapermillExecutionError), result
    assert "Förbundet 'finns_inte' finns inte" in str(result.evalue)
    # Executed third: the parameters, papermill's injected parameters, then the committed second cell.
    assert result.exec_count == 3
    assert result.source.strip() == "".join(_committed(name)["cells"][1]["source"]).strip()


@pytest.mark.parametrize("name", NAMES)
def test_outputs_hold_no_personnummer(runs, name):
    result = runs[(name, "ok")]
    if isinstance(result, Exception):
        pytest.skip("the notebook did not run (reported above)")
    text = NOT_TEXT.sub(" ", _outputs_text(result))
    found = PNR.findall(text)
    assert not found, f"{name}: personnummerlika tal i utdata: {found[:3]}"


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_has_alt_text(runs, name):
    result = runs[(name, "ok")]
    if isinstance(result, Exception):
        pytest.skip("the notebook did not run (reported above)")
    images = re.findall(r"<img\b[^>]*>", _outputs_text(result))
    assert images
    assert all(re.search(r'\salt="[^"]{20,}"', img) for img in images)
