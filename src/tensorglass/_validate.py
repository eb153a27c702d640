"""Validation of user input shared by the command line and the sweeps.

Every check raises :class:`~tensorglass.errors.ParameterError` naming the
parameter, its value, the allowed range and what to do instead (one line), so
that bad input ends in exit status 2 and never in a traceback deep inside the
numerics (an ``OverflowError`` from ``c_l = 1e308``, a ``MemoryError`` from
``L = 10000``).  The bounds are physical ranges wide enough for every real
glass and every sensible simulation, not limits of the algorithms: they exist
so that nothing downstream overflows, underflows or exhausts memory.

Standard library only (the sweeps validate every grid point with these same
functions before anything is submitted).
"""

from __future__ import annotations

import math
import os

from .errors import ParameterError

#: Sound velocities in any one unit (km/s or m/s): 1e-6 ... 1e6 keeps every
#: square, ratio and product of the core finite.
VELOCITY_RANGE = (1e-6, 1e6)
#: Smallest c_t/c_l: below it alpha = 1 - c_t^2/c_l^2 is 1 to double precision (no shear rigidity).
MIN_CT_OVER_CL = 1e-6
#: Density in g/cm^3 (the densest element, osmium, is 22.6 g/cm^3).
RHO_RANGE = (1e-3, 30.0)
#: ln(R/L1): R/L1 between e and e^200.
ELL_RANGE = (0.0, 200.0)
#: Temperature in coupling units (k_B = 1); above ~1e3 J every model is paramagnetic.
T_RANGE = (0.0, 1e3)
#: Lattice edge.
L_RANGE = (2, 4096)
SWEEPS_MAX = 10**9
SEED_MAX = 2**63 - 1
COMPONENTS_RANGE = (1, 64)
CUTOFF_RANGE = (0.0, 100.0)
CHECKPOINT_RANGE = (0.0, 1e6)
WORKERS_RANGE = (1, 1024)
#: Models whose number of spin components is fixed by the physics.
FIXED_COMPONENTS = {"bl6": 6, "coupled-blocks": 6, "elastic-dipole": 3}
#: The Monte Carlo models (montecarlo.MODELS; kept here so that validation imports no numba).
MODELS = ("bl6", "elastic-dipole", "coupled-blocks", "nn")
#: Models defined by an elastic medium (--poisson or --cl/--ct).
MEDIUM_MODELS = ("bl6", "coupled-blocks")


def _show(v):
    return v if isinstance(v, (int, float, str, type(None))) else str(v)


def number(name, value, lo=None, hi=None, *, lo_open=False, hi_open=False, unit="", hint="") -> float:
    """``value`` as a finite float inside ``[lo, hi]`` (ends open as asked)."""
    try:
        ok_type = not isinstance(value, bool)
        v = float(value) if ok_type else math.nan
    except (TypeError, ValueError, OverflowError):
        v = math.nan
    u = f" {unit}" if unit else ""
    if lo is not None and hi is not None:
        rng = f"{lo:g}{u} {'<' if lo_open else '<='} {name} {'<' if hi_open else '<='} {hi:g}{u}"
    elif lo is not None:
        rng = f"{name} {'>' if lo_open else '>='} {lo:g}{u}"
    elif hi is not None:
        rng = f"{name} {'<' if hi_open else '<='} {hi:g}{u}"
    else:
        rng = "a finite number"
    if not math.isfinite(v):
        raise ParameterError(name, _show(value), f"a finite number, {rng}", hint)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ParameterError(name, _show(value), rng, hint)
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise ParameterError(name, _show(value), rng, hint)
    return v


def integer(name, value, lo=None, hi=None, hint="") -> int:
    """``value`` as an int inside ``[lo, hi]``."""
    rng = (f"an integer {lo} <= {name} <= {hi}" if lo is not None and hi is not None
           else f"an integer {name} >= {lo}" if lo is not None else "an integer")
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ParameterError(name, _show(value), rng, hint)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ParameterError(name, value, rng, hint)
    return int(value)


def velocities(c_l, c_t, names=("--cl", "--ct")):
    """Two sound velocities in one unit, each in VELOCITY_RANGE, with a
    positive bulk modulus (c_t/c_l < sqrt(3)/2)."""
    lo, hi = VELOCITY_RANGE
    hint = "velocities in km/s or m/s, both in the same unit"
    c_l = number(names[0], c_l, lo, hi, hint=hint)
    c_t = number(names[1], c_t, lo, hi, hint=hint)
    max_ratio = math.sqrt(3.0) / 2.0
    if c_t < MIN_CT_OVER_CL * c_l:
        raise ParameterError(names[1], c_t, f"{names[1]} >= {MIN_CT_OVER_CL:g} {names[0]} = {MIN_CT_OVER_CL * c_l:.4g} "
                             f"(c_t/c_l = {c_t / c_l:.3g}: a liquid, alpha = 1 - c_t^2/c_l^2 rounds to 1)",
                             "check the units: both velocities in the same unit")
    if c_t >= max_ratio * c_l:
        raise ParameterError(names[1], c_t, f"{names[1]} < (sqrt(3)/2) {names[0]} = {max_ratio * c_l:.4g} "
                             f"(c_t/c_l = {c_t / c_l:.3f} gives a negative bulk modulus; need c_t/c_l < {max_ratio:.4f})",
                             "check that c_l and c_t are not swapped")
    return c_l, c_t


def density(rho, name="--rho"):
    return number(name, rho, *RHO_RANGE, lo_open=False, unit="g/cm^3", hint="density in g/cm^3 (2500 kg/m^3 is 2.5)")


