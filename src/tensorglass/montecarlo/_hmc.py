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

Cost: two FFT convolutions (:func:`fields`) per step, O(N log N).
The driver draws every random number (tangent momenta from standard
normals, the accept uniform, the trajectory-length jitter) and owns the
step-size adaptation (dual averaging, :class:`DualAveraging`), which runs
only during thermalisation and is then frozen.

Not a paper equation: the seeds (000-004) do not discuss sampling; this is
the Monte Carlo used to evaluate 004 Eqs. (18)-(20) beyond mean field.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from . import _hmc_kernels as _k
from ._lattice import LatticeKernel

TARGET_ACCEPTANCE = 0.8     # dual-averaging target (mean Metropolis acceptance probability)
MAX_STEPS = 1000            # guard against a degenerate step size (integrator steps per trajectory)
TWO_STAGE_B = 0.1932        # McLachlan (1995) minimum-error two-stage splitting coefficient
INTEGRATOR = f"two-stage b={TWO_STAGE_B}"   # recorded in every run's sampler state


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


def fields(kernel: LatticeKernel, spins, workers: int = 1):
    """``local_fields`` (the reference, in ``_lattice``) with the self term
    folded into k space (:attr:`LatticeKernel.pair_jk`) and the k-space
    product done by the fused kernel :func:`_hmc_kernels.fourier_multiply`;
    equal to it to round-off (tested).  Spins and fields: (L, L, L, n)."""
    L, n = kernel.L, kernel.n
    sk = sfft.rfftn(np.moveaxis(spins, -1, 0), axes=(1, 2, 3), workers=workers)
    hk = np.empty_like(sk)
    _k.fourier_multiply(kernel.pair_jk, sk.reshape(n, -1), hk.reshape(n, -1))
    return np.moveaxis(sfft.irfftn(hk, s=(L, L, L), axes=(1, 2, 3), workers=workers), 0, -1)


def _force(kernel, y, hext, beta, force, workers):
    """Tangent force at ``y`` into ``force`` ((N, n)); returns the energy."""
    n = kernel.n
    return _k.force_and_energy((fields(kernel, y, workers) + hext).reshape(-1, n), y.reshape(-1, n), hext, beta, force)


def integrate(kernel: LatticeKernel, y, v, force, beta, step_size, n_steps, hext, workers=1):
    """``n_steps`` two-stage steps of ``step_size`` (module docstring) from
    (y, v), changed in place: ``y`` (L, L, L, n) unit spins, ``v`` (N, n)
    tangent momenta, ``force`` (N, n) the force at ``y`` on entry and at
    the end on return.  Returns the energy at the end (None if n_steps = 0)."""
    n = kernel.n
    yf = y.reshape(-1, n)
    b, h = TWO_STAGE_B, step_size
    e = None
    for _ in range(n_steps):
        _k.kick_and_rotate(yf, v, force, b * h, 0.5 * h)
        _force(kernel, y, hext, beta, force, workers)
        _k.kick_and_rotate(yf, v, force, (1.0 - 2.0 * b) * h, 0.5 * h)
        e = _force(kernel, y, hext, beta, force, workers)
        _k.kick(v, force, b * h)
    return e


def hmc_step(kernel: LatticeKernel, spins, normals, uniform, beta, step_size, n_steps, hext, workers=1):
    """One geodesic HMC trajectory of ``n_steps`` integrator steps of
    ``step_size`` (:func:`integrate`).

    ``spins``: (L, L, L, n) unit vectors, changed in place when accepted
    (they are renormalised first, so any non-zero vectors are accepted as a
    start); ``normals``: pre-drawn standard normals of the same shape,
    projected onto the tangent planes to give the momenta; ``uniform``:
    one pre-drawn U(0,1); ``hext``: uniform site field (n-vector).
    Returns ``(accepted, energy, acceptance_probability)``; the energy is
    that of the state kept."""
    n = spins.shape[-1]
    s = spins / np.linalg.norm(spins, axis=-1, keepdims=True)
    hext = np.ascontiguousarray(hext, dtype=float)
    force = np.empty((s.size // n, n))
    e0 = _force(kernel, s, hext, beta, force, workers)
    v = np.array(normals, dtype=float).reshape(-1, n)
    k0 = _k.project_tangent(v, s.reshape(-1, n))
    y = s.copy()
    e1 = integrate(kernel, y, v, force, beta, step_size, n_steps, hext, workers)
    e1 = e0 if e1 is None else e1
    dh = beta * (e1 - e0) + 0.5 * float(np.sum(v * v)) - k0
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
