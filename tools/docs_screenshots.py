"""Regenerate the screenshots in docs/: the page at a desktop and a phone width, and the page
docs/web.md shows, taken by the browser tests (headless Chromium at /usr/bin/chromium, driven by
Selenium, the dev extra) with INNKIT_DOCS_SCREENSHOT=1, which copies each one into docs/.

    python tools/docs_screenshots.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ("web_page.png", "web_page_desktop.png", "web_page_phone.png")


def main() -> int:
    if not CHROMIUM.exists():
        print(f"docs screenshots: {CHROMIUM} is absent; install chromium and chromium-driver",
              file=sys.stderr)
        return 2
    before = {name: (ROOT / "docs" / name).stat().st_mtime_ns
              if (ROOT / "docs" / name).exists() else 0 for name in SHOTS}
    tests = ["tests/test_web_browser.py::test_screenshot",
             "tests/test_web_page_browser.py::test_no_sideways_scrolling_and_a_screenshot"]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *tests], cwd=ROOT, env={**os.environ, "INNKIT_DOCS_SCREENSHOT": "1"})
    if done.returncode != 0:
        print("docs screenshots: the browser tests failed; the old screenshots stay",
              file=sys.stderr)
        return 1
    for name in SHOTS:
        path = ROOT / "docs" / name
        state = "written" if path.exists() and path.stat().st_mtime_ns != before[name] \
            else "NOT written"
        print(f"docs/{name}: {state}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
