#!/usr/bin/env python3
"""browser.py — a person answers the bundled questionnaire in headless Chromium.

Drives Debian's chromium through chromedriver's WebDriver HTTP interface
(standard library only: urllib + json), against a `sondage serve` started by
tests/scripts/field_browser.sh with the quota role=1:5,2:1, and checks what a
respondent sees and what the store keeps:

  1. in French, a marketer: the required-answer message next to the question,
     the segment page (condition role == 2), the agency-only size options
     (segment == 2), no metro question, the exclusive "None of these" message,
     the marketers' wording, the CIO page skipped, a whole-number message,
     then the thank-you page (data-sondage="complete");
  2. in English, a second marketer: the marketers' cell (1) is closed, so the
     next page is the screen-out page (data-sondage="screened-out");
  3. in English, a CIO: no segment page, the metro drop-down, the CIOs'
     wording, the grid, a language switch to French and back, leaving
     (cookies deleted) and resuming through the resume link, then complete;
  4. the admin area: 401 without the secret, counts and tables with it.

Prints PASS/FAIL lines; screenshots go to $SCREENS (PNG), to be looked at.
Usage: browser.py BASE_URL ADMIN_SECRET SCREENS_DIR DRIVER_PORT
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

BASE, SECRET, SCREENS, DPORT = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
DRIVER = f"http://127.0.0.1:{DPORT}"
ELEM = "element-6066-11e4-a52e-4f735466cecf"
failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"PASS browser_{name}")
    else:
        failures += 1
        print(f"FAIL browser_{name}: {detail}")
    sys.stdout.flush()


def wd(method, path, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(DRIVER + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"{}").get("value")
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:300]!r}")


class Browser:
    def __init__(self):
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1000,1300",
                         "--no-first-run", "--disable-extensions"]}}}}
        self.sid = wd("POST", "/session", caps)["sessionId"]

    def s(self, path):
        return f"/session/{self.sid}{path}"

    def go(self, url):
        wd("POST", self.s("/url"), {"url": url})

    def find(self, css):
        r = wd("POST", self.s("/elements"), {"using": "css selector", "value": css})
        return [e[ELEM] for e in r]

    def one(self, css):
        els = self.find(css)
        if not els:
            raise RuntimeError(f"no element {css!r} on {self.state()} page")
        return els[0]

    def click(self, css):
        wd("POST", self.s(f"/element/{self.one(css)}/click"), {})

    def type(self, css, text):
        e = self.one(css)
        wd("POST", self.s(f"/element/{e}/clear"), {})
        wd("POST", self.s(f"/element/{e}/value"), {"text": text})

    def text(self, css):
        return wd("GET", self.s(f"/element/{self.one(css)}/text"))

    def attr(self, css, name):
        return wd("GET", self.s(f"/element/{self.one(css)}/attribute/{name}"))

    def state(self):
        try:
            e = wd("POST", self.s("/elements"), {"using": "css selector", "value": "body"})
            return wd("GET", self.s(f"/element/{e[0][ELEM]}/attribute/data-sondage"))
        except RuntimeError:
            return None

    def page(self):
        els = self.find("input[name=page]")
        return wd("GET", self.s(f"/element/{els[0]}/attribute/value")) if els else None

    def source(self):
        return wd("GET", self.s("/source"))

    def shot(self, name):
        png = base64.b64decode(wd("GET", self.s("/screenshot")))
        with open(os.path.join(SCREENS, name + ".png"), "wb") as f:
            f.write(png)

    def body(self):
        r = wd("POST", self.s("/elements"), {"using": "css selector", "value": "body"})
        return r[0][ELEM] if r else None

    def submit(self, css):
        """Click a button that sends a form, and wait for the next page: the
        old page's body goes stale (a form POST is not always waited for)."""
        old = self.body()
        self.click(css)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                wd("GET", self.s(f"/element/{old}/name"))
            except RuntimeError:
                break  # stale: the new page is there
            time.sleep(0.05)
        else:
            raise RuntimeError(f"no new page after clicking {css!r}")
        while time.time() < deadline and not self.body():
            time.sleep(0.05)

    def next(self):
        self.submit("button.next")

    def clear_cookies(self):
        wd("DELETE", self.s("/cookie"))

    def quit(self):
        wd("DELETE", self.s(""))


