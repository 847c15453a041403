"""The ``krefeld-data`` command line: the stages of the flow as verbs.

On failure it prints one line on stderr and exits 1 (no traceback unless ``--debug``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from krefeld_data import __version__
from krefeld_data.errors import KrefeldDataError

log = logging.getLogger("krefeld_data")


def _cmd_sources(args: argparse.Namespace) -> int:
    from krefeld_data.catalog import describe_sources

    print(describe_sources())
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from krefeld_data.fetch.runner import fetch_cli

    return fetch_cli(codes=args.codes, database=args.db, refresh=args.refresh, keep_going=args.keep_going)


def _cmd_search(args: argparse.Namespace) -> int:
    from krefeld_data.fetch.search import search_cli

    return search_cli(args.pattern, database=args.db)


def _cmd_import(args: argparse.Namespace) -> int:
    from krefeld_data.fetch.importer import import_file

    failures = 0
    for name in args.files:
        try:
            for item in import_file(Path(name), table=args.table, database=args.db):
                snap = item.result.snapshot
                state = "stored" if item.result.created else "already stored"
                print(f"{name}: {state} as {snap.provenance.source}/{snap.provenance.table} "
                      f"({item.kind}) -> {snap.path}")
        except KrefeldDataError as exc:
            failures += 1
            print(f"{name}: not imported: {exc}", file=sys.stderr)
    if failures:
        print(f"{failures} of {len(args.files)} files not imported", file=sys.stderr)
    return 1 if failures else 0


def _cmd_build(args: argparse.Namespace) -> int:
    from krefeld_data.publish.build import build_cli

    return build_cli(force=args.force, partial=args.partial, stories=args.stories, data_only=args.data_only,
                     city=args.city, compare=args.compare, context=args.context)


def _cmd_report(args: argparse.Namespace) -> int:
    """The main job for a newcomer: fetch what can be fetched, build what can be built."""
    from krefeld_data.catalog import STORIES
    from krefeld_data.fetch.runner import fetch_all, plan
    from krefeld_data.publish.build import build_reports, print_outcome
    from krefeld_data.regions.resolve import resolve_parameters

    # Checked before anything is fetched or built: a typo in a city stops the whole job.
    parameters = resolve_parameters(args.city, args.compare, args.context)
    reports = fetch_all(plan([], None), refresh=args.refresh)
    for report in reports:
        print(report.line)
    print_outcome(build_reports(list(STORIES), force=args.force, partial=True, parameters=parameters))
    return 0


def _cmd_new_story(args: argparse.Namespace) -> int:
    from krefeld_data.scaffold import new_story_cli

    return new_story_cli(args.slug, table=args.table, database=args.db, title=args.title,
                         build=not args.no_build)


def _cmd_datawrapper(args: argparse.Namespace) -> int:
    from krefeld_data.publish.datawrapper import datawrapper_cli

    return datawrapper_cli(args.story, publish=args.publish, city=args.city)


def _cmd_demo(args: argparse.Namespace) -> int:
    from krefeld_data.samples import demo_cli

    return demo_cli(force=args.force)


def _cmd_verify(args: argparse.Namespace) -> int:
    from krefeld_data.raw.store import RawStore

    store = RawStore()
    checked, problems = store.verify()
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    print(f"{checked} stored files checked in {store.root}: "
          f"{'all intact' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="krefeld-data",
        description="Official German statistics for data journalism: fetch, clean, chart, publish.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], text: str):
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.set_defaults(handler=handler)
        return cmd

    add("sources", _cmd_sources, "what the stories need and where each table is stored")
    fetch = add("fetch", _cmd_fetch, "fetch all story data, or the tables named")
    fetch.add_argument("codes", nargs="*", metavar="CODE", help="table codes (default: all)")
    fetch.add_argument("--db", help="database: destatis, regio, nrw, zensus, eurostat")
    fetch.add_argument("--refresh", action="store_true", help="ask the service for newer data")
    fetch.add_argument("--keep-going", action="store_true", help="exit 0 even if some fail")
    search = add("search", _cmd_search, "search a GENESIS catalogue for tables")
    search.add_argument("pattern", help="selection pattern, e.g. '12411*'")
    search.add_argument("--db", default="regio", help="database (default: regio)")
    imp = add("import", _cmd_import, "register files downloaded from a statistics office")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--table", help="table code, when the file does not carry it")
    imp.add_argument("--db", help="database key, when the file does not tell it")
    build = add("build", _cmd_build, "clean the data, run the story notebooks, export HTML")
    build.add_argument("stories", nargs="*", metavar="STORY", help="story names (default: all)")
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    build.add_argument("--partial", action="store_true",
                       help="build the stories whose data is there; list what is missing")
    build.add_argument("--data-only", action="store_true",
                       help="only write the processed datasets (data/processed), no pages")
    report = add("report", _cmd_report,
                 "the main job: fetch what the stories need, build every story that has its data")
    report.add_argument("--refresh", action="store_true", help="ask the services for newer data")
    report.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    for cmd in (build, report):
        cmd.add_argument("--city", metavar="KEY|NAME",
                         help="the city the pages are about (Kreis key or name, e.g. 05112 or Duisburg); "
                         "pages go to reports/<city>/")
        cmd.add_argument("--compare", metavar="KEY,…",
                         help="comparison cities, comma-separated (default: the column's cities)")
        cmd.add_argument("--context", metavar="KEY,…",
                         help="context regions, comma-separated (default: the city's Land and DG)")
    new = add("new-story", _cmd_new_story,
              "scaffold a new story from a stored table: notebook, facts module, dataset, test")
    new.add_argument("slug", metavar="SLUG", help="short name, e.g. arbeitsmarkt (becomes NN-slug)")
    new.add_argument("--table", required=True, metavar="CODE", help="table code, already stored")
    new.add_argument("--db", help="database of the table (default: where it is stored)")
    new.add_argument("--title", help="page title (default: from the slug)")
    new.add_argument("--no-build", action="store_true", help="only write the files, do not build")
    dw = add("datawrapper", _cmd_datawrapper,
             "create or update a built story's charts in Datawrapper (token: DATAWRAPPER_ACCESS_TOKEN)")
    dw.add_argument("story", metavar="STORY", help="story name, e.g. 02-schutzsuchende")
    dw.add_argument("--publish", action="store_true", help="also publish the charts")
    dw.add_argument("--city", metavar="KEY|NAME", help="the charts of the pages built for this city")
    demo = add("demo", _cmd_demo, "build the pages from the package's sample data (offline)")
    demo.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    add("verify", _cmd_verify, "check every raw file against its checksum")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.quiet:
        import os

        os.environ["TQDM_DISABLE"] = "1"
    try:
        return args.handler(args)
    except KrefeldDataError as exc:
        if args.debug:
            raise
        print(f"krefeld-data {args.command}: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:
        # A verb reached a module of the publish extra outside the publish stage's own check.
        from krefeld_data.errors import PUBLISH_MODULES, extra_message

        top = (exc.name or "").split(".")[0]
        if args.debug or top not in PUBLISH_MODULES:
            raise
        print(f"krefeld-data {args.command}: {extra_message('publish', [top])}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"krefeld-data {args.command}: interrupted; nothing half-written was kept",
              file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
