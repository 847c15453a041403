"""Static images (PNG, SVG, PDF) for print and social media, via kaleido and Debian's chromium.

kaleido 1.x drives a Chrome it finds on the machine; we point it at Debian's ``chromium``
through ``BROWSER_PATH`` and never let it download one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from krefeld_data.charts.theme import DEFAULT_HEIGHT, STATIC_WIDTH
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


# kaleido reloads its page (all of plotly.js) after every image, to start each one clean: on
# this machine that is 70 % of an image's time (0.17 of 0.25 s). A reused tab gives the same
# PNG bytes (tests/test_image_browser.py compares them with kaleido's own way), so our tabs
# reload only after this many images, which bounds what a long batch can accumulate.
RELOAD_EVERY = 25
# One tab: a second one draws 34 images 0.8 s faster but costs 2 s of CPU to open (its first
# page load compiles plotly.js), and a build has that CPU busy with kernels and datasets.
IMAGE_TABS = 1


def _kaleido_class() -> type:
    """kaleido's ``Kaleido``, with tabs that reload every RELOAD_EVERY images instead of every one.

    The override uses kaleido's tab queue (kaleido 1.x); should a later kaleido lack it, its
    own class is used unchanged: slower, never wrong.
    """
    import kaleido

    base = kaleido.Kaleido
    if not (hasattr(base, "_return_kaleido_tab") and hasattr(base, "_get_kaleido_tab")):
        return base

    class ReusingKaleido(base):  # type: ignore[misc, valid-type]
        async def _return_kaleido_tab(self, tab: Any) -> None:
            uses = getattr(self, "_kd_uses", {})
            self._kd_uses = uses
            uses[id(tab)] = uses.get(id(tab), 0) + 1
            if uses[id(tab)] >= RELOAD_EVERY or not hasattr(self, "tabs_ready"):
                uses[id(tab)] = 0
                await super()._return_kaleido_tab(tab)
                return
            await self.tabs_ready.put(tab)

    return ReusingKaleido


class ImageBrowser:
    """One headless Chromium with kaleido tabs, on an event loop in a thread of its own.

    Starting the browser costs about a second, so a build starts one early (:func:`warm_up`) and
    every batch of images uses it. MathJax is off: our charts have no formulas, and kaleido's
    default would ask a CDN for it (this machine has no internet, a reader's newsroom may not either).
    """

    def __init__(self, tabs: int = IMAGE_TABS) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="krefeld-image-browser",
                                        daemon=True)
        self._thread.start()
        self._kaleido: Any = None
        self._opened = asyncio.run_coroutine_threadsafe(self._open(tabs), self._loop)

    async def _open(self, tabs: int) -> None:
        browser_path()
        kaleido = _kaleido_class()(n=tabs, mathjax=False)
        await kaleido.open()
        self._kaleido = kaleido

    def write(self, figures: list[go.Figure], paths: list[Path], *, width: int, heights: list[int],
              scale: float) -> None:
        """Draw each figure into its file; raises the first failure (the rest are cancelled)."""
        self._opened.result()
        jobs = [
            {"fig": fig, "path": path,
             "opts": {"format": _format_of(path), "width": width, "height": height, "scale": scale}}
            for fig, path, height in zip(figures, paths, heights, strict=True)
        ]
        asyncio.run_coroutine_threadsafe(
            self._kaleido.write_fig_from_object(jobs, cancel_on_error=True), self._loop
        ).result()

    def close(self) -> None:
        """End the browser and the thread (also after a failed start)."""
        with contextlib.suppress(Exception):  # a failed start was reported where it mattered
            self._opened.result()
        if self._kaleido is not None:
            asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(timeout=60)
            self._kaleido = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    fmt = "jpeg" if fmt == "jpg" else fmt
    if fmt not in FORMATS:
        raise ExportError(f"cannot export a chart as {path.name}: use one of {', '.join(FORMATS)}")
    return fmt


def export_static(
    fig: go.Figure, path: str | Path, *, width: int = STATIC_WIDTH, height: int | None = None,
    scale: float = 2,
) -> Path:
    """Write ``fig`` to ``path``; the format follows the file extension (png, svg, pdf)."""
    target = Path(path)
    height = height or int(fig.layout.height or DEFAULT_HEIGHT)
    return export_many([fig], [target], width=width, heights=[height], scale=scale)[0]


def export_many(
    figures: list[go.Figure], paths: list[Path], *, width: int = STATIC_WIDTH, scale: float = 2,
    heights: list[int] | None = None,
) -> list[Path]:
    """Write many figures in one browser (one start instead of one per image).

    Each file appears whole or not at all: the images go to a temporary folder beside the
    first target and are moved into place one by one. Uses the build's browser when one is
    running (:func:`warm_up`), else starts one for this call.
    """
    import tempfile

    if not figures:
        return []
    targets = [Path(p) for p in paths]
    for target in targets:
        _format_of(target)
    browser_path()
    heights = heights or [int(fig.layout.height or DEFAULT_HEIGHT) for fig in figures]  # as on the page
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kd-images-", dir=targets[0].parent) as tmp:
        staged = [Path(tmp) / f"{number}{target.suffix}" for number, target in enumerate(targets)]
        with _queue_lock:
            shared = _browser
        browser = shared or ImageBrowser()
        try:
            browser.write(figures, staged, width=width, heights=heights, scale=scale)
        except KrefeldDataError:
            raise
        except Exception as exc:  # kaleido raises plain errors; say which files failed
            names = ", ".join(t.name for t in targets[:3])
            raise ExportError(f"could not export charts ({names}{' …' if len(targets) > 3 else ''}): "
                              f"{exc}") from None
        finally:
            if shared is None:
                browser.close()
        for source, target in zip(staged, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    return targets


# Static images take seconds (kaleido drives a browser): a build queues them here and keeps
# running its notebooks; whoever needs the files waits (wait_for_exports). One worker takes
# every image queued so far into the build's one browser, started while the datasets are
# written (:func:`warm_up`).
_queue_lock = threading.Lock()
_queue: list[tuple[str, go.Figure, Path]] = []
_worker: threading.Thread | None = None
_problems: list[str] = []
_browser: ImageBrowser | None = None


def warm_up() -> None:
    """Start the build's image browser in the background (idempotent; ended by wait_for_exports).

    Without a usable browser nothing is started: each batch then reports its own error.
    """
    global _browser
    try:
        browser_path()
    except ExportError:
        return
    with _queue_lock:
        if _browser is None:
            _browser = ImageBrowser()


def _work() -> None:
    global _worker
    while True:
        with _queue_lock:
            batch = list(_queue)
            _queue.clear()
            if not batch:
                _worker = None
                return
        warm_up()  # the build's browser, if none is running: it serves every batch until the wait
        try:
            export_many([fig for _, fig, _ in batch], [path for _, _, path in batch])
        except KrefeldDataError as exc:
            labels = ", ".join(dict.fromkeys(label for label, _, _ in batch))
            with _queue_lock:
                _problems.append(f"PNG/SVG of {labels} not written: {exc}")
            _stop_browser()  # a tab that failed is not reused: the next batch gets a fresh browser


def export_later(figures: list[go.Figure], paths: list[Path], *, label: str) -> None:
    """Queue images for the background worker; ``label`` names them in a failure message."""
    global _worker
    with _queue_lock:
        _queue.extend((label, fig, Path(path)) for fig, path in zip(figures, paths, strict=True))
        if _worker is None:
            _worker = threading.Thread(target=_work, name="krefeld-images", daemon=True)
            _worker.start()


def wait_for_exports() -> list[str]:
    """Wait for the queued images and end the build's browser; one line per batch that failed."""
    while True:
        with _queue_lock:
            worker = _worker
        if worker is None:
            break
        worker.join()
    _stop_browser()
    with _queue_lock:
        problems = list(_problems)
        _problems.clear()
    return problems


def _stop_browser() -> None:
    global _browser
    with _queue_lock:
        browser, _browser = _browser, None
    if browser is not None:
        browser.close()
