"""Classical blocks with finite state spaces: exact results and a sampler.

Block ``s`` has ``K`` states with energies ``E_k^(s)`` and stress 6-vectors
``T_k^(s)`` (a generic multiple-level system whose stress is diagonal in its
eigenbasis, so only the relaxation part of 001 Eq. 2.7 exists).  Clusters
have the Hamiltonian of :mod:`._couplings`,
``H = sum_s E^(s) - sum_{s<s'} T^(s) J^(ss') T^(s')``, k_B = 1.

Susceptibilities here are in the positive convention ``chi = beta Cov(T)/V``;
001 Eq. (2.7) writes ``chi_rel = -beta Cov(T)/V`` (same magnitude).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..errors import ParameterError


def _beta(temperature):
    if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
        raise ParameterError("temperature", temperature, "T > 0")
    return 1.0 / float(temperature)


def block_covariance(energies, vectors, temperature):
    """Exact Boltzmann covariance of single blocks: ``energies`` (..., K),
    ``vectors`` (..., K, n) -> ``(mean (..., n), cov (..., n, n))``.
    ``beta * cov`` is minus 001 Eq. (2.7)'s chi_rel of each isolated block."""
    beta = _beta(temperature)
    e = np.asarray(energies, dtype=float)
    t = np.asarray(vectors, dtype=float)
    w = np.exp(-beta * (e - e.min(axis=-1, keepdims=True)))
    p = w / w.sum(axis=-1, keepdims=True)
    mean = np.einsum("...k,...ka->...a", p, t)
    second = np.einsum("...k,...ka,...kb->...ab", p, t, t)
    return mean, second - mean[..., :, None] * mean[..., None, :]


def symmetric_level_sets(energies, vectors):
    """Blocks whose levels come in pairs ``(E_a, +T_a)``, ``(E_a, -T_a)``:
    ``energies`` (N, K/2), ``vectors`` (N, K/2, n) -> (N, K), (N, K, n).

    Such a block has zero mean stress at every temperature, and so does each
    block of a cluster of them: ``H`` is invariant under ``T_s -> -T_s`` for
    all blocks at once (the couplings are bilinear), which maps the pair
    partners onto each other.  All odd cumulants of every block vanish too.
    This is the hypothesis under which the papers drop the terms with block
    mean stresses (002 Eq. C.12 and App. C)."""
    e = np.asarray(energies, dtype=float)
    t = np.asarray(vectors, dtype=float)
    if e.shape != t.shape[:2]:
        raise ParameterError("vectors", t.shape, f"(N, K/2, n) matching energies {e.shape}")
    return np.concatenate([e, e], axis=1), np.concatenate([t, -t], axis=1)


def classical_cluster_exact(energies, vectors, couplings, temperature):
    """Exact enumeration of a small cluster (``K^N`` configurations).

    ``energies`` (N, K), ``vectors`` (N, K, n), ``couplings`` (N, N, n, n)
    with ``H = sum_s E_{k_s} - sum_{s<s'} T_s J_ss' T_s'``.  Returns the
    mean stress of each block (N, n) and the full connected covariance
    ``<dT_s dT_s'>`` (N, N, n, n); the super-block susceptibility is
    ``beta/N sum_ss' cov[s, s']``."""
    beta = _beta(temperature)
    e = np.asarray(energies, dtype=float)
    t = np.asarray(vectors, dtype=float)
    j = np.asarray(couplings, dtype=float)
    nsite, k_states = e.shape
    if k_states**nsite > 2_000_000:
        raise ParameterError("N", nsite, f"K^N <= 2e6 configurations for exact enumeration (K = {k_states})")
    conf = np.array(list(itertools.product(range(k_states), repeat=nsite)))      # (C, N)
    sites = np.arange(nsite)
    tc = t[sites, conf]                                                          # (C, N, n)
    energy = e[sites, conf].sum(axis=1) - 0.5 * np.einsum("cia,ijab,cjb->c", tc, j, tc)
    w = np.exp(-beta * (energy - energy.min()))
    p = w / w.sum()
    mean = np.einsum("c,cia->ia", p, tc)
    second = np.einsum("c,cia,cjb->ijab", p, tc, tc)
    return mean, second - np.einsum("ia,jb->ijab", mean, mean)


def sample_classical_cluster(n, energies, vectors, jd, temperature, sweeps, seed, thermalize=100):
    """Heat-bath Monte Carlo of an open ``n^3`` cluster; returns the state of
    every block after each measured sweep, (sweeps, n^3) int array, and the
    fraction of site updates that changed the state.

    ``jd`` are the displacement couplings of
    :func:`tensorglass.clusters.displacement_couplings`.  The driver owns a
    PCG64 generator seeded by ``seed`` and pre-draws one uniform per site
    update; the kernel keeps the exact local fields up to date (checked
    against a direct sum at the end)."""
    from ..montecarlo._cluster_kernels import heat_bath_sweep_cluster
    beta = _beta(temperature)
    e = np.ascontiguousarray(energies, dtype=float)
    t = np.ascontiguousarray(vectors, dtype=float)
    jd = np.ascontiguousarray(jd, dtype=float)
    nsite, k_states, ncomp = t.shape
    if nsite != n**3 or e.shape != (nsite, k_states) or jd.shape != (2 * n - 1,) * 3 + (ncomp, ncomp):
        raise ParameterError("vectors", t.shape, f"({n**3}, K, n) with energies ({n**3}, K) and couplings "
                             f"({2 * n - 1},)*3 + (n, n)")
    for name, v in (("sweeps", sweeps), ("thermalize", thermalize)):
        if not (isinstance(v, (int, np.integer)) and v >= (1 if name == "sweeps" else 0)):
            raise ParameterError(name, v, "an integer >= 1" if name == "sweeps" else "an integer >= 0")
    rng = np.random.Generator(np.random.PCG64(seed))
    state = rng.integers(0, k_states, nsite)
    spins = np.ascontiguousarray(t[np.arange(nsite), state])
    fields = _direct_fields(n, spins, jd)
    out = np.empty((sweeps, nsite), dtype=np.int16)
    changed = 0
    for sweep in range(thermalize + sweeps):
        u = rng.random(nsite)
        changed += heat_bath_sweep_cluster(state, spins, fields, t, e, jd, n, u, beta)
        if sweep >= thermalize:
            out[sweep - thermalize] = state
    drift = np.max(np.abs(fields - _direct_fields(n, spins, jd)), initial=0.0)
    if drift > 1e-8 * max(1.0, np.max(np.abs(fields), initial=0.0)):
        raise RuntimeError(f"incremental local fields drifted by {drift:.3g}")
    return out, changed / (nsite * (thermalize + sweeps))


def _direct_fields(n, spins, jd):
    """``h_i = sum_{j != i} J(x_i - x_j) s_j`` by a direct sum (O(N^2))."""
    from ._couplings import cubic_cluster_positions
    x = cubic_cluster_positions(n)
    d = x[:, None, :] - x[None, :, :] + (n - 1)
    jij = jd[d[..., 0], d[..., 1], d[..., 2]]          # (N, N, n, n), zero on the diagonal
    return np.einsum("ijab,jb->ia", jij, spins)
