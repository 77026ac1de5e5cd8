"""Find what a strict Content-Security-Policy would block in an HTML page (house rule: none of it)."""

from __future__ import annotations

from html.parser import HTMLParser

# <script type="…"> values that are data, not code: the browser never executes them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._inline_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, _value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style=…> (inline style attribute)")
            elif name.startswith("on") or name.startswith("hx-on") or name.startswith("x-on:"):
                self.problems.append(f"<{tag} {name}=…> (inline event handler)")
            elif name in ("href", "src", "action") and (names[name] or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style> element (inline stylesheet)")
        if tag == "script" and not names.get("src"):
            kind = (names.get("type") or "text/javascript").lower()
            if kind not in DATA_SCRIPT_TYPES:
                self._inline_script = kind

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inline_script is not None:
            self.problems.append(f"<script> without src (type {self._inline_script})")
            self._inline_script = None


def inline_code(html: str) -> list[str]:
    """Every inline script, inline style and inline event handler in ``html``."""
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
