"""Atomic file output: nothing is ever left half-written.

Every output goes through a temporary file in the target's directory, named
``.NAME.tgPID.XXXX.tmp``, that is renamed over the target when complete.  The
temporary gets the mode an ordinary ``open`` would give (``0o666 & ~umask``,
0644 under umask 022; ``tempfile.mkstemp`` alone gives 0600).  A process
killed mid-write (SIGKILL) leaves its temporary behind; the next run removes
temporaries of this naming pattern whose process is gone
(:func:`clean_stale_temporaries`).  A full disk, a read-only file system or a
missing directory is one :class:`OutputError` line, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from .errors import ParameterError, TensorglassError

_DISK_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG}


class OutputError(TensorglassError, OSError):
    """An output cannot be written (full disk, read-only, vanished folder)."""


def describe_os_error(exc: OSError, path) -> str:
    """One line for a failed write, with what to do."""
    code = exc.errno
    if code is None:  # h5py and others put the errno only in the text
        m = re.search(r"errno = (\d+)", str(exc))
        code = int(m.group(1)) if m else (errno.ENOSPC if "No space left" in str(exc) else None)
    what = exc.strerror or (os.strerror(code) if code else str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
    if code in _DISK_ERRNOS:
        return (f"cannot write {path}: {what} (the disk or quota is full); nothing was left half-written "
                "and earlier outputs are intact; free some space or choose another output location, then rerun")
    return f"cannot write {path}: {what}; nothing was left half-written; choose a writable location and rerun"


def umask() -> int:
    """The process umask (read without changing it for longer than a call)."""
    old = os.umask(0o022)
    os.umask(old)
    return old


def file_mode() -> int:
    """The mode ``open(path, 'w')`` would give a new file: ``0o666 & ~umask``."""
    return 0o666 & ~umask()


#: Bytes a temporary's name adds to the target's: "." + ".tg" + a pid (up to 7 digits) + "." + 8 random
#: characters (mkstemp) + ".tmp".
_TEMP_OVERHEAD = 1 + 3 + 7 + 1 + 8 + 4


def _name_max(directory) -> int:
    try:
        return min(255, os.pathconf(directory, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return 255


def temp_stem(name: str, directory=".") -> str:
    """The part of a target's name that its temporaries carry: the whole
    name, or its first bytes where the whole would push the temporary's name
    past the file system's limit (a valid 253-byte name must stay writable).
    The same for every process, so stale temporaries are still recognised."""
    budget = _name_max(directory) - _TEMP_OVERHEAD
    b = os.fsencode(name)
    if len(b) <= budget:
        return name
    return b[:budget].decode("utf-8", "ignore") if _is_utf8(b) else os.fsdecode(b[:budget])


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def temp_prefix(path: Path) -> str:
    return f".{temp_stem(path.name, path.parent)}.tg{os.getpid()}."


def set_aside_path(path: Path) -> Path:
    """Where ``--force`` keeps the file it replaces until the new run is
    complete: a hidden sibling whose name fits wherever ``path``'s does."""
    import hashlib
    digest = hashlib.sha1(os.fsencode(path.name)).hexdigest()[:16]
    return path.parent / f".{digest}.tg-replaced"


@contextlib.contextmanager
def replaced_only_on_success(path, name: str = "--out"):
    """``--force`` that never destroys before it can succeed: an existing
    ``path`` is moved aside (:func:`set_aside_path`) for the duration of the
    block, deleted when the block completes, and put back when it fails.
    After Ctrl-C the new run's checkpoint is at ``path`` and the old file
    stays aside (said on standard error) until a resume completes the run
    (:func:`drop_set_aside`)."""
    path = Path(path)
    aside = None
    if path.exists() and path.is_file():
        aside = set_aside_path(path)
        os.replace(path, aside)
    try:
        yield
    except KeyboardInterrupt:
        if aside is not None:
            print(f"tensorglass: the file that {name} replaced is kept as {aside} until `tensorglass mc resume "
                  f"{path}` completes the new run", file=sys.stderr)
        raise
    except BaseException:
        if aside is not None:
            os.replace(aside, path)
        raise
    else:
        drop_set_aside(path)


