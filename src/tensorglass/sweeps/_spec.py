"""Sweep specifications (TOML): what to compute and over which grid.

    compute = "predict"        # "predict", "flow" or "mc"
    seed = 20261122            # root of numpy SeedSequence; each point gets its own child
    combine = "product"        # "product" or "zip"
    outputs = ["critical_strains.dilation", "gamma_ratio"]   # optional subset

    [grid]                     # lists, ranges or named materials
    material = ["a-SiO2", "BK7"]
    ln_r_over_l1 = { start = 10.0, stop = 30.0, num = 5 }   # or {start, stop, step}

    [fixed]                    # parameters shared by every point
    method = "published"
"""

from __future__ import annotations

import itertools
import json
import math
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import TensorglassError

COMPUTES = ("predict", "flow", "mc")
#: Points per store (and values per range); the size is computed from the
#: lengths, never by building the grid.
MAX_POINTS = 1_000_000

#: Parameters each kind of point accepts (grid or fixed), with their types.
PARAMETERS = {
    "predict": {"material": str, "c_l": float, "c_t": float, "rho": float, "ln_r_over_l1": float, "method": str},
    "flow": {"material": str, "alpha": float, "c_l": float, "c_t": float, "k_ratio": float, "im_chi_l1_l": float,
             "im_chi_l1_t": float, "n0": int, "ell": float, "k_l_over_k_t": float},
    "mc": {"model": str, "L": int, "temperature": float, "sweeps": int, "sampler": str, "components": int,
           "c_l": float, "c_t": float, "poisson": float, "k0": str, "cutoff": float, "thermalize": int,
           "material": str, "chains": int},
}


#: Extra checks of registered kinds of point: name -> callable(params: dict) raising ParameterError.
CHECKS: dict = {}


def register_compute(name: str, target: str, parameters: dict, outputs: dict, with_errors=(), check=None) -> None:
    """Make a new kind of sweep point available.  The engine knows no kinds
    but its own (:data:`COMPUTES`); a higher floor (the studies) registers its
    kinds when it is imported, and only then can a spec or store name them.

    ``target`` is ``"tensorglass.module:function"``; the function takes
    ``(params: dict, seed: int)`` and returns a dict with every name of
    ``outputs`` (and ``name + "_error"`` for those in ``with_errors``), plus
    an optional ``"_extra"`` dict of non-scalar results (JSON-able), which is
    kept in the point record.  ``outputs`` maps names to units.  Every point
    of the kind passes :func:`tensorglass._validate.point_parameters` (the
    parameters every kind shares: lattice, temperatures, sweeps, seeds)
    and ``check(params)``, if given, before anything is submitted."""
    from ._compute import OUTPUTS, TARGETS, WITH_ERRORS
    if not target.startswith("tensorglass.") or ":" not in target:
        raise ValueError(f"target {target!r}: need 'tensorglass.module:function'")
    PARAMETERS[name] = dict(parameters)
    OUTPUTS[name] = dict(outputs)
    TARGETS[name] = target
    WITH_ERRORS.update(with_errors)
    if check is not None:
        CHECKS[name] = check


def _known_computes():
    """The engine's own kinds and those registered so far (:func:`register_compute`)."""
    return tuple(PARAMETERS)


class SpecError(TensorglassError, ValueError):
    """A sweep specification that cannot be run."""


