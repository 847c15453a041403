"""``read_table(path)`` streams a large flat file from disk instead of holding its bytes.

Sniffing reads the first 64 KiB, a snapshot's checksum is computed in blocks, and the parser
reads the file (or its zip member) itself. Every frame must equal the one read from bytes,
and every error must stay what it was: naming the file, encodings, damaged zips, checksums.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from krefeld_data import read_table
from krefeld_data.errors import ChecksumMismatch, ParseError
from krefeld_data.fetch.importer import import_file
from krefeld_data.parse import sniff as formats
from krefeld_data.raw import store
from krefeld_data.raw.store import RawStore, Snapshot

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "krefeld_data" / "samples" / "files"
FLAT = SAMPLES / "SAMPLE_12411-01-01-4.csv"  # current layout, UTF-8 with BOM, > 64 KiB


def flat_bytes() -> bytes:
    data = FLAT.read_bytes()
    assert len(data) > 2 * formats.FLAT_FILE_HEAD
    return data


def zipped(member: str, content: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr(member, content)
    return buffer.getvalue()


def test_a_large_flat_file_is_sniffed_from_its_head_and_named_for_streaming(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    path.write_bytes(flat_bytes())
    payload = formats.sniff_file(path)
    assert payload.kind == formats.FFCSV and payload.encoding == "utf-8-sig"
    assert payload.path == path and payload.data == b"" and not payload.text_complete
    assert len(payload.text.encode("utf-8")) <= formats.FLAT_FILE_HEAD
    assert formats.read_content(payload, str(path)) == path.read_bytes()


def test_streamed_file_gives_the_frame_read_from_bytes(tmp_path: Path, monkeypatch) -> None:
    data = flat_bytes()
    expected = read_table(data)
    path = tmp_path / "flat.csv"
    path.write_bytes(data)

    def no_whole_file(*args, **kwargs):
        raise AssertionError("the whole file was sniffed")

    monkeypatch.setattr(formats, "sniff", no_whole_file)
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, expected)
    assert frame.attrs["format"] == formats.FFCSV


def test_small_files_and_other_formats_are_still_read_whole(tmp_path: Path) -> None:
    small = tmp_path / "classic.csv"
    small.write_bytes((SAMPLES / "SAMPLE_12511-01-01-4.csv").read_bytes())
    payload = formats.sniff_file(small)
    assert payload.path is None and payload.text_complete and payload.kind == formats.CLASSIC
    pd.testing.assert_frame_equal(read_table(small), read_table(small.read_bytes()))


def test_a_zipped_large_flat_file_is_streamed_from_its_member(tmp_path: Path) -> None:
    data = flat_bytes()
    path = tmp_path / "table.zip"
    path.write_bytes(zipped("12411-01-01-4_flat.csv", data))
    payload = formats.sniff_file(path)
    assert payload.path == path and payload.member == "12411-01-01-4_flat.csv" and payload.data == b""
    assert payload.table_code == "12411-01-01-4"
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, read_table(path.read_bytes()))
    pd.testing.assert_frame_equal(frame.drop(columns="table"), read_table(data).drop(columns="table"))


def test_a_zip_damaged_after_the_head_is_a_parse_error_naming_the_file(tmp_path: Path) -> None:
    data = flat_bytes()
    stored = bytearray(zipped("flat.csv", data, zipfile.ZIP_STORED))  # bytes at known places
    stored[stored.index(data) + len(data) - 1000] ^= 0x01  # past the sniffed head: only the CRC tells
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(stored))
    assert formats.sniff_file(path).path == path  # the head reads fine
    with pytest.raises(ParseError, match="damaged or truncated zip") as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_latin1_after_the_head_of_a_streamed_file_is_read_as_windows_1252(tmp_path: Path, caplog) -> None:
    text = flat_bytes().decode("utf-8-sig")
    head_end = text.index("\n", formats.FLAT_FILE_HEAD) + 1
    # An ASCII head, then umlauts in Windows-1252: the parser must switch, not garble or fail.
    ascii_head = text[:head_end].replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    assert ascii_head.isascii()
    path = tmp_path / "cp1252.csv"
    path.write_bytes((ascii_head + text[head_end:]).encode("cp1252"))
    caplog.set_level(logging.WARNING)
    frame = read_table(path)
    assert any("Windows-1252" in r.getMessage() for r in caplog.records)
    expected = read_table((ascii_head + text[head_end:]).encode("utf-8"))
    pd.testing.assert_frame_equal(frame, expected)


def test_a_bad_line_far_down_a_streamed_file_is_named_by_its_number(tmp_path: Path) -> None:
    lines = flat_bytes().split(b"\n")
    bad = len(lines) - 5
    lines[bad] = lines[bad] + b";extra"
    path = tmp_path / "shifted.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(ParseError, match=f"line {bad + 1} has 18 fields") as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_a_stored_large_file_is_checked_in_blocks_and_not_read_whole(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "12411-01-01-4_flat.csv"
    source.write_bytes(flat_bytes())
    (result,) = import_file(source)
    snapshot = result.result.snapshot
    monkeypatch.setattr(store, "HASH_BLOCK", 4096)  # many blocks

    def no_read_bytes(self):
        raise AssertionError("read the snapshot whole")

    monkeypatch.setattr(Snapshot, "read_bytes", no_read_bytes)
    frame = read_table(snapshot)
    assert frame.attrs["provenance"]["sha256"] == snapshot.provenance.sha256
    pd.testing.assert_frame_equal(frame.drop(columns="table"),
                                  read_table(source).drop(columns="table"))
    assert RawStore().verify() == (1, [])


def test_a_changed_byte_in_a_stored_large_file_is_a_checksum_mismatch(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "12411-01-01-4_flat.csv"
    source.write_bytes(flat_bytes())
    (result,) = import_file(source)
    path = result.result.snapshot.path
    data = bytearray(path.read_bytes())
    data[len(data) - 100] ^= 0x01  # far past the sniffed head
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    monkeypatch.setattr(store, "HASH_BLOCK", 4096)
    with pytest.raises(ChecksumMismatch, match="has changed since it was stored"):
        read_table(path)
    checked, problems = RawStore().verify()
    assert checked == 1 and len(problems) == 1 and "has changed" in problems[0].message


def test_file_hash_in_blocks_equals_the_hash_of_the_bytes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "HASH_BLOCK", 7)
    path = tmp_path / "f"
    content = bytes(range(256)) * 3 + b"tail"
    path.write_bytes(content)
    assert store.sha256_of_file(path) == (store.sha256_of(content), len(content))


def test_many_small_batches_give_the_frame_of_one_batch(tmp_path: Path, monkeypatch) -> None:
    """Batches are encoded on a worker while arrow reads on: order and labels must survive."""
    from krefeld_data.parse import common

    data = flat_bytes()
    path = tmp_path / "flat.csv"
    path.write_bytes(data)
    monkeypatch.setattr(common, "CSV_BLOCK_SIZE", 1 << 24)  # the whole file in one batch
    one_batch = read_table(path)
    monkeypatch.setattr(common, "CSV_BLOCK_SIZE", 8 << 10)  # ~20 batches, several in flight
    monkeypatch.setattr(common, "ENCODE_AHEAD", 2)
    many = read_table(path)
    assert len(many) == data.count(b"\n") - 1
    pd.testing.assert_frame_equal(many, one_batch)
