"""Reader pages: the story page around an exported notebook, the index, the shared assets.

Everything that reaches a reader passes :func:`scrub`, so no local path and no credential
can leak from a notebook's output into a published page.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from typing import Any

from krefeld_data import __version__
from krefeld_data.raw.provenance import SAMPLE_MARK
from krefeld_data.util import german
from krefeld_data.util.atomic import write_bytes_atomically
from krefeld_data.util.fingerprint import sha256_bytes

TEMPLATES = Path(__file__).resolve().parent / "templates"
ASSETS = "assets"
EMBED_FOLDER = "embed"  # reports/embed/<story>/<chart>.* (publish/embed.py)
MANIFEST = "charts.json"  # a story's exported charts, in page order
# Absolute paths of this machine, at a word boundary (so URLs like https://x.org/tmp/ survive).
_LOCAL_PATH = re.compile(
    r"(?<![\w/.:-])(?:/home|/work|/tmp|/root|/Users|/var/folders|/private|/mnt)/[^\s\"'<>)]*"
)
_SECRET_NAMES = ("_TOKEN", "_PASSWORD", "_USER", "_SECRET", "_KEY")
SECRET_SUFFIXES = _SECRET_NAMES  # public: the build hides the same variables from the notebook kernels

CAVEATS: dict[str, str] = {
    "census": (
        "Zensus-Brüche: Die Bevölkerungszahlen beruhen je nach Stichtag und Stand der "
        "Veröffentlichung auf älteren Zählungen, dem Zensus 2011 oder dem Zensus 2022; die Ämter "
        "haben nach und nach umgestellt (der 31.12.2023 beruht in Veröffentlichungen von 2024 noch "
        "auf dem Zensus 2011). Wo die Grundlage wechselt, springt die Reihe, ohne dass Menschen zu- "
        "oder fortgezogen sind; die Grafiken markieren die Brüche und verbinden die Werte nicht über "
        "sie hinweg, und wo die Grundlage nicht zu erkennen ist, steht ‚Zensus 2011 oder 2022‘."
    ),
    "rounding": (
        "Rundung: Die Statistik der Schutzsuchenden rundet jeden Wert auf ein Vielfaches von 5 "
        "(Geheimhaltung). Teile addieren sich deshalb nicht immer genau zur Summe."
    ),
    "foreigners": (
        "Zwei Zählungen: Die Zahl der Ausländerinnen und Ausländer gibt es aus der "
        "Bevölkerungsfortschreibung (Tabellen 12411-…) und aus dem Ausländerzentralregister "
        "(Tabellen 12521-…, 12531-…). Das Register zählt meist mehr Menschen; die beiden Zahlen "
        "sind nicht austauschbar, und diese Seite nennt bei jeder Grafik, welche sie zeigt."
    ),
    "census_definitions": (
        "Migrationshintergrund (Zensus 2011) und Einwanderungsgeschichte (Zensus 2022) sind "
        "unterschiedlich definiert; die beiden Zählungen lassen sich nicht direkt vergleichen."
    ),
    "eurostat": (
        "Eurostat zählt Asylanträge, nicht Menschen im Land; Werte mit dem Kennzeichen p sind "
        "vorläufig."
    ),
}
# Which caveat applies to which table (by code prefix).
CAVEAT_TABLES: dict[str, tuple[str, ...]] = {
    "census": ("12411-", "12111-", "1000A"),
    "rounding": ("12531-",),
    "foreigners": ("12411-03", "12521-", "12531-"),
    "census_definitions": ("12111-", "1000A"),
    "eurostat": ("migr_",),
}


# Columns the notebooks derive for a chart that no dataset holds (the dataset docs come first).
CHART_COLUMN_DOCS = {
    "sex": "Geschlecht", "age": "Altersgruppe",
}


def dataset_column_docs(tables: Iterable[str]) -> dict[str, str]:
    """Column docs of the processed datasets made from ``tables`` (the page's data).

    The same docs the data dictionary and ``datapackage.json`` use, so computed columns such
    as ``per_1000`` are described the same way everywhere.
    """
    from krefeld_data.datasets.registry import DATASETS

    wanted = set(tables)
    meanings: dict[str, set[str]] = {}
    for dataset in DATASETS.values():
        if wanted & set(dataset.tables):
            for name, meaning in dataset.columns.items():
                meanings.setdefault(name, set()).add(meaning)
    # ``value`` is people in one dataset and naturalisations in another: no guess between them
    return {name: next(iter(found)) for name, found in meanings.items() if len(found) == 1}


def column_meaning(name: str, docs: Mapping[str, str] | None = None) -> str:
    """What a column means, from the one column-doc lookup (:func:`describe_column`)."""
    from krefeld_data.datasets.datapackage import describe_column

    return describe_column(name, {**CHART_COLUMN_DOCS, **(docs or {})})


def page_columns(records: Iterable[Mapping[str, Any]], docs: Mapping[str, str]) -> list[tuple[str, str]]:
    """"Was die Spalten bedeuten": each column the page's charts show, with what it means there.

    A chart's own record knows best (its frame carried the dataset's and the story function's
    docs); the page's datasets are the fallback. A column that means different things in two
    charts (``value``: people here, naturalisations there) is listed once per chart, named.
    """
    meanings: dict[str, dict[str, str]] = {}
    for record in records:
        known = {**docs, **(record.get("column_docs") or {})}
        for name in record.get("columns", []):
            title = str(record.get("title", ""))
            meanings.setdefault(name, {}).setdefault(column_meaning(name, known), title)
    columns: list[tuple[str, str]] = []
    for name, by_meaning in meanings.items():
        if len(by_meaning) == 1:
            columns.append((name, next(iter(by_meaning))))
        else:
            columns.extend((f"{name} ({title})" if title else name, meaning)
                           for meaning, title in by_meaning.items())
    return columns


def secret_values() -> list[str]:
    """Every configured credential, so we can make sure none reaches a page."""
    from krefeld_data import config
    from krefeld_data.errors import ConfigError
    from krefeld_data.raw.databases import DATABASES

    values = [
        value for name, value in os.environ.items()
        if name.startswith("KREFELD_DATA_") and name.endswith(_SECRET_NAMES)
    ]
    # The Datawrapper token (publish/datawrapper.py), from the environment or the config file.
    with contextlib.suppress(ConfigError):
        values.append(config.setting("DATAWRAPPER_ACCESS_TOKEN") or "")
    for database in DATABASES.values():  # the user config file may hold them too
        for suffix in ("_TOKEN", "_USER", "_PASSWORD"):
            try:
                values.append(config.setting(f"{database.env_prefix}{suffix}") or "")
            except ConfigError:
                break  # an unreadable config file: nothing from it can reach a page either
    return sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)


def scrub(text: str, *, paths: Iterable[Path | str] = (), secrets: Iterable[str] | None = None) -> str:
    """Remove credentials and local paths from text meant for readers."""
    for secret in secrets if secrets is not None else secret_values():
        text = text.replace(secret, "***")
    home = str(Path.home())
    replacements = [(str(p), "…") for p in paths if str(p) not in ("", "/")]
    replacements += [(home, "~")] if home not in ("", "/") else []
    for path, placeholder in sorted(replacements, key=lambda r: len(r[0]), reverse=True):
        # Whole path names only: a short data dir such as /d must not eat the "/d" of "</div>".
        text = re.sub(rf"(?<![\w/.-]){re.escape(path)}(?![\w.-])", placeholder, text)
    return _LOCAL_PATH.sub("…", text)


german_timestamp = german.timestamp


def package_versions() -> str:
    names = ("pandas", "pyarrow", "plotly", "nbconvert")
    parts = [f"krefeld-data {__version__}", f"Python {sys.version.split()[0]}"]
    for name in names:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(parts)


@dataclass
class Methodology:
    """What the box at the end of a page says, gathered from provenance and chart records."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, str]] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)

    @property
    def sample(self) -> bool:
        return any(s.get("sample") for s in self.sources)


