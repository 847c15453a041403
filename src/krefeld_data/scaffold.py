"""``krefeld-data new-story SLUG --table CODE``: a new story that builds at once from a stored table.

A reporter with a table in the raw store should see a first page within minutes, and then
spend the time on the question, not on plumbing. The scaffold writes, in the project folder:

- ``notebooks/NN_slug.py`` and its ``.ipynb`` twin (no outputs, ``parameters`` cell tagged): it
  reads the story's processed dataset with :func:`krefeld_data.datasets.load`, draws a first
  chart with the chart kit and states the focus city's figure in one sentence;
- ``notebooks/slug_facts.py``: the facts functions every number of that sentence comes from,
  with the selection of the table (measure, one attribute per variable) spelled out in constants;
- ``tests/test_story_slug.py``: tests of those functions on a frame typed by hand;
- entries in ``stories.toml`` (story, dataset, and the table when the catalogue lacks it), which
  :mod:`krefeld_data.catalog` merges: nothing rewrites the package's own code.

Nothing is overwritten: a file or story that exists already stops the scaffold before it writes.
The selection is read from the stored table here, once, so the generated code is plain and the
reporter can change it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from krefeld_data import catalog, config
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.raw.store import RawStore
from krefeld_data.util.atomic import write_text_atomically

if TYPE_CHECKING:
    import pandas as pd

_SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_NUMBER = re.compile(r"^(\d\d)[_-]")
TOTAL_LABELS = ("insgesamt", "zusammen", "total", "gesamt")
NOT_VARIABLES = frozenset({"region", "region_name", "region_key", "measure", "measure_label"})


class ScaffoldError(KrefeldDataError):
    """A new story that cannot be scaffolded as asked (name taken, table not stored, …)."""


@dataclass(frozen=True)
class Selection:
    """What the first chart shows: one measure, each classifying variable at one attribute."""

    measure: str
    measure_label: str
    unit: str
    variables: dict[str, str]
    has_regions: bool
    integral: bool


@dataclass(frozen=True)
class NewStory:
    slug: str  # NN-name
    title: str
    table: str
    database: str
    dataset: str
    notebook: Path
    notebook_ipynb: Path
    facts: Path
    test: Path
    catalogue: Path

    @property
    def files(self) -> list[Path]:
        return [self.notebook, self.notebook_ipynb, self.facts, self.test, self.catalogue]


def _template(name: str) -> Template:
    text = resources.files("krefeld_data").joinpath("scaffold_templates", name).read_text(encoding="utf-8")
    return Template(text)


def _next_number(notebooks: Path) -> int:
    numbers = [int(m.group(1)) for p in notebooks.glob("*.py") if (m := _NUMBER.match(p.name))]
    numbers += [int(m.group(1)) for s in catalog.STORIES if (m := _NUMBER.match(s.slug))]
    return max(numbers, default=0) + 1


def _is_total(label: str, code: object) -> bool:
    text = str(label).strip().casefold()
    return text in TOTAL_LABELS or (text.startswith("insgesamt") and not str(code or "").strip())


def choose_selection(frame: pd.DataFrame) -> Selection:
    """The measure with the most numbers, and for each classifying variable its total (where the
    table publishes one) or else the first attribute it lists."""
    import pandas as pd

    if frame.empty:
        raise ScaffoldError("the stored table has no rows to draw a first chart from")
    counted = frame.groupby("measure", sort=False)["value"].count()
    measure = str(counted.idxmax())
    rows = frame[frame["measure"].astype(str) == measure]
    variables: dict[str, str] = {}
    for column in frame.columns:
        code_column = f"{column}_code"
        if code_column not in frame.columns or column in NOT_VARIABLES:
            continue
        pairs = rows[[column, code_column]].astype(str).drop_duplicates()
        totals = [label for label, code in pairs.itertuples(index=False) if _is_total(label, code)]
        chosen = totals[0] if totals else str(pairs.iloc[0, 0])
        variables[column] = chosen
        rows = rows[rows[column].astype(str) == chosen]
    values = pd.to_numeric(rows["value"], errors="coerce").dropna()
    return Selection(
        measure=measure,
        measure_label=str(rows["measure_label"].iloc[0]) if len(rows) else measure,
        unit=str(rows["unit"].iloc[0]) if len(rows) else "",
        variables=variables,
        has_regions="region_key" in frame.columns,
        integral=bool(len(values)) and bool((values == values.round()).all()),
    )


def _toml(value: object) -> str:
    """A TOML value: JSON strings and arrays of strings are valid TOML."""
    return json.dumps(value, ensure_ascii=False)


def _catalogue_block(story: NewStory, description: str, module: str, facts_file: str,
                     add_table: bool) -> str:
    lines = [
        "",
        f"# Added by `krefeld-data new-story` on {datetime.now(UTC):%d.%m.%Y %H:%M} UTC.",
        "[[stories]]",
        f"slug = {_toml(story.slug)}",
        f"title = {_toml(story.title)}",
        f"notebook = {_toml(story.notebook.name)}",
        f"tables = {_toml([story.table])}",
        f"facts = {_toml(facts_file)}",
        "",
        "[[datasets]]",
        f"name = {_toml(story.dataset)}",
        f"title = {_toml(story.title)}",
        f"table = {_toml(story.table)}",
        f"story = {_toml(story.slug)}",
        f"description = {_toml(description)}",
    ]
    if add_table:
        lines += ["", "[[tables]]", f"code = {_toml(story.table)}", f"database = {_toml(story.database)}",
                  f"description = {_toml(description)}"]
    return "\n".join(lines) + "\n"


def plan_story(slug: str, table: str, *, database: str | None = None, title: str | None = None,
               store: RawStore | None = None) -> tuple[NewStory, Selection, str]:
    """Check everything and decide every name; writes nothing."""
    from krefeld_data.datasets import tables
    from krefeld_data.datasets.registry import DATASETS
    from krefeld_data.raw.databases import get_database

    if not _SLUG.match(slug):
        raise ScaffoldError(
            f"story name {slug!r}: use lower-case letters, digits and hyphens, e.g. arbeitsmarkt"
        )
    project = config.project_dir()
    notebooks = project / "notebooks"
    base = slug.replace("-", "_")
    taken = [s.slug for s in catalog.STORIES if s.slug.split("-", 1)[-1] == slug]
    if taken:
        raise ScaffoldError(f"story {slug!r} exists already ({taken[0]}); choose another name")
    if base in DATASETS:
        raise ScaffoldError(f"dataset {base!r} exists already; choose another story name")
    store = store or RawStore()
    snapshot = store.latest(table)
    if snapshot is None:
        db = database or getattr(catalog.SOURCE_TABLES.get(table), "database", "regio")
        raise MissingDataError(
            f"table {table} is not in the raw store {store.root}; get it first with "
            f"`krefeld-data fetch {table} --db {db}` or `krefeld-data import FILE`"
        )
    database = get_database(database or snapshot.provenance.source).key
    frame = tables.latest(table, store, german_regions=database != "eurostat")
    selection = choose_selection(frame)
    number = _next_number(notebooks)
    full_slug = f"{number:02d}-{slug}"
    known = catalog.SOURCE_TABLES.get(table)
    what = known.description if known else f"{selection.measure_label} ({selection.unit})"
    description = f"{what}, Tabelle {table}"
    story = NewStory(
        slug=full_slug,
        title=title or slug.replace("-", " ").capitalize(),
        table=table,
        database=database,
        dataset=base,
        notebook=notebooks / f"{number:02d}_{base}.py",
        notebook_ipynb=notebooks / f"{number:02d}_{base}.ipynb",
        facts=notebooks / f"{base}_facts.py",
        test=project / "tests" / f"test_story_{base}.py",
        catalogue=catalog.user_catalogue_path(),
    )
    existing = [p for p in story.files if p.exists() and p != story.catalogue]
    if existing:
        raise ScaffoldError(f"{existing[0]} exists already; nothing was written")
    return story, selection, description


def write_story(story: NewStory, selection: Selection, description: str) -> None:
    """Write the notebook pair, facts module, test and catalogue entry (each file atomically)."""
    import jupytext

    module = story.facts.stem
    project = config.project_dir()
    facts_path = story.facts.relative_to(project).as_posix()
    regions = selection.has_regions
    values = {
        "title": story.title, "description": description, "table": story.table,
        "module": module, "dataset": story.dataset, "measure": selection.measure,
        "measure_label": selection.measure_label, "unit": selection.unit,
        "selection": _toml(selection.variables), "test_path": story.test.relative_to(project).as_posix(),
        "facts_path": facts_path,
        "regions_argument": "REGIONS" if regions else "None",
        "focus": "CITY" if regions else "None",
        "value_format": ",d" if selection.integral else ",.1f",
        "registry_import": "from krefeld_data.regions.registry import short_name\n" if regions else "",
        "sentence_call": ("facts.city_sentence(figures, CITY, short_name(CITY))" if regions
                          else 'facts.city_sentence(figures, str(figures["region_code"].iloc[0]))'),
    }
    notebook_text = _template("notebook.py.tmpl").substitute(values)
    story.notebook.parent.mkdir(parents=True, exist_ok=True)
    story.test.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(story.facts, _template("facts.py.tmpl").substitute(values))
    write_text_atomically(story.test, _template("test_story.py.tmpl").substitute(values))
    write_text_atomically(story.notebook, notebook_text)
    nb = jupytext.reads(notebook_text, fmt="py:percent")
    write_text_atomically(story.notebook_ipynb, jupytext.writes(nb, fmt="ipynb"))
    before = story.catalogue.read_text(encoding="utf-8") if story.catalogue.is_file() else (
        "# Stories added to this project without editing the package: read by krefeld_data.catalog.\n"
    )
    add_table = story.table not in catalog.SOURCE_TABLES
    block = _catalogue_block(story, description, module, story.facts.name, add_table)
    write_text_atomically(story.catalogue, before + block)


def new_story(slug: str, table: str, *, database: str | None = None, title: str | None = None,
              store: RawStore | None = None) -> NewStory:
    """Scaffold the story (see the module docstring); returns what was written."""
    story, selection, description = plan_story(slug, table, database=database, title=title, store=store)
    write_story(story, selection, description)
    return story


def new_story_cli(slug: str, *, table: str, database: str | None = None, title: str | None = None,
                  build: bool = True) -> int:
    """``krefeld-data new-story SLUG --table CODE [--db DB]``: scaffold, then build the page."""
    story = new_story(slug, table, database=database, title=title)
    project = config.project_dir()
    for path in story.files:
        print(f"written: {path.relative_to(project) if path.is_relative_to(project) else path}")
    if not build:
        print(f"next: krefeld-data build {story.slug}")
        return 0
    # A fresh process reads the new catalogue entry as every later `build` will.
    done = subprocess.run([sys.executable, "-m", "krefeld_data.cli", "build", story.slug], check=False)
    if done.returncode != 0:
        return done.returncode
    print(f"next: edit {story.notebook.name} and {story.facts.name}; test with "
          f"`pytest {story.test.relative_to(project) if story.test.is_relative_to(project) else story.test}`")
    return 0
