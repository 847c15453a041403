"""data/processed/datapackage.json: a Frictionless Data Package that `frictionless validate` accepts.

The datasets are built from the package's sample data (origin "sample"); the oracle for the
values is the CSV file itself, read with the ``csv`` module.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from krefeld_data import config
from krefeld_data.datasets import io as processed
from krefeld_data.datasets.datapackage import UNDESCRIBED, describe_column, write_datapackage
from krefeld_data.datasets.registry import DATASETS, build_datasets
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples


@pytest.fixture(scope="module")
def demo_processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The processed datasets of the demo, built once for this module."""
    root = tmp_path_factory.mktemp("datapackage")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.DATA_DIR_ENV, str(root / "data"))
        install_samples(RawStore())
        build_datasets(force=True)
    return root / "data" / "processed"


@pytest.fixture
def package(demo_processed: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv(config.DATA_DIR_ENV, str(demo_processed.parent))
    return json.loads((demo_processed / "datapackage.json").read_text(encoding="utf-8"))


def frictionless() -> str:
    found = shutil.which("frictionless") or str(Path(sys.executable).with_name("frictionless"))
    if not Path(found).is_file():
        pytest.fail("the frictionless command is not installed (it is a declared dependency)")
    return found


def test_the_clean_stage_writes_a_package_frictionless_validate_accepts(demo_processed: Path) -> None:
    done = subprocess.run([frictionless(), "validate", "--json", "datapackage.json"], cwd=demo_processed,
                          capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(done.stdout)
    assert report["valid"] is True, json.dumps(report, ensure_ascii=False)[:3000]
    assert done.returncode == 0
    checked = {task["name"] for task in report["tasks"]}
    assert len(checked) == len(list(demo_processed.glob("*.csv")))


def test_one_resource_per_processed_dataset_with_the_german_csv_dialect(package: dict,
                                                                        demo_processed: Path) -> None:
    csv_files = sorted(p.name for p in demo_processed.glob("*.csv"))
    assert sorted(r["path"] for r in package["resources"]) == csv_files
    for resource in package["resources"]:
        assert resource["dialect"]["delimiter"] == ";"
        assert resource["encoding"] == "utf-8"
        numbers = [f for f in resource["schema"]["fields"] if f["type"] == "number"]
        assert all(f["decimalChar"] == "," for f in numbers)
        # the CSV's own header (read without the BOM) is the schema, column by column
        with (demo_processed / resource["path"]).open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=";"))
        assert [f["name"] for f in resource["schema"]["fields"]] == header


def test_every_field_has_its_german_description_computed_columns_included(package: dict) -> None:
    by_name = {r["path"].removesuffix(".csv"): r for r in package["resources"]}
    for name, resource in by_name.items():
        for field in resource["schema"]["fields"]:
            assert field["description"] and field["description"] != UNDESCRIBED, (name, field["name"])
    status = {f["name"]: f for f in by_name["schutzsuchende_status"]["schema"]["fields"]}
    assert status["per_1000"]["description"] == DATASETS["schutzsuchende_status"].columns["per_1000"]
    assert status["per_1000"]["type"] == "number"
    assert status["region_key"]["type"] == "string"  # keys are text: 05114 keeps its zero


def test_a_number_read_through_the_package_is_the_number_in_the_csv(package: dict,
                                                                    demo_processed: Path) -> None:
    from frictionless import Package

    pkg = Package(str(demo_processed / "datapackage.json"))
    resource = pkg.get_resource("schutzsuchende-status")
    rows = resource.read_rows()
    with (demo_processed / "schutzsuchende_status.csv").open(encoding="utf-8-sig", newline="") as handle:
        raw = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == len(raw)
    assert next(iter(rows[0].keys())) == "region_key"  # the BOM is not part of the first name
    first = next(i for i, r in enumerate(raw) if "," in r["per_1000"])
    assert float(rows[first]["per_1000"]) == pytest.approx(float(raw[first]["per_1000"].replace(",", ".")))
    assert rows[first]["region_key"] == raw[first]["region_key"]


def test_sources_carry_licence_and_vintage_and_the_sample_mark(package: dict) -> None:
    assert {lic["name"] for lic in package["licenses"]} == {"dl-de/by-2-0", "CC BY 4.0"}
    for resource in package["resources"]:
        assert resource["sources"], resource["name"]
        for source in resource["sources"]:
            assert source["licence"] in ("dl-de/by-2-0", "CC BY 4.0")
            assert "vintage" in source
            assert source["note"] == "Beispieldaten – keine echten Zahlen"  # built from samples
        assert "Beispieldaten" in resource["title"]


def test_without_any_dataset_no_package_is_written(tmp_path: Path) -> None:
    assert write_datapackage(DATASETS.values(), tmp_path) is None
    assert not (tmp_path / "datapackage.json").exists()


def test_one_column_lookup_for_dictionary_page_and_package() -> None:
    docs = {"per_1000": "Schutzsuchende je 1.000 Einwohner"}
    assert describe_column("per_1000", docs) == "Schutzsuchende je 1.000 Einwohner"
    assert describe_column("region_key", docs) == processed.COLUMN_DOCS["region_key"]
    labelled = describe_column("ges", {}, {"ges": {"label": "Geschlecht"}})
    assert labelled.startswith("Ausprägung des Merkmals GES")
    assert describe_column("ges_code", {}, {"ges": "Geschlecht"}).startswith("Code zu ges")
    assert describe_column("nothing", {}) == UNDESCRIBED
    shares = {"share": "Anteil an allen Einwohnern (0 bis 1)"}
    assert describe_column("share_percent", shares) == "Anteil an allen Einwohnern, in Prozent"


def test_the_methodology_box_describes_computed_columns_from_the_dataset_docs() -> None:
    from krefeld_data.publish.pages import methodology

    record = {"kind": "chart", "columns": ["per_1000", "share_percent", "region_key"],
              "sources": [{"source": "destatis", "table": "12531-0043", "origin": "test"}]}
    box = dict(methodology([], [record], {}).columns)
    assert box["per_1000"] == DATASETS["schutzsuchende_status"].columns["per_1000"]
    assert "Merkmal aus der Quelltabelle" not in box["per_1000"]
    assert box["share_percent"].endswith("in Prozent")
    assert box["region_key"] == processed.COLUMN_DOCS["region_key"]
