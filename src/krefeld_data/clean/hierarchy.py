"""Hierarchical classifications: which attributes are totals and which are their parts.

Some GENESIS attribute lists mix totals and parts. In 12531 (protection seekers) the list of
``SCHST2`` holds "Anerkannter Schutzstatus" *and* its parts "befristet" and "unbefristet", so
summing the column counts people twice. The trees below declare the structure explicitly
(codes and the labels exactly as published, typos included); :func:`leaves` and :func:`level`
select rows that partition the total, and :func:`check_parts_sum` verifies that published
parts add up to published totals.

Total rows: in ffcsv the total of a variable has an empty attribute code and the label
``Insgesamt``; we use the code ``""`` for it (:data:`TOTAL_CODE`).

Rounding: some tables publish values rounded to multiples of 5 (12531, see SOURCES.md). Every
published value, the total included, may then be off by up to half the rounding unit, so a
total with ``n`` parts may differ from the sum of its parts by up to ``2.5 × (n + 1)``;
since both sides are multiples of 5, that allows a difference of 5 for two parts and of 10 for
three or four. Tables without rounding are checked exactly (up to float noise).

Absent rows: ``compress=true`` downloads drop the rows that are zero and the total rows. So
where a total and some of its parts are published, an absent part counts as zero. Where a
total is published and none of its parts, we cannot tell an all-zero cell from a nested
layout that never breaks the total down (Zensus 2011 splits only Germans by migration
background), so the group is skipped (``absent_parts_are_zero=None``, the default; ``True``
or ``False`` force either reading). A total that is not published is never guessed.

Not additive by design: Zensus 2022 results (``1000A``) are perturbed cell by cell for
confidentiality (differences of a few persons between a total and its parts are normal), so
check them with an explicit ``tolerance``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

from krefeld_data.errors import DataCheckError
from krefeld_data.schema import variable_columns

log = logging.getLogger(__name__)

TOTAL_CODE = ""
TOTAL_LABEL = "Insgesamt"
NUMERIC_STATUSES = ("", "zero")

# Tables whose values are rounded, by table code prefix: the rounding unit. 12531: SOURCES.md;
# 12111 (Zensus 2011, Kreise): every value of the real sample 10 is a multiple of 10.
ROUNDED_TABLES = {"12531": 5.0, "12111": 10.0}


@dataclass(frozen=True)
class Node:
    code: str
    label: str
    children: tuple[Node, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class Hierarchy:
    """A declared tree of attribute codes of one variable; the root is the total."""

    variable: str
    root: Node
    note: str = ""
    _index: dict[str, tuple[Node, int]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for node, depth in self._walk(self.root, 0):
            if node.code in self._index:
                raise ValueError(f"code {node.code!r} appears twice in the {self.variable} tree")
            self._index[node.code] = (node, depth)

    def _walk(self, node: Node, depth: int) -> Iterator[tuple[Node, int]]:
        yield node, depth
        for child in node.children:
            yield from self._walk(child, depth + 1)

    def nodes(self) -> list[tuple[Node, int]]:
        """Every node with its depth (root = 0), parents before children."""
        return list(self._walk(self.root, 0))

    def node(self, code: str) -> Node:
        try:
            return self._index[code][0]
        except KeyError:
            raise DataCheckError(
                f"attribute code {code!r} is not in the declared {self.variable} hierarchy; "
                f"the classification may have changed: update krefeld_data/clean/hierarchy.py"
            ) from None

    def depth(self, code: str) -> int:
        self.node(code)
        return self._index[code][1]

    def parent(self, code: str) -> str | None:
        for node, _ in self.nodes():
            if any(child.code == code for child in node.children):
                return node.code
        return None

    def leaf_codes(self) -> list[str]:
        return [n.code for n, _ in self.nodes() if n.is_leaf]

    def level_codes(self, level: int) -> list[str]:
        """The cut at ``level``: nodes at that depth plus shallower leaves. Never double-counts."""
        return [n.code for n, d in self.nodes() if d == level or (d < level and n.is_leaf)]

    def parents(self) -> list[Node]:
        return [n for n, _ in self.nodes() if not n.is_leaf]

    def labels(self) -> dict[str, str]:
        return {n.code: n.label for n, _ in self.nodes()}


SCHUTZSTATUS = Hierarchy(
    "schst2",
    Node(TOTAL_CODE, TOTAL_LABEL, (
        Node("SCHUTZST-AK-1", "Anerkannter Schutzstatus", (
            Node("SCHUTZST-AK-2", "Befristet anerkannter Schutzstatus", (
                Node("SCHUTZST-AK-3", "Befristet anerkannter Schutzstatus aus Asylverf."),
                Node("SCHUTZST-AK-4", "Befristet anerk. Schutzstatus nicht aus Asylverf."),
            )),
            Node("SCHUTZST-AK-5", "Unbefristet anerkannter Schutzstatus"),
        )),
        Node("SCHUTZST-OF", "Offener Schutzstatus"),
        # Rejected protection status; the official label has the typo "Schutzsstatus".
        Node("SCHUTZST-X", "Ohne Schutzsstatus", (
            Node("AUSRPFL-G", "Geduldet ausreisepflichtig"),
            Node("AUSRPFL-L", "Latent ausreispflichtig"),  # sic
            Node("AUSRPFL-V", "Vollziehbar ausreisepflichtig"),
        )),
    )),
    note="Destatis 12531: anerkannt = befristet + unbefristet; befristet = aus Asylverfahren + "
    "nicht aus Asylverfahren; ohne (abgelehnter) Schutzstatus = geduldet + latent + vollziehbar "
    "ausreisepflichtig; insgesamt = anerkannt + offen + ohne.",
)

GESCHLECHT = Hierarchy(
    "ges",
    Node(TOTAL_CODE, TOTAL_LABEL, (Node("GESM", "männlich"), Node("GESW", "weiblich"))),
)

HIERARCHIES: dict[str, Hierarchy] = {h.variable: h for h in (SCHUTZSTATUS, GESCHLECHT)}


def attribute_codes(df: pd.DataFrame, var: str) -> pd.Series:
    """The attribute code of ``var`` per row, with the total as ``""``.

    Formats without codes (the classic CSV) fall back to the label, except that a label
    ``Insgesamt`` always means the total. Decided once per distinct (code, label) pair: a
    protection-seeker file has two million rows but a few hundred pairs.
    """
    na = "\x00"
    labels = df[var].astype(object) if var in df.columns else pd.Series(pd.NA, index=df.index)
    code_col = f"{var}_code"
    codes = df[code_col].astype(object) if code_col in df.columns else pd.Series(pd.NA, index=df.index)
    pairs = pd.DataFrame({"code": codes.where(codes.notna(), na).astype(str),
                          "label": labels.where(labels.notna(), na).astype(str)}, index=df.index)
    group = pairs.groupby(["code", "label"], sort=False).ngroup().to_numpy()
    unique = pairs.drop_duplicates()
    by_label = ({_label_key(label): code for code, label in HIERARCHIES[var].labels().items()}
                if var in HIERARCHIES else {})  # a declared tree knows the code of each label
    decided: list[str | None] = []
    for code, label in zip(unique["code"], unique["label"], strict=True):
        if code not in ("", na):
            decided.append(code)
        elif label != na and label.strip().lower() == TOTAL_LABEL.lower():
            decided.append(TOTAL_CODE)
        elif label == na:
            decided.append(None)
        else:
            decided.append(by_label.get(_label_key(label), label))
    missing = sum(1 for value in decided if value is None)
    if missing:
        rows = int(pd.Series([decided[g] is None for g in group]).sum())
        raise DataCheckError(f"{_tables(df)}: {rows} rows have neither a code nor a label for {var}")
    values = pd.Series(decided, dtype=object).to_numpy()[group]
    return pd.Series(values, index=df.index, dtype=object).astype(str)


def _label_key(label: object) -> str:
    return " ".join(str(label).split()).lower()


def hierarchy_for(df: pd.DataFrame, var: str) -> Hierarchy:
    """The declared tree of ``var``, else a flat one: total = every other attribute."""
    if var in HIERARCHIES:
        return HIERARCHIES[var]
    if var not in df.columns and f"{var}_code" not in df.columns:
        raise DataCheckError(f"{_tables(df)}: the frame has no variable {var!r}")
    codes = attribute_codes(df, var)
    labels = df[var].astype(str) if var in df.columns else codes
    first_label = dict(zip(codes, labels, strict=True))
    parts = tuple(Node(c, first_label[c]) for c in sorted(set(codes) - {TOTAL_CODE}))
    return Hierarchy(var, Node(TOTAL_CODE, TOTAL_LABEL, parts))


def _select(df: pd.DataFrame, var: str, wanted: list[str]) -> pd.DataFrame:
    tree = hierarchy_for(df, var)
    codes = attribute_codes(df, var)
    for code in codes.unique():
        tree.node(code)  # unknown codes fail loudly instead of vanishing
    return df[codes.isin(wanted)]


def leaves(df: pd.DataFrame, var: str) -> pd.DataFrame:
    """Rows of the finest attributes of ``var`` only: safe to sum over ``var``."""
    return _select(df, var, hierarchy_for(df, var).leaf_codes())


def level(df: pd.DataFrame, var: str, level: int) -> pd.DataFrame:
    """Rows of the cut at depth ``level`` (0 = total): nodes at that depth plus shallower leaves.

    For protection status, level 1 is anerkannt / offen / ohne Schutzstatus; level 2 splits
    anerkannt into befristet / unbefristet and "ohne" into the three kinds of obligation to
    leave, and keeps "offen".
    """
    return _select(df, var, hierarchy_for(df, var).level_codes(level))


def verify_labels(df: pd.DataFrame, var: str) -> None:
    """Fail if a code's published label differs from the declared one (classification changed)."""
    tree = hierarchy_for(df, var)
    codes = attribute_codes(df, var)
    pairs = pd.DataFrame({"code": codes, "label": df[var].astype(str)}).drop_duplicates()
    for code, label in pairs.itertuples(index=False):
        expected = tree.node(code).label
        if code != TOTAL_CODE and label != expected:
            raise DataCheckError(
                f"{_tables(df)}: {var} code {code} is labelled {label!r}, the declared hierarchy "
                f"says {expected!r}; check the classification and update hierarchy.py"
            )


