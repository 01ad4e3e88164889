"""Sign in to Microsoft Entra and out again: the browser sign-in runs off the UI thread behind a
progress dialog with Cancel; the window learns who signed in through `signed_in_changed`."""

import os
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.errors import DeskError
from desktop.graph.clouds import CLOUDS
from desktop.graph.connection import GraphSession, connected_tenant, sign_in_settings
from desktop.graph.identity import SignedIn
from desktop.graph.tokens import DEFAULT_CLIENT_ID, ENVIRONMENT_TOKEN
from ui.dialogs import messages
from ui.jobs import Job, JobContext, run_with_progress

ShowFailure = Callable[[str, BaseException], None]


class Account(QObject):
    """The window's Microsoft Entra account: at most one signed-in identity at a time."""

    signed_in_changed = Signal()

    def __init__(self, parent: QWidget, show_failure: ShowFailure):
        super().__init__(parent)
        self._parent = parent
        self._show_failure = show_failure
        self._session: GraphSession | None = None

    @property
    def signed_in(self) -> SignedIn | None:
        return self._session.signed_in if self._session is not None else None

    def session(self) -> GraphSession:
        """The sign-in session, made with the settings of the tenant this database mirrors."""
        if self._session is None:
            self._session = GraphSession(sign_in_settings())
        return self._session

    def sign_in(self) -> Job | None:
        """Sign in off the UI thread (the system browser opens when no token is cached). A database
        not yet connected first asks which tenant, cloud and client to sign in with."""
        try:
            if self._session is None and connected_tenant() is None and not os.environ.get(ENVIRONMENT_TOKEN):
                chosen = ask_sign_in_settings(self._parent)
                if chosen is None:
                    return None
                self._session = GraphSession(sign_in_settings(**chosen))
            session = self.session()
        except DeskError as error:
            self._show_failure("Sign in", error)
            return None

        def work(context: JobContext) -> SignedIn:
            # The browser's sign-in cannot be interrupted: Cancel discards its outcome.
            return session.sign_in()

        job = run_with_progress(
            self._parent,
            "Sign in to Microsoft Entra",
            "Sign in in your browser; this window continues when you are done…",
            work,
        )
        job.succeeded.connect(self._signed_in)
        job.failed.connect(lambda error: self._show_failure("Sign in", error))
        return job

    def _signed_in(self, identity: SignedIn) -> None:
        note = self.session().storage_note
        if note:
            messages.inform(self._parent, "Signed in", f"{identity.status()}.\n\n{note}")
        self.signed_in_changed.emit()

    def sign_out(self) -> None:
        """Forget the account and its cached tokens."""
        if self._session is not None:
            self._session.sign_out()
        self.signed_in_changed.emit()


class SignInSettingsDialog(QDialog):
    """Tenant, cloud and client of the first sign-in; later ones take the database's."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("Sign in to Microsoft Entra")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "Your browser opens to sign in. Leave the fields empty to use your account's "
                "home tenant and the default client."
            )
        )
        self.tenant = QLineEdit()
        self.tenant.setPlaceholderText("tenant id or domain, e.g. contoso.onmicrosoft.com")
        self.cloud = QComboBox()
        self.cloud.addItems(list(CLOUDS))
        self.client_id = QLineEdit()
        self.client_id.setPlaceholderText(f"{DEFAULT_CLIENT_ID} (Microsoft Graph Command Line Tools)")
        form.addRow("&Tenant:", self.tenant)
        form.addRow("&Cloud:", self.cloud)
        form.addRow("C&lient id:", self.client_id)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> dict:
        return {
            "tenant": self.tenant.text().strip() or None,
            "cloud": self.cloud.currentText(),
            "client_id": self.client_id.text().strip() or None,
        }


def ask_sign_in_settings(parent: QWidget | None) -> dict | None:
    """The settings the admin chose, or None when they cancelled."""
    dialog = SignInSettingsDialog(parent)
    return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
