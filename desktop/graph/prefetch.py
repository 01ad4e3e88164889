"""Fetch several lists at once, hand their pages over in order.

Each source is a function returning an iterator of (url, body) pages. Up to `in_flight`
sources run ahead on worker threads, each holding at most `queue_pages` pages, so memory
stays bounded whatever the tenant's size. A source marked `after_previous` starts only when
every source before it has been consumed (it needs what they returned).
"""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator

from desktop.errors import Cancelled

IN_FLIGHT = 4
QUEUE_PAGES = 2
_END = object()


@dataclass(frozen=True)
class Source:
    name: str
    pages: Callable[[], Iterator[tuple[str, dict]]]
    after_previous: bool = False


class _Running:
    def __init__(self, source: Source, pages_queue: "queue.Queue"):
        self.source = source
        self.queue = pages_queue


def prefetched(
    sources: list[Source], cancel_event: threading.Event, in_flight: int = IN_FLIGHT, queue_pages: int = QUEUE_PAGES
) -> Iterator[tuple[str, str, dict]]:
    """(source name, url, body) for every page of every source, source by source, in order."""
    stop = threading.Event()
    pending = list(sources)
    running: list[_Running] = []
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="graph-fetch") as pool:
        try:
            while pending or running:
                while pending and len(running) < in_flight and not (pending[0].after_previous and running):
                    source = pending.pop(0)
                    pages_queue: queue.Queue = queue.Queue(maxsize=queue_pages)
                    pool.submit(_produce, source, pages_queue, stop, cancel_event)
                    running.append(_Running(source, pages_queue))
                current = running[0]
                while True:
                    item = _take(current.queue, cancel_event)
                    if item is _END:
                        break
                    if isinstance(item, BaseException):
                        raise item
                    yield (current.source.name, *item)
                running.pop(0)
        finally:
            stop.set()
            # Ended early (an error, a cancel): fetches still waiting out a Retry-After stop now.
            if pending or running:
                cancel_event.set()
            for entry in running:  # unblock producers waiting on a full queue
                _drain(entry.queue)


def _produce(source: Source, pages_queue: queue.Queue, stop: threading.Event, cancel_event: threading.Event) -> None:
    try:
        for page in source.pages():
            if not _put(pages_queue, page, stop, cancel_event):
                return
        _put(pages_queue, _END, stop, cancel_event)
    except BaseException as error:  # handed to the consumer, which raises it in order
        _put(pages_queue, error, stop, cancel_event)


def _put(pages_queue: queue.Queue, item, stop: threading.Event, cancel_event: threading.Event) -> bool:
    while not (stop.is_set() or cancel_event.is_set()):
        try:
            pages_queue.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _take(pages_queue: queue.Queue, cancel_event: threading.Event):
    while True:
        if cancel_event.is_set():
            raise Cancelled("Sync cancelled; nothing was written.")
        try:
            return pages_queue.get(timeout=0.1)
        except queue.Empty:
            continue


def _drain(pages_queue: queue.Queue) -> None:
    while True:
        try:
            pages_queue.get_nowait()
        except queue.Empty:
            return
