"""Samplers: the default ("auto") against an independent cluster-algorithm
reference, every sampler against every other on the long-range models, the
tuned HMC's acceptance and the exact n = 1 heat bath.

Error bars come from the spread of independent chains (fixed seeds), never
from tau_int, so a chain that is stuck cannot shrink its own error: with C
chains the error of a mean is std(chain means)/sqrt(C), and a ratio such as
U4 gets a leave-one-chain-out jackknife.  Agreement means |z| < 3 with both
error bars combined in quadrature; because an error from C chains is itself
uncertain (C - 1 degrees of freedom), z is the normal quantile of the Welch
t statistic's two-sided p-value, so |z| < 3 keeps its usual meaning
(p > 0.0027) however few chains there are.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from tensorglass import montecarlo as mc
from tensorglass.errors import ParameterError

WOLFF = Path(__file__).parent / "data" / "on_model_wolff.txt"
Z_MAX = 3.0
WOLFF_SEEDS = 6     # the reference's errors are from the spread of 6 seeds (its header)


def _wolff_rows():
    rows = {}
    for line in WOLFF.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            n, L, beta, e, de, u4, du4 = line.split()
            rows[(int(n), int(L), float(beta))] = (float(e), float(de), float(u4), float(du4))
    return rows


def _chain_means(params, model, n_chains, seed0, start=None, observe=None):
    """Per-chain means of e, m^2, m^4 (m = |sum s|/N) and of ``observe(state)``
    (called after every measured sweep), for ``n_chains`` chains with seeds
    seed0, seed0 + 1, ...; ``start``: optional initial spins."""
    from dataclasses import replace
    out = []
    for c in range(n_chains):
        p = replace(params, seed=seed0 + c)
        st = mc.new_state(p, model)
        if start is not None:
            st.coords[...] = np.asarray(start, float).reshape(st.coords.shape)
        extra = []

        def on_sweep(s):
            if observe is not None and s.sweep > p.thermalize:
                extra.append(observe(s))
        mc.advance(st, model, p.sweeps, on_sweep=on_sweep)
        m2 = np.sum(np.asarray(st.magnetisation) ** 2, axis=1)
        out.append((np.mean(st.energy), np.mean(m2), np.mean(m2**2), np.mean(extra) if extra else 0.0,
                    st.accepted / max(st.attempted, 1)))
    return np.array(out)


def _mean_err(x):
    return float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(len(x)))


def _binder_jackknife(m2, m4):
    c = len(m2)
    full = np.mean(m4) / np.mean(m2) ** 2
    loo = np.array([np.delete(m4, i).mean() / np.delete(m2, i).mean() ** 2 for i in range(c)])
    return float(full), float(math.sqrt((c - 1) / c * np.sum((loo - loo.mean()) ** 2)))


def _z(a, da, b, db, dof_a, dof_b):
    """Normal-equivalent z of the Welch t statistic (Welch-Satterthwaite
    degrees of freedom from the two errors and their own dof)."""
    t = (a - b) / math.hypot(da, db)
    dof = (da**2 + db**2) ** 2 / (da**4 / dof_a + db**4 / dof_b)
    return float(stats.norm.isf(stats.t.sf(abs(t), dof))) * np.sign(t)


# Reference rows: every n at L = 8 in all three phases (the reference has no
# n = 6 point at beta_c, so n = 6 has its disordered and ordered rows), and
# one L = 12 row at the O(2) critical point, where the chain is slowest and
# the Binder ratio most sensitive to a wrong weight.  Chains start random
# in the disordered and critical rows and ordered (all spins along x) in the
# ordered ones, which shortens thermalisation without biasing the result.
# Budget: 10 chains of 100 + 300 trajectories (L = 8), 6 at L = 12: about
# 5-10 s of CPU per row.
WOLFF_ROWS = [(2, 8, 0.35), (2, 8, 0.454165), (2, 8, 0.7), (3, 8, 0.55), (3, 8, 0.693001), (3, 8, 0.9),
              (4, 8, 0.7), (4, 8, 0.935861), (4, 8, 1.2), (6, 8, 1.0), (6, 8, 1.6), (2, 12, 0.454165)]
ORDERED = {(2, 0.7), (3, 0.9), (4, 1.2), (6, 1.6)}


@pytest.mark.slow
@pytest.mark.parametrize("n,L,beta", WOLFF_ROWS)
def test_default_sampler_matches_wolff_reference(n, L, beta):
    """nn O(n), default sampler: E/N and U4 = <m^4>/<m^2>^2 within |z| < 3 of
    the independent Wolff cluster reference (tests/data/on_model_wolff.txt)."""
    e_ref, de_ref, u_ref, du_ref = _wolff_rows()[(n, L, beta)]
    params = mc.RunParameters("nn", L, 1.0 / beta, 400, 0, components=n, thermalize=100)
    model = params.build()
    assert mc.resolve_sampler(params, model) == "hmc"
    start = None
    if (n, beta) in ORDERED:
        start = np.zeros((L**3, n))
        start[:, 0] = 1.0
    n_chains = 10 if L == 8 else 6
    chains = _chain_means(params, model, n_chains, seed0=1000 * n + L, start=start)
    e, de = _mean_err(chains[:, 0])
    u, du = _binder_jackknife(chains[:, 1], chains[:, 2])
    dof = (n_chains - 1, WOLFF_SEEDS - 1)
    assert abs(_z(e, de, e_ref, de_ref, *dof)) < Z_MAX, (e, de, e_ref, de_ref)
    assert abs(_z(u, du, u_ref, du_ref, *dof)) < Z_MAX, (u, du, u_ref, du_ref)
    assert np.all(chains[:, 4] > 0.5), chains[:, 4]


def _ordering_mode_amplitude(state):
    """m_k1 = sqrt(mean over the six k = 2 pi/L e_a, -2 pi/L e_a of sum_a
    |s_a(k)|^2)/N: the amplitude of the smallest non-zero wave vectors, where
    bl6, elastic-dipole and coupled-blocks order (in domains)."""
    L = state.params.L
    s = state.spins().reshape(L, L, L, -1)
    sk = np.fft.fftn(s, axes=(0, 1, 2))
    shell = np.stack([sk[1, 0, 0], sk[0, 1, 0], sk[0, 0, 1], sk[-1, 0, 0], sk[0, -1, 0], sk[0, 0, -1]])
    return math.sqrt(float(np.mean(np.sum(np.abs(shell) ** 2, axis=-1)))) / L**3


# T_c of each long-range model (poisson 0.3 where it applies, default
# cutoff and k0), from a short HMC scan at L = 8 (T steps of 0.01-0.02,
# 300 + 1000 trajectories per point): the temperature of the specific-heat
# peak, where the smallest-k amplitude m_k1 leaves its paramagnetic value
# sqrt(n/N).  bl6: C = 2.5, 3.2, 2.7, 1.8 at T = 0.07, 0.09, 0.10, 0.11 ->
# 0.10; elastic-dipole: C = 1.5, 1.7, 1.5 at 0.16, 0.18, 0.20 -> 0.19;
# coupled-blocks: C = 3.1, 3.9, 2.9 at 0.04, 0.045, 0.05 -> 0.045.  The test
# only needs T/T_c = 0.5, 1, 2 to sample the ordered, critical and disordered
# regimes, not T_c itself to high precision.
T_C = {"bl6": 0.10, "elastic-dipole": 0.19, "coupled-blocks": 0.045}
LONG_RANGE_CASES = [(m, f, L) for m in T_C for f in (0.5, 1.0, 2.0) for L in (8, 16)]


def _chain_kinds(L):
    """The chains compared: every exact sampler the package has ("auto" is
    one of them, "ising" needs n = 1), plus a second HMC with a hand-set
    step size and a shorter trajectory (a different Markov kernel with the
    same target).  The dense O(N^2) Metropolis runs at L = 8 only: at L = 16
    a sweep takes about 0.5 s, a whole test's worth of data minutes."""
    kinds = [dict(sampler=s) for s in mc.SAMPLERS if s not in ("auto", "ising") and not (s == "metropolis" and L > 8)]
    kinds = [dict(k, trajectory=1.0) if k["sampler"] == "hmc" else k for k in kinds]
    kinds.append(dict(sampler="hmc", trajectory=0.6))
    return kinds


