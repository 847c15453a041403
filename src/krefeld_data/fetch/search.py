"""``krefeld-data search PATTERN``: find table codes in a GENESIS catalogue.

A pattern that looks like a code (``12411*``, ``1000A-2022``) is matched against codes;
anything with words (``Einbürgerung*``) against titles.
"""

from __future__ import annotations

import re
import sys

from krefeld_data.fetch.genesis import GenesisClient, one_line

_CODE_LIKE = re.compile(r"^[0-9*?][0-9A-Za-z*?-]*$")


def search_tables(pattern: str, database: str = "regio", *, client: GenesisClient | None = None
                  ) -> list[tuple[str, str]]:
    """(code, title) of every table matching ``pattern``."""
    client = client or GenesisClient(database)
    criterion = "Code" if _CODE_LIKE.match(pattern) else "Content"
    return [
        (str(item.get("Code", "")), one_line(item.get("Content", "")))
        for item in client.catalogue_tables(pattern, searchcriterion=criterion)
    ]


def search_cli(pattern: str, database: str = "regio") -> int:
    found = search_tables(pattern, database)
    if not found:
        print(f"no table in {database} matches {pattern!r}", file=sys.stderr)
        return 1
    width = max(len(code) for code, _ in found)
    for code, title in found:
        print(f"{code:<{width}}  {title}")
    return 0