@dataclass
class CheckResult:
    """What a sum check looked at: groups checked, skipped, and the largest difference seen."""

    variable: str
    checked: int = 0
    skipped: int = 0
    exact: int = 0
    max_abs_diff: float = 0.0
    tolerance: dict[str, float] = field(default_factory=dict)


def rounding_of(df: pd.DataFrame) -> float:
    """The rounding unit of the table(s) in ``df`` (0 when the values are exact)."""
    tables = {str(t) for t in df["table"].dropna().unique()} if "table" in df.columns else set()
    units = {unit for t in tables for prefix, unit in ROUNDED_TABLES.items() if t.startswith(prefix)}
    return max(units) if units else 0.0


def _key_frame(df: pd.DataFrame, var: str) -> pd.DataFrame:
    """The columns that identify one cell apart from ``var``, as strings.

    Other variables enter by attribute code, or by label where the format has no codes (the
    classic CSV writes empty codes), so cells never merge across those variables.
    """
    keys = {c: df[c].astype(str) for c in ("table", "region_code", "year", "date", "measure")
            if c in df.columns}
    for other in variable_columns(df):
        if other != var and other not in keys and other not in (
                "census_basis", "region", "region_key", "source_table", "source_snapshot"):
            keys[other] = attribute_codes(df, other)
    return pd.DataFrame(keys, index=df.index)