@dataclass(frozen=True)
class SweepSpec:
    compute: str
    seed: int
    combine: str
    grid: dict          # name -> list of values, in spec order
    fixed: dict
    outputs: tuple

    def canonical(self) -> str:
        """A canonical JSON text; two specs describe the same sweep iff equal.
        The grid keeps its order (it fixes the point numbering and the
        dataset's dimension order), so it is stored as a list of pairs."""
        return json.dumps({"compute": self.compute, "seed": self.seed, "combine": self.combine,
                           "grid": [[k, v] for k, v in self.grid.items()],
                           "fixed": dict(sorted(self.fixed.items())), "outputs": list(self.outputs)})

    @property
    def n_points(self) -> int:
        """Number of points, computed from the grid lengths."""
        return math.prod(self.shape())

    def iter_points(self):
        names = list(self.grid)
        rows = zip(*[self.grid[n] for n in names]) if self.combine == "zip" else \
            itertools.product(*[self.grid[n] for n in names])
        for r in rows:
            yield dict(zip(names, r))

    def points(self) -> list[dict]:
        names = list(self.grid)
        if self.combine == "zip":
            rows = zip(*[self.grid[n] for n in names])
        else:
            rows = itertools.product(*[self.grid[n] for n in names])
        return [dict(zip(names, r)) for r in rows]

    def shape(self) -> tuple:
        if self.combine == "zip":
            return (len(next(iter(self.grid.values()))),)
        return tuple(len(v) for v in self.grid.values())

    def seeds(self) -> list[int]:
        """One independent seed per point from ``SeedSequence(seed)``: the
        result of a point does not depend on scheduling or worker count."""
        n = self.n_points
        return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in np.random.SeedSequence(self.seed).spawn(n)]


def _clean(v: float) -> float:
    """A range value rounded to 12 significant digits: 0.15, not
    0.15000000000000002 (the inputs of a range are decimals typed by a user)."""
    return float(f"{v:.12g}")


def _range(name, raw, origin):
    """The values of ``{start, stop, num}`` or ``{start, stop, step}``; the
    count is checked before anything is built."""
    keys = set(raw)
    try:
        if keys not in ({"start", "stop", "num"}, {"start", "stop", "step"}):
            raise ValueError(f"a range needs start, stop and num (or step), got {sorted(keys)}")
        start, stop = float(raw["start"]), float(raw["stop"])
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise ValueError("start and stop must be finite")
        if "num" in keys:
            num = raw["num"]
            if isinstance(num, bool) or not isinstance(num, int) or not 1 <= num <= MAX_POINTS:
                raise ValueError(f"num must be an integer 1 <= num <= {MAX_POINTS:,}")
            return [_clean(v) for v in np.linspace(start, stop, num).tolist()]
        step = float(raw["step"])
        if not (math.isfinite(step) and step > 0):
            raise ValueError("step must be a finite number > 0")
        if stop < start:
            raise ValueError("stop must be >= start")
        count = math.floor((stop - start) / step + 0.5) + 1
        if count > MAX_POINTS:
            raise ValueError(f"{count:.3g} values; at most {MAX_POINTS:,} per range")
        vals = [_clean(start + i * step) for i in range(count)]
        return vals
    except (TypeError, ValueError, OverflowError) as exc:
        raise SpecError(f"{origin}: grid.{name} = {raw!r}: {exc}") from None


def _values(name, raw, typ, origin):
    if isinstance(raw, dict):
        vals = _range(name, raw, origin)
    elif isinstance(raw, list):
        vals = raw
    else:
        vals = [raw]
    if not vals:
        raise SpecError(f"{origin}: grid.{name} is empty; give at least one value")
    out = []
    for v in vals:
        try:
            if typ is int:
                if isinstance(v, bool) or (isinstance(v, float) and not v.is_integer()):
                    raise ValueError
                v = int(v)
            elif typ is float:
                if isinstance(v, bool):
                    raise ValueError
                v = float(v)
                if not math.isfinite(v):
                    raise ValueError
            elif not isinstance(v, str):
                raise ValueError
        except (TypeError, ValueError):
            raise SpecError(f"{origin}: {name} = {v!r} is not a valid {typ.__name__}") from None
        out.append(v)
    return out


def load_spec(path) -> SweepSpec:
    """Read and validate a TOML spec; every problem is one line naming the
    key, its value and what is allowed."""
    from .._validate import file_kind, path_name
    p = Path(path_name(path, "spec"))
    try:
        mode = os.stat(p).st_mode
        if not stat.S_ISREG(mode):  # a FIFO or device would block the read forever
            raise SpecError(f"spec {p}: need a regular TOML file (it is {file_kind(mode)}); give the spec's path")
        raw = tomllib.loads(p.read_text())
    except FileNotFoundError:
        raise SpecError(f"spec {p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"spec {p}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"spec {p}: not valid TOML ({exc})") from None
    except RecursionError:
        raise SpecError(f"spec {p}: arrays or tables nested too deeply to read; "
                        "a spec needs flat lists of values") from None
    return parse_spec(raw, str(p))