def ln_r_over_l1(ell, name="--ln-r-over-l1"):
    return number(name, ell, *ELL_RANGE, lo_open=True, hint="e.g. 20 for R = 1 m and L1 = 50 A")


def temperature(T, name="--T"):
    return number(name, T, *T_RANGE, lo_open=True, unit="J", hint="temperature in coupling units, k_B = 1")


def poisson(nu, name="--poisson"):
    return number(name, nu, -1.0, 0.5, lo_open=True, hi_open=True, hint="a Poisson ratio; glasses have 0.1-0.4")


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or ``None``."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def lattice_memory(L: int, n: int) -> int:
    """Estimated peak bytes of a Monte Carlo run on an L^3 lattice with n
    spin components: the kernel J(k) and J(r) (n x n per site, real), the
    complex FFT temporaries of the kernel build (n x n per site), wave
    vectors, spins, momenta and forces (n per site)."""
    sites = L**3
    return sites * (8 * (2 * n * n) + 16 * (2 * n * n) + 8 * 3 * 4 + 8 * 8 * n)


def lattice_size(L, n: int, name="--L", available: int | None = None) -> int:
    """L in L_RANGE and its memory estimate below what is available."""
    L = integer(name, L, *L_RANGE, hint="the lattice edge; L^3 sites")
    need = lattice_memory(L, n)
    avail = available_memory() if available is None else available
    if avail is not None and need > avail:
        biggest = L_RANGE[0]
        while lattice_memory(biggest + 1, n) <= avail and biggest < L_RANGE[1]:
            biggest += 1
        raise ParameterError(name, L, f"a lattice that fits in memory: L = {L} needs about {_bytes(need)}, "
                             f"{_bytes(avail)} is available", f"use --L {biggest} or less")
    return L


def _bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024


def mc_parameters(p: dict, flag=lambda k: k, available: int | None = None) -> dict:
    """Check one Monte Carlo run's parameters (the keys of ``RunParameters``:
    model, L, temperature, sweeps, seed, components, c_l, c_t, poisson,
    cutoff, thermalize, overrelax); ``flag`` maps a key to the name shown.
    Conflicting and irrelevant options are refused, not resolved."""
    model = p.get("model")
    if model not in MODELS:
        raise ParameterError(flag("model"), model, "one of " + ", ".join(MODELS))
    has_v = p.get("c_l") is not None or p.get("c_t") is not None
    if model in MEDIUM_MODELS:
        if p.get("poisson") is not None and has_v:
            raise ParameterError(flag("poisson"), p["poisson"], f"either {flag('poisson')} or {flag('c_l')}/{flag('c_t')}, "
                                 "not both", "give the medium once")
        if p.get("poisson") is None and not has_v:
            raise ParameterError(flag("poisson"), None, f"a medium for model {model}: {flag('poisson')} NU or "
                                 f"{flag('c_l')} CL {flag('c_t')} CT", "e.g. --poisson 0.2 (J_compr = J_shear)")
        if p.get("poisson") is not None:
            poisson(p["poisson"], flag("poisson"))
        else:
            if p.get("c_l") is None or p.get("c_t") is None:
                missing = "c_t" if p.get("c_t") is None else "c_l"
                raise ParameterError(flag(missing), None, f"both {flag('c_l')} and {flag('c_t')}, or {flag('poisson')}")
            velocities(p["c_l"], p["c_t"], (flag("c_l"), flag("c_t")))
    else:
        for k in ("poisson", "c_l", "c_t"):
            if p.get(k) is not None:
                raise ParameterError(flag(k), p[k], f"no elastic medium for model {model} (only for "
                                     + " and ".join(MEDIUM_MODELS) + ")", f"drop {flag(k)}")
    if model == "nn":
        n = 3 if p.get("components") is None else integer(flag("components"), p["components"], *COMPONENTS_RANGE)
    else:
        n = FIXED_COMPONENTS.get(model, 6)
        if p.get("components") is not None and p["components"] != n:
            raise ParameterError(flag("components"), p["components"], f"nothing (model {model} has {n} components)",
                                 f"drop {flag('components')}; it is for --model nn")
    lattice_size(p.get("L"), n, flag("L"), available)
    temperature(p.get("temperature"), flag("temperature"))
    sweeps = integer(flag("sweeps"), p.get("sweeps"), 1, SWEEPS_MAX)
    integer(flag("seed"), p.get("seed", 0), 0, SEED_MAX)
    therm = p.get("thermalize", 0)
    integer(flag("thermalize"), therm, 0, sweeps - 1, hint=f"fewer sweeps discarded than run ({sweeps})")
    if p.get("cutoff") is not None:
        number(flag("cutoff"), p["cutoff"], *CUTOFF_RANGE, unit="lattice units", hint="0 for a sharp zone edge")
    ov = p.get("overrelax", 0) or 0
    integer(flag("overrelax"), ov, 0, 1000)
    if ov and p.get("sampler", "auto") not in ("metropolis", "local"):
        raise ParameterError(flag("overrelax"), ov, "0 unless the sampler is metropolis or local",
                             "add --sampler local (or metropolis), or drop it")
    return p


def predict_parameters(c_l, c_t, rho=None, ell=None, names=("--cl", "--ct", "--rho", "--ln-r-over-l1")):
    velocities(c_l, c_t, names[:2])
    if rho is not None:
        density(rho, names[2])
    if ell is not None:
        ln_r_over_l1(ell, names[3])
