"""What `./run` does once the virtual environment is ready.

    ./run           migrate, load the demo data once, serve the portal and a job worker
    ./run test      run the whole test suite (extra arguments go to pytest)

With no DATABASE_URL the launcher starts the embedded PostgreSQL under var/ and stops it when it
finishes, whichever way it finishes (Ctrl-C included): see heat/embedded_db.py for why the
launcher, not pgserver, owns the server's lifetime.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from heat import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("HEAT_VAR_DIR", BASE_DIR / "var"))
PYTHON = sys.executable
ADDRESS = os.environ.get("HEAT_ADDRESS", "127.0.0.1:8000")


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("serve", [])
    if command in ("serve", "runserver"):
        return with_database(VAR / "db", serve)
    if command == "test":
        return with_database(VAR / "testdb", lambda: run_tests(args))
    print(f"Unknown command {command!r}. Use `./run` to serve the portal or `./run test`.")
    return 2


def with_database(datadir: Path, body) -> int:
    if os.environ.get("DATABASE_URL"):
        return body()
    print(f"==> Starting the embedded PostgreSQL in {datadir}")
    os.environ["DATABASE_URL"] = embedded_db.start(datadir)
    try:
        return body()
    finally:
        print("==> Stopping the embedded PostgreSQL")
        embedded_db.stop(datadir)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def serve() -> int:
    # The development server: DEBUG on unless the environment says otherwise, so static files
    # and error pages work without a production web server in front.
    os.environ.setdefault("DEBUG", "1")
    # The worker's first traffic-light sweep notifies every yellow and red demo folio: written to
    # files, those emails stay readable without flooding the terminal.
    mail_dir = VAR / "mail"
    os.environ.setdefault("EMAIL_URL", f"filemail:///{mail_dir}")  # django-environ drops one leading "/"
    manage("migrate", "--noinput", "-v", "0")
    manage("demo_data", "--if-empty")
    children = [
        subprocess.Popen([PYTHON, "manage.py", "procrastinate", "worker"], cwd=BASE_DIR),
        subprocess.Popen([PYTHON, "manage.py", "runserver", "--noreload", ADDRESS], cwd=BASE_DIR),
    ]
    print(f"==> Heat is on http://{ADDRESS}/  (admin: http://{ADDRESS}/admin/). Ctrl-C stops it.")
    if os.environ["EMAIL_URL"].startswith("filemail:"):
        print(f"    Emails are written to {mail_dir}/")

    def stop_children(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop_children)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop_children()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


def run_tests(args: list[str]) -> int:
    ensure_system_packages()
    return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=BASE_DIR).returncode


# What the test suite needs from the system: (command that proves it is there, Debian package).
TEST_SYSTEM_PACKAGES = [
    ("/usr/bin/chromium", "chromium"),  # browser tests
    ("xgettext", "gettext"),  # translation-completeness test
    ("pdftotext", "poppler-utils"),  # reading generated PDFs back
]


def ensure_system_packages() -> None:
    """Install what the tests need where we may (root with apt-get); elsewhere the tests that
    need a missing tool are skipped with a loud warning (and fail under CI)."""
    missing = [package for probe, package in TEST_SYSTEM_PACKAGES if not shutil.which(probe)]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"==> Installing Debian packages for the tests: {', '.join(missing)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing, "fonts-dejavu-core"], env=env, check=False)
        missing = [package for probe, package in TEST_SYSTEM_PACKAGES if not shutil.which(probe)]
    for package in missing:
        print(f"!!! {package} is missing: the tests that need it are SKIPPED (sudo apt-get install {package})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
