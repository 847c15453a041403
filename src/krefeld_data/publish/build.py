"""``krefeld-data build``: run the story notebooks and export them as reader pages.

First the clean stage writes the processed datasets the stories show (:mod:`krefeld_data.datasets.registry`,
each only when its inputs changed) and copies them beside the pages for readers to download.
Only what changed is rebuilt. A story's inputs are hashed (notebook text, the raw snapshots of
its tables, its processed datasets, the package version and source); when the hash matches
the one in ``reports/.build-cache.json`` and the page exists, the notebook is not run again.
A story whose required data is missing fails the build with the next step, or with ``--partial``
is listed on the index as not built. A page is replaced only by a complete new page.

``--city``/``--compare``/``--context`` reach each notebook as papermill does it: an
``injected-parameters`` cell after the tagged ``parameters`` cell, holding only the names that
cell defines. Pages for other cities go to ``reports/<city>/``; the parameters are part of the
build key.

Speed: the notebooks run in a small pool of kernels (one per core), started while the clean
stage works and warmed with the imports every story needs; each kernel then runs several
notebooks, its namespace reset in between (``%reset -f``), so start-up and imports are paid
once per core, not once per notebook.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from krefeld_data import __version__, config
from krefeld_data.catalog import SOURCE_TABLES, STORIES, Story
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.guidance import how_to_get, index_message
from krefeld_data.raw.store import RawStore
from krefeld_data.regions.resolve import CityParameters
from krefeld_data.util.atomic import write_text_atomically
from krefeld_data.util.fingerprint import key_of, package_fingerprint, sha256_bytes
from krefeld_data.util.imports import skip_iri_grammar

CACHE_NAME = ".build-cache.json"
CACHE_VERSION = 1
DEFAULT_TIMEOUT = 900  # seconds per cell
NOT_BUILT_YET = "noch nicht gebaut: `krefeld-data build`"
KERNEL_NAME = "python3"  # jupyter_client starts it with this interpreter (sys.executable)
KERNEL_HIDDEN = frozenset({"DATAWRAPPER_ACCESS_TOKEN"})  # publishing credentials: never in a kernel
# What every story notebook imports anyway: paid once per kernel, while the clean stage runs.
WARM_UP = """\
import IPython.display
import pandas
import plotly.graph_objects
try:
    import krefeld_data.charts
    import krefeld_data.datasets
except Exception:  # a broken import shows in the notebook that needs it, with its message
    pass
"""
# Run before each notebook in a reused kernel: a fresh namespace, its folder, its record file.
RESET = """\
get_ipython().run_line_magic("reset", "-f")
import sys as _kd_sys
if "krefeld_data.charts" in _kd_sys.modules:  # pandas options, plotly defaults, focus city
    _kd_sys.modules["krefeld_data.charts"].restore_defaults()
