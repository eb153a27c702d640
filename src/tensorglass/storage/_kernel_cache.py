"""On-disk cache of lattice kernels, keyed by the parameters that define them."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np

from .. import __version__
from .._atomic import atomic_write_bytes
from .._validate import is_regular_file
from ..montecarlo import LatticeKernel, RunParameters, SpinModel


def kernel_cache_dir() -> Path:
    """``$TENSORGLASS_CACHE`` or ``~/.cache/tensorglass``, plus ``kernels/``."""
    root = os.environ.get("TENSORGLASS_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "tensorglass")
    return Path(root) / "kernels"


def _key(params: RunParameters) -> str:
    fields = {k: getattr(params, k) for k in ("model", "L", "components", "c_l", "c_t", "poisson", "k0", "cutoff")}
    fields["format"] = 1
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]


def _consistent(kernel, params: RunParameters) -> bool:
    """A cached kernel is input too: the lattice of the run, finite couplings of the right shapes."""
    L = params.L
    n = kernel.n
    return (kernel.L == L and kernel.jk.shape == (n, n, L, L, L // 2 + 1)
            and kernel.jr.shape == (L, L, L, n, n)
            and bool(np.all(np.isfinite(kernel.jk))) and bool(np.all(np.isfinite(kernel.jr))))


def cached_model(params: RunParameters, use_cache: bool = True) -> SpinModel:
    """Build the model of a run, reusing its kernel from the disk cache when
    present (the cache is written atomically; a damaged entry is rebuilt)."""
    model = None
    path = kernel_cache_dir() / f"{_key(params)}.npz"
    if use_cache and is_regular_file(path):  # never open a FIFO or device planted in the cache (it blocks)
        try:
            with np.load(path, allow_pickle=False) as z:
                kernel = LatticeKernel(int(z["L"]), int(z["n"]), z["jk"], z["jr"], str(z["k0"]))
            model = SpinModel(params.model, kernel, json.loads(str(z["params"])) if "params" in z else {})
            if not _consistent(kernel, params):
                model = None
        except Exception:  # damaged cache entry: rebuild
            model = None
    if model is None:
        model = params.build()
        if use_cache:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                buf = io.BytesIO()
                k = model.kernel
                np.savez(buf, L=k.L, n=k.n, jk=k.jk, jr=k.jr, k0=k.k0, params=json.dumps(model.params),
                         version=__version__)
                atomic_write_bytes(path, buf.getvalue())
            except OSError:
                pass  # a read-only or full cache only costs time
    return model
