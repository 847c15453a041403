"""Run the benchmarks and print one table: name, baseline, ours, ratio, target, pass/fail.

    python benchmarks/run.py                 # parse, import, build, fetch (a few minutes)
    python benchmarks/run.py --large         # plus the ~1 GB memory run
    python benchmarks/run.py --only parse    # one group: parse, import, build, fetch
    python benchmarks/run.py --markdown benchmarks/results.md   # also write the results file

Every ratio is ours / baseline, both measured in this run on this machine. Exit status 1
when a target is missed, so the numbers cannot quietly get worse.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, Skipped, machine

GROUPS = ("parse", "import", "build", "fetch")
HEADER = ("benchmark", "baseline", "ours", "ratio", "target", "result")


def run_group(name: str, args: argparse.Namespace) -> list[Row | Skipped]:
    if name == "parse":
        import bench_parse

        return bench_parse.run(repeat=args.repeat, large=args.large)
    if name == "import":
        import bench_import

        return bench_import.run(repeat=args.repeat)
    if name == "build":
        import bench_build

        return bench_build.run(repeat=3)
    import bench_fetch

    return bench_fetch.run()


def _cells(row: Row) -> tuple[str, ...]:
    ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
    return (row.name, row.baseline, row.ours, ratio, row.target, row.verdict)


def text_table(rows: list[Row]) -> str:
    cells = [HEADER, *(_cells(r) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(HEADER))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


HAND_WRITTEN = "## Reading this run"


def markdown(rows: list[Row], skipped: list[Skipped], info: dict[str, str], command: str) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Measured {info['date']} with `{command}`.",
        "",
        f"- CPU: {info['cpu']}, `nproc` = {info['nproc']}",
        f"- 1-minute load average before → after each group: {info['load']}",
        f"- Python {info['python']} on {info['platform']}",
        f"- {info['versions']}",
        "",
        "```",
        "$ free -h",
        info["memory"],
        "```",
        "",
        "| " + " | ".join(HEADER) + " | note |",
        "|" + "---|" * (len(HEADER) + 1),
    ]
    for row in rows:
        out.append("| " + " | ".join(_cells(row)) + f" | {row.note} |")
    for skip in skipped:
        out.append(f"| {skip.name} | - | - | - | - | skipped | {skip.reason} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=GROUPS, action="append", help="run only this group (repeatable)")
    parser.add_argument("--large", action="store_true", help="also read a ~1 GB flat file (needs ~3 GB)")
    parser.add_argument("--repeat", type=int, default=5, help="timing runs per reader; the best counts")
    parser.add_argument("--markdown", type=Path, help="write the table and the machine to this file")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    skipped: list[Skipped] = []
    loads: list[str] = []  # other work on the machine disturbs timings: say how busy it was
    for group in args.only or GROUPS:
        started = time.perf_counter()
        before = os.getloadavg()[0]
        print(f"[{group}] running … (load average {before:.2f})", file=sys.stderr, flush=True)
        for result in run_group(group, args):
            (skipped if isinstance(result, Skipped) else rows).append(result)
        after = os.getloadavg()[0]
        loads.append(f"{group} {before:.1f} → {after:.1f}")
        print(f"[{group}] done in {time.perf_counter() - started:.0f} s (load average {after:.2f})",
              file=sys.stderr, flush=True)

    print(text_table(rows))
    notes = [f"  {number:>2}. {row.note}" for number, row in enumerate(rows, start=1) if row.note]
    if notes:
        print("\nnotes:", *notes, sep="\n")
    for skip in skipped:
        print(f"skipped: {skip.name}: {skip.reason}")
    info = machine()
    info["load"] = "; ".join(loads)
    print(f"\n{info['date']}; {info['cpu']}, nproc {info['nproc']}; Python {info['python']}")
    print(f"{info['versions']}; load average per group: {info['load']}")
    if args.markdown:
        command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
        kept = ""  # the hand-written reading of the run, below the table, is kept
        if args.markdown.is_file():
            previous = args.markdown.read_text(encoding="utf-8")
            start = previous.find(HAND_WRITTEN)
            kept = "\n" + previous[start:] if start >= 0 else ""
        args.markdown.write_text(markdown(rows, skipped, info, command.strip()) + kept, encoding="utf-8")
        print(f"written: {args.markdown}", file=sys.stderr)
    return 1 if any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
