"""The request lifecycle: `Lifecycle` (controller.py) is the one place where requests and
assignments change state. The other modules are its parts: the SQL it runs (statements),
the configuration a transaction reads (configuration), the transactions (transactions),
audit records and decisions (records), giving and taking access (delivery), and the work
time brings (due_work)."""

from desktop.lifecycle.controller import Lifecycle
from desktop.lifecycle.due_work import Processed

__all__ = ["Lifecycle", "Processed"]
