"""The processed datasets beside the reader pages: each CSV for download, its dictionary as a page.

Lives in the publish stage (it writes pages); the clean stage only writes ``data/processed``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from krefeld_data.datasets import io as processed
from krefeld_data.datasets.registry import Dataset
from krefeld_data.publish.pages import render_dataset_page, scrub, write_if_changed
from krefeld_data.util.atomic import write_atomically

DATA_FOLDER = "data"  # beside the reader pages: reports/data/<name>.csv and <name>.html


def download_name(name: str, kind: str) -> str:
    """Relative link from a page to a dataset file (``csv`` or the dictionary ``html``)."""
    return f"{DATA_FOLDER}/{name}.{kind}"


def _copy_if_changed(source: Path, target: Path) -> bool:
    if target.is_file():
        s, t = source.stat(), target.stat()
        if s.st_size == t.st_size and s.st_mtime_ns == t.st_mtime_ns:
            return False
    write_atomically(target, lambda tmp: shutil.copy2(source, tmp))
    return True


def publish(datasets: Iterable[Dataset], reports: Path, *, force: bool = False) -> list[dict[str, Any]]:
    """Copy each written dataset's CSV beside the pages and render its dictionary as a page.

    Returns the download entries (name, title, csv, dictionary: links relative to the pages)
    of the datasets that exist; a dataset never written is left out, not linked.
    """
    folder = reports / DATA_FOLDER
    entries = []
    for dataset in datasets:
        paths = processed.dataset_paths(dataset.name)
        if not (paths.csv.is_file() and paths.dictionary.is_file()):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        _copy_if_changed(paths.csv, folder / f"{dataset.name}.csv")
        page = folder / f"{dataset.name}.html"
        stamp = paths.dictionary.stat()
        if force or not (page.is_file() and page.stat().st_mtime_ns >= stamp.st_mtime_ns):
            markdown = paths.dictionary.read_text(encoding="utf-8")
            html = scrub(render_dataset_page(title=dataset.title, name=dataset.name, markdown=markdown))
            write_if_changed(page, html.encode("utf-8"))
            os.utime(page, ns=(stamp.st_atime_ns, max(stamp.st_mtime_ns, page.stat().st_mtime_ns)))
        entries.append({"name": dataset.name, "title": dataset.title,
                        "csv": download_name(dataset.name, "csv"),
                        "dictionary": download_name(dataset.name, "html")})
    return entries
