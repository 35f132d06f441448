"""The README's pictures of the views (issue 8): each one it shows is in the tree, each file
in ``docs/pictures/`` is shown, and each names a view that ``scripts/readme_pictures.py`` takes."""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "docs" / "pictures"


def _shown() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"!\[[^\]]+\]\(docs/pictures/([^)]+\.png)\)", text))


def test_every_picture_shown_is_there_and_every_file_is_shown() -> None:
    files = {p.name for p in PICTURES.glob("*.png")}
    assert _shown() == files
    assert len(files) >= 5  # as-of page, timeline, agreements, map, network


def test_every_picture_is_a_png_of_a_view_the_script_takes() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import readme_pictures
    finally:
        sys.path.pop(0)
    views = {f"{v.name}.png" for v in readme_pictures.VIEWS}
    assert _shown() == views
    for name in views:
        data = (PICTURES / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width >= 300 and height >= 200, name
