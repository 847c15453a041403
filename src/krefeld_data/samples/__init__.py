"""Sample data: invented numbers in the real formats, so tests and ``make demo`` run offline.

The files in ``files/`` are written by ``tools/make_samples.py`` (fixed seed). They are stored
in the raw store with ``origin: sample`` and a note, so every page built from them carries
the "Beispieldaten – keine echten Zahlen" mark. The demo gets its own data and report
folders: sample snapshots never land in the store a real build reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from krefeld_data import config
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.provenance import Provenance, utc_now
from krefeld_data.raw.store import RawStore, Snapshot

FILES_DIR = Path(__file__).resolve().parent / "files"
SAMPLE_NOTE = "Beispieldaten – keine echten Zahlen: von tools/make_samples.py erzeugt"
DEMO_DIR_ENV = "KREFELD_DATA_DEMO_DIR"


@dataclass(frozen=True)
class SampleFile:
    name: str  # file in files/
    table: str
    source: str  # database key the real table comes from


SAMPLE_FILES: tuple[SampleFile, ...] = (
    SampleFile("SAMPLE_12411-01-01-4.csv", "12411-01-01-4", "regio"),
    SampleFile("SAMPLE_12411-03-03-4.zip", "12411-03-03-4", "regio"),
    SampleFile("SAMPLE_12111-07-01-4.csv", "12111-07-01-4", "regio"),
    SampleFile("SAMPLE_1000A-2022.csv", "1000A-2022", "zensus"),
    SampleFile("SAMPLE_12531-0043.zip", "12531-0043", "destatis"),
    SampleFile("SAMPLE_12511-04-01-4.csv", "12511-04-01-4", "regio"),
    SampleFile("SAMPLE_12511-01-01-4.csv", "12511-01-01-4", "regio"),
    SampleFile("SAMPLE_migr_asyappctza.json", "migr_asyappctza", "eurostat"),
    SampleFile("SAMPLE_urb_cpop1.json", "urb_cpop1", "eurostat"),
    SampleFile("SAMPLE_urb_cpopcb.json", "urb_cpopcb", "eurostat"),
)

_CONTENT_TYPES = {"csv": "text/csv", "zip": "application/zip", "json": "application/json"}


def sample_path(table: str) -> Path:
    """The sample file of one table (for tests and for a look at the format)."""
    for sample in SAMPLE_FILES:
        if sample.table == table:
            return FILES_DIR / sample.name
    known = ", ".join(s.table for s in SAMPLE_FILES)
    raise KrefeldDataError(f"no sample file for table {table}; samples exist for {known}")


def install_samples(store: RawStore | None = None) -> list[Snapshot]:
    """Store every sample file as a snapshot (``origin: sample``); returns the new snapshots.

    Installing twice stores nothing new: the store keeps identical bytes once.
    """
    store = store or RawStore()
    created = []
    for sample in SAMPLE_FILES:
        path = FILES_DIR / sample.name
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise KrefeldDataError(
                f"sample file {path} is missing ({exc.strerror}); regenerate it with "
                f"`python tools/make_samples.py`"
            ) from None
        ext = path.suffix.lstrip(".")
        provenance = Provenance(
            source=sample.source,
            table=sample.table,
            origin="sample",
            retrieved_at=utc_now().isoformat(),
            content_type=_CONTENT_TYPES.get(ext, "application/octet-stream"),
            note=SAMPLE_NOTE,
            original_filename=sample.name,
        )
        result = store.save(content, provenance, ext)
        if result.created:
            created.append(result.snapshot)
    return created


def demo_dirs() -> tuple[Path, Path]:
    """Data and report folders of the demo, never those of the real build.

    ``KREFELD_DATA_DEMO_DIR`` moves the demo's data (default ``build/demo``); the pages go to
    ``demo/`` inside the reports folder.
    """
    root = os.environ.get(DEMO_DIR_ENV)
    base = Path(root).expanduser().resolve() if root else config.PROJECT_ROOT / "build" / "demo"
    return base / "data", config.reports_dir() / "demo"


def demo_cli(force: bool = False) -> int:
    """``krefeld-data demo``: install the samples in the demo folder and build the pages there."""
    data_dir, reports_dir = demo_dirs()
    real_data = config.data_dir()
    if data_dir.resolve() == real_data.resolve():
        raise KrefeldDataError(
            f"the demo data folder {data_dir} is the real data folder; set {DEMO_DIR_ENV} elsewhere"
        )
    os.environ[config.DATA_DIR_ENV] = str(data_dir)
    os.environ[config.REPORTS_DIR_ENV] = str(reports_dir)
    new = install_samples(RawStore(data_dir / "raw"))
    print(f"Beispieldaten: {len(new)} neue Dateien in {data_dir / 'raw'} ({len(SAMPLE_FILES)} insgesamt)")
    from krefeld_data.publish.build import build_cli

    status = build_cli(force=force, partial=False, stories=[])
    if status == 0:
        print(f"Demo-Seiten (Beispieldaten – keine echten Zahlen): {reports_dir / 'index.html'}")
    return status
