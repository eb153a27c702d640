"""The documentation site (``make docs``): built once in strict mode, then checked.

Strict mode fails on any warning: a broken link or anchor in a page, an API
cross-reference that does not resolve, a docstring reference that names
nothing, a worked example that exited with another status than the page
expects.  On top of that: every command has a page whose examples show real
output, the API pages cover every public module and member, every link of
the built site resolves, and a headless browser opens the index and an API
page (the theme's script runs, every anchor and image resolves).
"""

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

import tensorglass
from tensorglass.cli import build_parser

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    try:
        import mkdocs  # noqa: F401
        import mkdocstrings  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"the docs packages are missing ({exc}): `make test` installs them (pip install -e '.[test,docs]')")
    out = tmp_path_factory.mktemp("docs") / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    log = p.stdout + p.stderr
    assert p.returncode == 0, f"strict build failed:\n{log[-4000:]}"
    print(f"docs built in {time.monotonic() - t0:.1f} s")
    return out, log


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def _console_blocks(page: Path) -> list[str]:
    raw = page.read_text(encoding="utf-8")
    return [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in re.findall(r"<pre[^>]*>(.*?)</pre>", raw, re.S)]


def test_strict_build_has_no_warning(site):
    _, log = site
    assert "WARNING" not in log and "ERROR" not in log


def _commands():
    """(argv words, page) for every command of the command line, from its parser."""
    def subparsers(p):
        for action in p._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                return action.choices
        return {}
    out = []
    for name, sub in subparsers(build_parser()).items():
        inner = subparsers(sub)
        if inner:
            out += [((name, s), f"{name}-{s}") for s in inner]
        elif name == "study":
            from tensorglass.studies import STUDIES
            out += [((name, s), f"study-{s}") for s in STUDIES]
        else:
            out.append(((name,), name))
    return out


def test_every_command_has_a_page_with_generated_output(site):
    out, _ = site
    commands = _commands()
    assert len(commands) >= 10
    for words, page in commands:
        f = out / "commands" / f"{page}.html"
        assert f.is_file(), f"no page for `tensorglass {' '.join(words)}` (docs/commands/{page}.md)"
        blocks = [b for b in _console_blocks(f) if b.startswith("$ tensorglass")]
        assert blocks, f"{page}: no worked example"
        runs = [b for b in blocks if b.startswith(f"$ tensorglass {words[0]}")]
        assert runs and all(len(b.splitlines()) > 1 for b in runs), f"{page}: an example without output"
    for f in (out / "commands").glob("*.html"):
        for b in _console_blocks(f):
            assert "\r" not in b and "sweep/s" not in b and "step/s" not in b, f"{f.name}: progress-bar residue"
            assert "Traceback" not in b and "internal error" not in b, f"{f.name}: {b[:300]}"


def test_examples_show_what_the_code_computes(site):
    out, _ = site
    from tensorglass.materials import builtin_materials
    from tensorglass.predict import predict
    res = predict(6.2, 3.8, rho=2.51, name="BK7")
    text = _text(out / "commands" / "predict.html")
    for k in ("dilation", "yy_minus_zz", "shear_yz"):
        assert f"e_crit = {res['critical_strains'][k]:.4f}" in text, k
    assert "tensorglass: error: --ct = 5.8" in text                       # the bad-input example, one line
    mats = _text(out / "commands" / "materials.html")
    assert all(m.name in mats for m in builtin_materials()) and "my-glass" in mats
    mc = _text(out / "commands" / "mc-run.html")
    assert "sampler hmc, 4 chain(s) x 400 sweeps" in mc and "split-R-hat" in mc
    assert "parallel tempering over 3 temperatures" in mc and "need a new file" in mc
    resume = _text(out / "commands" / "mc-resume.html")
    assert re.search(r"interrupted; stopped at sweep \d+ of 800 \(2 chains\); checkpoint written to run\.h5", resume)
    assert "2 chain(s) x 400 sweeps" in resume
    collect = _text(out / "commands" / "sweep-collect.html")
    assert f"{predict(5.8, 3.8, ln_r_over_l1=20.0)['critical_strains']['dilation']:.4f}" in collect
    assert "30 points (predict): 30 done, 0 failed, 0 missing" in _text(out / "commands" / "sweep-status.html")
    assert f"tensorglass {tensorglass.__version__}" in text                 # provenance of the outputs


def test_report_is_built_and_linked(site):
    out, _ = site
    report = out / "report" / "report.html"
    assert report.is_file() and (out / "report" / "results.json").is_file()
    results = json.loads((out / "report" / "results.json").read_text())
    assert len(results) > 200 and all("status" in r for r in results)
    assert 'href="report/report.html"' in (out / "reproduction-report.html").read_text(encoding="utf-8")
    assert (out / "results" / "bl-phase-full" / "study.html").is_file()