del _kd_sys
import os as _kd_os
_kd_os.chdir({cwd!r})
_kd_os.environ[{env!r}] = {record!r}
del _kd_os
"""


class NotebookFailed(KrefeldDataError):
    """A story notebook raised an error; its old page, if any, is left as it was."""


@dataclass
class StoryResult:
    slug: str
    title: str
    status: str  # built, unchanged, skipped
    message: str = ""
    seconds: float = 0.0
    sample: bool = False
    missing: tuple[str, ...] = ()  # tables not in the store (status skipped)


@dataclass
class BuildSummary:
    reports_dir: Path
    results: list[StoryResult] = field(default_factory=list)
    seconds: float = 0.0
    clean: Any = None  # datasets.CleanSummary of the clean stage

    @property
    def index(self) -> Path:
        return self.reports_dir / "index.html"

    def slugs(self, status: str) -> list[str]:
        return [r.slug for r in self.results if r.status == status]

    def __str__(self) -> str:
        counts = {s: len(self.slugs(s)) for s in ("built", "unchanged", "skipped")}
        text = (f"{counts['built']} built, {counts['unchanged']} unchanged, {counts['skipped']} not built "
                f"(missing data) in {self.seconds:.1f} s")
        return text


# ---------------------------------------------------------------- what a story needs

def missing_tables(story: Story, store: RawStore) -> list[str]:
    """The tables the story cannot be built without that are not stored (optional ones aside)."""
    return story.missing_required(lambda code: store.latest(code) is not None)



def _missing_message(story: Story, missing: list[str]) -> str:
    groups = [tuple(e) for e in story.required_tables if not isinstance(e, str) and set(e) <= set(missing)]
    if groups and len(missing) == len(groups[0]) and len(missing) > 1:
        tables = " or ".join(missing)
        return (f"story {story.slug}: needs table {tables}, and none of them is in the raw store; "
                f"{how_to_get(missing[:1])}")
    tables = ", ".join(missing)
    noun = "table" if len(missing) == 1 else "tables"
    verb = "is" if len(missing) == 1 else "are"
    return f"story {story.slug}: {noun} {tables} {verb} not in the raw store; {how_to_get(missing)}"


# ---------------------------------------------------------------- content hashes



def story_key(story: Story, notebook: Path, store: RawStore, processed: dict[str, str],
              parameters: dict[str, Any] | None = None) -> str:
    """``processed``: content hash of each of the story's dataset files (datasets.story_datasets_key);
    ``parameters``: the values injected into the notebook (none for the default cities)."""
    # Every snapshot counts, not only the latest: stories splice all stored copies of a
    # series, so importing an older publication changes the page too.
    snapshots = {
        code: [[s.provenance.source, s.provenance.sha256, s.provenance.origin]
               for s in store.snapshots(code)]
        for code in story.all_tables
    }
    facts = notebook.parent / story.facts if story.facts else None
    parts = {
        "notebook": sha256_bytes(notebook.read_bytes()),
        "tables": snapshots,
        "processed": processed,
        "version": __version__,
        "code": package_fingerprint(),
        "python": list(sys.version_info[:2]),
        "title": story.title,
        "parameters": parameters or {},
        "facts": sha256_bytes(facts.read_bytes()) if facts and facts.is_file() else "",
    }
    return key_of(parts)


def load_cache(reports: Path) -> dict[str, Any]:
    path = reports / CACHE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {"version": CACHE_VERSION, "stories": {}, "processed_files": {}}
    if data.get("version") != CACHE_VERSION:
        return {"version": CACHE_VERSION, "stories": {}, "processed_files": {}}
    data.setdefault("stories", {})
    data.setdefault("processed_files", {})
    return data


# ---------------------------------------------------------------- running a notebook

def kernel_environment(record: Path) -> dict[str, str]:
    """The kernel's environment: our paths, and no credentials.

    Notebooks read processed datasets and never fetch, so they get neither the credential
    variables nor the user config file that may hold them.
    """
    from krefeld_data.charts.display import RECORD_ENV
    from krefeld_data.publish.pages import SECRET_SUFFIXES

    env = {
        name: value for name, value in os.environ.items()
        if not (name.startswith("KREFELD_DATA_") and name.endswith(SECRET_SUFFIXES))
        and name not in KERNEL_HIDDEN
    }
    env[config.DATA_DIR_ENV] = str(config.data_dir())
    env[config.REPORTS_DIR_ENV] = str(config.reports_dir())
    env[config.CONFIG_ENV] = os.devnull  # not a file: the kernel reads no user config
    env[RECORD_ENV] = str(record)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silences a debugger warning on stderr
    return env


def read_notebook(path: Path):
    """The notebook from its jupytext ``.py`` twin (the reviewed text), else the ``.ipynb``."""
    import jupytext
    import nbformat

    if not path.is_file():
        raise MissingDataError(f"notebook {path.name} not found in {path.parent}")
    if path.suffix == ".ipynb":
        return nbformat.read(str(path), as_version=4)
    return jupytext.read(str(path))


def parameter_names(nb) -> set[str]:
    """The names the notebook's tagged ``parameters`` cell assigns (empty without such a cell)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                return set()
            names: set[str] = set()
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else (
                    [node.target] if isinstance(node, ast.AnnAssign) else [])
                names.update(t.id for t in targets if isinstance(t, ast.Name))
            return names
    return set()


def notebook_parameters(nb, values: dict[str, Any] | None) -> dict[str, Any]:
    """The subset of ``values`` this notebook's parameters cell defines."""
    if not values:
        return {}
    names = parameter_names(nb)
    return {name: value for name, value in values.items() if name in names}


def inject_parameters(nb, values: dict[str, Any]):
    """papermill's convention: an ``injected-parameters`` cell after the ``parameters`` cell."""
    if not values:
        return nb
    from papermill.parameterize import parameterize_notebook

    nb.metadata.setdefault("papermill", {})
    for cell in nb.cells:  # papermill reads ``metadata.tags`` of every cell
        cell.metadata.setdefault("tags", [])
    return parameterize_notebook(nb, values, kernel_name=KERNEL_NAME, language="python")


