"""mkdocs hook: worked examples whose output is produced when the site is built.

A page asks for an example with an HTML comment (invisible where this hook
does not run, e.g. on a code host)::

    <!-- run: tensorglass predict --material BK7 -->
    <!-- run session=sweep: tensorglass sweep status quick.store -->
    <!-- run exit=2: tensorglass predict --cl 5.8 --ct 5.6 -->
    <!-- run interrupt: tensorglass mc run ... --out run.h5 -->
    <!-- run publish=report: tensorglass reproduce --quick --out report -->
    <!-- file glasses.csv:
    name,c_l,c_t,rho
    ...
    -->
    <!-- python session=sweep:
    import xarray as xr
    print(xr.open_dataset("quick.nc"))
    -->

Each marker becomes a console block with the command and what it printed
(stdout and stderr as a terminal shows them: carriage returns applied, so a
finished progress bar leaves no trace).  Commands run in a scratch folder per
session (by default one per page; ``session=NAME`` shares one between pages,
in the order of the navigation), which starts with a copy of ``examples/``.
``file`` writes a file there and shows it; ``python`` runs the code there
with this Python and shows it with what it printed.  ``--help`` is answered by the command
line's parser in-process (the same text, without starting Python).  ``exit=N`` expects that exit
status (default 0); ``interrupt`` sends SIGINT (Ctrl-C) once the file named
by ``--out`` exists, i.e. after the first checkpoint; ``publish=DIR`` puts
the folder DIR that the command wrote into the site at ``DIR/`` (Markdown
twins left out), so pages can link to it.  A session's identical command
runs once.

Anything unexpected (another exit status, an interrupt that came too late,
a timeout) is a warning, so ``mkdocs build --strict`` fails.  Sessions run
concurrently from the start of the build.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.tensorglass.examples")

MARKER = re.compile(r"<!--\s*(run|file|python)\b([^:\n]*):(.*?)-->", re.S)
TIMEOUT_S = 300
WORKERS = 3

_state: dict = {}


def _parse(page_src: str, page: str):
    """The page's markers: (start, end, spec) in order."""
    out = []
    for m in MARKER.finditer(page_src):
        kind, opts, body = m.group(1), m.group(2).split(), m.group(3)
        spec = {"kind": kind, "page": page, "session": page, "exit": 0, "interrupt": False, "publish": None}
        for o in opts:
            key, _, value = o.partition("=")
            if key == "session":
                spec["session"] = value
            elif key == "exit":
                spec["exit"] = int(value)
            elif key == "interrupt":
                spec["interrupt"] = True
            elif key == "publish":
                spec["publish"] = value
            elif kind == "file":
                spec["name"] = o
            else:
                raise ValueError(f"{page}: unknown option {o!r} in {m.group(0)[:60]!r}")
        if kind == "python":
            spec["command"] = "python"
            spec["code"] = body.strip("\n") + "\n"
        elif kind == "run":
            spec["command"] = " ".join(body.split())
            if not spec["command"].startswith("tensorglass "):
                raise ValueError(f"{page}: an example runs tensorglass, not {spec['command']!r}")
        else:
            spec["text"] = body.strip("\n") + "\n"
        out.append((m.start(), m.end(), spec))
    return out


def _nav_pages(nav):
    for item in nav or []:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from (_nav_pages(value) if isinstance(value, list) else _nav_pages([value]))


