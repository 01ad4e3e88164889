"""The Account menu: who the app acts as. Connected to a tenant it names the signed-in user;
on a database bound to one login it says so; otherwise it offers the administrators to act as
(a simulation) and any other directory user, such as an approver deciding their own queue."""

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from desktop.graph.connection import account_status
from desktop.permissions import administrators, roles_of
from models import User
from ui.dialogs.user_picker import pick_user


class AccountMenu(QMenu):
    def __init__(self, window: QWidget, sign_in: QAction, sign_out: QAction):
        super().__init__("&Account", window)
        self.window = window
        self.sign_in_action = sign_in
        self.sign_out_action = sign_out
        self.aboutToShow.connect(self.refill)

    def refill(self) -> None:
        window = self.window
        self.clear()
        if window.connected:
            self.addAction(account_status(window.account.signed_in, window.actor)).setEnabled(False)
            self.addAction(self._account_action())
            return
        if not window.switchable:
            self.addAction(f"Acting as {window.actor.display_name}: this database login is bound to them").setEnabled(
                False
            )
            return
        self.addSection("Act as (a simulation: this database is not connected to a tenant)")
        group = QActionGroup(self)
        for user in administrators().limit(200):
            roles = ", ".join(sorted(roles_of(user)))
            action = self.addAction(f"{user.display_name} — {roles}")
            action.setCheckable(True)
            action.setChecked(window.actor is not None and user.id == window.actor.id)
            action.setActionGroup(group)
            action.triggered.connect(lambda _checked=False, chosen=user: window.set_actor(chosen))
        if not group.actions():
            self.addAction("No user in this database holds an administrator role").setEnabled(False)
        self.addSeparator()
        self.addAction("Act as another user…", self._act_as_picked_user)
        self.addAction(self._account_action())

    def _account_action(self) -> QAction:
        return self.sign_out_action if self.window.account.signed_in else self.sign_in_action

    def _act_as_picked_user(self) -> None:
        match = pick_user(self.window, "Act as")
        if match is not None:
            self.window.set_actor(User.get_by_id(match.id))
