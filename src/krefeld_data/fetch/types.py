"""What a fetch is asked (:class:`FetchJob`) and what it did (:class:`FetchOutcome`).

At the bottom of the fetch stage so the clients, the dispatcher and the runner all import it
and none imports another for its types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from krefeld_data.raw.store import Snapshot


@dataclass(frozen=True)
class FetchOutcome:
    """What one fetch did: ``stored`` (new bytes), ``unchanged`` (same as stored), ``cached`` (no request)."""

    code: str
    database: str
    state: str
    snapshot: Snapshot


@dataclass(frozen=True)
class FetchJob:
    code: str
    database: str
    params: dict[str, Any] = field(default_factory=dict)
    # A stand-in or optional table: its failure is reported but does not fail the run.
    optional: bool = False
