"""Static stress response at the phonon's wave vector (periodic blocks).

Blocks on an ``L^3`` periodic simple-cubic lattice (block side 1) with the
couplings of the ``coupled-blocks`` Monte Carlo model
(:func:`tensorglass.montecarlo.coupled_blocks_model`: ``J(k) = -2 Lambda(k)``
of 000 Eq. 2.14 with a Gaussian UV cutoff, the uniform mode set by
``k0``).  The static response to a stress field at wave vector k is

    S(k) = (beta/N) <T(k) T(-k)^T>,     T(k) = sum_s T_s e^{-i k.x_s},

and ``S_l(k) = e_l S e_l``, ``S_t(k) = e_t S e_t`` with the phonon's unit
strains of :func:`tensorglass.clusters._orders.phonon_strains`.  002's l/t
difference comes only from the kernel at the phonon's wave vector (002 Eqs.
C.19-C.23), so this is where a drift of ``S_l/S_t`` with ln(1/k) would show.

For Gaussian blocks with on-block ``chi0`` (a 6x6 matrix) the Boltzmann
weight is Gaussian and the response is exactly

    S(k) = (chi0^-1 - J_pair(k))^-1,     J_pair(k) = J(k) - J(r = 0)

(the self term is not part of H); its first order is the baseline
``chi0 + chi0 J_pair(k) chi0`` (001 Eq. 3.3 at finite k).  Both level off as
k -> 0 at a value set by the direction of k, because J(k) depends only on
khat there; the test suite checks the formula against dense linear algebra
on a small lattice.
"""

from __future__ import annotations

import numpy as np

from ._orders import phonon_strains


def pair_coupling_k(kernel, m):
    """``J_pair(k)`` (6x6) at ``k = 2 pi m / L`` from a
    :class:`tensorglass.montecarlo.LatticeKernel` (half spectrum): ``m`` is an
    integer triple with ``0 <= m_z <= L/2`` (use symmetry for the rest)."""
    L = kernel.L
    mx, my, mz = (int(v) % L for v in m)
    if mz > L // 2:
        raise ValueError("m_z must lie in the half spectrum 0..L/2")
    return kernel.jk[:, :, mx, my, mz] - kernel.self_coupling


