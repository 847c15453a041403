"""``read_table`` on every GENESIS file we know: the schema holds, nothing is dropped."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data import read_table
from krefeld_data.errors import KrefeldDataError, ParseError
from krefeld_data.fetch.importer import import_file
from krefeld_data.raw.store import RawStore
from krefeld_data.schema import LEADING, STATUSES, TRAILING, ordered

GENESIS_FILES = ["02_", "04_", "06_", "07_", "08_", "09_", "10_", "11_"]


def published_cells(path: Path) -> int:
    """Count the value cells straight from the file, without our parsers."""
    data = path.read_bytes()
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp1252")
    if not text.startswith("GENESIS-Tabelle"):
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        measures = [c for c in rows[0] if "__" in c and not c.endswith("__q")]
        return (len(rows) - 1) * (len(measures) or 1)
    lines = text.split("__________")[0].splitlines()
    header = [line for line in lines if line.startswith(";")]
    lead = min(len(h) - len(h.lstrip(";")) for h in header)
    data_rows = [line for line in lines[lines.index(header[-1]) + 1:] if line.strip()]
    return sum(len(row.split(";")) - lead for row in data_rows)


@pytest.mark.parametrize("prefix", GENESIS_FILES)
def test_every_real_genesis_file_keeps_every_cell_and_the_schema(prefix: str) -> None:
    path = real_sample(prefix)
    frame = read_table(path)
    assert len(frame) == published_cells(path)
    assert list(frame.columns[:5]) == LEADING and list(frame.columns[-6:]) == TRAILING
    assert list(ordered(frame).columns) == list(frame.columns)
    assert str(frame["region_code"].dtype) == "str" and frame["year"].dtype == "Int64"
    assert frame["value"].dtype == "float64" and str(frame["date"].dtype).startswith("datetime64")
    assert set(frame["status"].cat.categories) <= set(STATUSES)
    # a value is missing exactly where a special symbol other than '-' was published
    assert (frame["value"].isna() == ~frame["status"].isin(["", "zero"])).all()
    assert sum(frame.attrs["special_values"].values()) == int((frame["status"] != "").sum())
    assert not frame["region_name"].str.match(r"^\s").any()
    assert frame["region_code"].str.fullmatch(r"DG|\d{2}|\d{3}|\d{5}|\d{8}|\d{12}").all()
    assert frame["year"].notna().all()


def test_path_and_bytes_give_the_same_frame_but_the_path_names_the_table() -> None:
    path = real_sample("02_")
    from_path, from_bytes = read_table(path), read_table(path.read_bytes())
    # The flat file itself names only its statistic; the file name 02_regio_12411-01-01-4_… the table.
    assert set(from_bytes["table"]) == {"12411"}
    assert set(from_path["table"]) == {"12411-01-01-4"}
    pd.testing.assert_frame_equal(from_path.drop(columns="table"), from_bytes.drop(columns="table"))


def test_a_code_in_the_file_name_of_another_statistic_is_not_taken(tmp_path: Path) -> None:
    data = real_sample("02_").read_bytes()
    (tmp_path / "12521-03i_flat.csv").write_bytes(data)
    assert set(read_table(tmp_path / "12521-03i_flat.csv")["table"]) == {"12411"}


def test_a_stored_snapshot_carries_its_provenance(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    (result,) = import_file(real_sample("08_"), store=store)
    frame = read_table(result.result.snapshot.path)
    assert frame.attrs["provenance"]["table"] == "12511-01-01-4"
    assert frame.attrs["provenance"]["sha256"] == result.result.snapshot.provenance.sha256
    assert frame["table"].iloc[0] == "12511-01-01-4"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Name;Vorname;Partei\nMeier;Anna;X\n", "not a GENESIS table"),
        (b"<!DOCTYPE html><html><title>Anmeldung</title></html>", "HTML page titled 'Anmeldung'"),
        (b"", "empty"),
        (b"\x00\x01\x02\x03" * 10, "binary content"),
        (b"GENESIS-Tabelle: 12411-01-01-4\nnur ein Titel\n", "header rows"),
        (b'{"Status": {"Code": 104, "Content": "Es gibt keine Objekte"}}', "holds no table"),
        (b"statistics_code;statistics_label\n12411;x\n", "without a value column"),
    ],
    ids=["other csv", "html", "empty", "binary", "title only", "status json", "headless flat file"],
)
def test_files_that_are_not_genesis_tables_are_refused(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "download.csv"
    path.write_bytes(content)
    with pytest.raises(KrefeldDataError, match=message) as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_a_zip_with_two_files_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "x")
        archive.writestr("b.csv", "y")
    with pytest.raises(ParseError, match="holds 2 files"):
        read_table(path)


def test_a_stored_plain_flat_file_gets_the_table_code_of_its_record(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    (result,) = import_file(real_sample("02_"), store=store)
    assert read_table(real_sample("02_").read_bytes())["table"].iloc[0] == "12411"  # content: statistic only
    assert read_table(result.result.snapshot.path)["table"].iloc[0] == "12411-01-01-4"


@pytest.mark.parametrize(("prefix", "kind"), [
    ("37_", "genesis-classic"), ("38_", "genesis-classic"), ("40_", "genesis-classic"),
    ("39_", "eurostat-sdmx-csv"),
])
def test_the_formats_of_2025_26_are_told_by_content_not_by_name(prefix: str, kind: str, tmp_path: Path):
    renamed = tmp_path / "download.json"  # a misleading name: the content decides
    renamed.write_bytes(real_sample(prefix).read_bytes())
    frame = read_table(renamed)
    assert frame.attrs["format"] == kind
    assert list(frame.columns[:5]) == LEADING and set(TRAILING) <= set(frame.columns)
    assert len(frame) > 0 and frame["value"].notna().any()


def test_an_excel_workbook_is_refused_with_what_to_download() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # the members every xlsx has
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ParseError, match=r"Excel workbook.*as CSV"):
        read_table(buffer.getvalue())
