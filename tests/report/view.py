#!/usr/bin/env python3
"""compauthd-report's --summary and --html (src/report/report_view*.c,
report_html.c) through tests/tools/reportview, which calls the same two
functions: a SQLite store filled with store_put (the fixture in
reportview.c), the summary byte-exact against tests/data/report/view/, the
page loaded in headless Chromium over the DevTools protocol: no console
message, no exception, no request but the page, no script, the hostile
values shown as text, and every number equal to what SQL on the store says;
the same summary and page from a PostgreSQL store (tests/pgserver.py).
TAP; skips only when chromium or postgresql is not installed."""
import ipaddress
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import view_cdp  # noqa: E402

SRC = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("top_builddir", ".")
TOOL = os.path.join(BUILD, "tests", "tools", "reportview")
DATA = os.path.join(SRC, "tests", "data", "report", "view")
BEGIN, END = 1714521600, 1714521600 + 3 * 86400
TITLE = "DMARC summary 2024-05-01 00:00:00 to 2024-05-04 00:00:00 UTC"
HOSTILE = "<script>document.title='pwned'</script>"

n = 0
failed = False


def ok(cond, name, detail=None):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {name}")
    if not cond:
        failed = True
        if detail is not None:
            for line in str(detail).splitlines()[-30:]:
                print("# " + line)


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True)


def display(raw):
    """rv_display: printable UTF-8 as is, "\\" as "\\\\", any other byte \\xHH."""
    out, i = [], 0
    while i < len(raw):
        b = raw[i]
        size = 1 if b < 0x80 else 2 if 0xc2 <= b <= 0xdf else 3 if 0xe0 <= b <= 0xef \
            else 4 if 0xf0 <= b <= 0xf4 else 0
        ch = None
        try:
            ch = raw[i:i + size].decode("utf-8") if size else None
        except UnicodeDecodeError:
            pass
        if ch is not None and len(ch) == 1:
            cp = ord(ch)
            hidden = cp < 0x20 or cp == 0x7f or ch == "\\" or 0x80 <= cp < 0xa0 or \
                0x2028 <= cp <= 0x202e or 0x2066 <= cp <= 0x2069 or cp == 0xfeff
            if not hidden:
                out.append(ch)
                i += size
                continue
        out.append("\\\\" if b == 0x5c else "\\x%02x" % b)
        i += 1
    return "".join(out)


def ip_key(raw):
    s = raw.decode("utf-8", "replace")
    try:
        a = ipaddress.ip_address(s)
        return (a.version, a.packed, raw)
    except ValueError:
        return (9, b"", raw)


def counts(row):
    m, p, f, nn, dk, sp = row
    return {"messages": str(m), "pass": str(p), "fail": str(f), "none": str(nn),
            "other": str(m - p - f - nn)}


COUNTS = """COUNT(*), SUM(dmarc_result = 'pass'), SUM(dmarc_result = 'fail'),
    SUM(dmarc_result = 'none'), SUM(dkim_aligned <> 0), SUM(spf_aligned <> 0)"""


