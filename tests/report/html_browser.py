#!/usr/bin/env python3
"""html_browser.py — lay out sondage's HTML pages in headless Chromium at the
widths people read them, measure them and take screenshots.

Plain `chromium --headless --window-size=390,…` cannot show a phone: its
window is at least 500 CSS pixels wide. So this drives Chromium through
chromedriver (WebDriver over HTTP, standard library only) and sets the
viewport with the DevTools command Emulation.setDeviceMetricsOverride (390 x
844 at 2 device pixels per CSS pixel, mobile; or 1280 x 900 for a desktop).
The page itself runs no script: tests/report/layout_probe.js is evaluated by
the driver (DevTools evaluation is not subject to the page's CSP) and
returns the measurements html_check.py `layout` judges. Screenshots: the
whole page, and each table's block alone (clipped to its <article>).

Usage: html_browser.py DRIVER_PORT OUT_DIR NAME=PAGE.html[:MODE,MODE] ...
  writes OUT_DIR/NAME_MODE.json (the probe) and SCREENS/NAME_MODE.png
  (SCREENS from $SCREENS), and NAME_MODE_tN.png for phone widths.
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.request

DPORT, OUT = int(sys.argv[1]), sys.argv[2]
SCREENS = os.environ.get("SCREENS", OUT)
DRIVER = f"http://127.0.0.1:{DPORT}"
MODES = {"desktop": (1280, 900, 1, False), "phone": (390, 844, 2, True)}
HERE = os.path.dirname(os.path.abspath(__file__))


def wd(method, path, body=None, timeout=90):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(DRIVER + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"{}").get("value")
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:300]!r}")


def main():
    caps = {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--hide-scrollbars",
                     "--host-resolver-rules=MAP * ~NOTFOUND"]}}}}
    sid = wd("POST", "/session", caps)["sessionId"]
    s = f"/session/{sid}"

    def cdp(cmd, params):
        return wd("POST", s + "/goog/cdp/execute", {"cmd": cmd, "params": params})

    probe = open(os.path.join(HERE, "layout_probe.js"), encoding="utf-8").read()
    try:
        for arg in sys.argv[3:]:
            name, rest = arg.split("=", 1)
            page, _, modes = rest.partition(":")
            for mode in (modes.split(",") if modes else ["desktop", "phone"]):
                w, h, dpr, mobile = MODES[mode]
                cdp("Emulation.setDeviceMetricsOverride",
                    {"width": w, "height": h, "deviceScaleFactor": dpr, "mobile": mobile})
                wd("POST", s + "/url", {"url": "file://" + os.path.abspath(page)})
                m = json.loads(wd("POST", s + "/execute/sync",
                                  {"script": probe + "\nreturn JSON.stringify(window.__layout);",
                                   "args": []}))
                with open(os.path.join(OUT, f"{name}_{mode}.json"), "w") as f:
                    json.dump(m, f)
                shots = [("", 0, 0, w, m["docH"])]
                if mode == "phone":
                    for b in m["blocks"]:
                        x0, y0, x1, y1 = b["box"]
                        shots.append((f"_{b['id']}", 0, max(0, y0 - 12), w, y1 - y0 + 24))
                for suffix, x, y, cw, ch in shots:
                    img = cdp("Page.captureScreenshot",
                              {"format": "png", "captureBeyondViewport": True,
                               "clip": {"x": x, "y": y, "width": cw,
                                        "height": min(ch, 12000), "scale": 1}})
                    with open(os.path.join(SCREENS, f"{name}_{mode}{suffix}.png"), "wb") as f:
                        f.write(base64.b64decode(img["data"]))
    finally:
        wd("DELETE", s)


if __name__ == "__main__":
    main()
