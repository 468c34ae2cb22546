"""PDF from the HTML reports: one headless chromium for a whole run.

Starting chromium costs about a second, more than printing a report; a run
of 75 förbund started it 75 times. :class:`PdfPrinter` starts it once and
prints each report through the DevTools protocol (``Page.printToPDF``) over
``--remote-debugging-pipe``: JSON messages ended by a NUL byte, commands on
the browser's file descriptor 3, answers and events on 4. No websocket, no
extra dependency. Each report gets its own tab, closed after printing, so
reports do not share state.

The print settings are those of ``chromium --print-to-pdf
--no-pdf-header-footer``, which this replaced: the page size and margins of
report.css (``@page``), no header or footer, backgrounds as the print
stylesheet says.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from finsam_analysis.errors import FinsamError
from finsam_analysis.files import replacing

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
NOT_INSTALLED = (
    "PDF kräver webbläsaren chromium, som inte är installerad. "
    "Installera den med: sudo apt-get update && sudo apt-get install chromium"
)
#: Run in the child: the two pipe ends (argv 1 and 2) onto fds 3 and 4, then exec the browser.
_ON_3_AND_4 = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "[os.close(int(fd)) for fd in sys.argv[1:3]]; os.execv(sys.argv[3], sys.argv[3:])"
)
#: Seconds one report may take to load and print.
TIMEOUT_S = 180.0


def find_chromium() -> str | None:
    """The chromium (or Chrome) on PATH, or None."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class PdfPrinter:
    """A headless chromium kept running to print many HTML files to PDF.

    Use as a context manager; :meth:`print` may be called from one thread at
    a time. A browser that died is started again on the next call.
    """

    def __init__(self, exe: str | None = None) -> None:
        self.exe = exe or find_chromium()
        if self.exe is None:
            raise FinsamError(NOT_INSTALLED)
        self._proc: subprocess.Popen | None = None
        self._profile: tempfile.TemporaryDirectory | None = None
        self._next_id = 0
        self._buffer = b""

    # -- the browser ---------------------------------------------------------

    def _start(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="finsam-chromium-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        # Above 9, so that putting them on 3 and 4 in the child never overwrites one with the other.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]
        os.close(to_browser)
        os.close(from_browser)
        browser = [
            self.exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe", "about:blank",
        ]  # fmt: skip
        try:
            # A small Python puts the pipe ends on fds 3 and 4 and becomes the browser (exec):
            # no preexec_fn (unsafe with threads), no shell (dash knows fds 0-9 only).
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _ON_3_AND_4, *map(str, high), *browser], pass_fds=high,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            for fd in high:
                os.close(fd)
        self._buffer = b""

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        proc, self._proc = self._proc, None
        if proc is not None:
            for fd in (self._write, self._read):
                try:
                    os.close(fd)
                except OSError:
                    pass
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def __enter__(self) -> "PdfPrinter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the protocol ----------------------------------------------------------

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._write, data):]
        return self._next_id

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise FinsamError("chromium svarade inte i tid när PDF:en skulle skrivas.")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise FinsamError("chromium avslutades innan PDF:en var skriven.")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _call(self, method: str, params: dict | None, session: str | None, deadline: float) -> dict:
        """Send a command and wait for its answer (events on the way are dropped)."""
        wanted = self._send(method, params, session)
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise FinsamError(f"chromium kunde inte skriva PDF:en ({message['error'].get('message', '')}).")
                return message.get("result", {})

    def _until_loaded(self, session: str, navigate: dict, deadline: float) -> None:
        """Navigate and wait for the page's load event (images and fonts are in by then)."""
        wanted = self._send("Page.navigate", navigate, session)
        answered = loaded = False
        while not (answered and loaded):
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message or message.get("result", {}).get("errorText"):
                    raise FinsamError(f"chromium kunde inte öppna {Path(navigate['url']).name}.")
                answered = True
            elif message.get("method") == "Page.loadEventFired" and message.get("sessionId") == session:
                loaded = True

    # -- printing --------------------------------------------------------------

    def print(self, html_path: Path, pdf_path: Path) -> None:
        """Print ``html_path`` to ``pdf_path`` (written atomically)."""
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._start()
        deadline = time.monotonic() + TIMEOUT_S
        target = self._call("Target.createTarget", {"url": "about:blank"}, None, deadline)["targetId"]
        try:
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True}, None, deadline)[
                "sessionId"
            ]
            self._call("Page.enable", None, session, deadline)
            self._until_loaded(session, {"url": Path(html_path).resolve().as_uri()}, deadline)
            pdf = self._call(
                "Page.printToPDF",
                {"displayHeaderFooter": False, "preferCSSPageSize": True, "printBackground": False},
                session, deadline,
            )["data"]  # fmt: skip
        finally:
            if self._proc is not None and self._proc.poll() is None:
                self._call("Target.closeTarget", {"targetId": target}, None, deadline)
        with replacing(Path(pdf_path)) as tmp:
            tmp.write_bytes(base64.b64decode(pdf))


def html_to_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print one HTML report to PDF (a browser started for it; a batch keeps one :class:`PdfPrinter`)."""
    with PdfPrinter() as printer:
        printer.print(html_path, pdf_path)