def expected(db):
    """What the page must show, computed from the store with SQL."""
    def q(sql, *a):             # store text is UTF-8 (store_put makes it so)
        return db.execute(sql, (BEGIN, END) + tuple(x.decode() for x in a)).fetchall()
    where = "FROM message WHERE received >= ? AND received < ?"
    exp = {"overview": counts(q(f"SELECT {COUNTS} {where}")[0]), "domains": {}}
    exp["days"] = [dict(day=d.decode(), **counts(r)) for d, *r in q(
        f"SELECT date(received, 'unixepoch'), {COUNTS} {where} GROUP BY 1 ORDER BY 1")]
    for (dom,) in q(f"SELECT DISTINCT header_from {where}"):
        w = where + " AND header_from = ?"
        d = {"counts": counts(q(f"SELECT {COUNTS} {w}", dom)[0])}
        d["days"] = [dict(day=day.decode(), **counts(r)) for day, *r in q(
            f"SELECT date(received, 'unixepoch'), {COUNTS} {w} GROUP BY 1 ORDER BY 1", dom)]
        src = q(f"SELECT source_ip, {COUNTS}, SUM(disposition = 'quarantine'),"
                f" SUM(disposition = 'reject') {w} GROUP BY source_ip", dom)
        src.sort(key=lambda r: (-r[1], ip_key(r[0])))
        d["sources"] = [dict(ip=display(r[0]), dkim=str(r[5]), spf=str(r[6]),
                             **counts(r[1:7])) for r in src[:20]]
        fail = sorted((r for r in src if r[3] > 0), key=lambda r: (-r[3], ip_key(r[0])))
        d["failing"] = [{"ip": display(r[0]), "fail": str(r[3]), "messages": str(r[1]),
                         "quarantine": str(r[7]), "reject": str(r[8])} for r in fail[:10]]
        al = q(f"SELECT SUM(dkim_aligned <> 0 AND spf_aligned <> 0), SUM(dkim_aligned <> 0"
               f" AND spf_aligned = 0), SUM(dkim_aligned = 0 AND spf_aligned <> 0),"
               f" SUM(dkim_aligned = 0 AND spf_aligned = 0) {w}", dom)[0]
        reasons = [{"kind": "alignment", "reason": name, "count": str(c)} for name, c in zip(
            ("DKIM and SPF aligned", "DKIM aligned only", "SPF aligned only", "Not aligned"), al)]
        over = q(f"SELECT override_reason, COUNT(*) {w} AND override_reason IS NOT NULL"
                 " GROUP BY 1", dom)
        over.sort(key=lambda r: (-r[1], r[0]))
        d["reasons"] = reasons + [{"kind": "override", "reason": display(r), "count": str(c)}
                                  for r, c in over]
        comp = q(f"SELECT compauth, compauth_reason, COUNT(*) {w} GROUP BY 1, 2", dom)
        comp = [(r if r is not None else b"-", -1 if c is None else c, k) for r, c, k in comp]
        comp.sort(key=lambda r: (-r[2], r[0], r[1]))
        d["compauth"] = [{"result": display(r), "reason": "-" if c < 0 else "%03d" % c,
                          "count": str(k)} for r, c, k in comp]
        exp["domains"][display(dom)] = d
    return exp


JS = r"""(() => {
  const attrs = el => Object.fromEntries([...el.attributes]
    .filter(a => a.name.startsWith('data-')).map(a => [a.name.slice(5), a.value]));
  const rows = (root, sel) => [...root.querySelectorAll(sel)].map(attrs);
  const ov = document.getElementById('overview');
  return JSON.stringify({
    title: document.title,
    scripts: document.querySelectorAll('script').length,
    onattrs: [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
      .filter(a => a.name.toLowerCase().startsWith('on')).map(a => el.tagName + ' ' + a.name)),
    refs: [...document.querySelectorAll('[src],[href],link,iframe,object,embed,img,image')]
      .map(e => e.outerHTML.slice(0, 80)).filter(h => !/^<a href="#d\d+">/.test(h)),
    charts: [...document.querySelectorAll('svg')].filter(s => s.getBBox().width > 0).length,
    bars: document.querySelectorAll('svg rect').length,
    mismatched: [...document.querySelectorAll('td[data-count]')]
      .filter(td => td.textContent !== td.dataset.count).length,
    overview: attrs(ov), ovdays: rows(ov, 'tr.day'), ovdomains: rows(ov, 'tr.domain'),
    domains: [...document.querySelectorAll('section.domain')].map(s => ({
      attrs: attrs(s), heading: s.querySelector('h2').textContent,
      days: rows(s, 'tr.day'), sources: rows(s, 'tr.source'), failing: rows(s, 'tr.failing'),
      reasons: rows(s, 'tr.reason'), compauth: rows(s, 'tr.compauth')})),
    text: document.body.innerText});
})()"""

KEEP = ("messages", "pass", "fail", "none", "other")


def pick(d, keys):
    return {k: d.get(k) for k in keys}


