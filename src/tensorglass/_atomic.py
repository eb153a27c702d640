"""Atomic file output: nothing is ever left half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import ParameterError


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory
    and ``os.replace`` (atomic on POSIX)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def check_output_dir(path, name: str = "--out") -> Path:
    """Create ``path`` if needed and check that it is a writable directory;
    raise a one-line :class:`ParameterError` otherwise."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ParameterError(name, str(p), "a directory (it is an existing file)", "choose another path")
    try:
        p.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".tensorglass-write-probe.", dir=p)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ParameterError(name, str(p), "a writable directory", f"cannot write there ({exc.strerror})") from None
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