def methodology(
    provenance: Iterable[dict[str, Any]],
    records: Iterable[dict[str, Any]],
    table_descriptions: Mapping[str, str],
) -> Methodology:
    """The methodology box from the story's raw snapshots and what its charts recorded."""
    from krefeld_data.charts.source_line import by_table, citation, collect_provenance

    records = list(records)
    all_sources = collect_provenance(list(provenance), [r.get("sources", []) for r in records])
    sources, tables = [], []
    for record in by_table(all_sources):
        tables.append(str(record.get("table", "")))
        sources.append({
            "citation": citation(record, licence=False),
            "licence": record.get("licence", ""),
            "licence_url": record.get("licence_url", ""),
            "sample": record.get("origin") in ("sample", "test"),
        })
    unique_tables = list(dict.fromkeys(t for t in tables if t))
    datasets = [{"table": t, "description": table_descriptions.get(t, "")} for t in unique_tables]
    columns = page_columns(records, dataset_column_docs(unique_tables))
    caveat_keys = [
        key for key, prefixes in CAVEAT_TABLES.items()
        if any(t.startswith(prefixes) for t in unique_tables)
    ]
    if any(r.get("breaks") for r in records) and "census" not in caveat_keys:
        caveat_keys.insert(0, "census")
    return Methodology(sources, datasets, columns, [CAVEATS[k] for k in caveat_keys])


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, keep_trailing_newline=True
    )


