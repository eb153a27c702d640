"""Monte Carlo output files (HDF5): time series, parameters, version, seed
and generator state; written atomically, so they double as checkpoints.

Layout: attributes ``format`` ("tensorglass-mc"), ``format_version``,
``tensorglass_version``, ``parameters`` (JSON), ``generator_state`` (JSON),
``sweep``, ``accepted``, ``attempted``, ``sampler_state`` (JSON: resolved
sampler, HMC step size and its tuning state), ``status`` ("running"/"complete"),
``summary`` (JSON, when complete); datasets ``coords``, ``energy``
(per spin, per measured sweep), ``magnetisation`` (per measured sweep).
"""

from __future__ import annotations

import io
import json
import signal
import time
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .. import __version__
from .._atomic import OutputError, atomic_path, check_output_file, describe_os_error
from ..errors import TensorglassError
from ..montecarlo import RunParameters, RunState, advance, new_state, summarize
from ._kernel_cache import cached_model

FORMAT = "tensorglass-mc"
FORMAT_VERSION = 1


class MCFileError(TensorglassError, ValueError):
    """A Monte Carlo file or checkpoint that cannot be used."""


def save_run(path, state: RunState, summary: dict | None = None) -> None:
    """Write the complete state atomically (temporary file + os.replace)."""
    import h5py
    path = Path(path)
    # The file is built in memory and written with one plain write: HDF5 itself must never meet a full
    # disk (it then fails in destructors, and can crash the interpreter, instead of raising).
    buf = io.BytesIO()
    try:
        with atomic_path(path) as tmp:
            with h5py.File(buf, "w") as f:
                f.attrs["format"] = FORMAT
                f.attrs["format_version"] = FORMAT_VERSION
                f.attrs["tensorglass_version"] = __version__
                f.attrs["parameters"] = json.dumps(asdict(state.params))
                f.attrs["generator_state"] = json.dumps(state.generator_state())
                f.attrs["seed"] = state.params.seed
                f.attrs["sweep"] = state.sweep
                f.attrs["accepted"] = state.accepted
                f.attrs["attempted"] = state.attempted
                f.attrs["sampler_state"] = json.dumps(state.sampler_state)  # resolved sampler, HMC step size/tuning
                f.attrs["status"] = "complete" if summary is not None else "running"
                f.attrs["units"] = "energy per spin in units of the coupling scale of J(k); k_B = 1"
                if summary is not None:
                    f.attrs["summary"] = json.dumps(summary)
                f.create_dataset("coords", data=state.coords)
                f.create_dataset("energy", data=np.asarray(state.energy, float))
                f.create_dataset("magnetisation", data=np.asarray(state.magnetisation, float).reshape(
                    -1, state.coords.shape[-1]))
                f.flush()
            with open(tmp, "wb") as fh:
                fh.write(buf.getbuffer())
    except OSError as exc:
        # h5py reports a full disk as a plain OSError without errno; say what happened in one line
        msg = str(exc) if isinstance(exc, OutputError) else describe_os_error(exc, path)
        raise MCFileError(msg) from None


def load_run(path) -> RunState:
    """Read a file written by :func:`save_run`; raise :class:`MCFileError`
    (one line) for a missing, corrupted or foreign file."""
    import h5py
    path = Path(path)
    if not path.exists():
        raise MCFileError(f"{path}: no such file; give a file written by `tensorglass mc run`")
    if path.is_dir():
        raise MCFileError(f"{path} is a directory; give a file written by `tensorglass mc run`")
    try:
        with h5py.File(path, "r") as f:
            if f.attrs.get("format") != FORMAT:
                raise MCFileError(f"{path} is not a tensorglass Monte Carlo file (format {f.attrs.get('format')!r})")
            if int(f.attrs["format_version"]) != FORMAT_VERSION:
                raise MCFileError(f"{path}: format version {f.attrs['format_version']} is not supported "
                                  f"(this tensorglass reads {FORMAT_VERSION})")
            params = RunParameters(**_tuples(json.loads(f.attrs["parameters"])))
            rng = np.random.Generator(np.random.PCG64())
            rng.bit_generator.state = json.loads(f.attrs["generator_state"])
            state = RunState(params, np.array(f["coords"]), rng, int(f.attrs["sweep"]),
                             list(np.array(f["energy"])), [row for row in np.array(f["magnetisation"])],
                             int(f.attrs["accepted"]), int(f.attrs["attempted"]),
                             json.loads(f.attrs.get("sampler_state", "{}")))
    except MCFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else ""
        why = why.split("(")[0].strip()[:80]  # HDF5's own message without its internals
        raise MCFileError(f"{path} is corrupted or not a tensorglass Monte Carlo checkpoint "
                          f"({exc.__class__.__name__}{': ' + why if why else ''})") from None
    return state


def _tuples(d):
    if "field" in d and isinstance(d["field"], list):
        d["field"] = tuple(d["field"])
    return d


def run_monte_carlo(params: RunParameters | None = None, out=None, *, resume_from=None, checkpoint_every=120.0,
                    progress=True, use_cache=True) -> dict:
    """Run (or resume) a chain, checkpointing ``out`` atomically every
    ``checkpoint_every`` seconds and on Ctrl-C; return the summary.

    A resumed run continues bit-identically: the spins, the generator state
    and the series are restored exactly and every random number is drawn
    per sweep.  Ctrl-C stops after the current sweep, writes the checkpoint
    and raises KeyboardInterrupt."""
    if resume_from is not None:
        state = load_run(resume_from)
        params = state.params
        out = Path(resume_from) if out is None else Path(out)
    else:
        state = None
        out = Path(out)
    check_output_file(out, "--out", force=True)  # writable, and stale temporaries of killed runs removed
    model = cached_model(params, use_cache)
    if state is None:
        state = new_state(params, model)
    remaining = params.sweeps - state.sweep
    interrupted = {"flag": False}

    def on_sigint(signum, frame):
        interrupted["flag"] = True

    old = signal.signal(signal.SIGINT, on_sigint) if _main_thread() else None
    bar = _bar(remaining, progress)
    last = {"t": time.monotonic()}

    def on_sweep(st):
        bar(1)
        if time.monotonic() - last["t"] >= checkpoint_every:
            save_run(out, st)
            last["t"] = time.monotonic()
    try:
        if remaining > 0:
            advance(state, model, remaining, on_sweep=on_sweep, stop=lambda: interrupted["flag"])
    finally:
        bar(None)
        if old is not None:
            signal.signal(signal.SIGINT, old)
    if interrupted["flag"] or state.sweep < params.sweeps:
        save_run(out, state)
        raise KeyboardInterrupt(f"stopped at sweep {state.sweep} of {params.sweeps}; checkpoint written to {out}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = summarize(state, model)
    summary["warnings"] = [str(w.message) for w in caught]
    summary["tensorglass_version"] = __version__
    summary["output"] = str(out)
    save_run(out, state, summary)
    return summary


def _main_thread():
    import threading
    return threading.current_thread() is threading.main_thread()


def _bar(total, enabled):
    if not enabled or total <= 0:
        return lambda k: None
    from tqdm import tqdm
    b = tqdm(total=total, desc="mc", unit="sweep", leave=False)

    def step(k):
        if k is None:
            b.close()
        else:
            b.update(k)
    return step
