"""Samplers: the default ("auto") against an independent cluster-algorithm
reference, every sampler against every other on the long-range models, the
tuned HMC's acceptance and the exact n = 1 heat bath.

Error bars come from the spread of independent chains (fixed seeds), never
from tau_int, so a chain that is stuck cannot shrink its own error: with C
chains the error of a mean is std(chain means)/sqrt(C), and a ratio such as
U4 gets a leave-one-chain-out jackknife.  Agreement means |z| < 3 with both
error bars combined in quadrature.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from tensorglass import montecarlo as mc
from tensorglass.errors import ParameterError

WOLFF = Path(__file__).parent / "data" / "on_model_wolff.txt"
Z_MAX = 3.0


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


def _z(a, da, b, db):
    return (a - b) / math.hypot(da, db)


# Reference rows: every n at L = 8 in all three phases (the reference has no
# n = 6 point at beta_c, so n = 6 has its disordered and ordered rows), and
# one L = 12 row at the O(2) critical point, where the chain is slowest and
# the Binder ratio most sensitive to a wrong weight.  Chains start random
# in the disordered and critical rows and ordered (all spins along x) in the
# ordered ones, which shortens thermalisation without biasing the result.
# Budget: 12 chains of 100 + 300 trajectories (L = 8), 8 chains of
# 100 + 300 at L = 12: about 5-15 s per row.
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
    chains = _chain_means(params, model, 12 if L == 8 else 8, seed0=1000 * n + L, start=start)
    e, de = _mean_err(chains[:, 0])
    u, du = _binder_jackknife(chains[:, 1], chains[:, 2])
    assert abs(_z(e, de, e_ref, de_ref)) < Z_MAX, (e, de, e_ref, de_ref)
    assert abs(_z(u, du, u_ref, du_ref)) < Z_MAX, (u, du, u_ref, du_ref)
    assert np.all(chains[:, 4] > 0.5), chains[:, 4]
