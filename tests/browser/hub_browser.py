#!/usr/bin/python3
"""Drives Debian's headless Chromium over the DevTools protocol (python3-websocket) against a
running `ext hub` (docs/hub.md "Tests"). Run by tests/e2e/hub_test.cpp, which starts a real
docker-registry with a dozen filters and the hub, and passes:

  hub_browser.py --url URL --ref REF --name NAME --expect-yaml FILE --query TEXT
                 --expect-rows N --out DIR [--no-js]

With JavaScript (default): typing in the search box narrows the catalog without a round trip
(the time of each update is measured and printed: "search update ms: max=..."), the filter page
shows the README (rendered, nothing from it executed), the deploy page's YAML equals FILE (what
`ext deploy istio REF --name NAME -f FILE` wrote) byte for byte. --no-js: the same pages with
JavaScript disabled: the catalog (filtered by the server with ?q=) and the filter page render.
A screenshot of each page goes to DIR. Chromium runs with a temporary --user-data-dir, with
--no-sandbox only when the sandbox cannot start (root, containers), and is killed by its pid.
Exit 0 when every check holds; 1 with the failures on stderr otherwise.
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websocket  # python3-websocket

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


class Browser:
    def __init__(self, no_js):
        self.profile = tempfile.mkdtemp(prefix="ext-hub-chromium-")
        self.proc = None
        self.no_js = no_js
        for sandbox in ([] if os.geteuid() != 0 else None, ["--no-sandbox"]):
            if sandbox is None:
                continue  # root: Chromium refuses to start with its sandbox
            if self.start(sandbox):
                break
        if self.proc is None:
            raise SystemExit("chromium did not start (see above)")

    def start(self, extra):
        exe = shutil.which("chromium") or "/usr/bin/chromium"
        args = [exe, "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--remote-debugging-port=0",
                "--remote-allow-origins=*", "--window-size=1280,900",
                "--user-data-dir=" + self.profile] + extra
        if self.no_js:
            args.append("--blink-settings=scriptEnabled=false")
        args.append("about:blank")
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        deadline = time.time() + 30
        port = None
        err = []
        while time.time() < deadline:
            line = proc.stderr.readline().decode(errors="replace")
            if not line:
                if proc.poll() is not None:
                    break
                continue
            err.append(line)
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            self.kill(proc)
            print("chromium " + " ".join(extra) + " did not start:\n" + "".join(err[-10:]),
                  file=sys.stderr)
            return False
        self.proc = proc
        self.port = port
        targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port))
        page = [t for t in targets if t.get("type") == "page"][0]
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.events = []
        self.call("Page.enable")
        self.call("DOM.enable")
        return True

    @staticmethod
    def kill(proc):
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the group of the chromium we started
            proc.wait()

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.kill(self.proc)
        shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError(method + ": " + json.dumps(msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def navigate(self, url):
        self.events = []
        self.call("Page.navigate", url=url)
        deadline = time.time() + 30
        while time.time() < deadline:
            if any(e.get("method") == "Page.loadEventFired" for e in self.events):
                return
            msg = json.loads(self.ws.recv())
            self.events.append(msg)
        raise RuntimeError("page did not load: " + url)

    # DOM reads through the DevTools DOM domain work with page scripts disabled too.
    def query_all(self, selector):
        root = self.call("DOM.getDocument", depth=0)["root"]["nodeId"]
        return self.call("DOM.querySelectorAll", nodeId=root, selector=selector)["nodeIds"]

    def visible(self, selector):
        # Whether the first match has a box (DOM domain: works with page scripts disabled).
        ids = self.query_all(selector)
        if not ids:
            return False
        try:
            self.call("DOM.getBoxModel", nodeId=ids[0])
            return True
        except RuntimeError:
            return False

    def html(self, selector):
        ids = self.query_all(selector)
        if not ids:
            return None
        return self.call("DOM.getOuterHTML", nodeId=ids[0])["outerHTML"]

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate failed: " + json.dumps(r["exceptionDetails"]))
        return r["result"].get("value")

    def eval_async(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate failed: " + json.dumps(r["exceptionDetails"]))
        return r["result"].get("value")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))


# Installed in the page: every input/change event of the search form is timed from its
# timeStamp (when the event was created, on performance.now()'s clock) to the next frame
# painted: a requestAnimationFrame callback runs before that frame's style, layout and paint,
# and a message posted from it is delivered after them.
TIMER_JS = """(() => {
  if (window.__hubTimes) return;
  window.__hubTimes = [];
  const timed = (e) => {
    const t0 = e.timeStamp;
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => window.__hubTimes.push(performance.now() - t0);
      ch.port2.postMessage(0);
    });
  };
  document.getElementById('search').addEventListener('input', timed, true);
  document.getElementById('search').addEventListener('change', timed, true);
})()"""


class SearchTimer:
    """Drives the catalog's search form with real key events (CDP Input) and collects the time
    of each update: typing (one per key), clearing the box, changing a filter select."""

    def __init__(self, browser):
        self.b = browser
        self.b.eval(TIMER_JS)
        self.kinds = {"typing": [], "clearing": [], "select": []}
        self.missing = 0

    def reset(self):
        for v in self.kinds.values():
            v.clear()

    def _wait(self, n):
        # Resolves when the page has timed n updates (or after 5 s: counted as missing).
        return self.b.eval_async(
            "new Promise((ok) => { const t0 = performance.now(); const poll = () => {"
            " if (window.__hubTimes.length >= %d) ok(window.__hubTimes[%d - 1]);"
            " else if (performance.now() - t0 > 5000) ok(null);"
            " else setTimeout(poll, 5); }; poll(); })" % (n, n))

    def _record(self, kind):
        n = self.b.eval("window.__hubTimes.length")
        def done():
            ms = self._wait(n + 1)
            if ms is None:
                self.missing += 1
            else:
                self.kinds[kind].append(ms)
        return done

    def type_query(self, text):
        self.b.eval("document.getElementById('q').focus()")
        for ch in text:
            done = self._record("typing")
            self.b.call("Input.insertText", text=ch)
            done()

    def clear(self):
        # Select the box's text and press Backspace, as a person clears it.
        self.b.eval("(() => { const q = document.getElementById('q'); q.focus(); q.select(); })()")
        done = self._record("clearing")
        for t in ("rawKeyDown", "keyUp"):
            self.b.call("Input.dispatchKeyEvent", type=t, key="Backspace", code="Backspace",
                        windowsVirtualKeyCode=8, nativeVirtualKeyCode=8)
        done()

    def select(self, select_id, value):
        done = self._record("select")
        self.b.eval("(() => { const s = document.getElementById(%s); s.value = %s;"
                    " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
                    % (json.dumps(select_id), json.dumps(value)))
        done()
        return self.b.eval("document.querySelectorAll('tr.filter:not([hidden])').length")

    def complete(self):
        return self.missing == 0 and all(self.kinds.values())

    def summary(self):
        parts = []
        for kind, v in self.kinds.items():
            if v:
                s = sorted(v)
                parts.append("%s median=%.1f max=%.1f (n=%d)" % (kind, s[len(s) // 2], s[-1],
                                                                   len(s)))
        if self.missing:
            parts.append("%d update(s) never painted" % self.missing)
        return "; ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--ref")
    ap.add_argument("--name")
    ap.add_argument("--expect-yaml")
    ap.add_argument("--query", required=True)
    ap.add_argument("--expect-rows", type=int, default=-1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-js", action="store_true")
    ap.add_argument("--rounds", type=int, default=1,
                    help="type, clear and select this many times (scripts/bench hub: 5)")
    ap.add_argument("--select-id", default="type", help="the filter select changed")
    ap.add_argument("--select-value", default="network", help="the value it is set to")
    ap.add_argument("--search-only", action="store_true",
                    help="only time the search on the catalog page (scripts/bench hub)")
    a = ap.parse_args()
    if not a.search_only and not (a.ref and a.name and a.expect_yaml and a.expect_rows >= 0):
        ap.error("--ref, --name, --expect-yaml and --expect-rows are needed without --search-only")
    os.makedirs(a.out, exist_ok=True)
    suffix = "-nojs" if a.no_js else ""
    base = a.url.rstrip("/")
    b = Browser(a.no_js)
    try:
        if a.no_js:
            # Catalog, filtered by the server (?q=): only the matching rows are shown.
            b.navigate(base + "/?q=" + urllib.parse.quote(a.query))
            total = len(b.query_all("tr.filter"))
            shown = len(b.query_all("tr.filter:not([hidden])"))
            check(total > a.expect_rows, "catalog lists %d filters (more than %d expected)"
                  % (total, a.expect_rows))
            check(shown == a.expect_rows, "no-JS search shows %d rows, expected %d"
                  % (shown, a.expect_rows))
            check(not b.query_all("body[data-ready]"), "JavaScript ran although disabled")
            check(not b.visible("#refresh"), "the refresh button (it needs JavaScript) is shown")
            b.screenshot(os.path.join(a.out, "hub-catalog" + suffix + ".png"))
        else:
            b.navigate(base + "/")
            deadline = time.time() + 10
            while time.time() < deadline and not b.eval("document.body.dataset.ready === '1'"):
                time.sleep(0.05)
            total = b.eval("document.querySelectorAll('tr.filter').length")
            check(total > a.expect_rows, "catalog lists %d filters" % total)
            check(b.visible("#refresh"), "the refresh button is not shown with JavaScript")
            b.screenshot(os.path.join(a.out, "hub-catalog.png" if not a.search_only
                                      else "hub-bench-catalog.png"))
            # Type the query one key at a time, clear the box (every row shown again) and
            # change a filter select, timing each update from the input event to the next
            # frame painted (docs/hub.md "Tests").
            perf = SearchTimer(b)
            perf.type_query("x")  # a warm-up update (the script's code runs cold the first time)
            perf.clear()
            perf.reset()
            rounds = max(1, a.rounds)
            for r in range(rounds):
                perf.type_query(a.query)
                if r == 0:
                    shown = b.eval("document.querySelectorAll('tr.filter:not([hidden])').length")
                    count = b.eval("document.getElementById('count').textContent")
                    if a.search_only:
                        check(0 < shown < total, "search shows %d of %d rows" % (shown, total))
                    else:
                        check(shown == a.expect_rows, "search shows %d rows, expected %d"
                              % (shown, a.expect_rows))
                    check(count == str(shown), "count says %s, %d rows shown" % (count, shown))
                    if not a.search_only:
                        b.screenshot(os.path.join(a.out, "hub-search.png"))
                perf.clear()
                if r == 0:
                    shown = b.eval("document.querySelectorAll('tr.filter:not([hidden])').length")
                    check(shown == total, "cleared search shows %d of %d rows" % (shown, total))
                narrowed = perf.select(a.select_id, a.select_value)
                if r == 0:
                    check(0 < narrowed < total, "%s=%s shows %d of %d rows"
                          % (a.select_id, a.select_value, narrowed, total))
                back = perf.select(a.select_id, "")
                if r == 0:
                    check(back == total, "%s=any shows %d of %d rows" % (a.select_id, back, total))
            check(perf.complete(), "an update did not reach a painted frame")
            # The update of the filter itself (the script's own figure, no layout).
            script_ms = b.eval("Number(document.body.dataset.filterMs)")
            print("search update ms (input event to next frame, %d filters, %d round(s)): %s;"
                  " script only: %.2f" % (total, rounds, perf.summary(), script_ms))
            if a.search_only:
                return finish()

        # The filter page: README rendered, nothing from it executed or linked unsafely.
        b.navigate(base + "/filter?ref=" + urllib.parse.quote(a.ref))
        readme = b.html("#readme .markdown")
        check(readme is not None, "the filter page has no rendered README")
        if readme:
            check("<h1>" in readme, "the README's heading is not rendered")
            check("<script" not in readme.lower(), "a script element came from the README")
            check("javascript:" not in "".join(
                re.findall(r'href="([^"]*)"', readme)).lower(), "a javascript: link passed")
        check(len(b.query_all("#readme script, #readme img, #readme iframe")) == 0,
              "active content in the README section")
        check(len(b.query_all("#versions tbody tr")) >= 1, "no versions listed")
        check(len(b.query_all("#module li")) >= 1, "no module imports/exports listed")
        b.screenshot(os.path.join(a.out, "hub-filter" + suffix + ".png"))

        if not a.no_js:
            # The deploy page: the YAML is what `ext deploy istio ... -f` wrote, byte for byte.
            b.navigate(base + "/deploy?" + urllib.parse.urlencode(
                {"ref": a.ref, "platform": "istio", "name": a.name}))
            shown_yaml = b.eval("document.getElementById('yaml').textContent")
            with open(a.expect_yaml, encoding="utf-8") as f:
                expected = f.read()
            check(shown_yaml == expected, "the deploy page's YAML differs from ext deploy -f's:\n"
                  + str(shown_yaml) + "\n---- expected ----\n" + expected)
            command = b.eval("document.getElementById('command').textContent")
            check(command.startswith("ext deploy istio " + a.ref), "command line: " + str(command))
            check(b.eval("!document.getElementById('copy').hidden"), "no Copy button")
            href = b.eval("document.getElementById('download').getAttribute('href')")
            check(href.startswith("/deploy/download?"), "download link: " + str(href))
            b.screenshot(os.path.join(a.out, "hub-deploy.png"))
    finally:
        b.close()
    return finish()


def finish():
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
