"""Static stress-stress susceptibility of a generic multiple-level block
(001 Eq. 2.7; 000 Eq. 2.11), in the zero-frequency limit.

A block is given by its levels ``E_n`` (the eigenvalues of H_0) and the
matrix elements of its stress tensor in that eigenbasis, one Hermitian
matrix per Mandel component: ``stress[a, n, m] = <n|T_a|m>``.  Energies and
temperature share one unit (k_B = 1), the block volume is ``volume``.

    chi_rel_ab = (beta/V) (sum_nm P_n P_m T_a,nn T_b,mm - sum_n P_n T_a,nn T_b,nn)
    chi_res_ab = -(1/V) sum_{n != m} (P_m - P_n) T_a,nm T_b,mn / (E_n - E_m)

Pairs of degenerate levels (|E_n - E_m| below ``degeneracy_tol``) have no
resonance denominator; their limit ``-beta P_n T_a,nm T_b,mn`` is a relaxation
term and is put in ``chi_rel`` (the paper writes diagonal elements only, i.e.
assumes a non-degenerate spectrum).  Both parts are negative semi-definite in
this sign convention (H = H_0 + e.T), and their sum is the second derivative
of the free energy with respect to strain (tested).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError


def _prepare(energies, stress, temperature):
    e = np.asarray(energies, dtype=float)
    t = np.asarray(stress)
    if e.ndim != 1 or t.ndim != 3 or t.shape[1:] != (e.size, e.size):
        raise ParameterError("stress", t.shape, f"shape (n_components, {e.size}, {e.size}) matching the {e.size} levels")
    if not np.allclose(t, np.conj(np.swapaxes(t, 1, 2))):
        raise ParameterError("stress", "non-Hermitian matrices", "Hermitian matrices <n|T_a|m>")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ParameterError("temperature", temperature, "T > 0")
    beta = 1.0 / temperature
    w = np.exp(-beta * (e - e.min()))
    p = w / w.sum()
    return e, t, beta, p


def multilevel_susceptibility(energies, stress, temperature, volume: float = 1.0, degeneracy_tol: float = 1e-12):
    """Return ``(chi_rel, chi_res)``, each (n_components, n_components), real."""
    e, t, beta, p = _prepare(energies, stress, temperature)
    de = e[:, None] - e[None, :]                      # E_n - E_m
    degenerate = np.abs(de) <= degeneracy_tol
    # relaxation: thermal fluctuation of the (degenerate-block) diagonal
    tdeg = np.where(degenerate[None], t, 0.0)
    mean = np.einsum("n,ann->a", p, t).real
    second = np.einsum("n,anm,bmn->ab", p, tdeg, tdeg).real
    chi_rel = -beta * (second - np.outer(mean, mean)) / volume
    # resonance (van Vleck) part
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(degenerate, 0.0, (p[None, :] - p[:, None]) / de)   # (P_m - P_n)/(E_n - E_m)
    chi_res = -np.einsum("nm,anm,bmn->ab", factor, t, t).real / volume
    return chi_rel, chi_res


def free_energy(energies, stress, temperature, strain):
    """``F(e) = -T ln Tr exp(-(H_0 + e_a T_a)/T)`` for a strain 6-vector
    (same components as ``stress``); used to check the susceptibility."""
    e, t, beta, _ = _prepare(energies, stress, temperature)
    h = np.diag(e).astype(complex) + np.einsum("a,anm->nm", np.asarray(strain, float), t)
    lev = np.linalg.eigvalsh(h)
    lo = lev.min()
    return lo - temperature * math.log(np.exp(-beta * (lev - lo)).sum())