def check_parts_sum(
    df: pd.DataFrame,
    var: str,
    tolerance: float | None = None,
    *,
    rounding: float | None = None,
    absent_parts_are_zero: bool | None = None,
    only_root: bool = False,
) -> CheckResult:
    """Verify that, for every total of ``var`` and every cell, the parts add up to the total.

    ``tolerance`` is the allowed absolute difference; by default it is
    ``rounding / 2 × (number of declared parts + 1)`` with the table's rounding unit
    (:data:`ROUNDED_TABLES`; 0 for exact tables). Raises :class:`DataCheckError` naming the
    table, region, variable, total and sum of the worst group, with the number of failures.
    """
    tree = hierarchy_for(df, var)
    codes = attribute_codes(df, var)
    for code in codes.unique():
        tree.node(code)
    unit = rounding_of(df) if rounding is None else rounding
    key_frame = _key_frame(df, var)
    keys = list(key_frame.columns)
    numeric = df["status"].astype(str).isin(NUMERIC_STATUSES) if "status" in df.columns else df[
        "value"
    ].notna()
    work = key_frame.assign(_code=codes.values, _value=df["value"].astype(float).values,
                            _numeric=numeric.values)
    result = CheckResult(variable=var)
    failures: list[dict] = []
    parents = [tree.root] if only_root else tree.parents()
    for parent in parents:
        part_codes = [c.code for c in parent.children]
        tol = tolerance if tolerance is not None else unit / 2 * (len(part_codes) + 1)
        result.tolerance[parent.code] = tol
        totals = work[work["_code"] == parent.code]
        if totals.empty:
            continue
        parts = work[work["_code"].isin(part_codes)]
        grouped = parts.groupby(keys, sort=False, dropna=False) if keys else None
        if grouped is not None:
            sums = grouped.agg(_sum=("_value", "sum"), _n=("_code", "nunique"),
                               _ok=("_numeric", "all")).reset_index()
            merged = totals.merge(sums, on=keys, how="left")
        else:
            merged = totals.assign(_sum=parts["_value"].sum(), _n=parts["_code"].nunique(),
                                   _ok=parts["_numeric"].all())
        merged["_n"] = merged["_n"].fillna(0)
        merged["_sum"] = merged["_sum"].fillna(0.0)
        merged["_ok"] = merged["_ok"].fillna(True).astype(bool)
        usable = merged["_numeric"] & merged["_ok"]
        if absent_parts_are_zero is None:
            usable &= merged["_n"] > 0
        elif not absent_parts_are_zero:
            usable &= merged["_n"] == len(part_codes)
        result.skipped += int((~usable).sum())
        checked = merged[usable]
        diff = (checked["_value"] - checked["_sum"]).abs()
        result.checked += len(checked)
        result.exact += int((diff < 1e-9).sum())
        if len(diff):
            result.max_abs_diff = max(result.max_abs_diff, float(diff.max()))
        bad = checked[diff > tol + 1e-6 * checked["_value"].abs().clip(lower=1)]
        for row in bad.to_dict("records"):
            failures.append({"parent": parent, "parts": part_codes, "tol": tol, **row})
    if failures:
        worst = max(failures, key=lambda f: abs(f["_value"] - f["_sum"]))
        raise DataCheckError(_failure_message(df, var, worst, keys, len(failures)))
    log.info("%s: %s parts add up in %d groups (%d exact, largest difference %g, %d skipped)",
             _tables(df), var, result.checked, result.exact, result.max_abs_diff, result.skipped)
    return result


