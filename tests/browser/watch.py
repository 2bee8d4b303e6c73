"""Watching a page for what must never happen in Keel's pages: a script Keel did not ship running, an element or
attribute made from stored text, a Content-Security-Policy violation, a dialog, json_script data that no longer
parses. `Watch(page)` listens from then on; `watch.open(path)` loads a page and returns what it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Page

CLEAN: dict[str, Any] = {"made": 0, "inline": 0, "broken_data": 0, "xss": None, "violations": []}

_FOUND = """() => {
  const made = document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], a[href^="javascript:"]');
  const inline = [...document.scripts].filter((s) => !s.src && s.type !== "application/json");
  const data = [...document.querySelectorAll('script[type="application/json"]')].filter((s) => {
    try { JSON.parse(s.textContent); return false; } catch (error) { return true; }
  });
  return { made: made.length, inline: inline.length, broken_data: data.length, xss: window.__xss ?? null,
           violations: window.__violations || [] };
}"""
_LISTEN = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.__violations = window.__violations || []).push(event.violatedDirective + " " + event.blockedURI);
});"""


@dataclass
class Watch:
    page: Page
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.context.add_init_script(_LISTEN)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        self.console.append(message.text)

    def open(self, path: str) -> dict[str, Any]:
        """Load `path` and report: elements made from markup, inline scripts, unparseable json_script blocks,
        window.__xss, the CSP violations of the page (CLEAN when none)."""
        self.page.goto(path)
        self.page.wait_for_load_state("load")
        found: dict[str, Any] = self.page.evaluate(_FOUND)
        return found

    def csp_messages(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line]
