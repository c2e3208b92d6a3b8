#!/usr/bin/env python3
"""html_check.py — what a reader of sondage's HTML page sees, read back from
headless Chromium (tests/scripts/html_report.sh runs the browser).

  html_check.py static PAGE.html LANG
      the file as written: self-contained (no http(s) URL, no script, no
      stylesheet or font link, no url() in the CSS), a lang attribute,
      a Content-Security-Policy that forbids fetching anything
  html_check.py study DOM.html LANG
      the bundled study's tables (integration, actions, closer by role,
      --tests) as the browser built them (--dump-dom): captions, scoped
      headers, column letters, the published figures in the language's
      typography, bases, one chart per table of the right kind, each with a
      <title> and <desc> that aria-labelledby names
  html_check.py nested DOM.html
      role>company_size with --min-base 100: the nested banner's header rows
      and spans, low-base marks and their footnote
  html_check.py findings DOM.html
      tab --findings (fr): each table's findings under it, the gap and the
      no-gap the study's articles got right and wrong
  html_check.py report DOM.html
      sondage report (the bundled spec, fr): title, introduction, four
      sections each with its table, text, findings and chart, the notes
  html_check.py hostile DOM.html
      labels holding markup, quotes and control characters shown as text
  html_check.py layout LAYOUT.json desktop|phone[_NAME]
      the measurements layout_probe.js took (html_browser.py): the viewport
      asked for, no page-wide
      horizontal scrolling on a phone (tables scroll in their own box), the
      chart under its table on a phone and beside it on a desktop (narrow
      tables), chart text never outside its chart nor over other text, and
      chart text at least 9 CSS pixels high
  html_check.py netlog NETLOG.json [control]
      Chromium's network log of the page's load: no request made by the page
      (control: a page with an external stylesheet and image, which must be
      seen, so that the check is known to work)
Prints PASS/FAIL lines.
"""
import json
import re
import sys
from html.parser import HTMLParser

NNBSP = "\u202f"
failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"PASS html_{name}")
    else:
        failures += 1
        print(f"FAIL html_{name}: {detail}")
    sys.stdout.flush()


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids = tag, dict(attrs), parent, []

    def text(self):
        out = []
        for k in self.kids:
            out.append(k if isinstance(k, str) else k.text())
        return "".join(out)

    def find(self, tag=None, cls=None, **attrs):
        res = []
        for k in self.kids:
            if isinstance(k, str):
                continue
            ok = tag is None or k.tag == tag
            if ok and cls is not None:
                ok = cls in k.attrs.get("class", "").split()
            for a, v in attrs.items():
                ok = ok and k.attrs.get(a.replace("_", "-")) == v
            if ok:
                res.append(k)
            res.extend(k.find(tag, cls, **attrs))
        return res


VOID = {"meta", "br", "hr", "img", "input", "link", "source", "col", "wbr", "area", "base",
        "embed", "param", "track", "path", "rect", "line", "circle", "stop"}


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.kids.append(data)


def parse(path):
    t = Tree()
    t.feed(open(path, encoding="utf-8").read())
    return t.root


def norm(s):
    """Runs of ASCII white space as one space; U+202F and U+00A0 are kept:
    they are the typography under test."""
    return re.sub(r"[ \t\r\n]+", " ", s).strip(" \t\r\n")


def grid(table):
    """The body rows of a table: {row header: [cell texts]}."""
    rows = {}
    for tb in table.find("tbody"):
        for tr in tb.find("tr"):
            th = tr.find("th")
            tds = tr.find("td")
            if th:
                rows[norm(th[0].text())] = [norm(td.text()) for td in tds]
    return rows


def pct(x, lang, dec=1):
    s = f"{100 * x:.{dec}f}"
    return s.replace(".", ",") + NNBSP + "%" if lang == "fr" else s + "%"


