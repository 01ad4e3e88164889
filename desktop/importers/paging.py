"""Paged lists: a page whose `@odata.nextLink` leads to a page that is not in the same import
gets a warning in the summary, never silence."""

from collections import defaultdict


class PageTracker:
    """Pages of each list as they come; `warnings()` once all have."""

    def __init__(self):
        self.fetched: set[str] = set()  # request URLs of the pages of this import (the sync's documents)
        self.pages: dict[str, int] = defaultdict(int)
        self.open_links: dict[str, tuple[str, int]] = {}  # next link → (list name, the page that named it)

    def page(self, name: str, next_link: str | None, url: str | None = None) -> None:
        """One page of the list `name` (`users`, `assignments`, …), fetched from `url` if known."""
        if url:
            self.fetched.add(url)
        else:
            self._continued(name)
        self.pages[name] += 1
        if next_link:
            self.open_links[next_link] = (name, self.pages[name])

    def _continued(self, name: str) -> None:
        """A later page of `name` came in a file (a file keeps no request URL to match)."""
        for link, (list_name, _) in list(self.open_links.items()):
            if list_name == name:
                del self.open_links[link]

    def warnings(self) -> list[str]:
        return [
            f"{name}: page {number} of a paged list; the following pages were not imported"
            for link, (name, number) in self.open_links.items()
            if link not in self.fetched
        ]
