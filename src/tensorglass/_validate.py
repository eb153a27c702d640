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
import re
import stat

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
#: Temperature in coupling units (k_B = 1); above ~1e3 J every model is paramagnetic.  The lower
#: bound keeps 1/T and the 1/T^2 of the specific heat finite (T = 1e-310 gave beta = inf and C = inf);
#: below 1e-6 J every chain is frozen anyway (exp(-dE/T) underflows for dE > 1e-3 J).
T_RANGE = (1e-6, 1e3)
#: Lattice edge.
L_RANGE = (2, 4096)
SWEEPS_MAX = 10**9
#: Seeds are what numpy's SeedSequence and every stored format (HDF5 attributes, NetCDF) hold: 0 <= seed < 2^64.
SEED_MAX = 2**64 - 1
COMPONENTS_RANGE = (1, 64)
CUTOFF_RANGE = (0.0, 100.0)
CHECKPOINT_RANGE = (0.0, 1e6)
WORKERS_RANGE = (1, 1024)
#: Models whose number of spin components is fixed by the physics.
FIXED_COMPONENTS = {"bl6": 6, "coupled-blocks": 6, "elastic-dipole": 3}
#: The Monte Carlo models (montecarlo.MODELS; kept here so that validation imports no numba).
MODELS = ("bl6", "elastic-dipole", "coupled-blocks", "nn")
#: The samplers and k = 0 conventions (montecarlo.SAMPLERS, build_model's k0).
SAMPLERS = ("auto", "hmc", "metropolis", "local", "ising")
K0 = ("average", "zero")
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
    return number(name, T, *T_RANGE, unit="J", hint="temperature in coupling units, k_B = 1 (1/T must stay finite)")


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
    if p.get("sampler", "auto") not in SAMPLERS:
        raise ParameterError(flag("sampler"), p["sampler"], "one of " + ", ".join(SAMPLERS))
    if p.get("k0", "average") not in K0:
        raise ParameterError(flag("k0"), p["k0"], "one of " + ", ".join(K0))
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
    seed(p.get("seed", 0), flag("seed"))
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


# ---- paths, files, addresses, nesting ----------------------------------------

#: Linux limits: a path passed to the kernel (PATH_MAX, bytes, with its terminating NUL) and one name
#: between slashes (NAME_MAX, bytes) on every common file system.
PATH_MAX = 4096
NAME_MAX = 255


def shown_path(s: str, keep: int = 80) -> str:
    """A path short enough for a one-line error (middle elided)."""
    return s if len(s) <= keep else f"{s[:keep // 2]}...{s[-(keep // 2 - 3):]}"


def path_name(path, name: str) -> str:
    """``path`` as a string the operating system accepts: no NUL byte, at
    most PATH_MAX - 1 bytes and NAME_MAX bytes per name; checked before any
    file-system call, so that the error names the option (``--out``) instead
    of an ``ENAMETOOLONG`` about a path."""
    if path is None or str(path).strip() == "":
        raise ParameterError(name, "" if path is None else str(path), "a path", "give a file or folder name")
    s = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    if "\0" in s:
        raise ParameterError(name, shown_path(s.replace("\0", "\\0")), "a path without NUL bytes", "remove the NUL byte")
    b = os.fsencode(s)
    if len(b) >= PATH_MAX:
        raise ParameterError(name, shown_path(s), f"a path of at most {PATH_MAX - 1} bytes (it has {len(b)})",
                             "choose a shorter path (e.g. run from a folder nearer to it and give a relative path)")
    longest = max(b.split(b"/"), key=len)
    if len(longest) > NAME_MAX:
        raise ParameterError(name, shown_path(s), f"names of at most {NAME_MAX} bytes between slashes "
                             f"(one has {len(longest)})", "shorten that name")
    return s


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, what in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return "not a regular file"


