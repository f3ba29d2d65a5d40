"""The page in a real browser: headless Chromium, driven by Selenium, pastes the bundled example
document and finds every name highlighted with its decoding; the name box shows the card, the
candidate box the screening table. A screenshot goes to benchmarks/results/web_page.png (and to
docs/web_page.png when INNKIT_DOCS_SCREENSHOT=1)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("selenium", reason="selenium is not installed")

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import innkit
from innkit.registry import Registry
from innkit.render import summary
from innkit.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="headless Chromium is not installed (apt-get install chromium chromium-driver)")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "examples" / "monograph.txt").read_text(encoding="utf-8")
NAMES = (ROOT / "examples" / "monograph-names.txt").read_text(encoding="utf-8").split("\n")
SCREENSHOT = ROOT / "benchmarks" / "results" / "web_page.png"
DOCS_SCREENSHOT = ROOT / "docs" / "web_page.png"
REGISTRY = Registry(None)
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,900",
                 "--hide-scrollbars", "--force-device-scale-factor=1")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a background thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(registry=REGISTRY, time_limit_s=600), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(server: str, browser: webdriver.Chrome) -> webdriver.Chrome:
    """The page with the example document pasted and its names found."""
    browser.get(server + "/")
    wait(browser).until(lambda d: "data" in d.find_element(By.ID, "meta-line").text)
    area = browser.find_element(By.ID, "text")
    # What a paste does: the whole text lands in the box at once, and an input event fires.
    browser.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", area, EXAMPLE)
    browser.find_element(By.ID, "find-button").click()
    wait(browser).until(lambda d: "found" in d.find_element(By.ID, "annotate-status").text)
    return browser


def wait(driver: webdriver.Chrome, seconds: float = 120) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_every_name_is_highlighted_with_its_decoding(page):
    marks = page.find_elements(By.CSS_SELECTOR, "#annotated mark")
    found = [(m.get_attribute("textContent"), m.get_attribute("data-summary"),
              m.get_attribute("title")) for m in marks]
    expected = innkit.annotate(EXAMPLE, registry=REGISTRY)
    assert [t for t, _, _ in found] == [m.text for m in expected]
    for (text, reading, title), mention in zip(found, expected, strict=True):
        assert reading == summary(mention.decoding), text
        assert reading in title and not reading.startswith("unknown"), text
    # The page shows the text itself, unchanged, around the highlights.
    shown = page.find_element(By.ID, "annotated").get_attribute("textContent")
    assert shown == EXAMPLE

    highlighted = {one_line(t).lower() for t, _, _ in found}
    words_highlighted = {w for t in highlighted for w in t.split()}
    for name in filter(None, NAMES):
        if name.lower() in highlighted:
            continue
        # Only a name the document breaks across lines may be found word by word (annotate
        # does not join a second word that starts a new line).
        written = re.search(r"\s+".join(map(re.escape, name.split())), EXAMPLE, re.IGNORECASE)
        assert written and "\n" in written.group(0), f"{name} is not highlighted"
        assert set(name.lower().split()) <= words_highlighted, name

    [ino] = [title for t, _, title in found if t == "Inotuzumab ozogamicin"][:1]
    assert "ino|tu|zu|mab" in ino and "tumour" in ino and "ozogamicin" in ino


def test_selecting_a_name_shows_its_card(page):
    # The title's "antibody-drug conjugates" is now a drug class; pick the first antibody name.
    mark = next(m for m in page.find_elements(By.CSS_SELECTOR, "#annotated mark")
                if m.text == "Inotuzumab ozogamicin")
    mark.click()
    panel = page.find_element(By.ID, "mention-panel")
    wait(page).until(lambda _: "calicheamicin" in panel.text)
    assert panel.find_element(By.TAG_NAME, "h3").text == "Inotuzumab ozogamicin"
    assert "ino | tu | zu | mab" in panel.find_element(By.CSS_SELECTOR, "pre.card").text


def test_the_name_box_explains_a_name(page):
    box = page.find_element(By.ID, "name-input")
    box.clear()
    box.send_keys("pemivibart")
    page.find_element(By.CSS_SELECTOR, "#explain-form button").click()
    wait(page).until(lambda d: d.find_element(By.ID, "explain-result").is_displayed())
    card = page.find_element(By.CSS_SELECTOR, "#explain-result pre.card").text
    assert "pemi | vi | bart" in card and "viral" in card
    parts = [p.text.split("\n")[0] for p in
             page.find_elements(By.CSS_SELECTOR, "#explain-result .part")]
    assert parts == ["pemi", "vi", "bart"]


def test_the_name_box_lists_every_substance_of_an_ambiguous_name(page):
    box = page.find_element(By.ID, "name-input")
    box.clear()
    box.send_keys("Ketas")  # a brand of esketamine and of ibudilast
    page.find_element(By.CSS_SELECTOR, "#explain-form button").click()
    wait(page).until(lambda d: "Ketas" in d.find_element(By.ID, "explain-result").text)
    shown = page.find_element(By.CSS_SELECTOR, "#explain-result p.substance")
    assert shown.text.startswith("AMBIGUOUS: brand of ")
    links = [a.text for a in shown.find_elements(By.TAG_NAME, "a")]
    assert sorted(links) == ["UNII 50LFG02TXD", "UNII M0TTH61XC5"]


@pytest.mark.skipif(not hasattr(innkit, "screen"), reason="innkit.screen (issue 5) is missing")
def test_the_candidate_box_shows_a_screening_table(page):
    box = page.find_element(By.ID, "candidate")
    box.clear()
    box.send_keys("trastuzimab")
    page.find_element(By.CSS_SELECTOR, "#screen-form button").click()
    wait(page).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#screen-rows tr"))
    rows = page.find_elements(By.CSS_SELECTOR, "#screen-rows tr")
    first = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
    assert first[0] == "trastuzumab" and first[2] == "high"
    if hasattr(innkit, "validate"):
        wait(page).until(lambda d: d.find_element(By.ID, "validate-result").is_displayed())
        verdict = page.find_element(By.CSS_SELECTOR, "#validate-result .verdict").text
        assert "does not comply" in verdict


def test_nothing_is_loaded_from_elsewhere_and_no_errors(page, server):
    origins = page.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert origins and all(urlsplit(u).netloc == urlsplit(server).netloc for u in origins)
    errors = [e for e in page.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_screenshot(page):
    """The page as a person sees it, after the steps above: kept for CI and the docs."""
    page.find_element(By.CSS_SELECTOR, "#annotated mark[data-index='0']").click()
    page.execute_script("window.scrollTo(0, 0)")
    height = page.execute_script("return document.documentElement.scrollHeight")
    page.set_window_size(1280, min(max(height, 900), 4000))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert page.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    if os.environ.get("INNKIT_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(SCREENSHOT, DOCS_SCREENSHOT)
