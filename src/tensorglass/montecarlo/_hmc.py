"""Exact hybrid Monte Carlo on the product of spheres, with FFT forces.

The chain samples ``p(s) ~ exp(-beta H(s))`` with every spin ``s_i`` a unit
n-vector (n >= 2).  It is geodesic HMC (Byrne & Girolami, Scand. J. Stat.
40, 825 (2013); the sphere case of their Sec. 3): each spin carries a
momentum ``v_i`` in its tangent plane (``v_i . s_i = 0``), drawn from the
standard Gaussian of that plane, and the fictitious Hamiltonian is
``beta H(s) + sum_i |v_i|^2 / 2``.  The integrator splits the flow into
kicks ``v += c F``, with ``F_i = beta (h_i - (h_i.s_i) s_i)`` the tangent
force (``h_i`` the exact local field incl. the site field), and exact
geodesic flows for a time t (each (s_i, v_i) rotates in its own plane by
the angle ``|v_i| t``, a great circle at constant speed).  One step of
size ``eps`` is the two-stage symmetric splitting

    kick(b eps)  flow(eps/2)  kick((1-2b) eps)  flow(eps/2)  kick(b eps),

b = :data:`TWO_STAGE_B` = 0.1932, McLachlan's minimum-error choice
(R. I. McLachlan, SIAM J. Sci. Comput. 16, 151 (1995)); for HMC see
Blanes, Casas & Sanz-Serna, SIAM J. Sci. Comput. 36, A1556 (2014).  With
b = 1/4 it would be two leapfrog steps of eps/2, at the same cost; at
b = 0.1932 the energy error of a trajectory is 1.6x smaller (bl6, L = 4;
tested), so at the same acceptance the step is about 1.25x longer and a
trajectory costs fewer field evaluations (bl6 near T_c: 1.3x fewer CPU-s
per trajectory at L = 16; docs/notes/mc_speed.md).

Every stage is volume-preserving (Hausdorff measure of the product of
spheres and its tangent bundle) and the composition is symmetric, hence
time-reversible (tested), so the Metropolis test on the exact change of
the fictitious Hamiltonian makes the chain obey detailed balance exactly.
Unlike the earlier embedding ``s = x/|x|`` with radial weight
``exp(-|x|^2/2)``, there is no radial coordinate: no origin singularity
(whose 1/|x| force froze n = 2 chains), no stiff radial mode limiting the
step.

Cost: two FFT convolutions (:func:`_pair_fields`) per step, O(N log N),
with FFTW (pyfftw) where it is installed, else scipy.fft.
The driver draws every random number (tangent momenta from standard
normals, the accept uniform, the trajectory-length jitter) and owns the
step-size adaptation (dual averaging, :class:`DualAveraging`), which runs
only during thermalisation and is then frozen.

Kinetic energy.  Besides the Gaussian ``|v_i|^2/2``, the linear kinetic
energy ``K = sum_i |v_i|`` is available (``kinetic="linear"``; the default
for n >= 4, :func:`default_kinetic`).  Its momenta have the density
``exp(-|v_i|)`` on each tangent plane: a uniform direction and a length
drawn from Gamma(n - 1, 1) by the driver.  Its free flow is the same
geodesic rotation at unit angular speed, whatever |v_i|, so it is as exact,
reversible and volume-preserving.  Why: the fictitious energy
``beta H + K`` is conserved along a trajectory and changes only when the
momenta are redrawn, so the potential energy moves by about the spread of
K per trajectory.  Per spin, the Gaussian K has variance (n - 1)/2 and the
linear one n - 1; near T_c, where the specific heat is large, that bound
made the energy the slowest observable of the Gaussian chain (bl6, L = 16:
tau_int(E) 3-4 trajectories whatever their length).  With the linear K the
energy decorrelates in 1-2 trajectories, so longer trajectories (default
time 8 against 2, :data:`DEFAULT_TRAJECTORY`) pay off for the slow
ordering mode.  For bl6 near T_c the linear chain gave 1.3-2.4x the ESS/s
of the Gaussian one at L = 16 and 1.3x at L = 32 (thermalised); in the
paramagnet (2 T_c), where the specific heat is small and the bound is not
active, the Gaussian gives about 2x (benchmarks/mc_speed.py;
docs/notes/mc_speed.md).  On the choice of kinetic
energy in HMC see Livingstone, Faulkner & Roberts, Biometrika 106, 303
(2019).  For n <= 3 the Gaussian stays the default: the linear K is not
smooth at v = 0, and a kick that takes a momentum through (near) zero
turns the spin's direction abruptly and costs energy error; the
probability of a short momentum, P(|v| < d) ~ d^(n-1)/(n-1)!, is small
only for n >= 4.

Not a paper equation: the seeds (000-004) do not discuss sampling; this is
the Monte Carlo used to evaluate 004 Eqs. (18)-(20) beyond mean field.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from scipy import fft as sfft

from . import _hmc_kernels as _k
from ._lattice import LatticeKernel

try:    # FFTW: the two real 3-d transforms of a field evaluation take a third of pocketfft's time (L = 32)
    import pyfftw
except ImportError:     # pragma: no cover - pyfftw is a dependency; without it scipy.fft (pocketfft) is used
    pyfftw = None

TARGET_ACCEPTANCE = 0.8     # dual-averaging target (mean Metropolis acceptance probability)
MAX_STEPS = 1000            # guard against a degenerate step size (integrator steps per trajectory)
TWO_STAGE_B = 0.1932        # McLachlan (1995) minimum-error two-stage splitting coefficient
INTEGRATOR = f"two-stage b={TWO_STAGE_B}"   # recorded in every run's sampler state
KINETIC_ENERGIES = ("gaussian", "linear")  # K = sum |v|^2 / 2, or K = sum |v| (module docstring)
#: default mean trajectory time per kinetic energy.  Gaussian: 2 (bl6 near T_c, L = 16: ESS/s 6.9 at 2 against
#: 2.0, 4.6-5.6 and 6.0 at 1, 3 and 4); linear (unit angular speed): 8 (L = 32: ESS/s 0.78, 0.90 and 0.66 at
#: 6, 8 and 12; L = 16, random starts: 11-13, 13-14 and 8 at 6, 8 and 10); docs/notes/mc_speed.md.
DEFAULT_TRAJECTORY = {"gaussian": 2.0, "linear": 8.0}


def default_kinetic(n: int) -> str:
    """The kinetic energy HMC uses by default for n-component spins:
    linear for n >= 4, Gaussian below (module docstring)."""
    return "linear" if n >= 4 else "gaussian"


def initial_step_size(kernel: LatticeKernel, beta: float, hext) -> float:
    """Step before tuning: ``1.2 N^(-1/4) / sqrt(1 + beta rho)``, with ``rho``
    the largest |eigenvalue| of J(k) plus |h_ext| (a bound of the local
    field, so ``beta rho`` bounds the squared angular frequency of a spin)
    and ``N^(-1/4)`` the usual HMC scaling that keeps the energy error of a
    trajectory O(1) as N grows.  The prefactor was fitted to tuned leapfrog
    steps (nn O(2), O(3), bl6, elastic-dipole at L = 8 and 16 lay at
    1.1-2.3); the two-stage steps tune longer still, so this start is
    conservative (acceptance above the target)."""
    rho = float(np.max(np.abs(np.linalg.eigvalsh(np.moveaxis(kernel.jk, (0, 1), (-2, -1))))))
    rho += float(np.linalg.norm(hext))
    return min(1.0, 1.2 * kernel.L ** (-0.75) / math.sqrt(1.0 + beta * rho))


class _FFTWPlan:
    """FFTW plans and aligned buffers for the field of (n, L, L, L) spins:
    forward real transform, k-space product, normalised inverse.  Planned
    with FFTW_ESTIMATE, which is deterministic (FFTW_MEASURE times
    candidates and may pick another algorithm, hence other round-off, in a
    resumed run; it was no faster here), single-threaded (the unit is CPU
    time).  One plan per thread and shape, kept in thread-local storage
    (freed with its thread): the buffers are reused."""

    _tls = threading.local()

    def __init__(self, n: int, L: int):
        real, half = (n, L, L, L), (n, L, L, L // 2 + 1)
        self.x = pyfftw.empty_aligned(real, dtype="float64")
        self.sk = pyfftw.empty_aligned(half, dtype="complex128")
        self.hk = pyfftw.empty_aligned(half, dtype="complex128")
        self.h = pyfftw.empty_aligned(real, dtype="float64")
        self.forward = pyfftw.FFTW(self.x, self.sk, axes=(1, 2, 3), direction="FFTW_FORWARD",
                                   flags=("FFTW_ESTIMATE",), threads=1)
        self.backward = pyfftw.FFTW(self.hk, self.h, axes=(1, 2, 3), direction="FFTW_BACKWARD",
                                    flags=("FFTW_ESTIMATE", "FFTW_DESTROY_INPUT"), threads=1)

    @classmethod
    def get(cls, n: int, L: int) -> "_FFTWPlan":
        plans = cls._tls.__dict__.setdefault("plans", {})
        if (n, L) not in plans:
            plans[(n, L)] = cls(n, L)
        return plans[(n, L)]


def _pair_fields(kernel: LatticeKernel, spins, workers: int = 1):
    """Pair fields of the spins (L, L, L, n), component-major (n, N) as
    the inverse FFT gives them: the self term is folded into k space
    (:attr:`LatticeKernel.pair_jk`) and the k-space product done by the
    fused kernel :func:`_hmc_kernels.fourier_multiply`.  With FFTW the
    result is the plan's buffer, overwritten by the next call on this
    thread (the integrator consumes it at once); ``workers`` > 1 (threads)
    uses scipy.fft."""
    L, n = kernel.L, kernel.n
    if pyfftw is not None and workers == 1:
        plan = _FFTWPlan.get(n, L)
        plan.x[...] = np.moveaxis(spins, -1, 0)
        plan.forward()
        _k.fourier_multiply(kernel.pair_jk, plan.sk.reshape(n, -1), plan.hk.reshape(n, -1))
        return plan.backward().reshape(n, -1)       # FFTW's __call__ normalises the inverse by 1/N
    sk = sfft.rfftn(np.moveaxis(spins, -1, 0), axes=(1, 2, 3), workers=workers)
    hk = np.empty_like(sk)
    _k.fourier_multiply(kernel.pair_jk, sk.reshape(n, -1), hk.reshape(n, -1))
    return sfft.irfftn(hk, s=(L, L, L), axes=(1, 2, 3), workers=workers, overwrite_x=True).reshape(n, -1)


def fields(kernel: LatticeKernel, spins, workers: int = 1):
    """``local_fields`` (the reference, in ``_lattice``) as the HMC computes
    them (:func:`_pair_fields`, a copy); equal to it to round-off (tested,
    with FFTW and with scipy.fft).  Spins and fields: (L, L, L, n)."""
    return np.array(_pair_fields(kernel, spins, workers).T.reshape(spins.shape))


def integrate(kernel: LatticeKernel, y, v, beta, step_size, n_steps, hext, workers=1, unit_speed=False):
    """``n_steps`` two-stage steps of ``step_size`` (module docstring) from
    (y, v), changed in place: ``y`` (L, L, L, n) unit spins, ``v`` (N, n)
    tangent momenta; ``unit_speed`` for the linear kinetic energy.  The
    last kick of a step and the first of the next, at the same spins, are
    merged into one, and each field evaluation is fused with the kick and
    flow that follow it (:func:`_hmc_kernels.force_kick_rotate`): 1 + 2
    n_steps FFT field evaluations per trajectory.  Returns the energies at
    the start and at the end."""
    n = kernel.n
    yf = y.reshape(-1, n)
    b, h = TWO_STAGE_B, step_size

    def stage(kick, time):
        return _k.force_kick_rotate(_pair_fields(kernel, y, workers), hext, yf, v, beta, kick, time, unit_speed)

    e0 = e = stage(b * h, 0.5 * h) if n_steps else stage(0.0, 0.0)
    for i in range(n_steps):
        stage((1.0 - 2.0 * b) * h, 0.5 * h)
        last = i == n_steps - 1
        e = stage(b * h if last else 2.0 * b * h, 0.0 if last else 0.5 * h)
    return e0, e


def hmc_step(kernel: LatticeKernel, spins, normals, uniform, beta, step_size, n_steps, hext, workers=1,
             magnitudes=None):
    """One geodesic HMC trajectory of ``n_steps`` integrator steps of
    ``step_size`` (:func:`integrate`).

    ``spins``: (L, L, L, n) unit vectors, changed in place when accepted
    (they are renormalised first, so any non-zero vectors are accepted as a
    start); ``normals``: pre-drawn standard normals of the same shape,
    projected onto the tangent planes to give the momenta; ``uniform``:
    one pre-drawn U(0,1); ``hext``: uniform site field (n-vector).
    ``magnitudes``: None for the Gaussian kinetic energy; for the linear
    one, N pre-drawn Gamma(n - 1, 1) momentum lengths (the projected
    normals then give only the directions).
    Returns ``(accepted, energy, acceptance_probability)``; the energy is
    that of the state kept."""
    n = spins.shape[-1]
    s = spins / np.linalg.norm(spins, axis=-1, keepdims=True)
    hext = np.ascontiguousarray(hext, dtype=float)
    v = np.array(normals, dtype=float).reshape(-1, n)
    k0 = _k.project_tangent(v, s.reshape(-1, n))
    linear = magnitudes is not None
    if linear:
        r = np.asarray(magnitudes, dtype=float)
        v *= (r / np.maximum(np.linalg.norm(v, axis=1), np.finfo(float).tiny))[:, None]
        k0 = float(np.sum(r))
    y = s.copy()
    e0, e1 = integrate(kernel, y, v, beta, step_size, n_steps, hext, workers, unit_speed=linear)
    k1 = float(np.sum(np.linalg.norm(v, axis=1))) if linear else 0.5 * float(np.sum(v * v))
    dh = beta * (e1 - e0) + k1 - k0
    prob = math.exp(min(0.0, -dh)) if np.isfinite(dh) else 0.0
    if uniform < prob:
        spins[...] = y
        return True, e1, prob
    spins[...] = s
    return False, e0, prob


class DualAveraging:
    """Step-size adaptation of Hoffman & Gelman, JMLR 15, 1593 (2014),
    Algorithm 5 (gamma = 0.05, t0 = 10, kappa = 0.75, mu = log(10 eps0)),
    targeting the mean acceptance probability :data:`TARGET_ACCEPTANCE`.
    Its state is a plain dict of floats so that checkpoints keep it exactly
    (JSON round-trips Python floats bit-exactly)."""

    GAMMA, T0, KAPPA = 0.05, 10.0, 0.75

    @staticmethod
    def start(eps0: float) -> dict:
        return {"mu": math.log(10.0 * eps0), "log_eps": math.log(eps0), "log_eps_bar": 0.0, "h_bar": 0.0, "m": 0}

    @classmethod
    def update(cls, st: dict, acceptance_probability: float) -> None:
        m = st["m"] + 1
        eta = 1.0 / (m + cls.T0)
        st["h_bar"] = (1.0 - eta) * st["h_bar"] + eta * (TARGET_ACCEPTANCE - acceptance_probability)
        st["log_eps"] = st["mu"] - math.sqrt(m) / cls.GAMMA * st["h_bar"]
        w = m ** (-cls.KAPPA)
        st["log_eps_bar"] = w * st["log_eps"] + (1.0 - w) * st["log_eps_bar"]
        st["m"] = m


def integrator_steps(trajectory: float, step_size: float, jitter: float) -> int:
    """Number of steps for a trajectory of time ``trajectory * (0.5 + jitter)``
    (``jitter`` ~ U(0,1) from the driver): random lengths avoid the
    periodicities that make fixed-length HMC non-ergodic."""
    return max(1, min(MAX_STEPS, math.ceil(trajectory * (0.5 + jitter) / step_size)))
