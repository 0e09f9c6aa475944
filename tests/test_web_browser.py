"""make-brief serve in a real browser: Debian's chromium, headless, driven by Selenium through
chromedriver (both given by path: nothing is downloaded), against the real server started as
the command line starts it, on a free loopback port (one server for the module).

Without chromium these tests skip, saying why; in CI (CI=true) they fail instead. With
MAKE_BRIEF_SCREENSHOTS=docs they also write docs/serve.png, the README's picture of the page.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
NOT_AN_AMOUNT = """'lots' is not an amount; write e.g. 210000, "210K" or "$210,000\""""
ROOT = Path(__file__).resolve().parent.parent
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
)

if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
    missing = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run in CI: {missing}", pytrace=False)
    pytest.skip(missing, allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as shown  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The server, as `make-brief serve --no-browser` starts it: (its address with the token, the token)."""
    home = tmp_path_factory.mktemp("serve-home")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "XDG_DATA_HOME": str(home), "TMPDIR": str(home)}
    command = [sys.executable, "-m", "make_brief", "serve", "--no-browser", "--max-upload", "1", "-j", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=home)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.fullmatch(r"make-brief serve: (http://127\.0\.0\.1:\d+/)\?token=([\w-]+)\n", line)
    assert found, line
    yield found.group(1), found.group(2), home
    process.send_signal(2)  # Ctrl-C
    assert process.wait(60) == 0
    assert process.stdout.read() == "press Ctrl-C to stop\nstopped; the uploads are removed\n"
    process.stdout.close()
    assert list(home.glob("make-brief-serve-*")) == []  # the private folder is gone


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)), options=options
    )
    yield driver
    driver.quit()


def wait(browser, selector: str):
    return WebDriverWait(browser, 120).until(shown.presence_of_element_located((By.CSS_SELECTOR, selector)))


def fetch(address: str, token: str | None) -> bytes:
    joined = f"{address}{'&' if '?' in address else '?'}token={token}" if token else address
    with urllib.request.urlopen(joined, timeout=60) as answer:
        return answer.read()


def fill(browser, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)


def test_the_form_makes_a_brief_and_its_figures_are_in_the_pdf(server, browser, read_pdf):
    address, token, _ = server
    browser.get(f"{address}?token={token}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "One brief"
    fill(browser, {"candidate.name": "Rosa Browser", "offer.base": "$205,500", "offer.stock": "160K"})
    fill(browser, {"offer.bonus_pct": "15"})
    Select(browser.find_element(By.NAME, "region")).select_by_visible_text("San Francisco")
    browser.find_element(By.ID, "make").click()
    link = wait(browser, "#download")
    brief = read_pdf(fetch(link.get_attribute("href"), token))
    assert "Rosa Browser" in brief.flat
    assert "$205,500" in brief.flat and "$160,000" in brief.flat
    if os.environ.get("MAKE_BRIEF_SCREENSHOTS") == "docs":
        browser.execute_script("document.getElementById('result').scrollIntoView()")
        time.sleep(4)  # the PDF viewer draws the brief: for the picture only, never checked
        browser.save_screenshot(str(ROOT / "docs" / "serve.png"))


def test_a_bad_value_shows_its_message_next_to_its_field(server, browser):
    address, token, _ = server
    browser.get(f"{address}?token={token}")
    fill(browser, {"candidate.name": "Rosa Browser", "offer.base": "lots", "offer.stock": "160K"})
    fill(browser, {"offer.bonus_pct": "15"})
    browser.find_element(By.ID, "make").click()
    error = wait(browser, "#f-offer-base-error")
    assert error.text == f"offer.base: {NOT_AN_AMOUNT}"
    assert error.get_attribute("role") == "alert"
    field = browser.find_element(By.NAME, "offer.base")
    assert "f-offer-base-error" in field.get_attribute("aria-describedby").split()
    assert browser.find_elements(By.ID, "download") == []


def test_a_csv_batch_with_a_bad_row_gives_the_zip_and_the_manifest(server, browser, tmp_path):
    address, token, _ = server
    table = tmp_path / "candidates.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct\n"
        "Ann One,segment-engineering-manager,San Francisco,200000,180K,15\n"
        "Bob Two,segment-engineering-manager,San Francisco,lots,180K,15\n"
        "Cy Three,segment-engineering-manager,London,£150,000,150K,15\n".replace("£150,000", '"£150,000"'),
        encoding="utf-8",
    )
    browser.get(f"{address}batch?token={token}")
    browser.find_element(By.ID, "files").send_keys(str(table))
    browser.find_element(By.ID, "start").click()
    link = wait(browser, "#zip")
    assert browser.find_element(By.ID, "status").text == "Done: 2 made, 1 failed, of 3."
    failures = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#failures li")]
    assert failures == [f"error: candidates.csv:row 3 (Bob Two): offer.base: {NOT_AN_AMOUNT}"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#manifest tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == [
        "candidates.csv:row 2",
        "candidates.csv:row 3",
        "candidates.csv:row 4",
    ]
    names = zipfile.ZipFile(io.BytesIO(fetch(link.get_attribute("href"), token))).namelist()
    assert names == [
        "briefs/ann-one-segment-engineering-manager.pdf",
        "briefs/cy-three-segment-engineering-manager.pdf",
        "briefs/manifest.csv",
    ]


def test_a_request_without_the_token_is_refused(server, browser):
    address, _, _ = server
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(address, None)
    assert refused.value.code == 403
    assert "refused: open the address make-brief serve printed" in refused.value.read().decode()
    refused.value.close()
    browser.delete_all_cookies()
    browser.get(address)
    assert browser.find_element(By.CSS_SELECTOR, "[role=alert]").text == (
        "refused: open the address make-brief serve printed, with its token"
    )


def test_an_upload_over_the_limit_is_refused(server, browser, tmp_path):
    address, token, _ = server
    big = tmp_path / "big.csv"
    big.write_bytes(b"candidate.name\n" + b"x" * 1_500_000 + b"\n")
    browser.get(f"{address}batch?token={token}")
    browser.find_element(By.ID, "files").send_keys(str(big))
    browser.find_element(By.ID, "start").click()
    alert = wait(browser, "[role=alert]")
    assert alert.text == "refused: the upload is over the limit of 1 MB (make-brief serve --max-upload)"