def render_story_page(*, title: str, body: str, method: Methodology, sample: bool, built_at: str,
                      downloads: Iterable[Mapping[str, str]] = ()) -> str:
    """``downloads``: the story's processed datasets (name, title, csv and dictionary links)."""
    from markupsafe import Markup

    return _environment().get_template("page.html.j2").render(
        title=title, body=Markup(body), body_has_title="<h1" in body, sources=method.sources,
        datasets=method.datasets, downloads=list(downloads),
        columns=method.columns, caveats=method.caveats, sample=sample or method.sample,
        sample_mark=SAMPLE_MARK, built_at=built_at, versions=package_versions(),
    )


def render_embed_page(*, title: str, body: str, chart: str, assets: str, sample: bool) -> str:
    """A chart alone on a page, for an iframe: it tells its parent page how tall it is."""
    from markupsafe import Markup

    return _environment().get_template("embed.html.j2").render(
        title=title, body=Markup(body), chart=chart, assets=assets, sample=sample,
        sample_mark=SAMPLE_MARK,
    )


class _StoryPageReader(HTMLParser):
    """Reads back from a built story page what the front page shows of it: the verdict words
    (class ``kd-verdict-word``, see :mod:`krefeld_data.stories.claims`) and the first claim."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.verdicts: list[str] = []
        self.claim = ""
        self._in_claim = False
        self._in_verdict = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if "kd-verdict-word" in classes:
            word = dict(attrs).get("data-word")
            if word:
                self.verdicts.append(word)
            else:
                self._in_verdict = True
        if "kd-claim-text" in classes and not self.claim:
            self._in_claim = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_claim = False
        if tag == "strong":
            self._in_verdict = False

    def handle_data(self, data: str) -> None:
        if self._in_claim:
            self.claim += data
        if self._in_verdict and data.strip():
            self.verdicts.append(data.strip())
            self._in_verdict = False


def read_story_page(page: Path) -> tuple[list[str], str]:
    """The verdict words and the first quoted claim of a built story page (empty if none)."""
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return [], ""
    reader = _StoryPageReader()
    reader.feed(text)
    return list(dict.fromkeys(reader.verdicts)), reader.claim.strip()


def story_charts(reports: Path, story: str) -> list[dict[str, Any]]:
    """The charts a story's last build exported, in page order (empty if none)."""
    import json

    path = reports / EMBED_FOLDER / story / MANIFEST
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []


def default_city_name() -> str:
    """The name of the build's default city (the first of the catalogue's default cities)."""
    from krefeld_data.catalog import DEFAULT_CITIES
    from krefeld_data.regions.registry import short_name

    return short_name(DEFAULT_CITIES[0])


