#!/usr/bin/env python3
"""hostile.py — what a hostile or broken client gets from `sondage serve`.

Raw sockets (standard library only) against a server started by
tests/scripts/field_hostile.sh with --timeout 2 --per-ip 6: oversized and
chunked bodies, too many fields, bad escapes and bytes, the wrong media
type, missing or forged CSRF tokens, a forged session, HTML and SQL in
answers (escaped on the page, stored verbatim), unknown routes and
methods, the admin secret, slow clients dropped by the timeout, and the
per-address connection limit. Prints PASS/FAIL lines.
Usage: hostile.py PORT SECRET DBPATH
"""
import base64
import re
import socket
import sqlite3
import sys
import time

PORT, SECRET, DB = int(sys.argv[1]), sys.argv[2], sys.argv[3]
fails = 0


def check(name, cond, detail=""):
    global fails
    print(("PASS " if cond else "FAIL ") + "hostile_" + name + ("" if cond else ": " + str(detail)[:300]))
    sys.stdout.flush()
    if not cond:
        fails += 1


def raw(data, timeout=10):
    """Send bytes on a fresh connection; the status and the whole reply."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
            m = re.match(rb"HTTP/1\.[01] (\d+)", out)
            head_end = out.find(b"\r\n\r\n")
            if m and head_end >= 0:
                cl = re.search(rb"(?i)\r\ncontent-length: *(\d+)", out[:head_end])
                if cl and len(out) >= head_end + 4 + int(cl.group(1)):
                    break
        m = re.match(rb"HTTP/1\.[01] (\d+)", out)
        return (int(m.group(1)) if m else 0), out
    finally:
        s.close()


def request(method, path, body=b"", headers=None):
    h = {"Host": "127.0.0.1", "Connection": "close"}
    if body or method == "POST":
        h["Content-Type"] = "application/x-www-form-urlencoded"
        h["Content-Length"] = str(len(body))
    h.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return raw(head.encode() + body)


def cookies(reply):
    return dict(re.findall(rb"(?i)\r\nset-cookie: *(sondage_[sn])=([0-9a-f]+)", reply))


def start(lang="en"):
    st, r = request("GET", "/")
    c = cookies(r)
    nonce = re.search(rb'name="nonce" value="([0-9a-f]+)"', r).group(1).decode()
    st, r = request("POST", "/start", f"nonce={nonce}&lang={lang}".encode(),
                    {"Cookie": f"sondage_n={c[b'sondage_n'].decode()}"})
    c.update(cookies(r))
    csrf = re.search(rb'action="/q".*?name="csrf" value="([0-9a-f]+)"', r, re.S).group(1).decode()
    return c[b"sondage_s"].decode(), csrf, r


def main():
    # Bodies and fields
    st, _ = raw(b"POST /q HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 50000000\r\n\r\n")
    check("declared_huge_body_413", st == 413, st)
    chunks = b"".join(b"8000\r\n" + b"a" * 0x8000 + b"\r\n" for _ in range(40)) + b"0\r\n\r\n"
    st, _ = raw(b"POST /q HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks)
    check("chunked_huge_body_413", st == 413, st)
    sid, csrf, page = start()
    ck = {"Cookie": f"sondage_s={sid}"}
    st, _ = request("POST", "/q", b"&".join(b"f%d=1" % i for i in range(5000)), ck)
    check("too_many_fields_413", st == 413, st)
    st, _ = request("POST", "/q", b"csrf=" + csrf.encode() + b"&page=p_role&role=%zz", ck)
    check("bad_escape_400", st == 400, st)
    st, _ = request("POST", "/q", b"csrf=" + csrf.encode() + b"&page=p_role&role=%FF%FE", ck)
    check("bad_bytes_400", st == 400, st)
    st, _ = request("POST", "/q", b"csrf=" + csrf.encode() + b"&page=p_role&role=1",
                    {**ck, "Content-Type": "multipart/form-data; boundary=x"})
    check("wrong_media_type_415", st == 415, st)
    # CSRF and sessions
    st, r = request("POST", "/q", b"csrf=" + b"0" * 32 + b"&page=p_role&role=1", ck)
    check("forged_csrf_403", st == 403 and b'data-sondage="error"' in r, st)
    st, r = request("POST", "/q", b"page=p_role&role=1", ck)
    check("missing_csrf_403", st == 403, st)
    st, r = request("POST", "/q", b"csrf=" + csrf.encode() + b"&page=p_role&role=1",
                    {"Cookie": "sondage_s=" + "a" * 32})
    check("unknown_session_403", st == 403, st)
    st, r = request("POST", "/start", b"nonce=" + b"1" * 32 + b"&lang=fr",
                    {"Cookie": "sondage_n=" + "2" * 32})
    check("start_forged_nonce_403", st == 403, st)
    st, r = request("POST", "/start", b"lang=fr")
    check("start_without_cookie_403", st == 403, st)
    st, r = request("POST", "/q", b"csrf=" + csrf.encode() + b"&page=p_role&role=1%27%3B+DROP+TABLE+responses%3B--", ck)
    check("tampered_code_refused", st == 200 and b'class="error"' in r, st)
    # Answers that are HTML and SQL: escaped on the page, stored as typed.
    evil = "<script>alert(1)</script>'); DROP TABLE responses; --"
    enc = "".join(c if c.isalnum() else "%%%02X" % ord(c) for c in evil)
    r = page
    answers = {"p_role": "role=1", "p_company": "company_size=3&metro=2", "p_integration": "integration=1",
               "p_actions": "agency=1", "p_closer": "closer=2",
               "p_challenges": "challenge1=1&challenge1_text=" + enc,
               "p_relation": "fr_dsi_relation_metiers=1&fr_dsi_relation_marketing=2", "p_team": "team_size=3"}
    shown_escaped = went_back = False
    for _ in range(12):
        m = re.search(rb'name="page" value="([a-z_]+)"', r)
        if not m:
            break
        name = m.group(1).decode()
        body = f"csrf={csrf}&page={name}&nav=next&{answers[name]}".encode()
        if name == "p_relation" and not went_back:
            went_back = True
            # go back once to see the text answer shown again, escaped
            st, r = request("POST", "/q", f"csrf={csrf}&page={name}&nav=back".encode(), ck)
            shown_escaped = (b"&lt;script&gt;alert(1)&lt;/script&gt;&#39;); DROP TABLE responses; --" in r
                             and b"<script>" not in r)
            continue
        st, r = request("POST", "/q", body, ck)
    check("answer_html_escaped_on_page", shown_escaped)
    check("evil_interview_completes", b'data-sondage="complete"' in r, r[-300:])
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    stored = db.execute("select challenge1_text from responses where challenge1_text is not null").fetchall()
    check("answer_stored_verbatim", (evil,) in stored, stored)
    check("tables_intact", db.execute("select count(*) from sqlite_master where name='responses'").fetchone()[0] == 1)
    # Routes and methods
    st, r = request("GET", "/nope")
    check("unknown_route_404", st == 404, st)
    st, r = request("PUT", "/q", b"x=1")
    check("put_405", st == 405, st)
    st, r = request("GET", "/r/not-an-id")
    check("bad_resume_link_404", st == 404, st)
    st, r = request("GET", "/t/zz")
    check("bad_token_link_404", st == 404, st)
    st, r = request("GET", "/")
    check("security_headers", b"Content-Security-Policy: default-src 'none'" in r and
          b"X-Frame-Options: DENY" in r and b"Cache-Control: no-store" in r, r[:600])
    # Admin
    st, r = request("GET", "/admin")
    check("admin_no_secret_401", st == 401 and b"WWW-Authenticate: Basic" in r, st)
    bad = base64.b64encode(b"admin:" + SECRET.encode()[:-1] + b"x").decode()
    for path in ("/admin", "/admin/tables", "/admin/export.csv", "/admin/export.sav", "/admin/codebook.yaml"):
        st, r = request("GET", path, headers={"Authorization": "Basic " + bad})
        check("admin_wrong_secret_401_" + path.rsplit("/", 1)[-1], st == 401, st)
    good = base64.b64encode(b"anyone:" + SECRET.encode()).decode()
    st, r = request("GET", "/admin/export.csv", headers={"Authorization": "Basic " + good})
    check("admin_export_csv", st == 200 and b"text/csv" in r and b"\r\n\r\nid,role," in r, r[:300])
    st, r = request("GET", "/admin/export.sav", headers={"Authorization": "Basic " + good})
    check("admin_export_sav", st == 200 and b"\r\n\r\n$FL2" in r, r[:300])
    # The quota table's numbers are for people: en groups 2400 as 2,400; fr
    # groups from five digits (answers.c, sd__human_num), so 2400 stays whole.
    st, r = request("GET", "/admin?lang=en", headers={"Authorization": "Basic " + good})
    check("admin_quota_limit_grouped_en", st == 200 and b"<td>2,400</td>" in r, r[-1500:])
    st, r = request("GET", "/admin?lang=fr", headers={"Authorization": "Basic " + good})
    check("admin_quota_limit_fr", st == 200 and b"<td>2400</td>" in r and b"Objectif" in r,
          r[-1500:])
    st, r = request("POST", "/admin", b"x=1", {"Authorization": "Basic " + good})
    check("admin_post_405", st == 405, st)
    # Slow clients: dropped after --timeout (2 s); the server still answers.
    slow = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        slow.append(s)
    st, _ = request("GET", "/health")
    check("answers_while_slow_clients_wait", st == 200, st)
    time.sleep(3.5)
    dropped = 0
    for s in slow:
        try:
            s.settimeout(2)
            dropped += s.recv(10) == b""
        except (ConnectionResetError, socket.timeout):
            dropped += 1
        s.close()
    check("slow_clients_dropped_by_timeout", dropped == 3, dropped)
    # Per-address limit (6): the 7th connection at once is refused.
    held = [socket.create_connection(("127.0.0.1", PORT), timeout=10) for _ in range(6)]
    time.sleep(0.2)
    try:
        st, _ = raw(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=3)
    except OSError:
        st = 0
    check("per_address_limit", st == 0, st)
    for s in held:
        s.close()
    time.sleep(0.3)
    st, _ = request("GET", "/health")
    check("answers_again_after_limit", st == 200, st)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
