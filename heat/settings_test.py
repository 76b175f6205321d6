"""Settings for the test suite: the real settings, with a throw-away key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("MEDIA_ROOT", "var/test-media")

from heat.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
AXES_ENABLED = True