def parse_spec(raw: dict, origin: str = "spec") -> SweepSpec:
    allowed_top = {"compute", "seed", "combine", "grid", "fixed", "outputs"}
    extra = set(raw) - allowed_top
    if extra:
        raise SpecError(f"{origin}: unknown keys {sorted(extra)}; allowed: {sorted(allowed_top)}")
    compute = raw.get("compute")
    if compute not in _known_computes():
        raise SpecError(f"{origin}: compute = {compute!r} is not allowed; need one of {', '.join(_known_computes())} "
                        "(a study's kinds of point are known once the study is imported, e.g. by `tensorglass study`)")
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise SpecError(f"{origin}: seed = {seed!r} is not allowed; need an integer 0 <= seed < 2^64 "
                        "(what numpy's SeedSequence and the dataset's attributes hold)")
    combine = raw.get("combine", "product")
    if combine not in ("product", "zip"):
        raise SpecError(f"{origin}: combine = {combine!r} is not allowed; need 'product' or 'zip'")
    grid_raw = raw.get("grid")
    if isinstance(grid_raw, list) and all(isinstance(x, list) and len(x) == 2 for x in grid_raw):
        grid_raw = {k: v for k, v in grid_raw}  # the canonical (stored) form
    if not isinstance(grid_raw, dict) or not grid_raw:
        raise SpecError(f"{origin}: [grid] is missing or empty; give at least one parameter to vary")
    fixed_raw = raw.get("fixed", {})
    if not isinstance(fixed_raw, dict):
        raise SpecError(f"{origin}: [fixed] must be a table")
    params = PARAMETERS[compute]
    from .._validate import nesting_depth
    for table, entries in (("grid", grid_raw), ("fixed", fixed_raw)):
        for name, val in entries.items():
            depth = nesting_depth(val, 8)
            if depth > 1:
                raise SpecError(f"{origin}: {table}.{name} holds arrays or tables nested {depth}"
                                f"{'+' if depth > 8 else ''} deep; need "
                                + ("a value, a flat list of values or a range {start, stop, num}"
                                   if table == "grid" else "one value"))
    grid, fixed = {}, {}
    for name, val in grid_raw.items():
        if name not in params:
            raise SpecError(f"{origin}: grid.{name} is not a parameter of '{compute}'; allowed: {', '.join(params)}")
        grid[name] = _values(name, val, params[name], origin)
    for name, val in fixed_raw.items():
        if name not in params:
            raise SpecError(f"{origin}: fixed.{name} is not a parameter of '{compute}'; allowed: {', '.join(params)}")
        if name in grid:
            raise SpecError(f"{origin}: {name} is both in [grid] and [fixed]; keep one")
        fixed[name] = _values(name, val, params[name], origin)[0]
    if combine == "zip":
        lengths = {k: len(v) for k, v in grid.items()}
        if len(set(lengths.values())) > 1:
            raise SpecError(f"{origin}: combine = 'zip' needs grid lists of equal length, got {lengths}")
    if "material" in grid or "material" in fixed:
        from ..materials import builtin_materials
        names = {m.name.lower(): m for m in builtin_materials()}
        for v in grid.get("material", []) + ([fixed["material"]] if "material" in fixed else []):
            if v.lower() not in names:
                raise SpecError(f"{origin}: material = {v!r} is not built in; need one of "
                                + ", ".join(m.name for m in names.values()))
            if names[v.lower()].c_t is None:
                raise SpecError(f"{origin}: material = {v!r} has no transverse velocity in the seeds")
    outputs = raw.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
        raise SpecError(f"{origin}: outputs must be a list of names")
    from ._compute import OUTPUTS
    unknown = [o for o in outputs if o not in OUTPUTS[compute]]
    if unknown:
        raise SpecError(f"{origin}: outputs {unknown} are not outputs of '{compute}'; allowed: "
                        + ", ".join(OUTPUTS[compute]))
    spec = SweepSpec(compute, seed, combine, grid, fixed, tuple(outputs) or tuple(OUTPUTS[compute]))
    n = spec.n_points
    if n > MAX_POINTS:
        raise SpecError(f"{origin}: grid = {n:.3g} points is not allowed: need at most {MAX_POINTS:,} points per "
                        "store; split the sweep into several specs or use coarser ranges")
    return spec


