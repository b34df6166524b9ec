"""The French page in headless Chromium (Debian's chromium and chromium-driver), as a person uses it.

Fill the form for examples/commune_exemple.yaml with the keyboard, submit, read the objective and
follow a citation to its alinéa; check a contract file; on a phone-sized screen, nothing is wider
than the screen. Screenshots are kept in test-artifacts/ (or $CMS_LAW_TEST_ARTIFACTS).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import EXAMPLES, Client, cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("CMS_LAW_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))
# As this machine's Chromium needs them: headless, as root, and no connection of its own outside.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        message = (
            f"CHROMIUM ABSENT : {CHROMIUM} ou {CHROMEDRIVER} manque, la page web n'est pas testée."
            " L'installer : apt-get install chromium chromium-driver (.ci/run le fait en CI)."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}", "--window-size=1280,900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as condition
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(condition.visibility_of_element_located((By.CSS_SELECTOR, css)))


def _screenshot(driver: Any, name: str, width: int) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 100, 8000))
    path = ARTIFACTS / name
    driver.get_screenshot_as_file(str(path))
    return path


def _fill_the_example(driver: Any, server: Client) -> dict[str, Any]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    commune = yaml.safe_load((EXAMPLES / "commune_exemple.yaml").read_text("utf-8"))
    driver.get(server.url + "/")
    _wait(driver, "#champ-nom")
    driver.find_element(By.CSS_SELECTOR, "details summary").click()  # the optional fields
    for key, value in commune.items():
        field = driver.find_element(By.ID, f"champ-{key}")
        label = driver.find_element(By.CSS_SELECTOR, f'label[for="champ-{key}"]')
        assert label.text.strip(), f"{key} sans libellé"
        if field.tag_name == "select":
            Select(field).select_by_value("oui" if value else "non")
        else:
            field.clear()
            field.send_keys(str(value))
    # Submitted from the keyboard, as from any field of the form.
    driver.find_element(By.ID, "champ-nom").send_keys(Keys.ENTER)
    return commune


def test_fill_the_form_read_the_objective_and_follow_a_citation(browser: Any, server: Client) -> None:
    from selenium.webdriver.common.by import By

    _fill_the_example(browser, server)
    objective = _wait(browser, '#resultat-commune dd[data-cle="objectif_triennal"]')
    _, printed = cli("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--format", "json")
    expected = __import__("json").loads(printed)
    assert objective.text == str(expected["objectif_triennal"])  # 111, as cms-law evaluate says
    steps = browser.find_elements(By.CSS_SELECTOR, "#resultat-commune .raisonnement > li")
    assert [s.find_element(By.TAG_NAME, "p").get_attribute("textContent") for s in steps] == [s["texte"] for s in expected["explication"]]
    _screenshot(browser, "page-commune-ordinateur.png", 1280)
    link = steps[-1].find_element(By.CSS_SELECTOR, ".citations a")
    cited = link.text
    assert cited in expected["explication"][-1]["citations"]
    link.click()
    _wait(browser, "section.alinea:target")
    assert "/textes/cch/" in browser.current_url and "#alinea-" in browser.current_url
    target = browser.find_element(By.CSS_SELECTOR, "section.alinea:target")
    assert target.find_element(By.TAG_NAME, "h2").text == cited


def test_readable_on_a_phone(browser: Any, server: Client) -> None:
    browser.set_window_size(390, 844)
    _fill_the_example(browser, server)
    _wait(browser, '#resultat-commune dd[data-cle="objectif_triennal"]')
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"la page déborde de {overflow} px sur un téléphone"
    _screenshot(browser, "page-commune-telephone.png", 390)
    browser.set_window_size(1280, 900)


def test_problems_are_shown_and_lead_to_their_field(browser: Any, server: Client) -> None:
    from selenium.webdriver.common.by import By

    _fill_the_example(browser, server)
    _wait(browser, '#resultat-commune dd[data-cle="objectif_triennal"]')
    population = browser.find_element(By.ID, "champ-population")
    population.clear()
    browser.find_element(By.CSS_SELECTOR, "#formulaire-commune button[type=submit]").click()
    errors = _wait(browser, "#erreurs-commune li")
    assert "population" in errors.text and "champ obligatoire manquant" in errors.text
    assert population.get_attribute("aria-invalid") == "true"
    assert errors.find_element(By.TAG_NAME, "a").get_attribute("href").endswith("#champ-population")


def test_check_a_contract_file(browser: Any, server: Client) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/")
    _wait(browser, "#champ-nom")
    browser.find_element(By.ID, "fichier-contrat").send_keys(str(EXAMPLES / "contrat_depliant_abaissant.yaml"))
    browser.find_element(By.CSS_SELECTOR, "#formulaire-contrat button[type=submit]").click()
    title = _wait(browser, "#resultat-contrat-titre")
    assert "conforme à la loi" in title.text
    rows = browser.find_elements(By.CSS_SELECTOR, "#resultat-contrat tbody tr")
    assert [row.find_element(By.TAG_NAME, "th").text for row in rows] == ["Commune du dépliant", "Total"]
    assert browser.find_element(By.XPATH, "//button[text()='Télécharger le JSON']")
    _screenshot(browser, "page-contrat.png", 1280)


def test_a_contract_over_two_periods_shows_a_table_and_a_verdict_per_period(browser: Any, server: Client) -> None:
    """L. 302-8-1, I, al. 4: the objectives « pour chacune des périodes triennales qu'il couvre »;
    every check made is listed, with its period, status and alinéa, for the contract's annex."""
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/")
    _wait(browser, "#champ-nom")
    browser.find_element(By.ID, "fichier-contrat").send_keys(str(EXAMPLES / "contrat_abaissant_deux_periodes.yaml"))
    browser.find_element(By.CSS_SELECTOR, "#formulaire-contrat button[type=submit]").click()
    _wait(browser, "#resultat-contrat-titre")
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#resultat-contrat caption")]
    assert captions == [f"Objectifs de la période {p} (modèle de contrat, article 2)" for p in ("2023-2025", "2026-2028")]
    retained = [row.find_elements(By.TAG_NAME, "td")[4].text
                for row in browser.find_elements(By.CSS_SELECTOR, "#resultat-contrat tbody tr")]
    assert retained == ["125", "125", "100", "100"]
    page = browser.find_element(By.ID, "resultat-contrat").text
    assert "Période 2026-2028 (droit applicable : 3DS) : conforme à la loi." in page
    browser.find_element(By.CSS_SELECTOR, "#resultat-contrat details summary").click()
    checks = browser.find_elements(By.CSS_SELECTOR, "#resultat-contrat details li")
    assert len(checks) == 34 and all(c.text.startswith("respectée — 20") for c in checks)
    link = checks[-1].find_element(By.TAG_NAME, "a")
    assert link.text.startswith("L. 302-8") and "2026-2028" in link.get_attribute("href")
    _screenshot(browser, "page-contrat-deux-periodes.png", 1280)


def test_the_interactive_documentation_sends_the_example(browser: Any, server: Client) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/documentation")
    heading = _wait(browser, "#operations h2")
    sections = browser.find_elements(By.CSS_SELECTOR, "#operations section")
    evaluate = next(s for s in sections if s.find_element(By.TAG_NAME, "h2").text == "POST /evaluer")
    assert heading.text and "Villeneuve-sur-Exemple" in evaluate.find_element(By.TAG_NAME, "textarea").get_attribute("value")
    evaluate.find_element(By.XPATH, ".//button[text()='Essayer']").click()
    answer = evaluate.find_element(By.TAG_NAME, "pre")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda _: answer.text.startswith("200"))
    assert '"objectif_triennal": 111' in answer.text
