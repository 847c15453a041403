"""Import-time costs we choose not to pay: one place for the switches that keep start-up short."""

from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Keep jsonschema (imported by nbformat) from building its IRI grammar.

    ``jsonschema._format`` imports ``rfc3987_syntax`` when it is installed (JupyterLab brings
    it), and that module compiles a grammar at import: 1–2 s of CPU per process, more than
    pandas and plotly together (issue 12). The build process and every kernel that imports the
    chart kit load nbformat (plotly's renderers need it) but never check the ``iri`` format, so
    they do without it: jsonschema skips that one checker when the import fails. Once jsonschema
    is imported it is too late, and nothing is changed.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