def _first_error(nb) -> tuple[int, str]:
    for index, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    return 0, ""


class KernelPool:
    """Kernels started once per build, warmed with the common imports, reused between notebooks.

    The pool runs its own event loop in a thread, so kernels start while the build process
    writes the datasets. A kernel that timed out or died is shut down and replaced.
    """

    def __init__(self, size: int, *, timeout: int = DEFAULT_TIMEOUT) -> None:
        self.maximum = self.size = max(1, size)
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="krefeld-kernels", daemon=True)
        self._thread.start()
        self._idle: asyncio.Queue | None = None
        self._all: list[Any] = []
        self._started = False

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def limit(self, count: int) -> None:
        """As many kernels as there are notebooks to run, up to the maximum; once started, the
        pool only grows (a kernel that is starting is not thrown away)."""
        wanted = max(1, min(self.maximum, count))
        if not self._started:
            self.size = wanted
        elif wanted > self.size:
            self.size = wanted
            asyncio.run_coroutine_threadsafe(self._fill(), self.loop).result()

    def start(self) -> None:
        """Begin starting the kernels in the background (returns at once)."""
        if not self._started:
            self._started = True
            asyncio.run_coroutine_threadsafe(self._fill(), self.loop)

    async def _fill(self) -> None:
        if self._idle is None:
            self._idle = asyncio.Queue()
        for _ in range(self.size - len(self._all)):
            task = asyncio.ensure_future(self._new_kernel())
            self._all.append(task)

    async def _new_kernel(self):
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
        from nbformat.v4 import new_code_cell, new_notebook

        with tempfile.TemporaryDirectory(prefix="krefeld-kernel-") as tmp:
            env = kernel_environment(Path(tmp) / "warm-up.jsonl")
        km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        await km.start_kernel(env=env, stderr=subprocess.DEVNULL)
        warm = new_notebook(cells=[new_code_cell(WARM_UP)])
        warm.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
        client = NotebookClient(warm, km=km, timeout=self.timeout, allow_errors=True)
        try:
            await client.async_execute()
        finally:
            await _stop_channels(client)
        await self._idle.put(km)
        return km

    async def acquire(self):
        if not self._started:
            self._started = True
            await self._fill()
        return await self._idle.get()

    async def release(self, km, healthy: bool) -> None:
        if healthy:
            await self._idle.put(km)
            return
        await _shutdown(km)
        self._all.append(asyncio.ensure_future(self._new_kernel()))

    async def _close(self) -> None:
        kernels = []
        for task in self._all:
            try:
                kernels.append(await task)
            except Exception:  # a kernel that never started has nothing to shut down
                continue
        await asyncio.gather(*(_shutdown(km) for km in kernels), return_exceptions=True)

    def close(self) -> None:
        try:
            self.run(self._close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            self.loop.close()


async def _stop_channels(client) -> None:
    if getattr(client, "kc", None) is not None:
        result = client.kc.stop_channels()
        if inspect.isawaitable(result):
            await result
        client.kc = None


async def _shutdown(km) -> None:
    try:
        if await km.is_alive():
            await km.shutdown_kernel(now=True)
    except RuntimeError:
        pass
    finally:
        result = km.cleanup_resources()
        if inspect.isawaitable(result):
            await result


async def execute_notebook_async(path: Path, record: Path, pool: KernelPool, *,
                                 parameters: dict[str, Any] | None = None,
                                 timeout: int = DEFAULT_TIMEOUT):
    """Run every cell in a kernel of the pool, with the notebook's folder as working directory.

    ``parameters`` are injected after the tagged ``parameters`` cell (only the names it defines).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_code_cell

    from krefeld_data.charts.display import RECORD_ENV
    from krefeld_data.publish.pages import scrub

    nb = read_notebook(path)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nb = inject_parameters(nb, notebook_parameters(nb, parameters))
    reset = new_code_cell(RESET.format(cwd=str(path.parent), env=RECORD_ENV, record=str(record)))
    nb.cells.insert(0, reset)
    km = await pool.acquire()
    healthy = True
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        await client.async_execute()
    except CellExecutionError as exc:
        nb.cells.remove(reset)
        cell, message = _first_error(nb)
        message = message or f"{exc.ename}: {exc.evalue}"
        raise NotebookFailed(scrub(
            f"notebook {path.name} failed in cell {cell}: {message}",
            paths=[path.parent, config.data_dir()],
        )) from None
    except (CellTimeoutError, TimeoutError):
        healthy = False
        raise NotebookFailed(f"notebook {path.name} took longer than {timeout} s in one cell") from None
    except DeadKernelError:
        healthy = False
        raise NotebookFailed(f"notebook {path.name}: the Python kernel died (out of memory?)") from None
    finally:
        await _stop_channels(client)
        await pool.release(km, healthy)
    if reset in nb.cells:
        nb.cells.remove(reset)
    return nb


def _clean_outputs(nb) -> None:
    """Readers see results only: no stderr (warnings, progress bars), no tracebacks.

    Authors can hide more with cell tags: ``remove_cell`` drops a cell, ``remove_output``
    its output (e.g. a check that prints a long table while writing).
    """
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove_cell" in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = [] if "remove_output" in tags else [
                o for o in cell.get("outputs", [])
                if o.get("output_type") != "error"
                and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
        kept.append(cell)
    nb.cells = kept


def notebook_body(nb) -> str:
    """The notebook as HTML without code: markdown and outputs only (nbconvert, basic template)."""
    from nbconvert import HTMLExporter

    _clean_outputs(nb)
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True,
        exclude_output_prompt=True, exclude_raw=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def _read_records(record: Path) -> list[dict[str, Any]]:
    if not record.is_file():
        return []
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_story_page(story: Story, nb, records: list[dict[str, Any]], reports: Path, store: RawStore,
                     notebooks: Path, downloads: Sequence[dict[str, str]] = ()) -> bool:
    """Export an executed notebook as the story's page; returns whether it shows sample data."""
    from krefeld_data.publish.pages import german_timestamp, methodology, render_story_page, scrub

    provenance = [
        s.provenance.to_dict()
        for code in story.all_tables
        if (s := store.latest(code))
    ]
    descriptions = {code: t.description for code, t in SOURCE_TABLES.items()}
    method = methodology(provenance, records, descriptions)
    sample = method.sample or any(r.get("sample") for r in records)
    page = render_story_page(
        title=story.title, body=notebook_body(nb), method=method, sample=sample,
        built_at=german_timestamp(), downloads=downloads,
    )
    page = scrub(page, paths=[config.data_dir(), reports, notebooks, config.PROJECT_ROOT])
    write_text_atomically(reports / f"{story.slug}.html", page)
    return sample


async def _run_one(story: Story, notebook: Path, parameters: dict[str, Any], pool: KernelPool,
                   finished) -> BaseException | None:
    """Run one notebook in a kernel of the pool; ``finished(story, nb, records, seconds)`` writes
    its page (in a thread, so the kernels' messages keep flowing). Returns the failure, if any."""
    with tempfile.TemporaryDirectory(prefix="krefeld-build-") as tmp:
        record = Path(tmp) / "charts.jsonl"
        try:
            nb = await execute_notebook_async(notebook, record, pool, parameters=parameters)
        except KrefeldDataError as exc:
            return exc
        records = _read_records(record)
    try:
        await asyncio.to_thread(finished, story, nb, records, _run_seconds(nb))
    except KrefeldDataError as exc:
        return exc
    return None


def _preload_exporter() -> None:
    from nbconvert import HTMLExporter

    import krefeld_data.publish.pages  # noqa: F401  (jinja2 and the page templates)

    HTMLExporter(template_name="basic")


def _run_seconds(nb) -> float:
    """Seconds the notebook's cells ran (from nbclient's execution timestamps); 0 if unknown."""
    from datetime import datetime

    stamps = [
        cell.get("metadata", {}).get("execution", {})
        for cell in nb.cells if cell.cell_type == "code"
    ]
    try:
        first = min(datetime.fromisoformat(s["iopub.execute_input"].replace("Z", "+00:00"))
                    for s in stamps if "iopub.execute_input" in s)
        last = max(datetime.fromisoformat(s["shell.execute_reply"].replace("Z", "+00:00"))
                   for s in stamps if "shell.execute_reply" in s)
    except ValueError:
        return 0.0
    return max(0.0, (last - first).total_seconds())


# ---------------------------------------------------------------- the build

def _progress(enabled: bool, text: str) -> None:
    if enabled and not os.environ.get("TQDM_DISABLE"):
        print(text, file=sys.stderr, flush=True)


def story_datasets(story: Story) -> list[Any]:
    """The processed datasets the story's page shows (registry order)."""
    from krefeld_data.datasets.registry import datasets_for

    return datasets_for([story.slug])


def build_reports(
    stories: Sequence[Story] | None = None,
    *,
    notebooks_dir: Path | None = None,
    reports_dir: Path | None = None,
    force: bool = False,
    partial: bool = False,
    store: RawStore | None = None,
    index_stories: Sequence[Story] | None = None,
    progress: bool = True,
    jobs: int | None = None,
    parameters: CityParameters | None = None,
) -> BuildSummary:
    """Build the pages of ``stories`` (default: all) and the index; returns what happened.

    Without ``partial``, a story whose required tables are missing stops the build before any
    notebook runs; with it, the story is listed on the index with the next step.
    Up to ``jobs`` notebooks run at once (default: one per CPU, at most 4), each kernel reused.
    ``parameters`` (other cities than the column's) are injected into the notebooks, and the
    pages go to ``<reports>/<city>/``.
    """

    started = time.perf_counter()
    skip_iri_grammar()
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    stories = list(stories) if stories is not None else list(STORIES)
    index_stories = list(index_stories) if index_stories is not None else stories
    notebooks = Path(notebooks_dir) if notebooks_dir else config.notebooks_dir()
    reports = Path(reports_dir) if reports_dir else config.reports_dir()
    values: dict[str, Any] = {}
    if parameters is not None and not parameters.is_default:
        reports = reports / parameters.slug
        values = parameters.notebook_values()
    store = store or RawStore()
    reports.mkdir(parents=True, exist_ok=True)
    summary = BuildSummary(reports)

    missing = {s.slug: missing_tables(s, store) for s in stories}
    if not partial:
        for story in stories:
            if missing[story.slug]:
                raise MissingDataError(
                    _missing_message(story, missing[story.slug])
                    + "; or run `krefeld-data build --partial` to build the other stories"
                )

    cache = load_cache(reports)
    pool = KernelPool(min(jobs, len(stories)) or 1)
    likely = [s for s in stories if not missing[s.slug] and _likely_to_run(s, notebooks, reports, cache)]
    if force or likely:
        # Kernels start and import while the datasets are written (a first build, an edited notebook).
        pool.limit(len(stories) if force else len(likely))
        pool.start()
        from krefeld_data.charts.export import warm_up
        from krefeld_data.publish.embed import images_missing

        if any(images_missing(reports, s.slug) for s in (stories if force else likely)):
            warm_up()  # the browser for the charts' PNG/SVG starts while the datasets are written
    try:
        return _build(stories, index_stories, notebooks, reports, store, cache, summary, pool,
                      missing=missing, values=values, parameters=parameters, force=force,
                      partial=partial, progress=progress, started=started)
    finally:
        pool.close()


def _likely_to_run(story: Story, notebooks: Path, reports: Path, cache: dict[str, Any]) -> bool:
    """Whether the story will surely run (no key, no page, or its notebook text changed).

    Decided before the clean stage, so the kernels can start early; the full key comes later.
    """
    entry = cache["stories"].get(story.slug, {})
    notebook = notebooks / story.notebook
    if not entry.get("key") or not (reports / f"{story.slug}.html").is_file() or not notebook.is_file():
        return True
    return entry.get("notebook") != sha256_bytes(notebook.read_bytes())


def _build(stories, index_stories, notebooks, reports, store, cache, summary, pool, *, missing, values,
           parameters, force, partial, progress, started) -> BuildSummary:
    """The clean stage and the notebooks, overlapped.

    The datasets are written story by story, the stories with the fewest first; as soon as a
    story's datasets are there its notebook starts in the kernel pool, while the build process
    goes on writing the next datasets. A dataset that fails stops the build (its story would show
    figures nobody can download) once the notebooks already running are done, unless
    ``partial``: then its page simply does not link it.
    """
    from krefeld_data.datasets.registry import DatasetFailed, build_datasets, story_datasets_key
    from krefeld_data.publish.downloads import publish
    from krefeld_data.publish.pages import german_timestamp, render_index, scrub, write_assets

    write_assets(reports)
    ready = [s for s in stories if not missing[s.slug]]
    for story in ready:
        if not (notebooks / story.notebook).is_file():
            raise MissingDataError(f"story {story.slug}: notebook {story.notebook} not found in {notebooks}")
    numbers = {s.slug: n for n, s in enumerate(stories, start=1)}
    needs = {s.slug: [d.name for d in story_datasets(s)] for s in ready}
    order = sorted(ready, key=lambda s: len(needs[s.slug]))
    names = list(dict.fromkeys(name for s in order for name in needs[s.slug]))
    results: dict[str, Any] = {}
    downloads: dict[str, list[dict[str, str]]] = {}
    keys: dict[str, str] = {}
    running: list[tuple[Story, Any]] = []
    decided: set[str] = set()

    def finished(story: Story, nb, records: list[dict[str, Any]], seconds: float) -> None:
        sample = write_story_page(story, nb, records, reports, store, notebooks,
                                  downloads=downloads.get(story.slug, []))
        from krefeld_data.publish.embed import export_charts  # issue 16: each chart's own files

        export_charts(story.slug, records, reports)
        summary.results.append(
            StoryResult(story.slug, story.title, "built", seconds=seconds, sample=sample)
        )
        notebook_sha = sha256_bytes((notebooks / story.notebook).read_bytes())
        cache["stories"][story.slug] = {
            "key": keys[story.slug], "status": "built", "message": "", "title": story.title,
            "notebook": notebook_sha,
            "built_at": german_timestamp(), "sample": sample, "seconds": round(seconds, 2),
        }
        _progress(progress, f"{story.slug}: built in {seconds:.1f} s")

    def decide(story: Story) -> None:
        """The story's datasets are written: link them, then run its notebook unless unchanged."""
        decided.add(story.slug)
        prefix = f"[{numbers[story.slug]}/{len(stories)}] {story.slug}"
        usable = [d for d in story_datasets(story) if results.get(d.name) is None
                  or results[d.name].status != "failed"]
        downloads[story.slug] = publish(usable, reports, force=force)
        notebook = notebooks / story.notebook
        entry = cache["stories"].get(story.slug, {})
        processed = story_datasets_key(story.slug, cache["processed_files"])
        key = story_key(story, notebook, store, processed, values)
        if not force and entry.get("key") == key and (reports / f"{story.slug}.html").is_file():
            summary.results.append(StoryResult(story.slug, story.title, "unchanged",
                                               sample=bool(entry.get("sample"))))
            entry.update({"status": "built", "message": ""})
            _progress(progress, f"{prefix}: unchanged")
            return
        if not keys:  # the exporter's imports load while the first notebook runs
            asyncio.run_coroutine_threadsafe(asyncio.to_thread(_preload_exporter), pool.loop)
        keys[story.slug] = key
        pool.limit(len(keys))
        _progress(progress, f"{prefix}: running its notebook")
        job = asyncio.run_coroutine_threadsafe(_run_one(story, notebook, values, pool, finished), pool.loop)
        running.append((story, job))

    def on_result(result) -> None:
        results[result.name] = result
        for story in order:
            if story.slug not in decided and all(n in results for n in needs[story.slug]):
                if not partial and any(results[n].status == "failed" for n in needs[story.slug]):
                    decided.add(story.slug)  # the build stops after the running notebooks
                    continue
                decide(story)

    try:
        for story in stories:
            if missing[story.slug]:
                entry = cache["stories"].get(story.slug, {})
                message = scrub(_missing_message(story, missing[story.slug]), paths=[config.data_dir()])
                summary.results.append(
                    StoryResult(story.slug, story.title, "skipped", message,
                                missing=tuple(missing[story.slug]))
                )
                entry.update({"status": "skipped", "message": index_message(missing[story.slug]),
                              "title": story.title})
                cache["stories"][story.slug] = entry
                _progress(progress, f"[{numbers[story.slug]}/{len(stories)}] {story.slug}: not built, "
                                    "data missing")
        for story in order:
            if not needs[story.slug]:
                decide(story)
        summary.clean = build_datasets(names, force=force, store=store, progress=progress,
                                       on_result=on_result)
        failures: list[tuple[Story, BaseException]] = []
        for story, job in running:
            error = job.result()
            if error is not None:
                failures.append((story, error))
        failed = [r for r in summary.clean.results if r.status == "failed"]
        if failed and not partial:
            raise DatasetFailed(f"dataset {failed[0].name}: {failed[0].reason}")
        for story, error in failures:
            entry = cache["stories"].setdefault(story.slug, {"title": story.title})
            entry.update({"status": "failed", "message": scrub(f"Fehler im Notebook: {error}")})
        if failures:
            story, error = failures[0]
            others = f" ({len(failures) - 1} more stories failed too)" if len(failures) > 1 else ""
            raise NotebookFailed(f"story {story.slug}: {error}{others}")
    finally:
        for _, job in running:  # an error or Ctrl-C above: pages already written stay, the rest stop
            if not job.done():
                job.cancel()
        title = f"{parameters.city_name} in Zahlen" if parameters is not None else None
        _write_index(reports, index_stories, cache, render_index, title=title)
        cache_text = json.dumps(cache, indent=1, ensure_ascii=False, sort_keys=True)
        write_text_atomically(reports / CACHE_NAME, cache_text)
    position = {s.slug: i for i, s in enumerate(stories)}
    summary.results.sort(key=lambda r: position.get(r.slug, 0))
    summary.seconds = time.perf_counter() - started
    return summary


def _write_index(reports: Path, stories: Iterable[Story], cache: dict[str, Any], render,
                 title: str | None = None) -> None:
    entries = []
    for story in stories:
        entry = cache["stories"].get(story.slug, {})
        page = reports / f"{story.slug}.html"
        has_page = bool(page.is_file() and entry.get("built_at"))
        status = entry.get("status", "not built")
        entries.append({
            "slug": story.slug, "title": story.title, "status": status,
            "page": page.name if has_page else None,
            "built_at": entry.get("built_at", ""), "sample": bool(entry.get("sample")),
            # A page from an earlier build stays linked; the note says why it was not rebuilt.
            "message": entry.get("message") or ("" if has_page else NOT_BUILT_YET),
        })
    page = render(entries, title=title, reports=reports)  # reports: verdicts and thumbnails
    write_text_atomically(reports / "index.html", page)


def print_outcome(summary: BuildSummary) -> None:
    """What was built, what was not, and the one next step (``build`` and ``report`` end here)."""
    from krefeld_data.guidance import next_step

    skipped = [r for r in summary.results if r.status == "skipped"]
    for result in skipped:
        print(f"not built: {result.slug} (missing {', '.join(result.missing)})", file=sys.stderr)
    done = len(summary.results) - len(skipped)
    print(f"{summary}; pages in {summary.reports_dir}, start with {summary.index.name}")
    if not skipped:
        return
    print(f"{done} of {len(summary.results)} stories built.", file=sys.stderr)
    if done == 0:
        print("To see what the pages look like before you have the data: `make demo` "
              "(made-up sample data, offline).", file=sys.stderr)
    step = next_step(code for r in skipped for code in r.missing)
    if step:
        print(step, file=sys.stderr)


def build_cli(force: bool = False, partial: bool = False, stories: list[str] | None = None,
              data_only: bool = False, city: str | None = None, compare: str | None = None,
              context: str | None = None) -> int:
    """``krefeld-data build [STORY …] [--force] [--partial] [--data-only] [--city …] [--compare …]``.

    The cities are checked before anything is written: a bad one stops the build whole.
    """
    from krefeld_data.catalog import story as find_story
    from krefeld_data.regions.resolve import resolve_parameters

    parameters = resolve_parameters(city, compare, context) if (city or compare or context) else None
    chosen = [find_story(name) for name in stories] if stories else list(STORIES)
    if data_only:
        return build_data_cli(chosen, force=force)
    if parameters is not None:
        print(f"building for {parameters.describe()}", file=sys.stderr)
    summary = build_reports(chosen, force=force, partial=partial, index_stories=list(STORIES),
                            parameters=parameters)
    print_outcome(summary)
    return 0


def build_data_cli(stories: Sequence[Story], *, force: bool = False) -> int:
    """``krefeld-data build --data-only``: the clean stage alone (data/processed, no pages)."""
    from krefeld_data.datasets.registry import DatasetFailed, build_datasets, datasets_for

    names = [d.name for d in datasets_for(s.slug for s in stories)]
    clean = build_datasets(names, force=force, progress=True)
    for result in clean.results:
        if result.status == "skipped":
            print(f"not written: {result.name} ({result.reason})", file=sys.stderr)
    print(f"{clean}; files in {config.processed_dir()}")
    failed = [r for r in clean.results if r.status == "failed"]
    if failed:
        raise DatasetFailed(f"dataset {failed[0].name}: {failed[0].reason}")
    return 0