def cmd_static(path, lang):
    src = open(path, encoding="utf-8").read()
    check(f"static_{lang}_doctype", src.startswith("<!DOCTYPE html>\n<html lang=\"" + lang + "\">"),
          src[:60])
    check(f"static_{lang}_no_url", not re.search(r"https?:", src, re.I),
          re.findall(r".{30}https?:.{30}", src)[:3])
    check(f"static_{lang}_no_script_or_link",
          not re.search(r"<script|<link|<img|<iframe|<object|@import|url\(", src, re.I))
    check(f"static_{lang}_hrefs_are_fragments",
          all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', src)))
    check(f"static_{lang}_csp", "content=\"default-src 'none'; style-src 'unsafe-inline'\"" in src)
    check(f"static_{lang}_no_control_chars",
          not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", src))


def cmd_study(path, lang):
    root = parse(path)
    fr = lang == "fr"
    html = root.find("html")
    check(f"{lang}_lang_attr", html and html[0].attrs.get("lang") == lang)
    tables = root.find("table")
    check(f"{lang}_three_tables", len(tables) == 3, len(tables))
    if len(tables) != 3:
        return
    word = "Tableau" if fr else "Table"
    caps = [norm(t.find("caption")[0].text()) if t.find("caption") else "" for t in tables]
    check(f"{lang}_captions_numbered",
          all(c.startswith(f"{word} {i + 1}.") for i, c in enumerate(caps)), caps)
    check(f"{lang}_caption_title",
          ("dispose-t-elle de l'organisation" if fr else "have the structure in place") in caps[0],
          caps[0])
    check(f"{lang}_caption_base",
          ("Base : répondants ayant donné une réponse valide" if fr
           else "Base: respondents with a valid answer") in caps[0], caps[0])
    check(f"{lang}_caption_multiple_response",
          ("Réponses multiples" if fr else "Multiple response") in caps[1], caps[1])
    for i, t in enumerate(tables):
        cols = t.find("th", scope="col")
        rows = t.find("th", scope="row")
        groups = t.find("th", scope="colgroup")
        check(f"{lang}_t{i + 1}_scoped_headers", len(cols) == 3 and len(groups) == 1 and rows,
              (len(cols), len(groups), len(rows)))
        heads = [norm(c.text()) for c in cols]
        # the letter is a block under the label: no space between them in the text
        want = ["Ensemble", "DSI(A)", "Marketeur(B)"] if fr else ["Total", "CIO(A)",
                                                                    "Marketer(B)"]
        check(f"{lang}_t{i + 1}_column_letters", heads == want, heads)
        check(f"{lang}_t{i + 1}_banner_label",
              norm(groups[0].text()) == ("Quelle est votre fonction ?" if fr
                                         else "What is your role?"), norm(groups[0].text()))
    # Table 1: integration. Published: marketers 73/24/3, CIOs 54/42/4.
    g = grid(tables[0])
    yes, no = ("Oui", "Non") if fr else ("Yes", "No")
    check(f"{lang}_integration_yes",
          g.get(yes) == [pct(0.5671428571428572, lang), pct(0.54, lang),
                         pct(0.73, lang) + "A"], g.get(yes))
    check(f"{lang}_integration_no",
          g.get(no) == [pct(0.3942857142857143, lang), pct(0.42, lang) + "B", pct(0.24, lang)],
          g.get(no))
    base = g.get("Base (n)")
    sep = NNBSP if fr else ","
    check(f"{lang}_integration_bases", base == [f"2{sep}800", f"2{sep}400", "400"], base)
    # Table 2: actions (collaborate 68/47, hybrid talent 46/44, not significant).
    g = grid(tables[1])
    collab = next((v for k, v in g.items() if k.startswith("Demander" if fr else "Tasking")), None)
    check(f"{lang}_actions_collab", collab == [pct(0.5, lang), pct(0.47, lang),
                                                pct(0.68, lang) + "A"], collab)
    talent = next((v for k, v in g.items() if k.startswith("Recruter" if fr else "Bringing")),
                  None)
    check(f"{lang}_actions_talent_no_letter",
          talent is not None and talent[1:] == [pct(0.44, lang), pct(0.46, lang)], talent)
    # Table 3: closer with its nets and its missing.
    g = grid(tables[2])
    much = g.get("Beaucoup plus étroitement" if fr else "Much more closely")
    check(f"{lang}_closer_much_more", much is not None and much[2] == pct(121 / 391, lang) + "A",
          much)
    net = g.get("Plus proche" if fr else "Closer")
    check(f"{lang}_closer_net", net is not None and net[2] == pct(221 / 391, lang) + "A", net)
    miss = g.get("Manquants (exclus)" if fr else "Missing (excluded)")
    check(f"{lang}_closer_missing_row", miss == ["594", "585", "9"], miss)
    net_rows = [tr for tr in tables[2].find("tr", cls="net")]
    check(f"{lang}_closer_nets_marked", len(net_rows) == 2, len(net_rows))
    # Charts: one per table, of the right kind, named for screen readers.
    figs = root.find("figure", cls="chart")
    kinds = [f.attrs.get("data-kind") for f in figs]
    check(f"{lang}_chart_kinds", kinds == ["grouped", "ranked", "diverging"], kinds)
    for i, f in enumerate(figs):
        svg = f.find("svg")
        ok = bool(svg)
        if ok:
            s = svg[0]
            titles = [k for k in s.kids if not isinstance(k, str) and k.tag == "title"]
            descs = [k for k in s.kids if not isinstance(k, str) and k.tag == "desc"]
            ids = s.attrs.get("aria-labelledby", "").split()
            ok = (s.attrs.get("role") == "img" and titles and descs and
                  ids == [titles[0].attrs.get("id"), descs[0].attrs.get("id")])
            tt = norm(titles[0].text()) if titles else ""
            ok = ok and tt.startswith(("Graphique" if fr else "Chart") + f" {i + 1}.")
            check(f"{lang}_chart{i + 1}_title_desc", ok, tt)
            if descs:
                check(f"{lang}_chart{i + 1}_desc_has_values",
                      pct(0.73 if i == 0 else 0.68 if i == 1 else 0.309462915601023, lang)
                      in descs[0].text(), norm(descs[0].text())[:200])
        else:
            check(f"{lang}_chart{i + 1}_svg", False, "no svg")
    if len(figs) >= 2:
        labels = [norm(t.text()) for t in figs[1].find("text")
                  if t.attrs.get("font-weight") == "600" and re.match(r"\d\. ", norm(t.text()))]
        check(f"{lang}_ranked_order",
              [l[:2] for l in labels] == ["1.", "2.", "3.", "4.", "5."] and
              labels[0].startswith("1. " + ("Demander" if fr else "Tasking")) and
              labels[3].startswith("4. " + ("Aucune" if fr else "None")), labels)
    if len(figs) == 3:
        cap = norm(figs[2].find("figcaption")[0].text())
        check(f"{lang}_diverging_caption",
              ("«\u00a0Autant qu'avant\u00a0»" if fr else "“The same amount”") in cap, cap)
    letters = root.find("p", cls="letters")
    check(f"{lang}_letters_legend", len(letters) == 3, len(letters))
    tests = root.find("p", cls="test")
    check(f"{lang}_rao_scott", len(tests) == 2 and ("F(2,00 ; 5" if fr else "F(2.00, 5")
          in tests[0].text(), [norm(t.text()) for t in tests])
    check(f"{lang}_no_findings_unasked", not root.find("section", cls="findings"))
    nav = root.find("nav")
    check(f"{lang}_contents", nav and len(nav[0].find("a")) == 3)


def cmd_nested(path):
    root = parse(path)
    t = root.find("table")
    check("nested_table", len(t) == 1)
    if not t:
        return
    trs = t[0].find("thead")[0].find("tr")
    check("nested_four_header_rows", len(trs) == 4, len(trs))
    if len(trs) != 4:
        return
    r0 = [(norm(c.text()), c.attrs.get("colspan"), c.attrs.get("rowspan")) for c in trs[0].find("th")]
    check("nested_level0_var", len(r0) > 1 and r0[1] == ("What is your role?", "12", None), r0)
    r1 = [(norm(c.text()), c.attrs.get("colspan")) for c in trs[1].find("th")]
    check("nested_level0_groups", r1 == [("CIO", "6"), ("Marketer", "6")], r1)
    r2 = [(norm(c.text()), c.attrs.get("colspan")) for c in trs[2].find("th")]
    check("nested_level1_var", r2 == [("How many employees does your company (or agency) have?",
                                       "12")], r2)
    r3 = [norm(c.text()) for c in trs[3].find("th")]
    check("nested_leaf_columns", len(r3) == 12 and r3[0] == "20-49\u00a0*(A)" and
          r3[2] == "100-249(C)" and r3[8] == "100-249(I)" and r3[11] == "1,000+\u00a0*(L)", r3)
    low = t[0].find("th", cls="low")
    check("nested_low_base_headers", len(low) >= 1, len(low))
    foot = root.find("p", cls="lowbase")
    check("nested_low_base_footnote", foot and "Base under 100 respondents" in foot[0].text())


def cmd_findings(path):
    """tab --findings: each table's findings under it, as sentences."""
    root = parse(path)
    arts = root.find("article", cls="block")
    check("findings_three_blocks", len(arts) == 3, len(arts))
    if len(arts) != 3:
        return
    lis = [[(l.attrs.get("class"), norm(l.text())) for l in a.find("li")] for a in arts]
    check("findings_under_each_table", all(lis), [len(x) for x in lis])
    gap = next((t for c, t in lis[0] if c == "f-gap" and "Oui" in t), "")
    check("findings_integration_gap",
          "3 marketeurs sur 4 (73\u202f%)" in gap and "(54\u202f%)" in gap, gap)
    talent = next((t for c, t in lis[1] if "Recruter" in t and c == "f-no-gap"), "")
    check("findings_talent_no_gap", "ne diffèrent pas significativement" in talent, talent)
    heads = [norm(a.find("section", cls="findings")[0].find("h3")[0].text()) for a in arts]
    check("findings_heading", heads == ["Ce que disent les chiffres"] * 3, heads)


def cmd_report(path):
    """sondage report (the bundled spec, fr): the report's own parts."""
    root = parse(path)
    h1 = norm(root.find("h1")[0].text()) if root.find("h1") else ""
    check("report_title", h1.startswith("DSI et marketeurs"), h1)
    head = root.find("header", cls="doc")
    paras = head[0].find("p") if head else []
    check("report_introduction", paras and "2 400 DSI" in norm(paras[0].text()),
          [norm(p.text())[:60] for p in paras])
    parts = root.find("section", cls="part")
    titles = [norm(p.find("h2")[0].text()) for p in parts]
    check("report_sections", len(parts) == 5 and titles[0] == "Une organisation pour "
          "l'intégration" and titles[4].startswith("Pondéré ou non"), titles)
    check("report_tables_in_sections",
          [len(p.find("table")) for p in parts] == [1, 1, 1, 1, 2],
          [len(p.find("table")) for p in parts])
    # The weighted section: the first table says it is unweighted, the
    # second its weight and what the weighting cost (issue 15).
    caps = [norm(c.text()) for c in parts[4].find("caption")] if len(parts) == 5 else []
    check("report_weighted_side_by_side",
          len(caps) == 2 and "Non pondéré" in caps[0] and "Calage : rake" in caps[1]
          and "efficacité 64,1" in caps[1] and "n effectif 1\u202f793" in caps[1], caps)
    check("report_section_text", "pas sur une opinion" in norm(parts[0].find("p")[0].text())
          if parts and parts[0].find("p") else False)
    foot = root.find("footer")
    check("report_notes", foot and "Sources" in norm(foot[0].find("p", cls="note")[0].text())
          if foot and foot[0].find("p", cls="note") else False)
    check("report_findings", len(root.find("section", cls="findings")) == 6,
          len(root.find("section", cls="findings")))
    check("report_charts", len(root.find("figure", cls="chart")) == 6,
          len(root.find("figure", cls="chart")))


def cmd_hostile(path):
    root = parse(path)
    check("hostile_no_script_element", not root.find("script"))
    cap = norm(root.find("caption")[0].text()) if root.find("caption") else ""
    check("hostile_markup_as_text", "<script>alert(1)</script> & \"quoted\" 'single'" in cap, cap)
    check("hostile_controls_visible", "\u241b[31m red \u2407 bell" in cap, cap)
    rows = grid(root.find("table")[0]) if root.find("table") else {}
    check("hostile_value_labels", "<b>Yes</b> & more" in rows and "No \ufffd next-line" in rows,
          list(rows))
    heads = [norm(c.text()) for c in root.find("th", scope="col")]
    check("hostile_banner_labels", "A<br>\u00a0*" in heads and "B&amp;\u00a0*" in heads, heads)


def cmd_layout(path, mode):
    m = json.load(open(path, encoding="utf-8"))
    phone = mode.startswith("phone")
    check(f"layout_{mode}_viewport", m["vw"] == (390 if phone else 1280), m["vw"])
    check(f"layout_{mode}_no_page_scroll", m["docW"] <= m["vw"], (m["docW"], m["vw"]))
    for b in m["blocks"]:
        tl, tt, tr, tb = b["table"]
        check(f"layout_{mode}_{b['id']}_caption_in_view", b["captionVisible"])
        if not b["chart"]:
            check(f"layout_{mode}_{b['id']}_chart", False, "no chart")
            continue
        cl, ct, cr, cb = b["chart"]
        if phone:
            check(f"layout_{mode}_{b['id']}_chart_under_table", ct >= tb - 1, (ct, tb))
            check(f"layout_{mode}_{b['id']}_chart_fits", cr <= m["vw"] + 0.5, (cr, m["vw"]))
        elif b["narrow"]:
            check(f"layout_{mode}_{b['id']}_chart_beside_table", cl >= tr - 1 and ct < tb,
                  (cl, tr))
        check(f"layout_{mode}_{b['id']}_text_size", b["minFont"] >= 9, b["minFont"])
        if mode == "phone_nested":
            check(f"layout_{mode}_{b['id']}_table_scrolls_in_its_box", b["tableScrolls"])
    check(f"layout_{mode}_chart_text_inside", not m["outside"], m["outside"][:5])
    check(f"layout_{mode}_chart_text_no_overlap", not m["overlap"], m["overlap"][:5])
    return m


def page_requests(path):
    """URLs the page asked for: requests whose initiator is an origin (a
    file:// page is the opaque origin "null"); the browser's own background
    requests have none ("not an origin")."""
    d = json.load(open(path, encoding="utf-8", errors="replace"))
    types = {v: k for k, v in d["constants"]["logEventTypes"].items()}
    out = []
    for e in d.get("events", []):
        p = e.get("params") or {}
        if types.get(e.get("type")) == "URL_REQUEST_START_JOB" and p.get("url") and \
                p.get("initiator") != "not an origin":
            out.append(p["url"])
    return out


def cmd_netlog(path, expect_requests=False):
    bad = page_requests(path)
    if expect_requests:
        check("netlog_control_page_seen", len(bad) >= 2, bad)
    else:
        check("netlog_no_network_request", not bad, bad[:5])


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "static":
        cmd_static(sys.argv[2], sys.argv[3])
    elif cmd == "study":
        cmd_study(sys.argv[2], sys.argv[3])
    elif cmd == "nested":
        cmd_nested(sys.argv[2])
    elif cmd == "findings":
        cmd_findings(sys.argv[2])
    elif cmd == "report":
        cmd_report(sys.argv[2])
    elif cmd == "hostile":
        cmd_hostile(sys.argv[2])
    elif cmd == "layout":
        cmd_layout(sys.argv[2], sys.argv[3])
    elif cmd == "netlog":
        cmd_netlog(sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "control")
    sys.exit(0)
