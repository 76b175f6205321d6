"""The README's first command: `./run` serves the portal on the embedded PostgreSQL, and Ctrl-C
leaves no PostgreSQL or worker behind. Also the embedded server's own lifecycle."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import psycopg

from heat import embedded_db

BASE = Path(__file__).resolve().parents[2]


def processes_using(path: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(attrs=["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if any(str(path) in part for part in cmdline):
            found.append(proc)
    return found


def test_the_embedded_server_starts_recovers_stale_attachments_and_stops(tmp_path):
    datadir = tmp_path / "db"
    url = embedded_db.start(datadir)
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("heat",)
        # A process killed with SIGKILL stays registered with pgserver; a new start forgets it.
        (datadir / ".handle_pids.json").write_text(json.dumps([999999]))
        assert embedded_db.start(datadir) == url
    finally:
        embedded_db.stop(datadir)
    assert not (datadir / "postmaster.pid").exists()
    assert processes_using(datadir) == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_serves_the_spanish_portal_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY")}
    env.update(HEAT_VAR_DIR=str(tmp_path), HEAT_ADDRESS=f"127.0.0.1:{port}")
    log = (tmp_path / "run.log").open("w")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "heat.launcher"],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        page = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and launcher.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/entrar/", timeout=5) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert page is not None, (tmp_path / "run.log").read_text()[-3000:]
        assert "Iniciar sesión" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5) as response:
            assert response.status == 200
        assert any("procrastinate" in " ".join(p.cmdline()) for p in psutil.Process(launcher.pid).children())
    finally:
        # Ctrl-C in a terminal signals the whole foreground process group.
        os.killpg(launcher.pid, signal.SIGINT)
        launcher.wait(timeout=60)
    output = (tmp_path / "run.log").read_text()
    assert "Stopping the embedded PostgreSQL" in output
    assert processes_using(tmp_path) == [], output[-3000:]
    assert not (tmp_path / "db" / "postmaster.pid").exists()
