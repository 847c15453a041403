"""The provenance record kept beside every raw file: where the bytes came from, and when.

It is the single source of chart source lines, page methodology boxes and the
"Beispieldaten" mark, so it must be complete and must never hold a credential.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from krefeld_data.errors import ChecksumMismatch, StoreError
from krefeld_data.raw.databases import citation, get_database
from krefeld_data.util import german

ORIGINS = ("api", "manual-import", "sample", "test")
SAMPLE_MARK = "Beispieldaten – keine echten Zahlen"

# Query fields that may hold a credential; they are never recorded.
SECRET_FIELDS = frozenset({"username", "password", "token", "user", "pass", "passwort"})


def utc_now() -> datetime:
    return datetime.now(UTC)


def scrub_query(query: dict[str, Any]) -> dict[str, Any]:
    """Drop credential fields from a query before it is written anywhere."""
    return {k: v for k, v in query.items() if k.lower() not in SECRET_FIELDS}


_LATER_FIELDS = ("vintage", "vintage_source")


@dataclass
class Provenance:
    source: str  # database key: destatis, regio, nrw, zensus, eurostat, manual
    table: str
    origin: str  # api, manual-import, sample, test
    retrieved_at: str  # ISO 8601, UTC
    url: str = ""
    query: dict[str, Any] = field(default_factory=dict)
    content_type: str = ""
    producer: str = ""
    database: str = ""
    licence: str = ""
    licence_url: str = ""
    citation: str = ""
    stand: str | None = None  # the data's own "as of" date, where the service says it
    # The vintage of the publication: the ISO date (YYYY-MM-DD) as of which the office published
    # these figures, and where that date was read ("Stand line", "metadata Stand", "fetch time",
    # "recorded response date"). The census basis of a population figure depends on it: the
    # offices kept publishing on the 2011 basis after the 2022 census day. None where unknown.
    vintage: str | None = None
    vintage_source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    original_filename: str = ""
    # filled in by the store
    file: str = ""
    sha256: str = ""
    size: int = 0
    package_version: str = ""
    # sha256 of this record without this field: a changed record (source line, licence,
    # checksum) is found like a changed data file. Empty in records written before it existed.
    record_sha256: str = ""

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise StoreError(f"unknown origin {self.origin!r}; expected one of {ORIGINS}")
        self.query = scrub_query(self.query)
        db = get_database(self.source)
        self.producer = self.producer or db.producer
        self.database = self.database or db.label
        self.licence = self.licence or db.licence
        self.licence_url = self.licence_url or db.licence_url
        if not self.citation:
            self.citation = citation(db, self.table, self.accessed_date, self.stand)

    @property
    def accessed_date(self) -> str:
        """Access date in German form, as the citation wants it (25.11.2026)."""
        return german.day(datetime.fromisoformat(self.retrieved_at))

    @property
    def is_sample(self) -> bool:
        return self.origin in ("sample", "test")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown or not {"source", "table", "origin", "retrieved_at"} <= set(data):
            raise StoreError(f"not a provenance record (unexpected keys {sorted(unknown)})")
        return cls(**data)

    def record_digest(self) -> str:
        # Fields added after records were first written count only when set, so an older
        # record still matches its own checksum.
        content = {k: v for k, v in self.to_dict().items()
                   if k != "record_sha256" and not (k in _LATER_FIELDS and v in (None, ""))}
        text = json.dumps(content, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, text: str, where: str = "") -> Provenance:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"provenance record {where} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise StoreError(f"provenance record {where} is not a JSON object")
        try:
            record = cls.from_dict(data)
        except StoreError as exc:
            raise StoreError(f"provenance record {where}: {exc}") from None
        except (TypeError, ValueError) as exc:  # e.g. a retrieved_at that is no ISO time
            raise StoreError(f"provenance record {where} is damaged: {exc}") from None
        if record.record_sha256 and record.record_sha256 != record.record_digest():
            raise ChecksumMismatch(
                f"provenance record {where} has changed since it was stored (its sha256 no longer "
                f"matches); fetch or import the table again to get a good copy"
            )
        return record

    @classmethod
    def read(cls, path: Path) -> Provenance:
        """The record in ``path``; a damaged or changed record is a :class:`StoreError`."""
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise StoreError(f"cannot read provenance record {path}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise StoreError(f"provenance record {path} is not UTF-8 (byte {exc.start}): damaged") from None
        return cls.from_json(text, str(path))
