"""The bad-input corpus: every damaged file ends in a KrefeldDataError naming it, or parses right.

The files are made by ``tests/bad_inputs/make_corpus.py`` from the package's samples; its
manifest says for each what is damaged and what must happen. Never another exception type,
never a frame that is silently wrong: an ``ok`` case must equal the parse of the undamaged
file, or hold the listed cells.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bad_inputs.make_corpus import Case, bases, cases, write_corpus

from krefeld_data import cli, errors, read_table
from krefeld_data.clean import check_totals, normalise_regions
from krefeld_data.fetch.importer import import_file
from krefeld_data.raw.store import RawStore

CASES = cases()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad-inputs")
    write_corpus(folder)
    return folder


def run(case: Case, path: Path) -> pd.DataFrame | None:
    """The step the manifest names: read, import, read + sum check, read + region check."""
    if case.via == "import":
        import_file(path)
        return None
    frame = read_table(path)
    if case.via.startswith("totals:"):
        check_totals(frame, case.via.split(":", 1)[1])
    elif case.via == "regions":
        normalise_regions(frame)
    return frame


def test_the_corpus_is_big_enough_and_its_manifest_complete(corpus: Path) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest) == len(CASES) >= 40
    assert {entry["name"] for entry in manifest} == {p.name for p in corpus.iterdir()} - {"manifest.json"}
    for entry in manifest:
        assert entry["what"] and entry["expect"] in ("error", "ok")
        assert entry["expect"] == "ok" or entry["keywords"], entry["name"]
        assert entry["expect"] == "error" or entry["same_as"] or entry["cells"] or entry["rows"] is not None


def _marks(case: Case):
    return [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []


ERROR_CASES = [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES if c.expect == "error"]
OK_CASES = [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES if c.expect == "ok"]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_damaged_file_gives_a_clear_error(case: Case, corpus: Path, isolated_env: Path) -> None:
    path = corpus / case.name
    with pytest.raises(errors.KrefeldDataError) as info:
        run(case, path)
    message = str(info.value)
    assert isinstance(info.value, getattr(errors, case.error, errors.KrefeldDataError)) or (
        type(info.value).__name__ == case.error
    ), f"{type(info.value).__name__}: {message}"
    if case.via in ("read", "import"):
        assert case.name in message  # the file is named
    for keyword in case.keywords:
        assert keyword.lower() in message.lower(), f"{keyword!r} not in {message!r}"
    assert "\n" not in message  # one line, for the command line
    if case.via == "import":
        assert RawStore().snapshots() == []  # nothing stored


def _select(frame: pd.DataFrame, cell: dict) -> pd.DataFrame:
    keys = {k: v for k, v in cell.items() if k not in ("value", "status", "quality")}
    mask = np.ones(len(frame), dtype=bool)
    for column, wanted in keys.items():
        mask &= (frame[column].astype(str) == str(wanted)).to_numpy()
    return frame[mask]


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Row order and category order are the parser's business; values and labels are not."""
    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    plain = frame.astype(dict.fromkeys(categorical, "object"))
    keys = [c for c in plain.columns if c not in ("value",)]
    return plain.sort_values(keys, na_position="last").reset_index(drop=True)


@pytest.mark.parametrize("case", OK_CASES)
def test_file_that_should_parse_gives_the_right_frame(case: Case, corpus: Path, caplog) -> None:
    caplog.set_level(logging.WARNING)
    frame = run(case, corpus / case.name)
    assert frame is not None
    if case.rows is not None:
        assert len(frame) == case.rows
        if case.rows == 0:
            assert any("no data rows" in r.getMessage() for r in caplog.records)  # said, not silent
    if case.same_as:
        expected = read_table(bases()[case.same_as])
        assert len(frame) > 0
        shared = [c for c in expected.columns if c != "table" and c not in case.differs]
        pd.testing.assert_frame_equal(_comparable(frame[shared]), _comparable(expected[shared]),
                                      check_dtype=False)
    for cell in case.cells:
        rows = _select(frame, cell)
        assert len(rows) == 1, f"{cell}: {len(rows)} rows"
        value = rows["value"].iloc[0]
        if cell["value"] is None:
            assert np.isnan(value)
        else:
            assert value == cell["value"]
        assert str(rows["status"].iloc[0]) == cell["status"]
        if "quality" in cell:
            assert str(rows["quality"].iloc[0]) == cell["quality"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_importing_any_corpus_file_stores_it_whole_or_refuses_it(case: Case, corpus: Path, capsys) -> None:
    """``krefeld-data import`` stores a file that reads, refuses one that does not, never crashes."""
    status = cli.main(["import", str(corpus / case.name), "--table", "12411-01-01-4"])
    out, err = capsys.readouterr()
    snapshots = RawStore().snapshots()
    if status == 0:
        assert len(snapshots) == 1 and snapshots[0].read_bytes() == case.data
        assert "stored as" in out
    else:
        assert status == 1 and snapshots == []
        assert f"{case.name}: not imported:" in err and "Traceback" not in err
    if case.via in ("read", "import") and not case.xfail:
        # A damaged download is refused at import, not stored to fail at the next build.
        assert status == (1 if case.expect == "error" else 0), err