def marketer_fr(b):
    b.clear_cookies()
    b.go(BASE + "/")
    check("start_page", b.state() == "start", b.state())
    b.shot("01-start")
    b.submit("button[value=fr]")
    check("fr_first_page", b.page() == "p_role" and b.attr("html", "lang") == "fr")
    b.next()  # nothing chosen
    msg = b.find("#e-role")
    check("fr_required_message", msg and b.text("#e-role") == "Veuillez choisir une réponse.",
          b.source()[:400])
    check("fr_message_next_to_question", b.find("#q-role #e-role") != [])
    b.shot("02-fr-required")
    b.click("input[name=role][value='2']")
    b.next()
    check("fr_condition_segment_page", b.page() == "p_segment", b.page())
    b.click("input[name=segment][value='2']")
    b.next()
    check("fr_company_page", b.page() == "p_company", b.page())
    check("fr_agency_sizes_offered", b.find("input[name=company_size][value='1']") != [])
    check("fr_no_metro_for_marketers", b.find("select[name=metro]") == [])
    b.click("input[name=company_size][value='1']")
    b.next()
    b.click("input[name=integration][value='9']")
    b.next()
    check("fr_actions_page", b.page() == "p_actions", b.page())
    labels = [wd("GET", b.s(f"/element/{e}/text")) for e in b.find("fieldset#q-actions label")]
    check("fr_none_anchored_last", labels and labels[-1] == "Aucune de ces actions", labels)
    b.click("input[name=act_none]")
    b.click("input[name=agency]")
    b.next()
    check("fr_exclusive_message", "ne peut pas être combinée" in b.text("#e-actions"),
          b.source()[:300])
    b.shot("03-fr-exclusive")
    b.click("input[name=act_none]")  # uncheck
    b.next()
    check("fr_closer_page", b.page() == "p_closer", b.page())
    b.click("input[name=closer][value='1']")
    b.next()
    legend = b.text("#q-challenge1 legend")
    check("fr_marketer_wording", legend.startswith("Quel est le principal défi des professionnels "
                                                   "du marketing"), legend)
    b.click("input[name=challenge1][value='1']")
    b.type("textarea[name=challenge1_text]", "Le jargon <technique> & les délais")
    b.click("input[name=ch_language]")
    b.next()
    check("fr_cio_page_skipped", b.page() == "p_team", b.page())
    b.type("input[name=team_size]", "12,5")
    b.next()
    check("fr_whole_number_message",
          b.text("#e-team_size") == "Veuillez saisir un nombre entier.", b.source()[:300])
    b.shot("04-fr-number")
    b.type("input[name=team_size]", "25")
    b.next()
    check("fr_complete", b.state() == "complete", b.state())
    b.shot("05-fr-complete")


def marketer_en_screened(b):
    b.clear_cookies()
    b.go(BASE + "/")
    b.submit("button[value=en]")
    check("en_first_page", b.attr("html", "lang") == "en" and b.page() == "p_role")
    b.click("input[name=role][value='2']")
    b.next()
    check("en_quota_closed_screened_out", b.state() == "screened-out", b.state())
    b.shot("06-en-screened-out")


def cio_en(b):
    b.clear_cookies()
    b.go(BASE + "/")
    b.submit("button[value=en]")
    b.click("input[name=role][value='1']")
    b.next()
    check("en_cio_no_segment_page", b.page() == "p_company", b.page())
    check("en_cio_no_agency_sizes", b.find("input[name=company_size][value='1']") == [])
    check("en_cio_metro_dropdown", b.find("select[name=metro]") != [])
    b.click("input[name=company_size][value='6']")
    b.click("select[name=metro] option[value='3']")
    b.next()
    check("en_integration_page", b.page() == "p_integration", b.page())
    # Switch to French and back: the same page, the other language.
    b.submit("form.langs button[value=fr]")
    legend = b.text("#q-integration legend")
    check("switch_to_fr", b.page() == "p_integration" and legend.startswith("Votre entreprise"),
          legend)
    b.submit("form.langs button[value=en]")
    check("switch_back_to_en", b.text("#q-integration legend").startswith("Does your company"))
    # Leave, then resume through the resume link on another "device".
    resume = b.attr("p.resume a", "href")
    resume = BASE + resume if resume.startswith("/") else resume
    b.click("input[name=integration][value='1']")
    b.next()
    check("en_actions_page", b.page() == "p_actions", b.page())
    b.clear_cookies()
    b.go(BASE + "/q")
    check("left_without_cookie_restarts", b.state() == "start", b.state())
    b.go(resume)
    check("resumed_where_left", b.page() == "p_actions", b.page())
    b.submit("button.back")
    check("answers_kept_after_resume",
          b.attr("input[name=integration][value='1']", "checked") == "true")
    b.next()
    b.click("input[name=encourage_collab]")
    b.click("input[name=hybrid_talent]")
    b.next()
    legend = b.text("#q-closer legend")
    check("en_cio_wording", "creative/marketing leaders" in legend, legend)
    b.click("input[name=closer][value='3']")
    b.next()
    b.click("input[name=challenge1][value='2']")
    b.next()
    check("en_cio_grid_page", b.page() == "p_relation", b.page())
    b.next()
    check("en_grid_every_line_message", b.text("#e-relation") == "Please answer every line.")
    b.click("input[name=fr_dsi_relation_metiers][value='2']")
    b.click("input[name=fr_dsi_relation_marketing][value='9']")
    b.shot("07-en-grid")
    b.next()
    check("en_team_page", b.page() == "p_team", b.page())
    b.next()  # optional: left empty
    check("en_complete", b.state() == "complete", b.state())
    b.shot("08-en-complete")


