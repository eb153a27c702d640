"""Monte Carlo output files (HDF5): time series, parameters, version, seed
and generator states; written atomically, so they double as checkpoints.

Layout (format version 2): attributes ``format`` ("tensorglass-mc"),
``format_version``, ``tensorglass_version``, ``parameters`` (JSON),
``seed``, ``n_chains``, ``status`` ("running"/"complete"), ``summary``
(JSON, when complete); one group ``chain<i>`` per independent chain with
attributes ``generator_state`` (JSON), ``sweep``, ``accepted``,
``attempted``, ``last_energy``, ``sampler_state`` (JSON: the resolved
sampler, the HMC step size and its tuning state) and datasets ``coords``, ``energy`` (per
spin, per measured sweep), ``magnetisation``, ``structure_shells``
(shell-averaged S(k), per measured sweep), ``structure_trace`` (tr S(k)
on the stencil) and ``structure_order`` (S(k) of each member of the
order-parameter shell, whose index is the attribute ``order_shell``).  A parallel-tempering run stores one group per temperature,
the attribute ``temperatures`` and the exchange's state (``exchange_*``:
swap generator, swaps accepted and tried, rounds done).

Every value read back is checked before a run resumes from it
(:mod:`._mc_check`); a file that fails is refused with one line naming the
file and the field.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import time
import warnings
from dataclasses import asdict, fields, replace
from pathlib import Path

import numpy as np

from .. import __version__
from .._atomic import OutputError, atomic_path, check_output_file, describe_os_error
from ..errors import ParameterError, TensorglassError
from ..montecarlo import (
    DEFAULT_CHAINS,
    Exchange,
    RunParameters,
    RunState,
    advance,
    new_chains,
    new_tempering,
    parallel_tempering,
    summarize_chains,
)
from ._kernel_cache import cached_model
from ._mc_check import check_energies, check_file

FORMAT = "tensorglass-mc"
FORMAT_VERSION = 2
_STATE_FIELDS = {f.name for f in fields(RunState)}


class MCFileError(TensorglassError, ValueError):
    """A Monte Carlo file or checkpoint that cannot be used."""


def save_run(path, states, summary: dict | None = None, temperatures=None, exchange=None, ladder=None) -> None:
    """Write the complete state of one chain or a list of chains atomically
    (temporary file + os.replace)."""
    import h5py
    states = [states] if isinstance(states, RunState) else list(states)
    path = Path(path)
    # The file is built in memory and written with one plain write: HDF5 itself must never meet a full
    # disk (it then fails in destructors, and can crash the interpreter, instead of raising).
    buf = io.BytesIO()
    try:
        with h5py.File(buf, "w") as f:
            f.attrs["format"] = FORMAT
            f.attrs["format_version"] = FORMAT_VERSION
            f.attrs["tensorglass_version"] = __version__
            f.attrs["parameters"] = json.dumps(asdict(states[0].params))
            f.attrs["seed"] = states[0].params.seed
            f.attrs["n_chains"] = len(states)
            f.attrs["status"] = "complete" if summary is not None else "running"
            f.attrs["units"] = "energy per spin in units of the coupling scale of J(k); k_B = 1"
            if temperatures is not None:
                f.attrs["temperatures"] = np.asarray(temperatures, float)
            if exchange is not None:
                f.attrs["exchange_generator_state"] = json.dumps(exchange.rng.bit_generator.state)
                f.attrs["exchange_accepted"] = exchange.accepted
                f.attrs["exchange_tried"] = exchange.tried
                f.attrs["exchange_rounds"] = exchange.rounds
                f.attrs["exchange_labels"] = np.asarray(exchange.labels, np.int64)
                f.attrs["exchange_last_end"] = np.asarray(exchange.last_end, np.int64)
                f.attrs["exchange_went_up"] = np.asarray(exchange.went_up, np.int64)
                f.attrs["exchange_round_trips"] = int(exchange.round_trips)
                f.attrs["exchange_up"] = np.asarray(exchange.up, float)
                f.attrs["exchange_down"] = np.asarray(exchange.down, float)
            if ladder is not None:
                f.attrs["ladder"] = json.dumps(ladder)
            if summary is not None:
                f.attrs["summary"] = json.dumps(summary)
            n = states[0].coords.shape[-1]
            for i, st in enumerate(states):
                g = f.create_group(f"chain{i}")
                g.attrs["generator_state"] = json.dumps(st.generator_state())
                g.attrs["sweep"] = st.sweep
                g.attrs["accepted"] = st.accepted
                g.attrs["attempted"] = st.attempted
                g.attrs["last_energy"] = np.nan if st.last_energy is None else st.last_energy
                if getattr(st, "sampler_state", None) is not None:  # samplers that keep tuned state (HMC)
                    g.attrs["sampler_state"] = json.dumps(st.sampler_state)
                if st.params.temperature != states[0].params.temperature:
                    g.attrs["temperature"] = st.params.temperature
                g.create_dataset("coords", data=st.coords)
                g.create_dataset("energy", data=np.asarray(st.energy, float))
                g.create_dataset("magnetisation", data=np.asarray(st.magnetisation, float).reshape(-1, n))
                g.create_dataset("structure_shells", data=np.asarray(st.structure_shells, float).reshape(-1, 3, n, n))
                trace = np.asarray(st.structure_trace, float)
                g.create_dataset("structure_trace", data=trace if trace.size else np.zeros((0, 0)))
                if st.order_shell is not None:
                    g.attrs["order_shell"] = int(st.order_shell)
                members = np.asarray(st.structure_order, float)
                g.create_dataset("structure_order", data=members if members.size else np.zeros((0, 0, n, n)))
            f.flush()
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(buf.getbuffer())
    except OSError as exc:
        # h5py reports a full disk as a plain OSError without errno; say what happened in one line
        msg = str(exc) if isinstance(exc, OutputError) else describe_os_error(exc, path)
        raise MCFileError(msg) from None


def load_chains(path) -> list[RunState]:
    """Read every chain of a file written by :func:`save_run`; raise
    :class:`MCFileError` (one line) for a missing, corrupted or foreign file."""
    import h5py
    path = _input_file(path)
    try:
        with h5py.File(path, "r") as f:
            if f.attrs.get("format") != FORMAT:
                raise MCFileError(f"{path} is not a tensorglass Monte Carlo file (format {f.attrs.get('format')!r})")
            check_file(f, FORMAT_VERSION)  # every stored value, before anything is built from it
            if int(f.attrs["format_version"]) != FORMAT_VERSION:
                raise MCFileError(f"{path}: format version {f.attrs['format_version']} is not supported "
                                  f"(this tensorglass reads {FORMAT_VERSION}; rerun with `tensorglass mc run`)")
            params = RunParameters(**_tuples(json.loads(f.attrs["parameters"])))
            states = []
            for i in range(int(f.attrs["n_chains"])):
                g = f[f"chain{i}"]
                rng = np.random.Generator(np.random.PCG64())
                rng.bit_generator.state = json.loads(g.attrs["generator_state"])
                p = replace(params, temperature=float(g.attrs["temperature"])) if "temperature" in g.attrs else params
                last = float(g.attrs["last_energy"])
                kw = dict(params=p, coords=np.array(g["coords"]), rng=rng, sweep=int(g.attrs["sweep"]),
                          energy=list(np.array(g["energy"])), magnetisation=list(np.array(g["magnetisation"])),
                          accepted=int(g.attrs["accepted"]), attempted=int(g.attrs["attempted"]),
                          structure_shells=list(np.array(g["structure_shells"])),
                          structure_trace=list(np.array(g["structure_trace"])), last_energy=None if np.isnan(last) else last)
                if "sampler_state" in g.attrs and "sampler_state" in _STATE_FIELDS:
                    kw["sampler_state"] = json.loads(g.attrs["sampler_state"])
                if "order_shell" in g.attrs:
                    kw["order_shell"] = int(g.attrs["order_shell"])
                if "structure_order" in g and len(g["structure_order"]) == len(kw["structure_shells"]):
                    kw["structure_order"] = list(np.array(g["structure_order"]))
                st = RunState(**kw)
                states.append(st)
    except MCFileError:
        raise
    except ParameterError as exc:  # a stored value that `mc run` would refuse, or a field out of place
        raise MCFileError(f"{path}: stored {exc}; nothing was run; restore the file from a copy, or start again "
                          "with `tensorglass mc run`") from None
    except (OSError, KeyError, ValueError, TypeError, RecursionError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else ""
        why = why.split("(")[0].strip()[:80]  # HDF5's own message without its internals
        raise MCFileError(f"{path} is corrupted or not a tensorglass Monte Carlo checkpoint "
                          f"({exc.__class__.__name__}{': ' + why if why else ''})") from None
    return states


def _input_file(path) -> Path:
    """``path`` as a regular file (a FIFO or device would block h5py forever), or one :class:`MCFileError` line."""
    from .. import _validate
    try:
        return Path(_validate.input_file(path, "file", "give a file written by `tensorglass mc run`"))
    except ParameterError as exc:
        raise MCFileError(str(exc)) from None


def _check_energies(states, model, path) -> None:
    try:
        check_energies(states, model)
    except ParameterError as exc:
        raise MCFileError(f"{path}: stored {exc}; nothing was run; restore the file from a copy, or start again "
                          "with `tensorglass mc run`") from None


def _load_exchange(path):
    import h5py
    try:
        with h5py.File(path, "r") as f:
            if "temperatures" not in f.attrs:
                return None, None
            rng = np.random.Generator(np.random.PCG64())
            rng.bit_generator.state = json.loads(f.attrs["exchange_generator_state"])
            kw = {}
            if "exchange_labels" in f.attrs:   # files written before round trips were tracked start counting now
                kw = dict(labels=np.array(f.attrs["exchange_labels"], np.int64),
                          last_end=np.array(f.attrs["exchange_last_end"], np.int64),
                          went_up=np.array(f.attrs["exchange_went_up"], np.int64).astype(bool),
                          round_trips=int(f.attrs["exchange_round_trips"]),
                          up=np.array(f.attrs["exchange_up"], float), down=np.array(f.attrs["exchange_down"], float))
            ex = Exchange(rng, np.array(f.attrs["exchange_accepted"], float), np.array(f.attrs["exchange_tried"], float),
                          int(f.attrs["exchange_rounds"]), **kw)
            return [float(t) for t in f.attrs["temperatures"]], ex
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise MCFileError(f"{path} is corrupted or not a tensorglass Monte Carlo checkpoint "
                          f"({exc.__class__.__name__}: {exc})") from None


def load_run(path) -> RunState:
    """The first chain of a file (see :func:`load_chains` for all of them)."""
    return load_chains(path)[0]


def _tuples(d):
    if "field" in d and isinstance(d["field"], list):
        d["field"] = tuple(d["field"])
    return d


def _finish(states, model, out, temperatures=None, swap_rates=None):
    for i, st in enumerate(states):  # a chain that went non-finite is an error, never a "frozen" chain left out
        if not np.all(np.isfinite(np.asarray(st.energy, float))) or not np.all(np.isfinite(st.coords)):
            raise TensorglassError(f"chain {i} (T = {st.params.temperature}) has non-finite energies or spins; "
                                   f"nothing was summarised; the last checkpoint is in {out} (a bug: please report it)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = summarize_chains(states, model)
    summary["warnings"] = [str(w.message) for w in caught]
    summary["tensorglass_version"] = __version__
    summary["output"] = str(out)
    return summary


def run_monte_carlo(params: RunParameters | None = None, out=None, *, chains: int = DEFAULT_CHAINS, resume_from=None,
                    checkpoint_every=120.0, progress=True, use_cache=True) -> dict:
    """Run (or resume) ``chains`` independent chains one after the other,
    checkpointing ``out`` atomically every ``checkpoint_every`` seconds and
    on Ctrl-C; return the joint summary (:func:`summarize_chains`).

    A resumed run continues bit-identically: the spins, every chain's
    generator state and the series are restored exactly and every random
    number is drawn per sweep.  Ctrl-C stops after the current sweep, writes
    the checkpoint and raises KeyboardInterrupt."""
    if resume_from is not None:
        states = load_chains(resume_from)
        if _load_exchange(resume_from)[0] is not None:
            return run_tempering(resume_from=resume_from, out=out, checkpoint_every=checkpoint_every,
                                 progress=progress, use_cache=use_cache)
        params = states[0].params
        out = Path(resume_from) if out is None else Path(out)
    else:
        states = None
        out = Path(out)
    check_output_file(out, "--out", force=True)  # writable, and stale temporaries of killed runs removed
    model = cached_model(params, use_cache)
    if resume_from is not None:
        _check_energies(states, model, resume_from)
    if states is None:
        states = new_chains(params, model, chains)
    remaining = sum(params.sweeps - st.sweep for st in states)
    with _checkpointed_loop(remaining, progress, checkpoint_every, lambda: save_run(out, states)) as (step, stopped):
        for st in states:
            if stopped():
                break
            if params.sweeps > st.sweep:
                advance(st, model, params.sweeps - st.sweep, on_sweep=step, stop=stopped)
    done = sum(st.sweep for st in states)
    if stopped() or any(st.sweep < params.sweeps for st in states):
        save_run(out, states)
        raise KeyboardInterrupt(f"stopped at sweep {done} of {params.sweeps * len(states)} ({len(states)} chains); "
                                f"checkpoint written to {out}")
    summary = _finish(states, model, out)
    save_run(out, states, summary)
    return summary


def run_tempering(params: RunParameters | None = None, temperatures=None, out=None, *, resume_from=None,
                  checkpoint_every=120.0, progress=True, use_cache=True, ladder: dict | None = None) -> dict:
    """Replica exchange (:func:`tensorglass.montecarlo.parallel_tempering`)
    over ``temperatures``, one swap round per sweep, seeded from
    ``params.seed``; checkpointed like :func:`run_monte_carlo` (every
    ``checkpoint_every`` seconds and on Ctrl-C; ``resume_from`` continues
    bit-identically).  ``ladder``: how the temperatures were chosen
    (:func:`tensorglass.montecarlo.tempering_ladder`'s record), kept in the
    file and the summary.  Returns ``{"temperatures", "swap_rates",
    "exchange" (rates per pair, round trips, replica flow), "replicas":
    [summary per temperature], "flags", ...}``; a pair swapping less often
    than 0.1, or no round trip between the ends, is flagged with a remedy."""
    if resume_from is not None:
        states = load_chains(resume_from)
        temps, exchange = _load_exchange(resume_from)
        ladder = _load_ladder(resume_from)
        params = replace(states[0].params, temperature=temps[0])
        out = Path(resume_from) if out is None else Path(out)
    else:
        temps = [float(t) for t in temperatures]
        if len(temps) < 2 or any(not (t > 0) for t in temps) or len(set(temps)) != len(temps):
            raise ParameterError("temperatures", temperatures, "at least two distinct temperatures > 0",
                                 "e.g. --temperatures 0.10,0.12,0.14")
        temps = sorted(temps)
        states = exchange = None
        out = Path(out)
    check_output_file(out, "--out", force=True)  # writable, and stale temporaries of killed runs removed
    model = cached_model(params, use_cache)
    if resume_from is not None:
        _check_energies(states, model, resume_from)
    plist = [replace(params, temperature=t) for t in temps]
    if states is None:
        states, exchange = new_tempering(plist, model, params.seed)
    remaining = params.sweeps - exchange.rounds
    with _checkpointed_loop(remaining, progress, checkpoint_every,
                            lambda: save_run(out, states, temperatures=temps, exchange=exchange,
                                             ladder=ladder)) as (step, stopped):
        if remaining > 0:
            parallel_tempering(plist, model, rounds=remaining, states=states, exchange=exchange, on_round=step,
                               stop=stopped)
    if exchange.rounds < params.sweeps:
        save_run(out, states, temperatures=temps, exchange=exchange, ladder=ladder)
        raise KeyboardInterrupt(f"stopped at round {exchange.rounds} of {params.sweeps}; checkpoint written to {out}")
    rates = exchange.rates()
    replicas = [_finish([st], model, out) for st in states]
    flags = tempering_flags(temps, exchange)
    for t, rep in zip(temps, replicas):
        flags += [dict(fl, message=f"T = {t}: {fl['message']}") for fl in rep["flags"]]
    summary = {"model": params.model, "L": params.L, "sampler": replicas[0]["sampler"], "seed": params.seed,
               "sweeps": params.sweeps, "temperatures": temps, "swap_rates": [float(r) for r in rates],
               "exchange": exchange.report(temps), "ladder": ladder or {"method": "given"},
               "replicas": replicas, "flags": flags, "tensorglass_version": __version__, "output": str(out),
               "parameters": asdict(params)}
    save_run(out, states, summary, temperatures=temps, exchange=exchange, ladder=ladder)
    return summary


def tempering_flags(temps, exchange, min_rate: float = 0.1) -> list:
    """One flag for all pairs that swap less often than ``min_rate`` and one
    when no replica has made a round trip between the ends."""
    flags = []
    rates = exchange.rates()
    low = [(a, b, r) for a, b, r in zip(temps, temps[1:], rates) if r < min_rate]
    if low:
        pairs = ", ".join(f"{a:.5g}-{b:.5g} ({r:.3f})" for a, b, r in low)
        flags.append({"flag": "low_swap_rate",
                      "message": f"{len(low)} of {len(rates)} neighbouring pairs swap less often than {min_rate}: {pairs}",
                      "remedy": "build the ladder from the energy fluctuations (--temperatures auto:TMIN:TMAX), or "
                                "put temperatures between those pairs"})
    if exchange.round_trips == 0:
        flags.append({"flag": "no_round_trip",
                      "message": f"no replica went from the lowest to the highest temperature and back in "
                                 f"{exchange.rounds} rounds: the replicas did not mix over the ladder",
                      "remedy": "run more rounds (--sweeps), or use a ladder with higher swap rates (auto)"})
    return flags


def _load_ladder(path):
    import h5py
    with h5py.File(path, "r") as f:
        return json.loads(f.attrs["ladder"]) if "ladder" in f.attrs else None


@contextlib.contextmanager
def _checkpointed_loop(total, progress, checkpoint_every, save):
    """The loop scaffolding of a long run: a progress bar of ``total`` steps,
    Ctrl-C that only sets a flag (the run stops after the step in progress),
    and ``save()`` every ``checkpoint_every`` seconds.  Yields ``(step,
    stopped)``: call ``step()`` after every sweep or round; ``stopped()`` is
    True once Ctrl-C arrived (also after the block)."""
    interrupted = {"flag": False}

    def on_sigint(signum, frame):
        interrupted["flag"] = True

    old = signal.signal(signal.SIGINT, on_sigint) if _main_thread() else None
    bar = _bar(total, progress)
    last = {"t": time.monotonic()}

    def step(*_):
        bar(1)
        if time.monotonic() - last["t"] >= checkpoint_every:
            save()
            last["t"] = time.monotonic()
    try:
        yield step, lambda: interrupted["flag"]
    finally:
        bar(None)
        if old is not None:
            signal.signal(signal.SIGINT, old)


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
