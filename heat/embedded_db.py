"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given.

pgserver keeps a list of the processes attached to a data directory and stops the server when
the last one leaves. A process killed with SIGKILL never leaves that list, so the server would
then run forever. The launcher therefore owns the server's lifetime instead: it starts it with
``cleanup_mode=None``, forgets any stale attachments, and stops it explicitly on exit.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

# pgserver asks platformdirs for a runtime directory; on servers without XDG_RUNTIME_DIR that
# only produces a warning, and /tmp is the right fallback anyway.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

DATABASE_NAME = "heat"


def _server(datadir: Path, cleanup_mode: str | None):
    import pgserver

    datadir.parent.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(datadir, cleanup_mode=cleanup_mode)


def start(datadir: Path, *, database: str = DATABASE_NAME) -> str:
    """Start (or re-attach to) the server in ``datadir`` and return a URL for ``database``.

    The server is left running when this process exits: call :func:`stop`.
    """
    # Forget processes a previous run left registered (killed, crashed); we own the lifetime.
    (datadir / ".handle_pids.json").unlink(missing_ok=True)
    server = _server(datadir, cleanup_mode=None)
    _ensure_database(server.get_uri("postgres"), database)
    return server.get_uri(database)


def attach(datadir: Path, *, database: str = DATABASE_NAME) -> str:
    """For a process started by hand (``manage.py shell``): the server stops when the last
    process attached this way exits, pgserver's own rule."""
    server = _server(datadir, cleanup_mode="stop")
    _ensure_database(server.get_uri("postgres"), database)
    return server.get_uri(database)


def stop(datadir: Path) -> None:
    """Stop the server in ``datadir`` if it runs; quietly do nothing otherwise."""
    if not (datadir / "postmaster.pid").exists():
        return
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=datadir, user=user)
    except Exception as exc:  # the server may already be gone; nothing to stop then.
        print(f"(embedded PostgreSQL in {datadir} was not running: {exc})")
    (datadir / ".handle_pids.json").unlink(missing_ok=True)


def _ensure_database(admin_url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
