"""The base of margin's apps: every notification is made inert before it is shown.

Notifications quote data (a label deleted, an error naming a file, a copied quote), and
every screen's and widget's ``notify`` ends here, so this is the one place that
guarantees none of them can carry an escape sequence to the terminal.
"""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel

from .text.sanitise import sanitise


class InertApp(App[None]):
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        super().notify(sanitise(message), title=sanitise(title), severity=severity, timeout=timeout, markup=markup)