def test_api_pages_cover_the_public_modules_and_members(site):
    out, _ = site
    pkg = Path(tensorglass.__file__).parent
    public = sorted(p.stem if p.is_file() else p.name for p in pkg.iterdir()
                    if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").is_file()))
    public.remove("cli")                          # documented by the command pages
    import importlib
    for name in public:
        page = out / "api" / f"{name}.html"
        assert page.is_file(), f"tensorglass.{name} has no API page (docs/api/{name}.md with '::: tensorglass.{name}')"
        ids = set(re.findall(r'id="([^"]+)"', page.read_text(encoding="utf-8")))
        mod = importlib.import_module(f"tensorglass.{name}")
        members = getattr(mod, "__all__", None)
        if members is None:
            members = [k for k, v in vars(mod).items() if not k.startswith("_") and callable(v)
                       and getattr(v, "__module__", "") == mod.__name__]
        missing = [m for m in members if f"tensorglass.{name}.{m}" not in ids and m != "__version__"]
        assert not missing, f"tensorglass.{name}: not in the API reference: {missing}"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and not (tag == "link" and a.get("rel") in ("preconnect", "dns-prefetch")):
                self.links.append(a[key])


def test_every_link_of_the_site_resolves(site):
    out = site[0].resolve()
    parsed = {}
    for f in out.rglob("*.html"):
        p = _Links()
        p.feed(f.read_text(encoding="utf-8", errors="replace"))
        parsed[f] = p
    bad, n = [], 0
    for f, p in parsed.items():
        if f.name == "404.html":                                     # served at any depth: absolute links
            continue
        for link in p.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I):       # http:, mailto:, data:, javascript:
                continue
            path, _, frag = link.partition("#")
            target = (f.parent / path.split("?")[0]).resolve() if path else f
            n += 1
            if not target.exists():
                bad.append(f"{f.relative_to(out)}: {link}")
            elif frag and target.suffix == ".html" and html.unescape(frag) not in parsed[target].ids:
                bad.append(f"{f.relative_to(out)}: {link} (no such anchor)")
    assert n > 1000
    assert bad == []


# ---- a real browser -----------------------------------------------------------------------------------

def _browser():
    for name in (os.environ.get("TG_BROWSER"), "chromium", "chromium-browser", "google-chrome",
                 "google-chrome-stable", "chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


_HARNESS = r"""
<script>
window.addEventListener('load', function(){ setTimeout(function(){
 var out={};
 out.material=typeof window.document$!=='undefined';                 // the theme's script ran
 out.nav=Array.prototype.map.call(document.querySelectorAll('.md-nav__link'),function(a){return a.textContent.trim();});
 var bad=[];document.querySelectorAll('a[href^="#"]').forEach(function(a){
  var id=decodeURIComponent(a.getAttribute('href').slice(1));if(id&&!document.getElementById(id))bad.push(id);});
 out.unresolved=bad;
 out.broken_images=Array.prototype.filter.call(document.images,function(i){return !(i.complete&&i.naturalWidth>0);}).length;
 var el=document.getElementById('OBJECT');
 out.object=el?el.textContent.trim().slice(0,120):null;
 out.object_visible=el?el.getBoundingClientRect().height>0:false;
 out.functions=document.querySelectorAll('.doc-function').length;
 out.h1=(document.querySelector('h1')||{}).textContent;
 var pre=document.createElement('pre');pre.id='tg-test';pre.textContent=JSON.stringify(out);document.body.appendChild(pre);
},300);});
</script>
"""


def _open(exe, page: Path, obj: str, screenshot: Path | None = None):
    test_page = page.with_name(page.stem + ".tg-test.html")    # beside the page: its relative assets resolve
    test_page.write_text(page.read_text(encoding="utf-8").replace("</body>", _HARNESS.replace("OBJECT", obj) + "</body>"),
                         encoding="utf-8")
    base = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--allow-file-access-from-files", "--virtual-time-budget=5000"]
    p = subprocess.run(base + ["--dump-dom", test_page.as_uri()], capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="tg-test">(.*?)</pre>', p.stdout, re.S)
    assert m, f"no test output from the browser (rc {p.returncode}): {p.stderr[-800:]}"
    if screenshot is not None:
        subprocess.run(base + ["--hide-scrollbars", "--window-size=1280,1600", f"--screenshot={screenshot}", page.as_uri()],
                       capture_output=True, timeout=120)
    return json.loads(html.unescape(m.group(1)))


def test_site_in_a_headless_browser(site):
    exe = _browser()
    if exe is None:
        pytest.skip("no Chromium/Chrome found (install the Debian package 'chromium', e.g. via `make test` as root, "
                    "or set TG_BROWSER)")
    out, _ = site            # TG_DOCS_SCREENSHOTS=DIR: also save screenshots of the two pages there
    shots = os.environ.get("TG_DOCS_SCREENSHOTS")
    index = _open(exe, out / "index.html", "on-this-site", Path(shots) / "index.png" if shots else None)
    assert index["material"] and index["unresolved"] == [] and index["broken_images"] == 0
    assert index["object"] and index["object_visible"]
    for entry in ("Getting started", "predict", "mc run", "sweep collect", "study bl-phase", "The reproduction report",
                  "Study results in the repository", "tensorglass.avalanche"):
        assert entry in index["nav"], entry
    api = _open(exe, out / "api" / "avalanche.html", "tensorglass.avalanche.critical_strains",
                Path(shots) / "api.png" if shots else None)
    assert api["material"] and api["unresolved"] == [] and api["broken_images"] == 0
    assert "critical_strains" in api["object"] and api["object_visible"]
    assert api["functions"] >= 20
    assert "tensorglass.avalanche" in api["h1"]
