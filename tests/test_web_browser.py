"""A real browser (Debian's headless Chromium through Selenium) uses the pages: home → a
sponsor → a study, reads the study's JSON-LD, runs queries on the plain form and in YASGUI.

Every request that is not on loopback is blocked (host resolver and a dead proxy) and the
browser's own network log must show none was even tried. Skipped only when Chromium is not
installed and ``LOD_REQUIRE_BROWSER`` is unset (CI sets it, which turns the skip into a failure).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lod.serve.web.query import yasgui_installed
from lod.store import Store, open_store
from tests.fixtures_store import free_port
from tests.web_server import corpus, load, serving

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRED = bool(os.environ.get("LOD_REQUIRE_BROWSER"))
WAIT = 30


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() or shutil.which(path)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if REQUIRED:
            pytest.fail(f"LOD_REQUIRE_BROWSER is set but {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with socket.socket() as dead:  # bound and never listening: the proxy nothing gets past
        dead.bind(("127.0.0.1", free_port()))
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     "--disable-default-apps", "--disable-extensions",
                     '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
                     f"--proxy-server=http://127.0.0.1:{dead.getsockname()[1]}",
                     "--proxy-bypass-list=127.0.0.1"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(WAIT)
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with open_store(store_dir=tmp_path_factory.mktemp("browser") / "store") as store:
        load(store, corpus())
        yield store


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last call (from its DevTools network log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def assert_only_loopback(driver: Any, bind: str) -> None:
    urls = requested_urls(driver)
    entries = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([location.href])")
    outside = [u for u in urls + entries if not u.startswith((bind, "data:", "about:", "blob:"))]
    assert outside == [], f"the page asked for something off loopback: {outside}"
    assert urls, "the network log is empty: the check would prove nothing"


def wait_for(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, WAIT).until(condition)


def test_home_to_sponsor_to_study_and_its_json_ld(browser: Any, loaded: Store) -> None:
    from selenium.webdriver.common.by import By

    with serving(loaded, page_size=5) as (bind, _):
        requested_urls(browser)
        browser.get(bind)
        assert "18" in browser.find_element(By.ID, "holdings").text
        sponsors = browser.find_element(By.ID, "facet-sponsors")
        sponsors.find_element(By.LINK_TEXT, "Economic and Social Research Council").click()
        wait_for(browser, lambda d: d.current_url == bind + "id/organisation/esrc")
        studies = browser.find_element(By.ID, "studies").find_elements(By.TAG_NAME, "a")
        assert studies
        title = studies[0].text
        studies[0].click()
        wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == title)
        text = browser.execute_script(
            "return Array.from(document.querySelectorAll('script[type=\"application/ld+json\"]'))"
            ".map(s => s.textContent)")
        assert len(text) == 1
        data = json.loads(text[0])
        assert data["@type"] == "Dataset" and data["name"] == title
        assert data["url"] == browser.current_url
        assert "Economic and Social Research Council" in json.dumps(data)
        assert_only_loopback(browser, bind)


def test_the_plain_query_form_runs_a_query_and_shows_rows(browser: Any, loaded: Store) -> None:
    from selenium.webdriver.common.by import By

    with serving(loaded) as (bind, _):
        requested_urls(browser)
        browser.get(bind + "query")
        area = browser.find_element(By.NAME, "query")
        area.clear()
        area.send_keys("SELECT ?study WHERE { GRAPH ?study { ?study a "
                       "<http://www.w3.org/ns/dcat#Dataset> } }")
        browser.find_element(By.CSS_SELECTOR, "#query-form button").click()
        rows = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results tbody tr"))
        assert len(rows) == 18
        assert_only_loopback(browser, bind)


def test_yasgui_runs_a_named_query_against_sparql_and_shows_rows(browser: Any, tmp_path: Path) -> None:
    """YASGUI on the real app's /sparql (query workers, content negotiation, the query page)."""
    from selenium.webdriver.common.by import By

    from lod.serve.app import embedded_backend
    from tests.fixtures_serve import config_for, serve_app

    if not yasgui_installed():
        message = "YASGUI's assets are not installed: run tools/fetch-yasgui"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    with open_store(store_dir=tmp_path / "store") as store:
        load(store, corpus())
    port = free_port()
    config = config_for(port)
    with serve_app(config, embedded_backend(tmp_path / "store", config), port) as bind:
        requested_urls(browser)
        browser.get(bind + "sparql")
        wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror"))
        browser.find_element(By.CSS_SELECTOR, "button.example[data-name='sponsors']").click()
        query = browser.execute_script("return yasgui.getTab().getQuery()")
        assert "studyCount" in query or "sponsor" in query
        browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
        rows = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr tbody tr"))
        assert len(rows) >= 3
        assert "Economic and Social Research Council" in browser.find_element(
            By.CSS_SELECTOR, ".yasr").text
        assert_only_loopback(browser, bind)