def input_file(path, name: str, hint: str = "") -> str:
    """``path`` as an existing regular file (symbolic links followed).

    Refused at once, without opening it: a missing path, a directory, and
    FIFOs, devices and sockets (reading those can block forever or never
    end)."""
    s = path_name(path, name)
    try:
        st = os.stat(s)
    except FileNotFoundError:
        raise ParameterError(name, s, "an existing file (no such file)", hint or "check the path") from None
    except OSError as exc:
        raise ParameterError(name, s, "a readable file", f"cannot look at it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ParameterError(name, s, f"a regular file (it is {file_kind(st.st_mode)})", hint or "give a file's path")
    return s


def is_regular_file(path) -> bool:
    """True for an existing regular file (never opens it, never raises)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
                      r":(?P<port>\d{1,5})/?$")
#: Dask's network protocols (``inproc://`` addresses only work inside one process).
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def scheduler_address(address, name: str = "--scheduler") -> str | None:
    """A Dask scheduler address ``[tcp://]host:port`` (None: start a local
    cluster).  An empty or blank address is an error, not "local"."""
    if address is None:
        return None
    s = str(address).strip()
    m = _ADDRESS.match(s)
    ok = m is not None and (m["scheme"] is None or m["scheme"] in SCHEDULER_SCHEMES) and 1 <= int(m["port"]) <= 65535
    if not ok:
        hint = ("drop --scheduler to start a local cluster" if not s else
                "the scheduler prints its address when it starts, e.g. tcp://10.0.0.5:8786; "
                "drop --scheduler for a local cluster")
        raise ParameterError(name, str(address), "a scheduler address host:port with a port from 1 to 65535 "
                             "(optionally tcp://, tls://, ws://, wss:// or ucx://)", hint)
    return s


def nesting_depth(obj, limit: int = 64) -> int:
    """How deeply lists and dicts nest in ``obj`` (a scalar: 0), counted
    without recursion; stops counting at ``limit + 1``."""
    depth, stack = 0, [(obj, 0)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, (list, tuple, dict)):
            d += 1
            depth = max(depth, d)
            if depth > limit:
                return depth
            stack.extend((v, d) for v in (x.values() if isinstance(x, dict) else x))
    return depth


def seed(value, name: str = "seed") -> int:
    return integer(name, value, 0, SEED_MAX, hint="a seed 0 <= seed < 2^64 (numpy SeedSequence)")


#: Parameters whose meaning is the same in every kind of sweep point: name -> check.
COMMON_PARAMETERS = {
    "temperature": temperature, "t_lo": temperature, "t_hi": temperature,
    "sweeps": lambda v, n: integer(n, v, 1, SWEEPS_MAX),
    "seed": seed, "disorder_seed": seed,
    "chains": lambda v, n: integer(n, v, 1, 64, hint="independent chains (4 recommended)"),
    "replicas": lambda v, n: integer(n, v, 1, 64),
    "n_t": lambda v, n: integer(n, v, 2, 256, hint="temperatures of a parallel-tempering grid"),
    "poisson": poisson,
    "cutoff": lambda v, n: number(n, v, *CUTOFF_RANGE, unit="lattice units"),
    "ln_r_over_l1": ln_r_over_l1, "ell": ln_r_over_l1,
    "rho": density,
}


def point_parameters(p: dict, names: dict | None = None, available: int | None = None) -> dict:
    """Checks of a sweep point of a kind registered outside the sweeps (a
    study's): every parameter in :data:`COMMON_PARAMETERS` present in ``p``,
    ``t_lo < t_hi``, and, where the kind has a
    lattice (``L``), the lattice of a Monte Carlo run: model, medium,
    components and the memory of L^3 sites (the same checks as ``mc run``).
    ``names`` maps a key to the name shown."""
    flag = (lambda k: k) if names is None else (lambda k: names.get(k, k))
    for k, check in COMMON_PARAMETERS.items():
        if p.get(k) is not None:
            check(p[k], flag(k))
    if p.get("t_lo") is not None and p.get("t_hi") is not None and not p["t_lo"] < p["t_hi"]:
        raise ParameterError(flag("t_hi"), p["t_hi"], f"t_hi > t_lo = {p['t_lo']}")
    if p.get("thermalize") is not None:  # (within or before the sweeps, depending on the kind)
        integer(flag("thermalize"), p["thermalize"], 0, SWEEPS_MAX)
    if p.get("L") is not None:
        q = {k: p[k] for k in ("model", "L", "components", "c_l", "c_t", "poisson", "cutoff", "sampler", "overrelax",
                               "k0") if p.get(k) is not None}
        q = {"model": "bl6", "sweeps": p.get("sweeps", 100), "thermalize": p.get("thermalize", 0), **q}
        key = next((k for k in ("temperature", "t_lo", "t_hi") if p.get(k) is not None), None)
        mc_parameters({**q, "temperature": 1.0 if key is None else p[key]}, available=available,
                      flag=lambda k: flag(key if k == "temperature" and key is not None else k))
    return p