def phone(b):
    """The grid and the long options on a phone-sized window: nothing cut."""
    b.clear_cookies()
    wd("POST", b.s("/window/rect"), {"width": 390, "height": 844})
    b.go(BASE + "/")
    b.submit("button[value=fr]")
    b.click("input[name=role][value='1']")
    b.next()
    b.click("input[name=company_size][value='4']")
    b.click("select[name=metro] option[value='7']")
    b.next()
    b.click("input[name=integration][value='2']")
    b.next()
    b.shot("11-phone-actions")
    b.click("input[name=encourage_collab]")
    b.next()
    b.click("input[name=closer][value='1']")
    b.next()
    b.click("input[name=challenge1][value='1']")
    b.next()
    check("phone_grid_page", b.page() == "p_relation", b.page())
    b.shot("12-phone-grid")
    wd("POST", b.s("/window/rect"), {"width": 1000, "height": 1300})


def admin(b):
    req = urllib.request.Request(BASE + "/admin")
    try:
        urllib.request.urlopen(req, timeout=10)
        code = 200
    except urllib.error.HTTPError as e:
        code = e.code
    check("admin_401_without_secret", code == 401, code)
    auth = base64.b64encode(f"admin:{SECRET}".encode()).decode()
    req = urllib.request.Request(BASE + "/admin", headers={"Authorization": "Basic " + auth})
    with urllib.request.urlopen(req, timeout=10) as r:
        html = r.read().decode()
    check("admin_counts", 'data-count="complete">2<' in html and 'data-count="active">1<' in html and
          'data-count="screened-out">1<' in html, html[:600])
    # The admin pages speak the questionnaire's first language (French
    # here), or the one asked for.
    check("admin_counts_fr", "<h1>Terrain</h1>" in html and "<h2>Entretiens</h2>" in html and
          "Objectif" in html and "(fermée)" in html, html[:600])
    req = urllib.request.Request(BASE + "/admin?lang=en", headers={"Authorization": "Basic " + auth})
    with urllib.request.urlopen(req, timeout=10) as r:
        html_en = r.read().decode()
    check("admin_counts_en", "<h1>Fieldwork</h1>" in html_en and "<th>Limit</th>" in html_en and
          "(closed)" in html_en, html_en[:600])
    host = BASE.split("//", 1)[1]
    b.go(f"http://admin:{SECRET}@{host}/admin")
    b.shot("09-admin")
    b.go(f"http://admin:{SECRET}@{host}/admin/tables?lang=fr")
    check("admin_tables", b.state() == "admin-tables" and b.find("pre[data-table=role]") != [],
          b.source()[:300])
    check("admin_findings", b.find("div.findings[data-findings=integration] p") != [],
          b.source()[:300])
    b.shot("10-admin-tables")


def main():
    os.makedirs(SCREENS, exist_ok=True)
    b = Browser()
    try:
        for part in (marketer_fr, marketer_en_screened, cio_en, phone, admin):
            try:
                part(b)
            except Exception as e:  # a step failed: the rest of that part cannot run
                check(part.__name__, False, repr(e)[:400])
                try:
                    b.shot("fail-" + part.__name__)
                except Exception:
                    pass
    finally:
        b.quit()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
