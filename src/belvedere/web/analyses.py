"""« Analyser cette commune »: the diagnosis of a commune the store holds no audience for, run by
the server when it may fetch (``belvedere serve --fetch``), never otherwise.

The server runs ``belvedere diagnose`` in a child process, as a team would in a terminal: it
writes to the store like any outside writer (the server lets go of the file between requests and
takes the new audience in at its next look, see :class:`belvedere.web.api.State`), its requests
are the CLI's polite ones (User-Agent with the contact, retries, at most 3 in flight), and a
crash or a kill of it leaves the store as its transactions leave it and the server up. It tells
its progress through a small JSON file (see :func:`belvedere.cli.common.tell_progress`).
One analysis at a time: each is a few dozen requests to Wikimedia, and the store has one writer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from belvedere.config import PROGRESS_ENV

PEERS = 20  # comparable communes fetched beside the commune (see `diagnose --peers`)
KEEP_LOG_LINES = 3  # lines of the child's errors shown when it fails


@dataclass
class Analysis:
    code: str
    name: str
    started: float
    process: subprocess.Popen[bytes]
    progress: Path
    log: Path

    def returncode(self) -> int | None:
        return self.process.poll()

    def where(self) -> dict[str, Any]:
        """The step the child last told (``articles``, ``audience``, ``figures``) and its count."""
        try:
            told: dict[str, Any] = json.loads(self.progress.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            told = {"step": "start", "done": None, "total": None}
        return told

    def error(self) -> str:
        """The child's last error lines: its one-line French explanation, as the CLI prints it."""
        try:
            lines = [x.strip() for x in self.log.read_text(encoding="utf-8", errors="replace").splitlines()]
        except OSError:
            return ""
        errors = [x.split(":", 1)[1].strip() for x in lines if x.startswith("Erreur :")]
        if errors:  # the CLI's own one-line explanation
            return errors[-1]
        said = [x for x in lines if x and "━" not in x]
        return " ".join(said[-KEEP_LOG_LINES:])


class AnalysisBusyError(Exception):
    """Another commune is being analysed: one at a time."""

    def __init__(self, other: Analysis) -> None:
        super().__init__(other.name)
        self.other = other


class Analyses:
    """The analyses the server started, by commune code (the last one of each is kept)."""

    def __init__(self, db: Path, contact: str, *, peers: int = PEERS) -> None:
        self.db = db
        self.contact = contact
        self.peers = peers
        self._jobs: dict[str, Analysis] = {}
        self._lock = threading.Lock()
        self._workdir = Path(tempfile.mkdtemp(prefix="belvedere-analyses-"))

    def get(self, code: str) -> Analysis | None:
        with self._lock:
            return self._jobs.get(code)

    def running(self) -> Analysis | None:
        with self._lock:
            return next((a for a in self._jobs.values() if a.returncode() is None), None)

    def start(self, code: str, name: str) -> Analysis:
        """Start the analysis of ``code`` (or give the one already running for it)."""
        with self._lock:
            for job in self._jobs.values():
                if job.returncode() is None:
                    if job.code == code:
                        return job
                    raise AnalysisBusyError(job)
            progress = self._workdir / f"{code}.json"
            log = self._workdir / f"{code}.log"
            progress.unlink(missing_ok=True)
            env = {**os.environ, PROGRESS_ENV: str(progress), "COLUMNS": "120"}
            cmd = [sys.executable, "-m", "belvedere.cli", "--db", str(self.db), "diagnose", code,
                   "--peers", str(self.peers), "--contact", self.contact]  # fmt: skip
            with log.open("wb") as out:
                process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           env=env)  # fmt: skip
            job = self._jobs[code] = Analysis(code, name, time.time(), process, progress, log)
            return job

    def close(self) -> None:
        """At the server's stop: a running child is stopped (its transactions leave the store whole),
        and the progress files and logs go."""
        with self._lock:
            for job in self._jobs.values():
                if job.returncode() is None:
                    job.process.terminate()
                    try:
                        job.process.wait(10)
                    except subprocess.TimeoutExpired:
                        job.process.kill()
            shutil.rmtree(self._workdir, ignore_errors=True)