def check_totals(df: pd.DataFrame, var: str, tolerance: float | None = None, **kwargs) -> CheckResult:
    """Verify only the top level: the ``Insgesamt`` row (empty code) equals the sum of its parts.

    For a variable without a declared tree every other attribute is a part (``ges``:
    Insgesamt = männlich + weiblich). Same options as :func:`check_parts_sum`.
    """
    return check_parts_sum(df, var, tolerance, only_root=True, **kwargs)


def _failure_message(df: pd.DataFrame, var: str, worst: dict, keys: list[str], count: int) -> str:
    parent: Node = worst["parent"]
    table = worst.get("table", _tables(df))
    region = worst.get("region_code", "?")
    others = ", ".join(f"{k}={worst[k]}" for k in keys if k not in ("table", "region_code"))
    total_name = f"{parent.code or 'total'} ({parent.label})"
    return (
        f"table {table}, region {region}: {var} {total_name} is {worst['_value']:g} but its parts "
        f"{' + '.join(worst['parts'])} sum to {worst['_sum']:g} (difference "
        f"{worst['_value'] - worst['_sum']:g}, tolerance {worst['tol']:g}; {others}); "
        f"{count} group(s) fail. Check the hierarchy in clean/hierarchy.py or the source table"
    )


def _tables(df: pd.DataFrame) -> str:
    if "table" not in df.columns or df.empty:
        return "frame"
    return ", ".join(sorted(str(t) for t in df["table"].dropna().unique())) or "frame"
