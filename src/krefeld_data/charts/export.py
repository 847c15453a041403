"""Static images (PNG, SVG, PDF) for print and social media, via kaleido and Debian's chromium.

kaleido 1.x drives a Chrome it finds on the machine; we point it at Debian's ``chromium``
through ``BROWSER_PATH`` and never let it download one.
"""

from __future__ import annotations

import os
import shutil
import threading
import warnings
from pathlib import Path

import plotly.graph_objects as go

from krefeld_data.errors import KrefeldDataError

FORMATS = ("png", "svg", "pdf", "jpeg", "webp")


class ExportError(KrefeldDataError):
    """A chart could not be written as an image."""


def browser_path() -> str:
    """The browser kaleido uses: ``BROWSER_PATH`` if set, else Debian's chromium."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if not Path(configured).is_file():
            raise ExportError(f"BROWSER_PATH points at {configured}, which does not exist; "
                              f"install chromium (apt-get install chromium) or fix BROWSER_PATH")
        return configured
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise ExportError(
            "static chart export needs a Chromium browser and none was found; install Debian's "
            "package (apt-get install chromium) or set BROWSER_PATH; we never download one"
        )
    os.environ["BROWSER_PATH"] = found
    return found


def export_static(
    fig: go.Figure, path: str | Path, *, width: int = 800, height: int | None = None, scale: float = 2
) -> Path:
    """Write ``fig`` to ``path``; the format follows the file extension (png, svg, pdf)."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    fmt = "jpeg" if fmt == "jpg" else fmt
    if fmt not in FORMATS:
        raise ExportError(f"cannot export a chart as {target.name}: use one of {', '.join(FORMATS)}")
    browser_path()
    height = height or int(fig.layout.height or 480)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.write_image(str(target), format=fmt, width=width, height=height, scale=scale)
    except KrefeldDataError:
        raise
    except Exception as exc:  # kaleido raises plain errors; say which chart and file failed
        title = (fig.layout.meta or {}).get("title", "") if isinstance(fig.layout.meta, dict) else ""
        raise ExportError(f"could not export chart {title!r} to {target.name}: {exc}") from None
    return target


def export_many(
    figures: list[go.Figure], paths: list[Path], *, width: int = 800, scale: float = 2
) -> list[Path]:
    """Write many figures in one kaleido session (one browser start instead of one per image).

    Each file appears whole or not at all: the images go to a temporary folder beside the
    first target and are moved into place one by one.
    """
    import tempfile

    if not figures:
        return []
    targets = [Path(p) for p in paths]
    for target in targets:
        fmt = target.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ExportError(f"cannot export a chart as {target.name}: use one of {', '.join(FORMATS)}")
    browser_path()
    import plotly.io as pio

    targets[0].parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kd-images-", dir=targets[0].parent) as tmp:
        staged = [Path(tmp) / f"{number}{target.suffix}" for number, target in enumerate(targets)]
        heights = [int(fig.layout.height or 480) for fig in figures]
        try:
            with warnings.catch_warnings():  # plotly passes empty options that a running server ignores
                warnings.filterwarnings("ignore", message="The kopts argument is ignored")
                pio.write_images(figures, staged, width=width, height=heights, scale=scale)
        except KrefeldDataError:
            raise
        except Exception as exc:  # kaleido raises plain errors; say which files failed
            names = ", ".join(t.name for t in targets[:3])
            raise ExportError(f"could not export charts ({names} …): {exc}") from None
        for source, target in zip(staged, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    return targets


# Static images take seconds (kaleido drives a browser): a build queues them here and keeps
# running its notebooks; whoever needs the files waits (wait_for_exports). One worker takes
# every image queued so far in one kaleido session, so the browser starts once or twice per
# build, not once per story.
_queue_lock = threading.Lock()
_queue: list[tuple[str, go.Figure, Path]] = []
_worker: threading.Thread | None = None
_problems: list[str] = []
# One browser for the whole build, started while the datasets are written: a browser start
# costs seconds, and without a running server every batch would start its own.
_server: threading.Thread | None = None


def _start_server() -> None:
    try:
        browser_path()
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
    except Exception:  # no server: each batch starts its own browser and reports its own error
        return


def warm_up() -> None:
    """Start the build's image browser in the background (idempotent; ended by wait_for_exports)."""
    global _server
    with _queue_lock:
        if _server is None:
            _server = threading.Thread(target=_start_server, name="krefeld-image-browser", daemon=True)
            _server.start()


def _work() -> None:
    global _worker
    server = _server
    if server is not None:
        server.join()  # use the warm browser rather than starting a second one beside it
    while True:
        with _queue_lock:
            batch = list(_queue)
            _queue.clear()
            if not batch:
                _worker = None
                return
        try:
            export_many([fig for _, fig, _ in batch], [path for _, _, path in batch])
        except KrefeldDataError as exc:
            labels = ", ".join(dict.fromkeys(label for label, _, _ in batch))
            with _queue_lock:
                _problems.append(f"PNG/SVG of {labels} not written: {exc}")


def export_later(figures: list[go.Figure], paths: list[Path], *, label: str) -> None:
    """Queue images for the background worker; ``label`` names them in a failure message."""
    global _worker
    with _queue_lock:
        _queue.extend((label, fig, Path(path)) for fig, path in zip(figures, paths, strict=True))
        if _worker is None:
            _worker = threading.Thread(target=_work, name="krefeld-images", daemon=True)
            _worker.start()


def wait_for_exports() -> list[str]:
    """Wait for the queued images; returns one line per batch that could not be written."""
    while True:
        with _queue_lock:
            worker = _worker
        if worker is None:
            break
        worker.join()
    _stop_server()
    with _queue_lock:
        problems = list(_problems)
        _problems.clear()
    return problems


def _stop_server() -> None:
    global _server
    with _queue_lock:
        server, _server = _server, None
    if server is None:
        return
    server.join()
    import kaleido

    kaleido.stop_sync_server(silence_warnings=True)