def front_page_entries(entries: list[dict[str, Any]], reports: Path | None) -> list[dict[str, Any]]:
    """Each story's index entry plus what its page says: verdict, claim, first chart as PNG."""
    from krefeld_data.charts.export import wait_for_exports

    for problem in wait_for_exports():  # the thumbnails are the charts' PNGs
        print(f"warning: {problem}", file=sys.stderr)
    teasers = []
    for entry in entries:
        teaser = dict(entry)
        teaser.setdefault("verdicts", [])
        teaser.setdefault("claim", "")
        teaser.setdefault("thumbnail", None)
        if reports is not None and entry.get("page"):
            verdicts, claim = read_story_page(reports / entry["page"])
            teaser.update(verdicts=verdicts, claim=claim)
            first = next(iter(story_charts(reports, entry["slug"])), None)
            if first and (reports / EMBED_FOLDER / entry["slug"] / f"{first['slug']}.png").is_file():
                teaser["thumbnail"] = f"{EMBED_FOLDER}/{entry['slug']}/{first['slug']}.png"
                teaser["thumbnail_alt"] = first.get("title", "")
        teasers.append(teaser)
    return teasers


def render_index(entries: list[dict[str, Any]], *, title: str | None = None, city: str | None = None,
                 reports: Path | None = None) -> str:
    """The front page: "<Stadt> in Zahlen", an intro, one teaser per story, what is not built.

    ``reports`` is the folder the pages are in (their verdicts and thumbnails are read from
    there); the default is the configured reports folder.
    """
    from krefeld_data.stories.claims import SOURCE

    if not city and title and title.endswith(" in Zahlen"):
        city = title.removesuffix(" in Zahlen")  # the build names the page after its city
    city = city or default_city_name()
    folder = reports if reports is not None else _reports_dir()
    teasers = front_page_entries(entries, folder)
    return _environment().get_template("index.html.j2").render(
        title=title or f"{city} in Zahlen", city=city, column=SOURCE, entries=teasers,
        built=[e for e in teasers if e.get("page")], missing=[e for e in teasers if not e.get("page")],
        sample=any(e.get("sample") for e in entries),
        sample_mark=SAMPLE_MARK, version=__version__, generated_at=german_timestamp(),
    )


def _reports_dir() -> Path:
    from krefeld_data import config

    return config.reports_dir()


LOCALE_DE_JS = """\
/* German for plotly.js: month and day names, number separators, interface words. */
(function () {
  if (typeof Plotly === "undefined") { return; }
  Plotly.register({
    moduleType: "locale",
    name: "de",
    dictionary: {
      "Autoscale": "Automatische Skalierung", "Reset axes": "Achsen zurücksetzen",
      "Zoom in": "Vergrößern", "Zoom out": "Verkleinern", "Pan": "Verschieben",
      "Download plot as a png": "Grafik als PNG herunterladen",
      "Double-click to zoom back out": "Zum Zurückzoomen doppelklicken"
    },
    format: {
      days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
      shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
      months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
               "September", "Oktober", "November", "Dezember"],
      shortMonths: ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.",
                    "Okt.", "Nov.", "Dez."],
      date: "%d.%m.%Y",
      decimal: ",",
      thousands: "."
    }
  });
})();
"""


def write_if_changed(path: Path, content: bytes) -> bool:
    same_size = path.is_file() and path.stat().st_size == len(content)
    if same_size and sha256_bytes(path.read_bytes()) == sha256_bytes(content):
        return False
    write_bytes_atomically(path, content)
    return True


def write_assets(reports: Path) -> Path:
    """plotly.js, its German locale and the stylesheet, once, beside the pages."""
    from plotly.offline import get_plotlyjs

    folder = reports / ASSETS
    folder.mkdir(parents=True, exist_ok=True)
    write_if_changed(folder / "plotly.min.js", get_plotlyjs().encode("utf-8"))
    write_if_changed(folder / "plotly-locale-de.js", LOCALE_DE_JS.encode("utf-8"))
    write_if_changed(folder / "krefeld.css", (TEMPLATES / "krefeld.css").read_bytes())
    return folder


def render_dataset_page(*, title: str, name: str, markdown: str) -> str:
    """A dataset's data dictionary (Markdown) as a page beside the CSV it describes."""
    import mistune  # ships with nbconvert
    from markupsafe import Markup

    body = mistune.create_markdown(plugins=["table"], escape=True)(markdown)
    return _environment().get_template("dataset.html.j2").render(
        title=title, body=Markup(body), csv=f"{name}.csv", version=__version__,
        sample=SAMPLE_MARK in markdown, sample_mark=SAMPLE_MARK,
    )
