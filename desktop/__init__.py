"""The application core of Entitlement Desk: no Qt here, every change of state goes through it."""
