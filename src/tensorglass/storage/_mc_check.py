"""Every value of a Monte Carlo file is input: checked before a run resumes from it.

A checkpoint is read back after crashes, copies and edits, so nothing in it
is trusted (issue 21).  :func:`check_file` looks at an open HDF5 file
(format 2, see :mod:`._mc_files`) without building any state and raises
:class:`StoredFieldError` naming the field (``parameters.sweeps``,
``chain1/energy``, ``chain0.sweep`` for an attribute) and what it must be:

* the parameters pass the checks of ``mc run`` (:func:`tensorglass._validate.mc_parameters`);
* counters are integers in range and agree with each other (``0 <= sweep <=
  sweeps``; ``accepted <= attempted <= sweep x sites``; every replica of a
  tempering run has done one sweep per exchange round);
* arrays have the shapes the parameters imply (the spins of an L^3 lattice
  with n components, one row per measured sweep in every series), and
  every number anywhere in the file is finite (spins are unit vectors);
* the metadata agree with the data: the seed, the number of chains, the
  temperatures of a tempering run and the replicas that carry them, the
  resolved sampler.

A value written by tensorglass itself always passes; a tampered or damaged
one is refused with one line, and nothing is run.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields

import numpy as np

from .. import _validate
from ..errors import ParameterError

#: Per-measurement series of a chain group: their first axis is the number of measured sweeps.
SERIES = ("energy", "magnetisation", "structure_shells", "structure_trace")
#: Fields that may be absent from any file of this format: the summary (a run not finished) and the
#: sampler state (files written before samplers kept one).  A replica's ``temperature`` and the tempering
#: fields (``temperatures``, ``exchange_*``) are required exactly where the run is a tempering run.
OPTIONAL = {"summary", "sampler_state"}
#: How far a stored spin may be from unit length (rounding over a long run stays below 1e-10).
UNIT_TOLERANCE = 1e-6
_CHAIN = re.compile(r"^chain(\d+)$")


class StoredFieldError(ParameterError):
    """A field of a stored file that a file written by tensorglass cannot hold."""

    def __init__(self, field: str, value, allowed: str, missing: bool = False):
        super().__init__(field, value, allowed)
        if missing:
            self.args = (f"{field} is missing (need {allowed})",)


def _attr(group, key, field, allowed):
    if key not in group.attrs:
        raise StoredFieldError(field, None, allowed, missing=True)
    try:
        return group.attrs[key]
    except (OSError, ValueError, TypeError, KeyError):
        raise StoredFieldError(field, "unreadable", allowed) from None


def _show(v):
    if isinstance(v, np.ndarray):
        return f"array of shape {v.shape}"
    if isinstance(v, (bytes, np.bytes_)):
        v = v.decode("utf-8", "replace")
    if isinstance(v, np.generic):
        v = v.item()
    return v if not isinstance(v, str) or len(v) <= 60 else v[:57] + "..."


def _int(v, field, lo=None, hi=None):
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise StoredFieldError(field, _show(v), "an integer" + (f" from {lo} to {hi}" if lo is not None and
                                                                   hi is not None else ""))
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"{lo} <= {field} <= {hi}" if hi is not None else f"{field} >= {lo}"
        raise StoredFieldError(field, v, f"an integer {rng}")
    return v


def _float(v, field, allow_nan=False):
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise StoredFieldError(field, _show(v), "a number")
    v = float(v)
    if not math.isfinite(v) and not (allow_nan and math.isnan(v)):
        raise StoredFieldError(field, v, "a finite number")
    return v


def _text(v, field):
    if isinstance(v, (bytes, np.bytes_)):
        try:
            v = v.decode("utf-8")
        except UnicodeDecodeError:
            raise StoredFieldError(field, _show(v), "UTF-8 text") from None
    if not isinstance(v, str):
        raise StoredFieldError(field, _show(v), "text")
    return v


def _json_object(v, field):
    text = _text(v, field)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        raise StoredFieldError(field, _show(text), "a JSON object") from None
    if not isinstance(obj, dict):
        raise StoredFieldError(field, _show(text), "a JSON object")
    if _validate.nesting_depth(obj, 8) > 8:
        raise StoredFieldError(field, "objects nested more than 8 deep", "the layout tensorglass writes")
    return obj


def _finite_numbers(obj, field):
    """Every number in a JSON value is finite (json.loads accepts NaN and Infinity)."""
    stack = [(obj, field)]
    while stack:
        x, where = stack.pop()
        if isinstance(x, dict):
            stack.extend((v, f"{where}.{k}") for k, v in x.items())
        elif isinstance(x, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(x))
        elif isinstance(x, float) and not math.isfinite(x):
            raise StoredFieldError(where, x, "a finite number")


def _dataset(group, key, field):
    import h5py
    if key not in group:
        raise StoredFieldError(field, None, "a dataset", missing=True)
    d = group.get(key)
    if not isinstance(d, h5py.Dataset):
        raise StoredFieldError(field, "a group", "a dataset")
    if d.dtype.kind not in "fiu":
        raise StoredFieldError(field, f"an array of {d.dtype}", "a numeric array")
    try:
        return np.asarray(d[()], dtype=float)
    except (OSError, ValueError, TypeError):
        raise StoredFieldError(field, "unreadable", "a numeric array") from None


def _all_finite(f):
    """Every numeric dataset and attribute anywhere in the file is finite
    (also those this version does not read); ``last_energy`` may be NaN
    before the first sweep (checked with the chain)."""
    import h5py
    bad = []

    def visit(name, obj):
        if bad:
            return
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f":
            a = np.asarray(obj[()])
            if not np.all(np.isfinite(a)):
                idx = np.argwhere(~np.isfinite(a))[0].tolist() if a.ndim else []
                bad.append((name, f"{a[tuple(idx)] if idx else a} at {idx}", "finite numbers throughout"))
        if bad:
            return
        for k in obj.attrs:
            try:
                v = obj.attrs[k]
            except (OSError, TypeError, ValueError):
                continue
            a = np.asarray(v) if isinstance(v, (np.ndarray, np.floating, float)) else None
            if a is not None and a.dtype.kind == "f" and not np.all(np.isfinite(a)) and k != "last_energy":
                where = f"{name}.{k}" if name else k
                bad.append((where, _show(v) if a.ndim else float(a), "finite numbers"))
                return

    visit("", f)
    f.visititems(visit)
    if bad:
        raise StoredFieldError(*bad[0])


def _n_components(params: dict) -> int:
    if params["model"] == "nn":
        return 3 if params.get("components") is None else int(params["components"])
    return _validate.FIXED_COMPONENTS[params["model"]]


_JSON_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def check_parameters(raw: dict, run_fields: dict) -> dict:
    """The stored parameters (``run_fields``: name -> annotation of
    :class:`~tensorglass.montecarlo.RunParameters`): known names, each of
    its declared type, and the checks of ``mc run``."""
    for k in raw:
        if k not in run_fields:
            raise StoredFieldError(f"parameters.{k}", _show(raw[k]), "no such parameter: one of " + ", ".join(run_fields))
    _finite_numbers(raw, "parameters")
    for k, v in raw.items():
        kinds = [t.strip() for t in str(run_fields[k]).split("|")]
        allowed = tuple(x for t in kinds for x in _JSON_TYPES.get(t, ()))
        if v is None and "None" in kinds:
            continue
        if isinstance(v, (dict, list)) and k != "field":
            raise StoredFieldError(f"parameters.{k}", _show(json.dumps(v)), "a single value")
        if allowed and (not isinstance(v, allowed) or (isinstance(v, bool) and bool not in allowed)):
            raise StoredFieldError(f"parameters.{k}", _show(v), "a value of type " + " or ".join(kinds))
    flag = lambda k: f"parameters.{k}"  # noqa: E731
    for k in ("model", "L", "temperature", "sweeps", "seed"):
        if k not in raw:
            raise StoredFieldError(flag(k), None, "a value", missing=True)
    q = dict(raw)
    # what the Python API allows beyond the command line is not an error in a file it wrote: bl6 and
    # coupled-blocks without a medium (build_model's Poisson ratio 0.2), over-relaxation with sampler auto
    # (RunParameters refuses it with hmc and ising)
    if q["model"] in _validate.MEDIUM_MODELS and q.get("poisson") is None and q.get("c_l") is None \
            and q.get("c_t") is None:
        q["poisson"] = 0.2
    if q.get("overrelax"):
        _validate.integer(flag("overrelax"), q.pop("overrelax"), 0, 1000)
    _validate.mc_parameters(q, flag=flag)
    from ..montecarlo import RunParameters
    try:  # the run's own checks (the settings the command line does not have)
        RunParameters(**{k: tuple(v) if k == "field" else v for k, v in raw.items()})
    except ParameterError as exc:
        raise StoredFieldError(flag(exc.name), _show(exc.value), exc.allowed) from None
    n = _n_components(raw)
    fld = raw.get("field", [])
    if fld not in ((), []) and (not isinstance(fld, list) or len(fld) != n
                                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in fld)):
        raise StoredFieldError(flag("field"), _show(json.dumps(fld)), f"an empty list or {n} finite numbers")
    for k in ("step_size", "delta"):
        if raw.get(k) is not None:
            _validate.number(flag(k), raw[k], 0.0, 1e6)
    if raw.get("trajectory") is not None:
        _validate.number(flag("trajectory"), raw["trajectory"], 0.0, 100.0)
    return raw


def check_file(f, expected_version: int) -> None:
    """Check an open format-2 Monte Carlo file; raise :class:`StoredFieldError`."""
    from ..montecarlo import RunParameters, stencil
    version = _int(_attr(f, "format_version", "format_version", "an integer"), "format_version")
    if version != expected_version:
        return  # the loader says which versions it reads
    _all_finite(f)
    raw = _json_object(_attr(f, "parameters", "parameters", "the run's parameters (JSON)"), "parameters")
    params = check_parameters(raw, {x.name: x.type for x in fields(RunParameters)})
    L, sweeps, therm = int(params["L"]), int(params["sweeps"]), int(params.get("thermalize", 0) or 0)
    n = _n_components(params)
    seed = _int(_attr(f, "seed", "seed", "the run's seed"), "seed", 0, _validate.SEED_MAX)
    if seed != params["seed"]:
        raise StoredFieldError("seed", seed, f"the seed of the parameters (parameters.seed = {params['seed']})")
    status = _text(_attr(f, "status", "status", "running or complete"), "status")
    if status not in ("running", "complete"):
        raise StoredFieldError("status", status, "running or complete")
    for k in ("tensorglass_version", "units"):
        _text(_attr(f, k, k, "text"), k)
    groups = sorted(int(m.group(1)) for k in f if (m := _CHAIN.match(k)))
    n_chains = _int(_attr(f, "n_chains", "n_chains", "the number of chains"), "n_chains", 1, 64)
    if groups != list(range(n_chains)):
        raise StoredFieldError("n_chains", n_chains, f"the number of chain groups (the file has {len(groups)}: "
                               + ", ".join(f"chain{i}" for i in groups[:5]) + ("..." if len(groups) > 5 else "") + ")")
    temps = rounds = None
    if "temperatures" in f.attrs:
        temps = np.atleast_1d(np.asarray(f.attrs["temperatures"]))
        if temps.ndim != 1 or temps.dtype.kind not in "fiu" or temps.size != n_chains:
            raise StoredFieldError("temperatures", _show(f.attrs["temperatures"]),
                                   f"one temperature per replica ({n_chains}, from n_chains)")
        for i, t in enumerate(temps):
            _validate.temperature(float(t), f"temperatures[{i}]")
        if temps.size < 2 or not np.all(np.diff(temps) > 0):
            raise StoredFieldError("temperatures", temps.tolist(), "at least two distinct temperatures, increasing")
        if float(temps[0]) != float(params["temperature"]):
            raise StoredFieldError("parameters.temperature", params["temperature"],
                                   f"the lowest of the temperatures ({float(temps[0])})")
        state = _json_object(_attr(f, "exchange_generator_state", "exchange_generator_state", "a generator state"),
                             "exchange_generator_state")
        _generator(state, "exchange_generator_state")
        rounds = _int(_attr(f, "exchange_rounds", "exchange_rounds", "the rounds done"), "exchange_rounds", 0, sweeps)
        acc, tried = (np.atleast_1d(np.asarray(_attr(f, k, k, "swap counts per pair"))) for k in
                      ("exchange_accepted", "exchange_tried"))
        for name, a in (("exchange_accepted", acc), ("exchange_tried", tried)):
            if a.shape != (n_chains - 1,) or a.dtype.kind not in "fiu" or np.any(a < 0) or np.any(a != np.round(a)) \
                    or np.any(a > rounds):
                raise StoredFieldError(name, a.tolist(), f"{n_chains - 1} whole numbers from 0 to the rounds "
                                       f"done ({rounds}), one per neighbouring pair")
        if np.any(acc > tried):
            raise StoredFieldError("exchange_accepted", acc.tolist(), f"no more than tried ({tried.tolist()})")
        _check_exchange_journeys(f, n_chains, rounds)
        if "ladder" in f.attrs:
            _finite_numbers(_json_object(f.attrs["ladder"], "ladder"), "ladder")
    else:  # independent chains: one temperature, no exchange
        for k in ("exchange_generator_state", "exchange_accepted", "exchange_tried", "exchange_rounds"):
            if k in f.attrs:
                raise StoredFieldError("temperatures", None, f"the temperatures of the tempering run that {k} "
                                       "belongs to", missing=True)
    K = len(stencil(L).m)
    for i in range(n_chains):
        _check_chain(f[f"chain{i}"], f"chain{i}", params, L, n, sweeps, therm, K, status, temps, rounds, i)


def _check_exchange_journeys(f, k, rounds):
    """Where each replica has been (written since round trips are counted; older files lack them)."""
    keys = ("exchange_labels", "exchange_last_end", "exchange_went_up", "exchange_up", "exchange_down",
            "exchange_round_trips")
    present = [key for key in keys if key in f.attrs]
    if not present:
        return
    if len(present) < len(keys):
        missing = next(key for key in keys if key not in f.attrs)
        raise StoredFieldError(missing, None, "all of the replicas' journey fields or none (" + ", ".join(keys) + ")",
                               missing=True)
    arrays = {}
    for key in ("exchange_labels", "exchange_last_end", "exchange_went_up", "exchange_up", "exchange_down"):
        a = np.atleast_1d(np.asarray(_attr(f, key, key, f"{k} values, one per replica")))
        if a.shape != (k,) or a.dtype.kind not in "fiu" or np.any(a != np.round(a)):
            raise StoredFieldError(key, _show(a), f"{k} whole numbers, one per replica")
        arrays[key] = a
    if sorted(arrays["exchange_labels"].tolist()) != list(range(k)):
        raise StoredFieldError("exchange_labels", arrays["exchange_labels"].tolist(), f"a permutation of 0..{k - 1}")
    if not np.all(np.isin(arrays["exchange_last_end"], (-1, 0, 1))):
        raise StoredFieldError("exchange_last_end", arrays["exchange_last_end"].tolist(), "-1, 0 or 1 per replica")
    if not np.all(np.isin(arrays["exchange_went_up"], (0, 1))):
        raise StoredFieldError("exchange_went_up", arrays["exchange_went_up"].tolist(), "0 or 1 per replica")
    for key in ("exchange_up", "exchange_down"):
        if np.any(arrays[key] < 0) or np.any(arrays[key] > rounds):
            raise StoredFieldError(key, arrays[key].tolist(), f"counts from 0 to the rounds done ({rounds})")
    _int(_attr(f, "exchange_round_trips", "exchange_round_trips", "a count"), "exchange_round_trips", 0, rounds * k)
    labels, last_end = arrays["exchange_labels"].astype(int), arrays["exchange_last_end"]
    if rounds > 0 and (last_end[labels[0]] != 0 or last_end[labels[-1]] != 1):
        raise StoredFieldError("exchange_last_end", last_end.tolist(), "0 for the replica at the coldest slot and 1 "
                               "for the one at the hottest (they are there now)")
    if np.any((arrays["exchange_went_up"] == 1) & (last_end != 1)):
        raise StoredFieldError("exchange_went_up", arrays["exchange_went_up"].tolist(),
                               "1 only for replicas whose last end visited is the hottest (exchange_last_end = 1)")


def _generator(state, field):
    try:
        np.random.PCG64().state = state
    except (ValueError, TypeError, KeyError, OverflowError):
        raise StoredFieldError(field, _show(json.dumps(state)), "a PCG64 generator state") from None


def _check_sampler_state(ss: dict, field: str, tuning_sweeps: int) -> None:
    """The entries a sampler keeps (montecarlo new_state, _hmc_trajectory, local_delta): each of its type
    and range; entries this version does not know only need finite numbers."""
    from ..montecarlo import _hmc
    at = lambda k: f"{field}.{k}"  # noqa: E731
    for k in ("step_size", "delta", "trajectory"):
        if k in ss:
            _validate.number(at(k), ss[k], 0.0, 1e6, lo_open=True)
    if "target_acceptance" in ss:
        _validate.number(at("target_acceptance"), ss["target_acceptance"], 0.0, 1.0, lo_open=True, hi_open=True)
    for k in ("sampler", "kinetic", "integrator", "step_size_source", "delta_source"):
        if k in ss and not isinstance(ss[k], str):
            raise StoredFieldError(at(k), _show(ss[k]), "text")
    if "kinetic" in ss and ss["kinetic"] not in _hmc.KINETIC_ENERGIES:
        raise StoredFieldError(at("kinetic"), ss["kinetic"], "one of " + ", ".join(_hmc.KINETIC_ENERGIES))
    counts = {k: _int(ss[k], at(k), 0) for k in ("integrator_steps", "tuning_accepted", "tuning_attempted") if k in ss}
    if counts.get("tuning_attempted", 0) > tuning_sweeps:
        raise StoredFieldError(at("tuning_attempted"), counts["tuning_attempted"],
                               f"no more than the thermalisation sweeps done ({tuning_sweeps})")
    if counts.get("tuning_accepted", 0) > counts.get("tuning_attempted", 0):
        raise StoredFieldError(at("tuning_accepted"), counts["tuning_accepted"], "no more than tuning_attempted")
    if "dual_averaging" in ss:
        da = ss["dual_averaging"]
        if not isinstance(da, dict) or set(da) != {"mu", "log_eps", "log_eps_bar", "h_bar", "m"}:
            raise StoredFieldError(at("dual_averaging"), _show(json.dumps(da)), "the dual-averaging state "
                                   "{mu, log_eps, log_eps_bar, h_bar, m}")
        for k in ("mu", "log_eps", "log_eps_bar", "h_bar"):
            _validate.number(at(f"dual_averaging.{k}"), da[k], -700.0, 700.0)  # exp() of it stays finite
        _int(da["m"], at("dual_averaging.m"), 0, tuning_sweeps)


def _check_chain(g, name, params, L, n, sweeps, therm, K, status, temps, rounds, i):
    import h5py
    if not isinstance(g, h5py.Group):
        raise StoredFieldError(name, "a dataset", "a group of one chain")
    at = lambda k: f"{name}.{k}"  # noqa: E731
    sweep = _int(_attr(g, "sweep", at("sweep"), "the sweeps done"), at("sweep"), 0, sweeps)
    if rounds is not None and sweep != rounds:
        raise StoredFieldError(at("sweep"), sweep, f"the exchange rounds done ({rounds}): one sweep per round")
    if status == "complete" and sweep != sweeps:
        raise StoredFieldError(at("sweep"), sweep, f"the run's sweeps ({sweeps}) in a file marked complete")
    attempted = _int(_attr(g, "attempted", at("attempted"), "a count"), at("attempted"), 0, sweep * L**3)
    _int(_attr(g, "accepted", at("accepted"), "a count"), at("accepted"), 0, attempted)
    _float(_attr(g, "last_energy", at("last_energy"), "the energy after the last sweep"), at("last_energy"),
           allow_nan=sweep == 0)
    _generator(_json_object(_attr(g, "generator_state", at("generator_state"), "a generator state"),
                            at("generator_state")), at("generator_state"))
    sampler = None
    if "sampler_state" in g.attrs:
        ss = _json_object(g.attrs["sampler_state"], at("sampler_state"))
        _finite_numbers(ss, at("sampler_state"))
        sampler = ss.get("sampler")
        if sampler is not None and sampler not in _validate.SAMPLERS[1:]:
            raise StoredFieldError(at("sampler_state") + ".sampler", _show(sampler),
                                   "one of " + ", ".join(_validate.SAMPLERS[1:]))
        if sampler is not None and params.get("sampler", "auto") not in ("auto", sampler):
            raise StoredFieldError(at("sampler_state") + ".sampler", sampler,
                                   f"the sampler of the parameters ({params['sampler']})")
        _check_sampler_state(ss, at("sampler_state"), min(sweep, therm))
    if "temperature" in g.attrs:
        t = _validate.temperature(_float(g.attrs["temperature"], at("temperature")), at("temperature"))
        if temps is not None and t != float(temps[i]):
            raise StoredFieldError(at("temperature"), t, f"replica {i}'s temperature ({float(temps[i])})")
        if temps is None and t != float(params["temperature"]):  # (written only where replicas differ)
            raise StoredFieldError(at("temperature"), t, f"the run's temperature ({params['temperature']}) in a "
                                   "file of independent chains (no temperatures)")
    elif temps is not None and i > 0:
        raise StoredFieldError(at("temperature"), None, f"replica {i}'s temperature ({float(temps[i])})",
                               missing=True)
    coords = _dataset(g, "coords", name + "/coords")
    shapes = [(L, L, L, n), (L**3, n)] if sampler is None else [(L, L, L, n)] if sampler == "hmc" else [(L**3, n)]
    if coords.shape not in shapes:
        raise StoredFieldError(name + "/coords", f"shape {coords.shape}", "the spins of the parameters' lattice, shape "
                               + " or ".join(str(s) for s in shapes) + f" (parameters.L = {L}, {n} components of "
                               f"parameters.model = {params['model']})")
    norms = np.linalg.norm(coords.reshape(-1, n), axis=1)
    if np.any(np.abs(norms - 1.0) > UNIT_TOLERANCE):
        j = int(np.argmax(np.abs(norms - 1.0)))
        raise StoredFieldError(name + "/coords", f"a spin of length {norms[j]:.6g} at site {j}", "unit spins")
    m = max(0, sweep - therm)
    trailing = {"energy": [()], "magnetisation": [(n,)], "structure_shells": [(3, n, n)],
                "structure_trace": [(K,)] if m else [(K,), (0,)]}
    if ("order_shell" in g.attrs) != ("structure_order" in g):   # written together since the shell is fixed
        missing = "order_shell" if "structure_order" in g else "structure_order"
        raise StoredFieldError(at(missing) if missing == "order_shell" else f"{name}/{missing}", None,
                               "order_shell and structure_order together, or neither (older files)", missing=True)
    if "order_shell" in g.attrs:
        shell = _int(g.attrs["order_shell"], at("order_shell"), 0, 2)
        if "structure_order" in g:
            from ..montecarlo import stencil
            p_rows = len(stencil(L).shells[shell])
            a = _dataset(g, "structure_order", f"{name}/structure_order")
            if a.ndim != 4 or a.shape[0] not in (0, m) or (a.shape[0] and a.shape[1:] != (p_rows, n, n)):
                raise StoredFieldError(f"{name}/structure_order", f"shape {a.shape}", f"none, or one row per "
                                       f"measured sweep ({m}) of shape ({p_rows}, {n}, {n}) (order shell {shell})")
    for key in SERIES:
        a = _dataset(g, key, f"{name}/{key}")
        if a.ndim == 0 or a.shape[0] != m or a.shape[1:] not in trailing[key]:
            raise StoredFieldError(f"{name}/{key}", f"shape {a.shape}", f"one row per measured sweep: {m} rows "
                                   f"({sweep} sweeps done, {therm} thermalising) of shape "
                                   + " or ".join(str(s) for s in trailing[key]))


#: Relative agreement of a stored energy with the energy of the stored spins (both double precision sums).
ENERGY_RTOL = 1e-8


def check_energies(states, model) -> None:
    """The energy each chain recorded after its last sweep is the energy of
    its stored spins under the stored model: a changed model, medium,
    cutoff or k = 0 convention, or rotated spins, is refused (shapes and
    ranges cannot see those)."""
    from ..montecarlo._lattice import lattice_energy
    n = model.n_components
    for i, st in enumerate(states):
        if st.last_energy is None:
            continue
        s = st.spins()
        e = lattice_energy(model.kernel, s.reshape(model.L, model.L, model.L, n)) \
            - float(np.sum(s @ st.params.field_vector(n)))
        if not abs(e - st.last_energy) <= ENERGY_RTOL * (abs(e) + model.n_sites):
            raise StoredFieldError(f"chain{i}.last_energy", st.last_energy,
                                   f"the energy of the stored spins under the stored parameters ({e:.12g}); the "
                                   "spins, the model or its parameters were changed")
