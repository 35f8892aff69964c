"""Loads a page in headless Chromium over the DevTools protocol
(--remote-debugging-pipe: JSON messages ending in NUL, Chromium reads fd 3
and writes fd 4) and returns the value of a JS expression evaluated in the
loaded page, every console message, uncaught exception and browser log entry
(CSP violations among them), and every network request the page made."""
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Pipe:
    def __init__(self, wfd, rfd):
        self.w, self.r, self.buf, self.next_id, self.events = wfd, rfd, b"", 0, []

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.r, 65536)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == name for e in self.events):
            self.events.append(self._read(deadline))


def load(url, expression, timeout=60):
    """Returns (value of expression, [problems], [requested urls])."""
    c2p_r, c2p_w = os.pipe()
    p2c_r, p2c_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="view-chromium-")

    def child_fds():            # via fds >= 10, so neither dup2 clobbers the other
        r, w = fcntl.fcntl(c2p_r, fcntl.F_DUPFD, 10), fcntl.fcntl(p2c_w, fcntl.F_DUPFD, 10)
        os.dup2(r, 3)
        os.dup2(w, 4)

    proc = subprocess.Popen(
        [chromium_path(), "--headless=new", "--no-sandbox", "--disable-gpu",
         "--remote-debugging-pipe", "--no-first-run", "--disable-extensions",
         "--user-data-dir=" + profile, "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=child_fds, pass_fds=(3, 4))
    os.close(c2p_r)
    os.close(p2c_w)
    pipe = _Pipe(c2p_w, p2c_r)
    try:
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        for name in ("Runtime", "Log", "Page", "Network"):
            pipe.call(name + ".enable", session=session)
        pipe.events.clear()
        pipe.call("Page.navigate", {"url": url}, session=session)
        pipe.wait_event("Page.loadEventFired", timeout)
        time.sleep(0.5)         # late console messages, if any
        value = pipe.call("Runtime.evaluate", {"expression": expression,
                          "returnByValue": True}, session=session)["result"].get("value")
        problems, requests = [], []
        for e in pipe.events:
            m, p = e.get("method"), e.get("params", {})
            if m in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded"):
                problems.append(f"{m}: {p.get('args') or p.get('exceptionDetails') or p}")
            elif m == "Network.requestWillBeSent":
                requests.append(p["request"]["url"])
        return value, problems, requests
    finally:
        try:
            pipe.call("Browser.close", timeout=10)
        except (EOFError, TimeoutError, RuntimeError, OSError):
            pass
        os.close(c2p_w)
        os.close(p2c_r)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
