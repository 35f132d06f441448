"""Take the README's pictures of the analyst's views (``docs/pictures/*.png``).

Starts ``alliance-ld serve`` on a free loopback port with the shipped data, opens each
view in headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by
selenium, as the browser tests do) and saves a screenshot of the part of the page the
README shows. Run it after a change to a view, and commit the pictures::

    .venv/bin/python scripts/readme_pictures.py

The pictures are the only generated files committed besides the ontology's release
artefacts; the README names each of them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "pictures"


@dataclass(frozen=True)
class View:
    """One picture: the page, the element to photograph, the window width."""

    name: str
    path: str
    selector: str
    width: int = 1100


VIEWS = (
    View("as-of-page", "doc/alliance/nato.html?as_of=1999", "#dated-heading ~ table"),
    View("timeline", "doc/partnership/partnership-for-peace.html?as_of=1999-06-01", "#timeline"),
    View("agreements-as-of", "doc/nation/new-zealand.html?as_of=2000", "#agreements-heading"),
    View("map", "doc/alliance/nato.html?as_of=1999", "#map"),
    View("network-1985", "network?year=1985", "figure"),
    View("network-phone", "network?year=2024", "main", width=390),
)

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(port: int) -> subprocess.Popen[bytes]:
    url = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen(
        [sys.executable, "-m", "alliance_ld.cli", "serve", "--port", str(port),
         "--public-url", url], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("the server did not become ready in 120 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the pictures")
    parser.add_argument("names", nargs="*", help="only these views (default: all)")
    args = parser.parse_args(argv)
    os.environ.setdefault("SE_AVOID_STATS", "true")
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.common.exceptions import NoSuchElementException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        raise SystemExit("needs Debian's chromium and chromium-driver")
    args.out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = _serve(port)
    try:
        with tempfile.TemporaryDirectory() as profile:
            options = Options()
            options.binary_location = chromium
            for flag in (*FLAGS, f"--user-data-dir={profile}"):
                options.add_argument(flag)
            driver = webdriver.Chrome(options=options, service=Service(driver_path))
            try:
                for view in VIEWS:
                    if args.names and view.name not in args.names:
                        continue
                    driver.set_window_size(view.width, 1400)
                    driver.get(f"http://127.0.0.1:{port}/{view.path}")
                    try:
                        element = driver.find_element(By.CSS_SELECTOR, view.selector)
                    except NoSuchElementException:
                        print(f"{view.name}: no {view.selector} on /{view.path}; skipped")
                        continue
                    if view.selector == "#agreements-heading":  # the heading and its table
                        element = driver.find_element(By.CSS_SELECTOR, "#dated")
                    driver.execute_script("arguments[0].scrollIntoView(true);", element)
                    target = args.out / f"{view.name}.png"
                    target.write_bytes(element.screenshot_as_png)
                    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")
            finally:
                driver.quit()
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