def main():
    global n
    tmp = tempfile.mkdtemp(prefix="view-")
    store = os.path.join(tmp, "store.db")
    r = run("--fill", store)
    ok(r.returncode == 0, "store filled with store_put", r.stderr.decode(errors="replace"))

    for name, extra in (("summary.txt", ()), ("summary-one.txt", ("fabrikam.example",))):
        r = run("--summary", store, str(BEGIN), str(END), *extra)
        want = open(os.path.join(DATA, name), "rb").read()
        ok(r.returncode == 0 and r.stdout == want, " ".join(("--summary",) + extra + ("equals", name)),
           r.stderr.decode(errors="replace") + "\n" + r.stdout.decode(errors="replace"))
    r = run("--summary", store, str(BEGIN), str(END))
    bad = [b for b in r.stdout if (b < 0x20 and b != 0x0a) or b == 0x7f]
    ok(not bad and b"\\x1b[31m" in r.stdout, "no control byte in the summary, shown as \\xHH")
    r = run("--summary", store, "0", "1000")
    ok(r.stdout == b"DMARC summary: 1970-01-01 00:00:00 to 1970-01-01 00:16:40 UTC (end"
       b" excluded), every author domain\n0 author domains, 0 messages: pass 0, fail 0,"
       b" none 0, other 0\n", "--summary of an empty period", r.stdout)

    out1, out2 = os.path.join(tmp, "html1"), os.path.join(tmp, "html2")
    r1 = run("--html", out1, store, str(BEGIN), str(END))
    r2 = run("--html", out2, store, str(BEGIN), str(END))
    page = os.path.join(out1, "index.html")
    ok(r1.returncode == 0 and os.path.isfile(page), "--html writes DIR/index.html",
       r1.stderr.decode(errors="replace"))
    ok(r2.returncode == 0 and open(page, "rb").read() ==
       open(os.path.join(out2, "index.html"), "rb").read() and os.listdir(out1) == ["index.html"],
       "--html is deterministic and leaves no temporary file")
    blocker = os.path.join(tmp, "file")
    open(blocker, "w").close()
    r = run("--html", blocker, store, str(BEGIN), str(END))
    ok(r.returncode == 1 and b"reportview: " in r.stderr, "--html into a file fails with a reason",
       r.stderr)

    broken = os.path.join(tmp, "broken.db")
    with open(store, "rb") as f, open(broken, "wb") as g:
        g.write(f.read())
    bdb = sqlite3.connect(broken)
    bdb.execute("ALTER TABLE message RENAME TO gone")
    bdb.commit()
    bdb.close()
    r = run("--summary", broken, str(BEGIN), str(END))
    r2 = run("--html", os.path.join(tmp, "nodir"), broken, str(BEGIN), str(END))
    ok(r.returncode == 1 and r.stdout == b"" and b"no such table" in r.stderr and
       r2.returncode == 1 and not os.path.exists(os.path.join(tmp, "nodir")),
       "a failing store query is reported, nothing half-written", (r.stderr, r2.stderr))

    # The same views from a PostgreSQL store (tests/pgserver.py): byte for byte.
    sys.path.insert(0, os.path.join(SRC, "tests"))
    import pgserver
    pgdir = os.path.join(tmp, "pg")
    os.chmod(tmp, 0o711)
    try:
        uri = pgserver.start(pgdir)
    except pgserver.Skip as e:
        print(f"ok {n + 1} - the views from PostgreSQL # SKIP {e}")
        n += 1
        uri = None
    if uri is not None:
        try:
            r = run("--fill", uri)
            ok(r.returncode == 0, "PostgreSQL store filled with store_put",
               r.stderr.decode(errors="replace"))
            for extra in ((), ("fabrikam.example",)):
                a = run("--summary", store, str(BEGIN), str(END), *extra)
                b = run("--summary", uri, str(BEGIN), str(END), *extra)
                ok(b.returncode == 0 and a.stdout == b.stdout and b.stdout,
                   " ".join(("PostgreSQL: --summary",) + extra + ("equals SQLite's",)),
                   b.stderr.decode(errors="replace") + "\n" + b.stdout.decode(errors="replace"))
            out3 = os.path.join(tmp, "html3")
            b = run("--html", out3, uri, str(BEGIN), str(END))
            ok(b.returncode == 0 and open(os.path.join(out3, "index.html"), "rb").read() ==
               open(page, "rb").read(), "PostgreSQL: --html writes SQLite's page byte for byte",
               b.stderr.decode(errors="replace"))
        finally:
            pgserver.stop(pgdir)

    if view_cdp.chromium_path() is None:
        print(f"ok {n + 1} - the page in headless Chromium # SKIP chromium not installed")
        print(f"1..{n + 1}")
        return 1 if failed else 0
    value, problems, requests = view_cdp.load("file://" + os.path.abspath(page), JS)
    got = json.loads(value)
    ok(not problems, "page loads with no console message, exception or log entry",
       "\n".join(problems))
    ok(requests == ["file://" + os.path.abspath(page)], "page requests nothing else", requests)
    ok(got["title"] == TITLE and got["scripts"] == 0 and not got["onattrs"] and not got["refs"],
       "no script, no event handler, no external reference; title untouched",
       json.dumps([got["title"], got["scripts"], got["onattrs"], got["refs"]]))
    ok(got["charts"] >= 1 + 3 * len(got["domains"]) and got["bars"] > 0,
       "SVG charts rendered (per day, per source, per reason)", (got["charts"], got["bars"]))
    ok(got["mismatched"] == 0, "every number cell shows its data-count")

    db = sqlite3.connect(store)
    db.text_factory = bytes
    exp = expected(db)
    ok(pick(got["overview"], KEEP) == exp["overview"], "overview counts equal the store's",
       (got["overview"], exp["overview"]))
    ok([pick(d, ("day",) + KEEP) for d in got["ovdays"] if d["messages"] != "0"] == exp["days"],
       "overview per-day rows equal the store's", (got["ovdays"], exp["days"]))
    ok(sorted(d["domain"] for d in got["ovdomains"]) == sorted(exp["domains"]) and
       [d["domain"] for d in got["ovdomains"]] == [s["attrs"]["domain"] for s in got["domains"]],
       "one section per author domain in the store, overview and sections agree",
       ([d["domain"] for d in got["ovdomains"]], sorted(exp["domains"])))
    for i, sec in enumerate(got["domains"], 1):
        name = sec["attrs"]["domain"]
        e = exp["domains"].get(name)
        if e is None:
            ok(False, f"section {i}: its domain is in the store", name)
            continue
        ok(pick(sec["attrs"], KEEP) == e["counts"] and sec["heading"] == "Author domain " + name,
           f"section {i}: totals and heading", (sec["attrs"], e["counts"], sec["heading"]))
        ok([pick(d, ("day",) + KEEP) for d in sec["days"] if d["messages"] != "0"] == e["days"],
           f"section {i}: per-day rows", (sec["days"], e["days"]))
        ok([pick(s, ("ip", "dkim", "spf") + KEEP) for s in sec["sources"]] == e["sources"],
           f"section {i}: source rows, order and counts", (sec["sources"], e["sources"]))
        ok(sec["failing"] == e["failing"], f"section {i}: top failing sources",
           (sec["failing"], e["failing"]))
        ok(sec["reasons"] == e["reasons"], f"section {i}: reasons", (sec["reasons"], e["reasons"]))
        ok(sec["compauth"] == e["compauth"], f"section {i}: compauth",
           (sec["compauth"], e["compauth"]))
    hostile = [d for d in exp["domains"] if d.startswith(HOSTILE)]
    ok(len(hostile) == 1 and hostile[0].endswith("\\\\x\\x01\\x1b[31m?\\xe2\\x80\\xae.example")
       and HOSTILE in got["text"] and "onerror=\"document.title='pwned'\"" in got["text"],
       "hostile domain and IP shown as text, control bytes and bidi as \\xHH", hostile)
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
