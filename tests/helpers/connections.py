"""Helpers, not tests: a change made as another administrator would make it, on a connection
of its own."""

import threading

from models import db


def on_another_connection(change) -> None:
    """Run `change` on its own connection (a thread's), in its own transaction, and wait for it."""
    failures = []

    def run():
        try:
            with db.atomic():
                change()
        except Exception as error:  # handed to the test thread below
            failures.append(error)
        finally:
            db.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