@pytest.mark.slow
@pytest.mark.parametrize("model_name,t_over_tc,L", LONG_RANGE_CASES)
def test_samplers_agree_on_long_range_models(model_name, t_over_tc, L):
    """Every sampler agrees with every other on E/N and on the ordering-mode
    amplitude m_k1, |z| < 3, errors from 4 chains of each kind.  Chains
    start random; HMC trajectories of time 1 and 0.6 (the default 2 costs
    more per trajectory than these short tests gain)."""
    from dataclasses import replace
    temperature = t_over_tc * T_C[model_name]
    chains, thermalize, measure = (4, 60, 100) if L == 8 else (4, 30, 30)
    base = mc.RunParameters(model_name, L, temperature, thermalize + measure, 0, poisson=0.3, thermalize=thermalize)
    model = base.build()
    results = []
    for i, kind in enumerate(_chain_kinds(L)):
        p = replace(base, **kind)
        c = _chain_means(p, model, chains, seed0=100 * i + L, observe=_ordering_mode_amplitude)
        results.append((kind, _mean_err(c[:, 0]), _mean_err(c[:, 3])))
    assert len(results) >= 2
    for (ka, ea, ma), (kb, eb, mb) in itertools.combinations(results, 2):
        dof = (chains - 1, chains - 1)
        assert abs(_z(*ea, *eb, *dof)) < Z_MAX, (ka, ea, kb, eb)
        assert abs(_z(*ma, *mb, *dof)) < Z_MAX, (ka, ma, kb, mb)
