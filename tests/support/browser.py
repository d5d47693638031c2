"""Headless Chromium (Debian's `chromium`, driven by Playwright for Python) for the calendar page's
end-to-end tests: one browser per module, one context per person, every console error and page
error collected so each test can assert there were none (but the answers it provoked)."""
from __future__ import annotations

import json
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from support.live_helpers import IN_CI

CHROMIUM = "/usr/bin/chromium"
TOKEN_KEY = "calendar.token"  # where the page keeps the token (backend/web/static/api.js)
# What Chromium logs for an HTTP answer of this status: not a script error, but an answer the test provoked.
FAILED_RESOURCE = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})")
OFFLINE = re.compile(r"ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed")


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system's chromium, headless (never a browser Playwright downloads)."""
    if not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail("chromium is not installed; `make test` installs it (make system-packages)")
        pytest.skip("chromium not found (apt-get install chromium); CI runs these tests")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()


class Person:
    """One person's browser (a context of its own: its own localStorage) with a page open."""

    def __init__(self, browser: Browser, base_url: str, token: str | None = None, **context_options):
        self.base_url = base_url
        self.context: BrowserContext = browser.new_context(base_url=base_url, locale="ko-KR", **context_options)
        if token:
            self.context.add_init_script(f"localStorage.setItem({json.dumps(TOKEN_KEY)}, {json.dumps(token)})")
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.problems.append(message.text))
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, department_id: str | None = None, month: str | None = None) -> Page:
        query = "&".join(f"{k}={v}" for k, v in (("department", department_id), ("month", month)) if v)
        self.page.goto(f"/?{query}" if query else "/")
        return self.page

    def console_errors(self, provoked: tuple[int, ...] = (), offline: bool = False) -> list[str]:
        """Console and page errors, less the failed answers of the statuses the test provoked
        (and, with offline, the requests refused while the browser was offline)."""
        left = []
        for text in self.problems:
            status = FAILED_RESOURCE.match(text)
            if (status and int(status.group(1)) in provoked) or (offline and OFFLINE.search(text)):
                continue
            left.append(text)
        return left

    def close(self) -> None:
        self.context.close()


def _pixels(png: bytes) -> tuple[bytes, bytes]:
    """(IHDR, the decompressed image data) of a PNG."""
    header, data, at = b"", b"", 8
    while at < len(png):
        (length,), kind = struct.unpack(">I", png[at:at + 4]), png[at + 4:at + 8]
        if kind == b"IHDR":
            header = png[at + 8:at + 8 + length]
        elif kind == b"IDAT":
            data += png[at + 8:at + 8 + length]
        at += 12 + length
    return header, zlib.decompress(data)


def save_screenshot(page: Page, path: Path, tolerance: float = 0.001) -> bytes:
    """Screenshot the page to `path`, unless the file there shows the same picture (all but a
    `tolerance` share of its bytes alike: anti-aliasing differs from run to run), so a test run
    leaves the committed picture alone when nothing visible changed. Returns the new PNG."""
    png = page.screenshot(full_page=True)
    if path.exists():
        (old_header, old), (new_header, new) = _pixels(path.read_bytes()), _pixels(png)
        if old_header == new_header and sum(a != b for a, b in zip(old, new, strict=True)) <= tolerance * len(new):
            return png
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return png
