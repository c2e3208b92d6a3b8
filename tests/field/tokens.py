#!/usr/bin/env python3
"""tokens.py — invitation-only fieldwork, as an invited respondent meets it.

Against `sondage serve --access tokens` (tests/scripts/field_tokens.sh, which
created the tokens with `sondage tokens` while the server ran): the open
link is refused, an unknown token is refused, an invitation starts and
completes an interview, opening it again shows the thank-you page and
stores nothing more, another browser with the same invitation resumes the
same interview. Prints PASS/FAIL lines.
Usage: tokens.py PORT DBPATH TOKEN1 TOKEN2
"""
import re
import sqlite3
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

PORT, DB, T1, T2 = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
BASE = f"http://127.0.0.1:{PORT}"
fails = 0


def check(name, cond, detail=""):
    global fails
    print(("PASS " if cond else "FAIL ") + "tokens_" + name + ("" if cond else ": " + str(detail)[:300]))
    fails += not cond


class Browser:
    def __init__(self):
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path):
        try:
            with self.op.open(BASE + path, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def post(self, path, body):
        try:
            with self.op.open(BASE + path, data=body.encode(), timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


def state(html):
    m = re.search(r'data-sondage="([a-z-]+)"', html)
    return m.group(1) if m else None


def start(b, token):
    st, html = b.get("/t/" + token)
    m = re.search(r'name="nonce" value="([0-9a-f]+)"', html)
    if st != 200 or not m:
        return st, html
    return b.post("/start", f"nonce={m.group(1)}&token={token}&lang=en")


def answer_all(b, html):
    answers = {"p_role": "role=1", "p_company": "company_size=3&metro=2", "p_integration": "integration=1",
               "p_actions": "agency=1", "p_closer": "closer=2", "p_challenges": "challenge1=1",
               "p_relation": "fr_dsi_relation_metiers=1&fr_dsi_relation_marketing=2", "p_team": ""}
    for _ in range(12):
        m = re.search(r'name="page" value="([a-z_]+)"', html)
        c = re.search(r'action="/q".*?name="csrf" value="([0-9a-f]+)"', html, re.S)
        if not m or not c:
            break
        st, html = b.post("/q", f"csrf={c.group(1)}&page={m.group(1)}&nav=next&{answers[m.group(1)]}")
    return html


def rows():
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    return db.execute("select count(*) from responses").fetchone()[0]


b = Browser()
st, html = b.get("/")
check("open_link_refused", st == 403 and "sur invitation" in html, (st, html[-300:]))
st, html = start(b, "0" * 32)
check("unknown_token_refused", st == 404 and ("not valid" in html or "pas valide" in html), st)
st, html = start(b, T1)
check("invitation_starts", st == 200 and state(html) == "page", (st, html[:200]))
# a second browser with the same invitation resumes that interview
other = Browser()
st, html2 = start(other, T1)
check("same_invitation_resumes", st == 200 and 'value="p_role"' in html2, html2[:300])
html = answer_all(b, html)
check("invitation_completes", state(html) == "complete", html[-300:])
check("one_row", rows() == 1, rows())
st, html = start(Browser(), T1)
check("used_invitation_thanks_again", st == 200 and state(html) == "complete", (st, html[-200:]))
html = answer_all(other, other.get("/q")[1])
check("other_browser_sees_it_done", state(html) == "complete", html[-200:])
check("still_one_row", rows() == 1, rows())
st, html = start(Browser(), T2)
check("second_invitation_starts", st == 200 and state(html) == "page", st)
db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
used = db.execute("select count(*) from sondage_tokens where sid is not null").fetchone()[0]
check("tokens_claimed", used == 2, used)
sys.exit(1 if fails else 0)
