"""The page at a desktop width and at a phone's, in headless Chromium driven by Selenium: every
kind of mention styled and in the legend, the address carrying the query, downloads, names
suggested as you type, the keyboard, no sideways scrolling on a phone; a screenshot at each
width goes to benchmarks/results/ (and to docs/ when INNKIT_DOCS_SCREENSHOT=1, which
tools/docs_screenshots.py sets). Skipped when Chromium is not installed."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("selenium", reason="selenium is not installed")

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

import innkit
from innkit.registry import Registry
from innkit.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="headless Chromium is not installed (apt-get install chromium chromium-driver)")

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REGISTRY = Registry(None)
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
TEXT = ("Besponsa (inotuzumab ozogamicin) was given with trastuzumab deruxtecan (T-DXd); "
        "later T-DXd was stopped. Beta-blockers were continued; one patient took inotuzumab "
        "ozagamicin, another pemivibart (Xelvorin\u00ae), and Xelvorin was continued.")
"""Every kind of mention: known names, a short form and a brand the text defines (Xelvorin is
no real brand: a brand the text gives, unknown elsewhere), a drug class, a near miss."""
DEFAULT_YELLOW = "rgb(255, 255, 0)"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
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


@pytest.fixture(scope="module", params=list(WIDTHS))
def browser(request, tmp_path_factory) -> Iterator[webdriver.Chrome]:
    width, height = WIDTHS[request.param]
    downloads = tmp_path_factory.mktemp(f"downloads-{request.param}")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", f"--window-size={width},{height}",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('profile')}")
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(120)
    driver.width_name = request.param
    driver.downloads = downloads
    yield driver
    driver.quit()


def wait(driver: webdriver.Chrome, seconds: float = 120) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def _find_names(browser: webdriver.Chrome, server: str) -> None:
    browser.get(server + "/")
    area = browser.find_element(By.ID, "text")
    browser.execute_script("arguments[0].value = arguments[1];", area, TEXT)
    browser.find_element(By.ID, "find-button").click()
    wait(browser).until(lambda d: "found" in d.find_element(By.ID, "annotate-status").text)


def test_every_kind_of_mention_is_styled_and_in_the_legend(browser, server):
    _find_names(browser, server)
    kinds = {m.how.value for m in innkit.annotate(TEXT, registry=REGISTRY)}
    assert {"registry", "abbreviation", "brand", "class", "fuzzy"} <= kinds
    marks = browser.find_elements(By.CSS_SELECTOR, "#annotated mark")
    for mark in marks:
        assert mark.value_of_css_property("background-color") != DEFAULT_YELLOW, mark.text
    legend = browser.find_elements(By.CSS_SELECTOR, "#legend mark")
    assert {m.get_attribute("class") for m in legend} == kinds
    for mark in legend:
        assert mark.value_of_css_property("background-color") != DEFAULT_YELLOW


def test_the_address_carries_the_query(browser, server):
    _find_names(browser, server)
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query == {"text": [TEXT], "leniency": ["standard"]}
    for params, ready, check in (
            ({"explain": "pemivibart"}, "#explain-result pre.card",
             lambda d: "pemi | vi | bart" in d.find_element(By.ID, "explain-result").text),
            ({"check": "trastuzimab", "against": "registry"}, "#screen-rows tr",
             lambda d: d.find_element(By.ID, "against").get_attribute("value") == "registry"),
            ({"text": "Kadcyla was given."}, "#annotated mark",
             lambda d: d.find_element(By.CSS_SELECTOR, "#annotated mark").text == "Kadcyla")):
        browser.get(f"{server}/?{urlencode(params)}")
        wait(browser).until(lambda d, ready=ready: d.find_elements(By.CSS_SELECTOR, ready))
        assert check(browser), params
        assert parse_qs(urlsplit(browser.current_url).query) == {
            k: [v] for k, v in params.items()} | ({"leniency": ["standard"]}
                                                    if "text" in params else {})


@pytest.mark.parametrize(("fmt", "name"), [("jsonl", "innkit-mentions.jsonl"),
                                           ("tsv", "innkit-mentions.tsv"),
                                           ("brat", "innkit-mentions.ann")])
def test_results_download(browser, server, fmt, name):
    _find_names(browser, server)
    target = browser.downloads / name
    target.unlink(missing_ok=True)
    button = browser.find_element(By.CSS_SELECTOR, f"button[data-download='{fmt}']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    deadline = time.monotonic() + 60
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    got = target.read_text(encoding="utf-8")
    mentions = innkit.annotate(TEXT, registry=REGISTRY)
    lines = got.splitlines()
    if fmt == "tsv":
        assert lines[0].startswith("doc\tstart\tend") and len(lines) == len(mentions) + 1
    elif fmt == "jsonl":
        assert len(lines) == len(mentions) and '"start": 0' in lines[0]
    else:
        assert [line.split("\t")[2] for line in lines if line.startswith("T")] == [
            m.text for m in mentions]


def test_search_suggests_as_you_type(browser, server):
    browser.get(server + "/")
    box = browser.find_element(By.ID, "name-input")
    for typed, shown in (("PD-1", "PD1"), ("HER2", "HER2"), ("TNF-alpha", "TNFA"),
                         ("inotuz", "inotuzumab ozogamicin"), ("Besp", "besponsa")):
        box.clear()
        box.send_keys(typed)

        def offered(d, shown=shown):
            texts = d.execute_script(  # read at once: the list is replaced as results come
                "return [...document.querySelectorAll('#name-suggestions option')]"
                ".map(o => o.value + ' ' + o.label)")
            return texts and all(shown.lower() in t.lower() for t in texts[:3])

        wait(browser, 30).until(offered)


def test_keyboard_alone_opens_a_card(browser, server):
    _find_names(browser, server)
    browser.execute_script("document.getElementById('text').focus()")
    active = browser.switch_to.active_element
    for _ in range(40):  # Tab on until the first highlighted name has the focus
        active.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        if active.tag_name == "mark":
            break
    assert active.tag_name == "mark"
    name = active.text
    active.send_keys(Keys.ENTER)
    panel = browser.find_element(By.ID, "mention-panel")
    wait(browser).until(lambda _: panel.find_element(By.TAG_NAME, "h3").text == name)


def test_no_sideways_scrolling_and_a_screenshot(browser, server):
    _find_names(browser, server)
    wide = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    browser.find_element(By.CSS_SELECTOR, "#annotated mark[data-index='0']").click()
    browser.execute_script("window.scrollTo(0, 0)")
    width, _ = WIDTHS[browser.width_name]
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(max(height, 844), 4000))
    shot = RESULTS / f"web_page_{browser.width_name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("INNKIT_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / f"web_page_{browser.width_name}.png")