def axis_modes(L):
    """Integer modes ``(m, 0, 0)``, m = 1..L/2, along a cube axis: kL = 2 pi m / L."""
    return [(m, 0, 0) for m in range(1, L // 2 + 1)]


def rpa_response(kernel, chi0, modes, khat=None):
    """``S_l, S_t`` of Gaussian blocks (exact) and their first-order baseline
    at the given integer modes.  ``chi0``: the on-block 6x6 chi (``beta C``).
    Returns a dict of arrays ``kL``, ``S_l``, ``S_t``, ``first_l``, ``first_t``."""
    chi0 = np.asarray(chi0, dtype=float)
    inv0 = np.linalg.inv(chi0)
    out = {k: [] for k in ("kL", "S_l", "S_t", "first_l", "first_t")}
    for m in modes:
        k = 2 * np.pi * np.asarray(m, dtype=float) / kernel.L
        el, et = phonon_strains(k if khat is None else khat)
        j = pair_coupling_k(kernel, m)
        s = np.linalg.inv(inv0 - j)
        f = chi0 + chi0 @ j @ chi0
        out["kL"].append(float(np.linalg.norm(k)))
        out["S_l"].append(float(el @ s @ el))
        out["S_t"].append(float(et @ s @ et))
        out["first_l"].append(float(el @ f @ el))
        out["first_t"].append(float(et @ f @ et))
    return {k: np.array(v) for k, v in out.items()}


def gaussian_response_dense(kernel, chi0, m):
    """Reference for :func:`rpa_response`: the exact covariance of Gaussian
    blocks by inverting the full ``6N x 6N`` precision matrix in real space
    (small L only), projected on the Fourier mode ``m``.  Returns the 6x6 S(k)."""
    L = kernel.L
    if L > 6:
        raise ValueError("L <= 6 for the dense reference")
    n = L**3
    g = np.arange(L)
    x = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1).reshape(-1, 3)
    d = (x[:, None, :] - x[None, :, :]) % L
    j = kernel.jr[d[..., 0], d[..., 1], d[..., 2]].copy()          # (N, N, 6, 6)
    j[np.arange(n), np.arange(n)] = 0.0
    prec = np.kron(np.eye(n), np.linalg.inv(chi0)) - j.transpose(0, 2, 1, 3).reshape(6 * n, 6 * n)
    cov = np.linalg.inv(prec)                                          # = beta Cov
    k = 2 * np.pi * np.asarray(m, dtype=float) / L
    ph = np.exp(-1j * x @ k)
    proj = np.kron(ph[:, None], np.eye(6))                             # (6N, 6)
    return np.real(proj.conj().T @ cov @ proj) / n


def unit_block_monte_carlo(L, alpha, temperature, trajectories, seed, thermalize=200, batches=20, cutoff=1.0,
                           on_batch=None):
    """S_l(k), S_t(k) along the cube axes for blocks whose stress is a unit
    Mandel 6-vector (uniform on S^5: isotropic, zero mean, not Gaussian), from
    the Monte Carlo engine's ``coupled-blocks`` model with its HMC sampler.

    Each trajectory's configuration gives ``beta |e . T(k)|^2 / N`` for the
    three axes (longitudinal) and two polarisations each (transverse) at
    ``k = 2 pi m / L``, m = 1..L/2; these are averaged in ``batches``
    consecutive batches.  Returns ``kL`` (M,), ``S_l``, ``S_t`` (batches, M),
    the on-block chi0 = beta/6 I, the acceptance and the sampler's step size."""
    from ..montecarlo import RunParameters, advance, coupled_blocks_model, new_state
    model = coupled_blocks_model(L, alpha, cutoff=cutoff)
    p = RunParameters(model="coupled-blocks", L=L, temperature=float(temperature), sweeps=int(trajectories),
                      seed=int(seed), sampler="hmc", cutoff=cutoff, thermalize=int(thermalize))
    state = new_state(p, model)
    advance(state, model, int(thermalize))
    beta = 1.0 / float(temperature)
    ms = np.arange(1, L // 2 + 1)
    axes = np.eye(3)
    strains = []
    for a in range(3):
        el, _ = phonon_strains(axes[a])
        ts = [phonon_strains(axes[a], axes[(a + b) % 3])[1] for b in (1, 2)]
        strains.append((el, ts))
    per = max(1, int(trajectories) // int(batches))
    sl = np.zeros((batches, len(ms)))
    st = np.zeros((batches, len(ms)))
    for b in range(batches):
        acc_l = np.zeros(len(ms))
        acc_t = np.zeros(len(ms))
        for _ in range(per):
            advance(state, model, 1)
            s = state.spins().reshape(L, L, L, 6)
            sk = np.fft.fftn(s, axes=(0, 1, 2))
            for a, (el, ts) in enumerate(strains):
                idx = [0, 0, 0]
                line = []
                for m in ms:
                    idx[a] = m
                    line.append(sk[tuple(idx)])
                line = np.array(line)                                   # (M, 6)
                acc_l += np.abs(line @ el) ** 2 / 3.0
                acc_t += sum(np.abs(line @ t) ** 2 for t in ts) / 6.0
        sl[b] = beta * acc_l / per / L**3
        st[b] = beta * acc_t / per / L**3
        if on_batch is not None:
            on_batch(b)
    return {"kL": 2 * np.pi * ms / L, "S_l": sl, "S_t": st, "chi0": beta / 6.0 * np.eye(6),
            "acceptance": state.accepted / max(state.attempted, 1),
            "step_size": float(state.sampler_state.get("step_size", float("nan"))), "kernel": model.kernel}
