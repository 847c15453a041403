"""What importing the chart kit and the story modules costs, against importing pandas and plotly.

A notebook's first cell imports the package; everything that import pulls in is paid by
every notebook of every build. The baseline is what any plotly notebook pays anyway:
``import pandas, plotly.graph_objects``. Each import runs in a fresh interpreter (the
import time is taken inside it, so interpreter start-up, which is the same for both, is
left out); baseline and ours alternate, one pair per round, and the ratio is the median of
the per-round ratios, which two runs seconds apart share the machine's load for.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from _common import PROJECT_ROOT, Row, seconds

CHARTS_TARGET = 1.5  # issue 12
BASELINE = "import pandas, plotly.graph_objects"
# Modules no chart or story import should pull in: the notebook and page machinery, and
# what nbformat drags along (jsonschema builds a grammar on import).
HEAVY = ("nbformat", "nbclient", "nbconvert", "jsonschema", "rfc3987_syntax", "jupytext", "jinja2",
         "IPython", "ipykernel", "kaleido", "frictionless", "papermill", "jupyter_client", "mistune")

_PROBE = """
import json, sys, time
exec(sys.argv[3])  # set-up, not timed
before = {m.split(".")[0] for m, module in sys.modules.items() if module is not None}
started = time.perf_counter()
exec(sys.argv[1])
elapsed = time.perf_counter() - started
heavy = set(json.loads(sys.argv[2])) - before  # None: a module kept from loading
loaded = {m.split(".")[0] for m, module in sys.modules.items() if module is not None}
print(json.dumps({"seconds": elapsed, "heavy": sorted(loaded & heavy)}))
"""


def import_once(statement: str, setup: str = "") -> tuple[float, list[str]]:
    """Seconds ``statement`` takes in a fresh interpreter after ``setup``, and which heavy modules
    (beyond those ``setup`` loaded) it pulled in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KREFELD_DATA_")}
    done = subprocess.run([sys.executable, "-c", _PROBE, statement, json.dumps(HEAVY), setup], env=env,
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{statement!r} failed in a fresh interpreter: {done.stderr[-800:]}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["seconds"], answer["heavy"]


def paired(statement: str, repeat: int, setup: str = "") -> tuple[float, float, list[float], list[str]]:
    """Best baseline, best ours, the per-round ratios, and the heavy modules ours loaded."""
    import_once(BASELINE, setup)  # warm-up: byte code and the page cache
    import_once(statement, setup)
    base, ours, ratios, heavy = [], [], [], []
    for _ in range(repeat):
        b, _unused = import_once(BASELINE, setup)
        o, heavy = import_once(statement, setup)
        base.append(b)
        ours.append(o)
        ratios.append(o / b)
    return min(base), min(ours), ratios, heavy


def _row(name: str, statement: str, repeat: int, target: float | None, setup: str = "",
         why: str = "") -> Row:
    base, ours, ratios, heavy = paired(statement, repeat, setup)
    ratio = statistics.median(ratios)
    loaded = f"loads {', '.join(heavy)}" if heavy else "loads none of the notebook machinery"
    first = f"after `{setup}` (not timed), " if setup else ""
    note = (f"{first}`{statement}`; fresh interpreter each, {len(ratios)} rounds, ratio per round "
            f"{min(ratios):.2f}-{max(ratios):.2f}x; {loaded}{why}")
    return Row(name, seconds(base), seconds(ours), ratio, f"<= {target:g}x" if target else "-",
               ratio <= target if target else None, note)


def run(repeat: int = 5) -> list[Row]:
    stories = "import krefeld_data.stories, " + ", ".join(
        f"krefeld_data.stories.{p.stem}" for p in sorted((PROJECT_ROOT / "src" / "krefeld_data" / "stories")
                                                         .glob("[a-z]*.py")))
    return [
        _row("import krefeld_data.charts vs import pandas, plotly.graph_objects",
             "import krefeld_data.charts", repeat, CHARTS_TARGET),
        _row("import krefeld_data.charts in a kernel vs import pandas, plotly.graph_objects there",
             "import krefeld_data.charts", repeat, None, setup="import ipykernel",
             why=" (in a kernel the kit makes its renderer plotly's default, and plotly's renderers "
                 "import nbformat and kaleido; jsonschema's IRI grammar is skipped)"),
        _row("import the story modules vs import pandas, plotly.graph_objects", stories, repeat, None),
        _row("import krefeld_data.datasets vs import pandas, plotly.graph_objects",
             "import krefeld_data.datasets", repeat, None),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