def check_points(spec: SweepSpec, origin: str = "spec") -> int:
    """Check every point of the grid with the same checks as the single
    command (``predict``, ``mc run``) before anything is submitted; raise a
    :class:`SpecError` naming the first bad point.  Returns the point count."""
    from .. import _validate
    from ..errors import ParameterError
    available = _validate.available_memory()
    check = {"predict": _check_predict, "flow": _check_flow, "mc": _check_mc}.get(spec.compute)
    if check is None:  # a kind of point registered by the studies: the shared parameters and its own check
        extra = CHECKS.get(spec.compute)

        def check(p, available):
            _validate.point_parameters(p, available=available)
            if extra is not None:
                extra(p)
    for i, pt in enumerate(spec.iter_points()):
        try:
            check({**spec.fixed, **pt}, available)
        except ParameterError as exc:
            shown = ", ".join(f"{k} = {v!r}" for k, v in pt.items())
            raise SpecError(f"{origin}: grid point {i} ({shown}): {exc}; fix the grid so that every point is valid") \
                from None
    return spec.n_points


def _material_velocities(p):
    if "material" in p:
        from ..materials import get_material
        m = get_material(p["material"])
        return m.c_l, m.c_t, ("c_l", "c_t")
    if p.get("c_l") is None or p.get("c_t") is None:
        from ..errors import ParameterError
        raise ParameterError("c_t" if p.get("c_l") is not None else "c_l", None, "material, or both c_l and c_t")
    return p["c_l"], p["c_t"], ("c_l", "c_t")


def _check_predict(p, available):
    from .. import _validate
    from ..avalanche._critical import check_method
    c_l, c_t, names = _material_velocities(p)
    _validate.predict_parameters(c_l, c_t, p.get("rho"), p.get("ln_r_over_l1", 20.0),
                                 (*names, "rho", "ln_r_over_l1"))
    check_method(p.get("method", "published"))


def _check_flow(p, available):
    from .. import _validate
    from ..renormalization import im_chi_flow
    from ..tensors import alpha_from_velocities
    if "alpha" in p:
        if "c_l" in p or "c_t" in p or "material" in p:
            from ..errors import ParameterError
            raise ParameterError("alpha", p["alpha"], "either alpha or the velocities (material, c_l/c_t), not both")
        alpha = p["alpha"]
    else:
        c_l, c_t, names = _material_velocities(p)
        alpha = alpha_from_velocities(*_validate.velocities(c_l, c_t, names))
    _validate.ln_r_over_l1(p.get("ell", 20.0), "ell")
    _validate.integer("n0", p.get("n0", 2), 2, 10**6)
    for k in ("k_ratio", "im_chi_l1_l", "im_chi_l1_t", "k_l_over_k_t"):
        if k in p:
            _validate.number(k, p[k], -1e6, 1e6)
    # the flow itself is cheap (at most a few hundred steps): run its own checks
    im_chi_flow(alpha, p.get("k_ratio", -1.0), p.get("im_chi_l1_l", 0.5), p.get("im_chi_l1_t", 0.5),
                p.get("n0", 2), p.get("ell", 20.0), p.get("k_l_over_k_t", 1.0))


def _check_mc(p, available):
    from .. import _validate
    q = {**{"model": "bl6", "L": 4, "temperature": 1.0, "sweeps": 100}, **p}
    if "material" in q:
        from ..materials import get_material
        m = get_material(q.pop("material"))
        q["c_l"], q["c_t"] = m.c_l, m.c_t
    _validate.mc_parameters(q, available=available)
