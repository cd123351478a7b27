"""Compile gettext catalogues (.po → .mo) with polib, so set-up needs no GNU gettext on the machine."""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def main(paths: list[str]) -> None:
    for name in paths:
        po_path = Path(name)
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


if __name__ == "__main__":
    main(sys.argv[1:])
