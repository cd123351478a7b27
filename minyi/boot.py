"""Start-up guard shared by manage.py, WSGI and ASGI: a bad configuration stops the process with
one line on stderr instead of a traceback."""

from __future__ import annotations

import importlib
import os
import sys

from minyi.env import EnvError


def load_settings(default: str = "minyi.settings") -> None:
    """Import the settings module now, turning a configuration error into a one-line exit."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except EnvError as error:
        sys.stderr.write(f"minyi: refusing to start: {error}\n")
        raise SystemExit(2) from None
