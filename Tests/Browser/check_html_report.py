#!/usr/bin/env python3
"""Opens egress-audit HTML reports in headless Chromium (Selenium) and checks
them against their JSON reports, read here independently of the HTML:

- the page loads from a file URL with no console error (a fetch the page's
  Content-Security-Policy refuses is one);
- the verdict, the findings (count per kind, every summary), the required
  rules (name, status), every destination table (names, flows, service tags,
  nodes) and the node x destination map (one cell per node that reached an
  egress destination, coloured by verdict) match the JSON;
- a click on a heading sorts the table (numbers largest first, then smallest;
  names A to Z), the filter box and the finding-kind buttons hide exactly the
  rows the JSON says they should;
- a screenshot of each page is written (looked at by people, not compared).

Usage: check_html_report.py --screenshots DIR NAME=REPORT.html,REPORT.json ...
Prints one line per check; exits 1 when any check fails, 2 when the browser
cannot start.
"""

import argparse
import json
import os
import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

failures = []


def check(condition, what):
    print(("ok:   " if condition else "FAIL: ") + what)
    if not condition:
        failures.append(what)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver by its path: Selenium Manager would otherwise look for one on the network.
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def rows(driver, table_id, visible_only=True):
    found = driver.find_elements(By.CSS_SELECTOR, "#%s tbody tr" % table_id)
    return [r for r in found if r.is_displayed()] if visible_only else found


def column_index(driver, table_id, title):
    heads = driver.find_elements(By.CSS_SELECTOR, "#%s thead th" % table_id)
    names = [h.text.replace("▲", "").replace("▼", "").strip() for h in heads]
    return names.index(title), heads[names.index(title)]


def cells(driver, table_id, title):
    index, _ = column_index(driver, table_id, title)
    return [r.find_elements(By.TAG_NAME, "td")[index] for r in rows(driver, table_id)]


def sort_values(driver, table_id, title):
    return [int(c.get_attribute("data-sort")) for c in cells(driver, table_id, title)]


def names(driver, table_id):
    return [c.find_element(By.CSS_SELECTOR, ".name").text for c in cells(driver, table_id, "destination")]


def set_filter(driver, table_id, text):
    box = driver.find_element(By.CSS_SELECTOR, 'input.filter[data-table="%s"]' % table_id)
    box.clear()
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", box, text)