def drop_set_aside(path) -> None:
    """Delete the file ``--force`` set aside for ``path``, if any (the run that replaced it is complete)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(set_aside_path(Path(path)))


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; on normal exit give it the
    umask's mode, fsync it and rename it over ``path``; on any error remove it
    (the previous ``path`` stays intact) and turn an ``OSError`` into an
    :class:`OutputError`."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path)) from None
    try:
        yield tmp
        os.chmod(tmp, file_mode())
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory
    and ``os.replace`` (atomic on POSIX)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()


def atomic_write_text(path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_TMP = re.compile(r"^\..+\.tg(\d+)\..+\.tmp$")
_STAGING = re.compile(r"^\.tensorglass-staging-tg(\d+)-")


def clean_stale_temporaries(directory, name: str | None = None) -> int:
    """Remove temporaries of our naming pattern (for ``name`` only, if given)
    in ``directory`` whose writing process no longer exists; return how many."""
    d = Path(directory)
    removed = 0
    try:
        entries = list(d.iterdir())
    except OSError:
        return 0
    for e in entries:
        m = _TMP.match(e.name) or _STAGING.match(e.name)
        if not m or (name is not None and not e.name.startswith(f".{temp_stem(name, d)}.tg")):
            continue
        if _pid_alive(int(m.group(1))):
            continue
        try:
            if e.is_dir() and not e.is_symlink():
                shutil.rmtree(e)
            else:
                e.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def staging_dir(parent) -> Path:
    """A private staging folder in ``parent`` (removed by the caller)."""
    return Path(tempfile.mkdtemp(prefix=f".tensorglass-staging-tg{os.getpid()}-", dir=parent))


def _probe(directory: Path) -> None:
    fd, probe = tempfile.mkstemp(prefix=f".tensorglass-write-probe.tg{os.getpid()}.", suffix=".tmp", dir=directory)
    os.close(fd)
    os.unlink(probe)


def check_output_dir(path, name: str = "--out") -> Path:
    """Create ``path`` if needed and check that it is a writable directory;
    raise a one-line :class:`ParameterError` otherwise.  A directory created
    here is removed again if it turns out unusable."""
    if path is None or str(path).strip() == "":
        raise ParameterError(name, "" if path is None else str(path), "a directory name",
                             "e.g. --out report/ (use --out . for the current folder)")
    from ._validate import path_name
    p = Path(path_name(path, name))
    if p.exists() and not p.is_dir():
        raise ParameterError(name, str(p), "a directory (it is an existing file)", "choose another path")
    created = []
    try:
        q = p.absolute()
        while not q.exists():
            created.append(q)
            q = q.parent
        p.mkdir(parents=True, exist_ok=True)
        _probe(p)
    except OSError as exc:
        for c in created:
            with contextlib.suppress(OSError):
                c.rmdir()
        raise ParameterError(name, str(p), "a writable directory", f"cannot write there ({exc.strerror or exc})") from None
    clean_stale_temporaries(p)
    return p


def remove_if_empty(path) -> None:
    """Remove ``path`` if it is an empty directory (after a failed first run)."""
    with contextlib.suppress(OSError):
        Path(path).rmdir()


def remove_empty_tree(path) -> None:
    """Remove ``path`` and the folders below it if none of them holds a file
    (what a run that failed up front made); anything holding a file stays."""
    p = Path(path)
    if p.is_symlink() or not p.is_dir():
        return
    for root, dirs, _files in os.walk(p, topdown=False):
        for d in dirs:
            q = Path(root) / d
            if not q.is_symlink():
                with contextlib.suppress(OSError):
                    q.rmdir()
    remove_if_empty(p)


def check_output_file(path, name: str = "--out", *, force: bool = False, ours=None, suffixes=None,
                      replaceable=None) -> Path:
    """Guard an output file before any work is done.

    Refuses an empty name, a directory, a parent folder that does not exist
    or cannot be written (probed by creating a file there, so that ``/proc``
    and read-only mounts are caught), a name without one of ``suffixes``,
    and an existing file unless ``force``.  ``ours(path)`` may return a
    sentence describing an existing file (e.g. "holds a finished run") or
    ``None`` for a file that is not ours; it is used in the message.
    ``replaceable(path)`` returning True lets an existing file be replaced
    without ``force`` (an output that can be regenerated exactly, such as
    the collected dataset of the same sweep)."""
    if path is None or str(path).strip() == "":
        raise ParameterError(name, "" if path is None else str(path), "a file name", "e.g. " + name + " run.h5")
    from ._validate import file_kind, path_name
    p = Path(path_name(path, name))
    if suffixes and p.suffix.lower() not in suffixes:
        raise ParameterError(name, str(p), "a file name ending in " + " or ".join(suffixes), "")
    if p.is_dir():
        example = p / ("out" + (suffixes[0] if suffixes else ""))
        raise ParameterError(name, str(p), "a file (it is a directory)", f"give a file name, e.g. {example}")
    try:
        mode = os.stat(p).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):  # never open (blocks) nor replace a FIFO or a device
        raise ParameterError(name, str(p), f"a regular file or a new name (it is {file_kind(mode)})",
                             "choose a file name")
    parent = p.parent
    if not parent.is_dir():
        raise ParameterError(name, str(p), "a file in an existing directory", f"create {parent} first")
    try:
        _probe(parent)
    except OSError as exc:
        raise ParameterError(name, str(p), "a file in a writable directory",
                             f"cannot write in {parent} ({exc.strerror or exc})") from None
    if p.exists() and not force and replaceable is not None:
        try:
            force = bool(replaceable(p))
        except Exception:  # unreadable: not replaceable
            force = False
    if p.exists() and not force:
        what = None
        if ours is not None:
            try:
                what = ours(p)
            except Exception:  # an unreadable file is simply not ours
                what = None
        desc = what or "was not written by tensorglass"
        raise ParameterError(name, str(p), "a new file (it exists and " + desc + ")",
                             "choose another name, or add --force to overwrite it")
    clean_stale_temporaries(parent, p.name)
    return p


def publish_directory(staging: Path, target: Path) -> None:
    """Move every file of ``staging`` into ``target`` with ``os.replace``
    (each file appears complete or not at all), then remove ``staging``."""
    for src in sorted(staging.rglob("*")):
        if src.is_file():
            dst = target / src.relative_to(staging)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    shutil.rmtree(staging, ignore_errors=True)


def _writable_dir(d: Path) -> bool:
    try:
        d.mkdir(parents=True, exist_ok=True)
        _probe(d)
        return True
    except OSError:
        return False


def numba_cache_fallback(environ=None, package_dir=None, user_cache=None, tmp_root=None) -> str | None:
    """Make sure numba can cache the compiled Monte Carlo kernels.

    numba writes its cache next to the source (``montecarlo/__pycache__``)
    or under ``~/.cache/numba``; when neither can be written, ``cache=True``
    kernels fail at import.  Then point ``NUMBA_CACHE_DIR`` (read when numba is
    first imported, so call this before) at a private folder in the temporary
    directory.  Returns a one-line note when it changed something, else None.
    A ``NUMBA_CACHE_DIR`` the user set is kept when it can be written; when
    it cannot, the same fallback applies (numba's defaults, then the
    temporary folder) and the note says so."""
    env = os.environ if environ is None else environ
    chosen = env.get("NUMBA_CACHE_DIR")
    if chosen:
        if _writable_dir(Path(chosen)):
            return None
        del env["NUMBA_CACHE_DIR"]  # numba's defaults apply again, unless they cannot be written either
        why = f"NUMBA_CACHE_DIR = {chosen} is not writable; "
    else:
        why = ""
    if package_dir is None:
        package_dir = Path(__file__).resolve().parent / "montecarlo"
    if user_cache is None:
        base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        user_cache = Path(base) / "numba"
    for default in (Path(package_dir) / "__pycache__", Path(user_cache)):
        if _writable_dir(default):
            return (f"note: {why}compiled kernels are cached in numba's default folder ({default}) instead; "
                    "set NUMBA_CACHE_DIR to a writable folder to choose") if why else None
    root = Path(tmp_root or tempfile.gettempdir())
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    fallback = root / f"tensorglass-numba-{uid}"
    if _writable_dir(fallback):
        env["NUMBA_CACHE_DIR"] = str(fallback)
        return (f"note: {why}neither {package_dir} nor {user_cache} is writable; compiled kernels are cached in "
                f"{fallback} (set NUMBA_CACHE_DIR to a writable folder to choose)")
    return (f"note: {why}no writable folder for numba's cache ({package_dir}, {user_cache}, {root}); "
            "set NUMBA_CACHE_DIR to a writable folder")


def check_free_space(directory, need: int, name: str, what: str) -> None:
    """Refuse up front (one :class:`OutputError` line) when ``directory``'s file
    system has less than ``need`` bytes free: better than a full disk after
    hours of computing.  Outputs are still written atomically, so an estimate
    that is too low only moves the error to the end."""
    d = Path(directory)
    while not d.exists() and d != d.parent:
        d = d.parent
    try:
        free = shutil.disk_usage(d).free
    except OSError:
        return
    if free < need:
        raise OutputError(f"{name} = {str(directory)!r}: {what} needs about {need / 2**20:.2g} MiB and only "
                          f"{free / 2**20:.2g} MiB is free there (the disk is full); free some space or choose "
                          "another location; nothing was written")