def _terminal(text: str) -> str:
    """What a terminal shows: each line after its last carriage return, no trailing blanks."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.split("\r")[-1].rstrip()
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


_HELP_LOCK = threading.Lock()


def _help(spec, argv) -> dict:
    """``tensorglass ... --help``: argparse's text from the command line's own parser, in-process
    (no interpreter start-up for a page of text)."""
    import contextlib
    import io

    from tensorglass.cli import main
    buf = io.StringIO()
    with _HELP_LOCK, contextlib.redirect_stdout(buf):
        old = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "100"
        try:
            main(argv[1:])
            status = 0
        except SystemExit as exc:
            status = exc.code or 0
        finally:
            if old is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = old
    if status != spec["exit"]:
        log.warning("%s: example `%s` exit status %s, expected %s", spec["page"], spec["command"], status, spec["exit"])
    return {"output": _terminal(buf.getvalue()), "status": status, "seconds": 0.0}


def _run(spec, workdir: Path) -> dict:
    argv = shlex.split(spec["command"])
    if spec["kind"] == "run" and argv[-1] == "--help":
        return _help(spec, argv)
    cmd = [sys.executable, "-c", spec["code"]] if spec["kind"] == "python" else [sys.executable, "-m", "tensorglass", *argv[1:]]
    env = dict(os.environ, COLUMNS="100", PYTHONUNBUFFERED="1")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    problem = None
    if spec["interrupt"]:
        out_file = workdir / argv[argv.index("--out") + 1]
        while proc.poll() is None and not out_file.exists() and time.monotonic() - t0 < TIMEOUT_S:
            time.sleep(0.02)
        time.sleep(0.2)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        else:
            problem = "finished before it could be interrupted; give it more sweeps"
    try:
        raw, _ = proc.communicate(timeout=max(1.0, TIMEOUT_S - (time.monotonic() - t0)))
    except subprocess.TimeoutExpired:
        proc.kill()
        raw, _ = proc.communicate()
        problem = f"timed out after {TIMEOUT_S} s"
    output = raw.decode("utf-8", errors="replace")    # bytes: text mode would turn each \r into a new line
    want = 130 if spec["interrupt"] else spec["exit"]
    if problem is None and proc.returncode != want:
        problem = f"exit status {proc.returncode}, expected {want}"
    if problem:
        log.warning("%s: example `%s` %s:\n%s", spec["page"], spec["command"], problem, output[-2000:])
    log.info("example %s (%s): %.1f s", spec["command"][:70], spec["page"], time.monotonic() - t0)
    text = _terminal(output).replace(str(workdir) + os.sep, "").replace(str(workdir), ".")
    return {"output": text, "status": proc.returncode, "seconds": time.monotonic() - t0}


def _run_session(name, specs, root: Path, repo: Path):
    workdir = root / re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    workdir.mkdir(parents=True)
    if (repo / "examples").is_dir():
        shutil.copytree(repo / "examples", workdir / "examples")
    done = {}
    for spec in specs:
        key = (spec["kind"], spec.get("command"), spec.get("name"), spec.get("text"), spec.get("code"))
        if key not in done:
            if spec["kind"] == "file":
                (workdir / spec["name"]).write_text(spec["text"], encoding="utf-8")
                done[key] = {"output": spec["text"]}
            else:
                done[key] = _run(spec, workdir)
                if spec["publish"]:
                    done[key]["published"] = workdir / spec["publish"]
        spec["result"] = done[key]
    return name


def _git_version(repo: Path) -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=repo, capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() if out.returncode == 0 else ""
    except OSError:
        return ""


def on_config(config, **kwargs):
    """Every note in docs/notes/ is in the navigation, also one added without editing mkdocs.yml."""
    docs = Path(config["docs_dir"])
    listed = set(_nav_pages(config["nav"]))
    for section in config["nav"] or []:
        if isinstance(section, dict) and "Physics notes" in section:
            for note in sorted(docs.glob("notes/*.md")):
                uri = note.relative_to(docs).as_posix()
                if uri not in listed:
                    section["Physics notes"].append(uri)
    return config


def on_pre_build(config, **kwargs):
    docs = Path(config["docs_dir"])
    repo = Path(config["config_file_path"]).parent
    order = [p for p in _nav_pages(config["nav"]) if p.endswith(".md")]
    order += sorted(str(p.relative_to(docs)) for p in docs.rglob("*.md") if str(p.relative_to(docs)) not in order)
    pages, sessions = {}, {}
    for page in order:
        path = docs / page
        if not path.is_file():
            continue
        try:
            markers = _parse(path.read_text(encoding="utf-8"), page)
        except ValueError as exc:
            log.warning("%s", exc)
            continue
        if markers:
            pages[page] = markers
            for _, _, spec in markers:
                sessions.setdefault(spec["session"], []).append(spec)
    root = Path(tempfile.mkdtemp(prefix="tensorglass-docs-"))
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    futures = {name: pool.submit(_run_session, name, specs, root, repo) for name, specs in sessions.items()}
    from tensorglass import __version__
    _state.update(pages=pages, futures=futures, pool=pool, root=root, lock=threading.Lock(),
                  version=f"tensorglass {__version__}" + (f" (commit {v})" if (v := _git_version(repo)) else ""))


def _wait(page):
    for _, _, spec in _state["pages"].get(page, []):
        _state["futures"][spec["session"]].result()


def on_files(files, config, **kwargs):
    from mkdocs.structure.files import File
    for page, markers in _state.get("pages", {}).items():
        for _, _, spec in markers:
            if not spec.get("publish"):
                continue
            _wait(page)
            src = spec["result"].get("published")
            if src is None or not src.is_dir():
                log.warning("%s: `%s` wrote no folder %s to publish", page, spec["command"], spec["publish"])
                continue
            for path in sorted(src.rglob("*")):
                if path.is_file() and path.suffix != ".md":
                    uri = f"{spec['publish']}/{path.relative_to(src).as_posix()}"
                    if files.get_file_from_path(uri) is None:
                        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def _block(spec) -> str:
    res = spec["result"]
    if spec["kind"] == "file":
        return f'```text title="{spec["name"]}"\n{res["output"]}```'
    if spec["kind"] == "python":
        return f"```python\n{spec['code']}```\n\n```text\n{res['output']}\n```"
    body = f"$ {_wrap(spec['command'])}\n"
    if spec["interrupt"]:
        body += "^C\n"
    body += res["output"]
    if spec["exit"] or spec["interrupt"]:
        body += f"\n$ echo $?\n{res['status']}"
    return f"```text\n{body}\n```"


def _wrap(command: str, width: int = 90) -> str:
    """A long command on several lines (shell continuations), broken before an option."""
    words, lines = shlex.split(command), [""]
    for w in words:
        if lines[-1] and len(lines[-1]) + len(w) > width and w.startswith("--"):
            lines.append("    ")
        lines[-1] += ("" if lines[-1].strip() == "" else " ") + shlex.quote(w)
    return " \\\n".join(lines)


def on_page_markdown(markdown, page, **kwargs):
    src = page.file.src_uri
    if src not in _state.get("pages", {}):
        return markdown
    _wait(src)
    markers = _parse(markdown, src)
    results = [spec["result"] for _, _, spec in _state["pages"][src]]
    if len(markers) != len(results):
        log.warning("%s: the page changed while the site was being built", src)
        return markdown
    out, pos = [], 0
    for (start, end, spec), res in zip(markers, results):
        spec["result"] = res
        out += [markdown[pos:start], _block(spec)]
        pos = end
    out.append(markdown[pos:])
    out.append(f"\n\n---\n\n*The outputs on this page were produced by {_state['version']} when this site was built.*\n")
    return "".join(out)


def on_post_build(config, **kwargs):
    pool, root = _state.get("pool"), _state.get("root")
    if pool is not None:
        pool.shutdown(wait=True)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
    _state.clear()


def on_build_error(error, **kwargs):
    on_post_build(None)