def check_report(driver, name, html_path, json_path, screenshots):
    report = json.loads(pathlib.Path(json_path).read_text())
    driver.get(pathlib.Path(html_path).resolve().as_uri())
    print("-- %s: %s" % (name, html_path))

    # The verdict first, as the JSON says it.
    check(driver.find_element(By.ID, "verdict-line").text == report["verdict"], "%s: verdict is the JSON's" % name)
    first = driver.find_element(By.CSS_SELECTOR, "body > *")
    check(first.get_attribute("id") == "verdict", "%s: the verdict is the first thing on the page" % name)

    # Findings: the count per kind, and every summary.
    findings = report["findings"]
    shown = rows(driver, "findings-table") if findings else []
    check(len(shown) == len(findings), "%s: %d findings shown, the JSON has %d" % (name, len(shown), len(findings)))
    summaries = sorted(c.text for c in cells(driver, "findings-table", "finding")) if findings else []
    check(summaries == sorted(f["summary"] for f in findings), "%s: finding summaries are the JSON's" % name)
    kinds = {}
    for f in findings:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    for kind, count in kinds.items():
        button = driver.find_element(By.CSS_SELECTOR, 'button[data-kind="%s"] b' % kind)
        check(int(button.text) == count, "%s: %s button says %s, the JSON has %d" % (name, kind, button.text, count))

    # Required rules: names and statuses.
    rule_rows = rows(driver, "required-rules-table")
    shown_rules = sorted((r.find_elements(By.TAG_NAME, "td")[0].text, r.get_attribute("data-status")) for r in rule_rows)
    check(shown_rules == sorted((r["rule"], r["status"]) for r in report["requiredRules"]),
          "%s: %d required rules with the JSON's statuses" % (name, len(rule_rows)))

    # Every destination table: names, flows, service tags, nodes.
    for table, key in (("undocumented", "undocumented"), ("wrong-port", "wrongPort"), ("allowed", "allowed"), ("resolvers", "resolvers")):
        expected = report[key]
        if not expected:
            check(not driver.find_elements(By.ID, "%s-table" % table), "%s: no %s table (the JSON has none)" % (name, table))
            continue
        table_id = "%s-table" % table
        check(sorted(names(driver, table_id)) == sorted(d["destination"] for d in expected),
              "%s: %s destinations are the JSON's %d" % (name, table, len(expected)))
        by_name = {}
        for r in rows(driver, table_id):
            tds = r.find_elements(By.TAG_NAME, "td")
            heads = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#%s thead th" % table_id)]
            by_name.setdefault(tds[0].find_element(By.CSS_SELECTOR, ".name").text, []).append(dict(zip(heads, tds)))
        ok = True
        for d in expected:
            candidates = by_name.get(d["destination"], [])
            match = [c for c in candidates if int(c["flows"].get_attribute("data-sort")) == d["flows"]
                     and sorted(t.text for t in c["service tags"].find_elements(By.CSS_SELECTOR, ".tag")) == sorted(d["serviceTags"])
                     and all(n in c["nodes"].text for n in d["nodes"])
                     and all(a in c["addresses"].text for a in d["addresses"])]
            ok = ok and bool(match)
        check(ok, "%s: %s rows carry the JSON's flows, service tags, addresses and nodes" % (name, table))

    # The map: one cell per (node, egress destination) pair, coloured by verdict.
    expected_cells = set()
    for key, verdict in (("undocumented", "undocumented"), ("wrongPort", "wrong-port"), ("allowed", "allowed")):
        for d in report[key]:
            if d["direction"] != "outbound":
                continue
            colour = "blocked" if verdict == "allowed" and d["flows"] > 0 and d["failedFlows"] == d["flows"] else verdict
            for node in d["nodes"]:
                expected_cells.add((node, d["destination"], colour))
    drawn = set()
    for rect in driver.find_elements(By.CSS_SELECTOR, "#node-map rect.cell"):
        colour = [c[2:] for c in rect.get_attribute("class").split() if c.startswith("v-")][0]
        drawn.add((rect.get_attribute("data-node"), rect.get_attribute("data-destination"), colour))
    check(drawn == expected_cells, "%s: the map draws the JSON's %d node-destination pairs, coloured by verdict (drew %d)"
          % (name, len(expected_cells), len(drawn)))

    # Sorting: the largest destination table by flows (largest first, then smallest), then by name.
    table, key = max((("allowed", "allowed"), ("undocumented", "undocumented")), key=lambda t: len(report[t[1]]))
    table_id = "%s-table" % table
    flows = [d["flows"] for d in report[key]]
    _, head = column_index(driver, table_id, "flows")
    head.click()
    check(head.get_attribute("aria-sort") == "descending" and sort_values(driver, table_id, "flows") == sorted(flows, reverse=True),
          "%s: a click on %s's flows sorts it largest first" % (name, table))
    head.click()
    check(sort_values(driver, table_id, "flows") == sorted(flows), "%s: a second click sorts it smallest first" % (name))
    _, head = column_index(driver, table_id, "destination")
    head.click()
    head.click()
    by_name = sorted((d["destination"] for d in report[key]), key=str.lower, reverse=True)
    shown_names = names(driver, table_id)
    check([n.lower() for n in shown_names] == [n.lower() for n in by_name], "%s: two clicks on destination sort %s Z to A" % (name, table))

    # Filtering: a word of a destination's name keeps exactly the rows containing it.
    query = report[key][-1]["destination"]
    set_filter(driver, table_id, query)

    def texts(d):
        return [d["destination"], d["nameSource"], d["direction"], d["firstSeen"], d["lastSeen"]] \
            + d["addresses"] + d["ports"] + d["serviceTags"] + d["rules"] + d["nodes"]
    expected_rows = [d for d in report[key] if any(query.lower() in t.lower() for t in texts(d))]
    visible = rows(driver, table_id)
    check(0 < len(visible) == len(expected_rows) and all(query.lower() in r.text.lower() for r in visible),
          "%s: filtering %s by \"%s\" shows %d of %d rows (JSON: %d)" % (name, table, query, len(visible), len(report[key]), len(expected_rows)))
    counter = driver.find_element(By.CSS_SELECTOR, 'span.shown[data-table="%s"]' % table_id).text
    check(counter == "%d of %d" % (len(visible), len(report[key])), "%s: the counter says \"%s\"" % (name, counter))
    set_filter(driver, table_id, "")
    check(len(rows(driver, table_id)) == len(report[key]), "%s: clearing the filter shows every row again" % name)
    if findings:
        kind = findings[0]["kind"]
        driver.find_element(By.CSS_SELECTOR, 'button[data-kind="%s"]' % kind).click()
        shown = rows(driver, "findings-table")
        check(len(shown) == kinds[kind] and all(r.get_attribute("data-kind") == kind for r in shown),
              "%s: the %s button keeps its %d findings" % (name, kind, kinds[kind]))
        driver.find_element(By.CSS_SELECTOR, 'button[data-kind="%s"]' % kind).click()
        check(len(rows(driver, "findings-table")) == len(findings), "%s: pressed again, every finding is back" % name)

    # Nothing complained: no script error, no refused fetch.
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    check(not errors, "%s: no console error%s" % (name, "" if not errors else ": " + "; ".join(e["message"] for e in errors)))

    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return Math.min(document.body.scrollHeight, 1400)")
    driver.set_window_size(1280, max(int(height), 600))
    path = os.path.join(screenshots, "%s.png" % name)
    driver.save_screenshot(path)
    driver.set_window_size(1280, 900)
    check(os.path.getsize(path) > 0, "%s: screenshot written to %s" % (name, path))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("reports", nargs="+", help="NAME=REPORT.html,REPORT.json")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    try:
        driver = browser()
    except Exception as error:  # noqa: BLE001 - the reason is printed for the test
        print("FAIL: Chromium did not start: %s" % error)
        return 2
    try:
        for item in args.reports:
            name, paths = item.split("=", 1)
            html_path, json_path = paths.split(",", 1)
            check_report(driver, name, html_path, json_path, args.screenshots)
    finally:
        driver.quit()
    print("%d check(s) failed" % len(failures) if failures else "every check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
