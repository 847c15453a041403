"""The library without the ``publish`` extra: ``read_table`` and ``fetch_table`` need no notebook stack.

Why: a reporter who only wants tidy frames should not install (or wait for the import of)
JupyterLab, kaleido and the notebook machinery. Each check runs in a fresh interpreter,
because this test process has long imported everything; the oracle is ``sys.modules`` there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from krefeld_data.errors import PUBLISH_MODULES, MissingExtra, require_extra

TINY = Path(__file__).parent / "recordings" / "genesis_tiny_ffcsv.csv"
# Top-level modules of the publish extra and the notebook world (IPython comes with ipykernel).
HEAVY = ("jupyterlab", "nbformat", "nbclient", "nbconvert", "kaleido", "jinja2", "IPython",
         "ipykernel", "jupyter_client", "jupytext", "papermill", "frictionless")


def loaded_in_fresh_interpreter(code: str) -> dict:
    probe = (
        "import json, sys\n"
        f"{code}\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps({'heavy': sorted({m.split('.')[0] for m in sys.modules} & set(heavy)), "
        "'result': result}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_read_table_on_bytes_imports_nothing_of_the_publish_extra() -> None:
    code = (
        "import krefeld_data\n"
        f"frame = krefeld_data.read_table(open({str(TINY)!r}, 'rb').read())\n"
        "result = [len(frame)]\n"
    )
    seen = loaded_in_fresh_interpreter(code)
    assert seen["heavy"] == []
    # the parse really ran: the recording holds two data rows of one measure
    rows = [line for line in TINY.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    assert seen["result"][0] == len(rows) == 2


def test_the_fetch_dispatcher_imports_nothing_of_the_publish_extra() -> None:
    seen = loaded_in_fresh_interpreter(
        "import krefeld_data.fetch.dispatch as d\nresult = callable(d.fetch_table)\n")
    assert seen == {"heavy": [], "result": True}


@pytest.mark.parametrize("verb", ["build", "demo"])
def test_a_verb_needing_the_publish_extra_says_how_to_install_it(verb: str, tmp_path: Path) -> None:
    # ``sys.modules[name] = None`` is Python's own way to make a module unimportable.
    code = (
        "import sys\n"
        "sys.modules['nbclient'] = None\n"
        "from krefeld_data.cli import main\n"
        f"sys.exit(main([{verb!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)  # the demo's sample data lands here, not in the checkout
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one line, no traceback
    assert lines[0].startswith(f"krefeld-data {verb}: ")
    assert 'pip install "krefeld-data[publish]"' in lines[0]
    assert "nbclient" in lines[0]


def test_require_extra_names_every_missing_module_and_passes_when_all_are_there() -> None:
    require_extra("publish", PUBLISH_MODULES)  # this venv has the extra installed
    with pytest.raises(MissingExtra, match=r"no_such_module_a, no_such_module_b not installed"):
        require_extra("publish", ["json", "no_such_module_a", "no_such_module_b"])


def test_new_story_without_jupytext_says_how_to_install_it_and_writes_nothing(tmp_path: Path) -> None:
    from krefeld_data.samples import install_samples

    install_samples()  # into the test's own data folder: the table the scaffold reads is there
    code = (
        "import sys\n"
        "sys.modules['jupytext'] = None\n"
        "from krefeld_data.cli import main\n"
        "sys.exit(main(['new-story', 'mieten', '--table', '12411-01-01-4']))\n"
    )
    project = tmp_path / "newsroom"
    project.mkdir()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=project)
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert lines == ['krefeld-data new-story: this needs the optional \'publish\' part (jupytext not '
                     'installed): pip install "krefeld-data[publish]"'], done.stderr
    assert not (project / "notebooks").exists()
