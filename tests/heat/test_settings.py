"""Settings come from the environment: DEBUG off unless set, SECRET_KEY required without DEBUG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    clean.setdefault("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")  # never connected to
    clean.update(env)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='heat.settings'; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.TIME_ZONE, settings.LANGUAGE_CODE, settings.USE_TZ)"  # noqa: E501
    return subprocess.run([sys.executable, "-c", code], cwd=BASE, env=clean, capture_output=True, text=True)


def test_without_debug_a_secret_key_is_required():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_is_off_unless_set_and_the_portal_speaks_mexican_spanish_in_mexico_city_time():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "America/Mexico_City", "es-mx", "True"]


def test_debug_can_be_turned_on_without_a_key():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def mailer(email_url: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    clean.update(DEBUG="1", EMAIL_URL=email_url, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='heat.settings'; django.setup(); from django.conf import settings; print(settings.MAILERS['default'])"  # noqa: E501
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE, env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_email_goes_to_the_smtp_server_or_the_folder_the_environment_names():
    smtp = mailer("smtp+tls://heat:secret@mail.example.com:587")
    assert "smtp.EmailBackend" in smtp and "'host': 'mail.example.com'" in smtp and "'use_tls': True" in smtp
    folder = mailer("filemail:////srv/heat/mail")
    assert "filebased.EmailBackend" in folder and "'file_path': '/srv/heat/mail'" in folder
    assert "console.EmailBackend" in mailer("consolemail://")
