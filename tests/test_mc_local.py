"""The exact local sampler (sparse near fields + clock Monte Carlo): tables,
random stream, exact limits, the dense reference and an independent
cluster-algorithm reference.  Statistical tests use fixed seeds and
|z| < 3 (two-sided p ~ 0.003)."""

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from tensorglass import montecarlo as mc
from tensorglass.montecarlo import _kernels, _local

Z_MAX = 3.0
WOLFF = Path(__file__).parent / "data" / "on_model_wolff.txt"
BL6_4 = mc.build_model("bl6", 4, poisson=0.3)


def _z(a, b):
    return (a.mean - b.mean) / math.hypot(a.error, b.error)


def _unit(rng, shape):
    g = rng.standard_normal(shape)
    return g / np.linalg.norm(g, axis=-1, keepdims=True)


# --- tables and invariants ---------------------------------------------------------------------------------------

def test_alias_table_reproduces_the_weights_exactly():
    w = np.random.default_rng(0).random(37) ** 3
    prob, alias = _local.walker_alias(w)
    implied = prob.copy()
    np.add.at(implied, alias, 1.0 - prob)
    assert np.allclose(implied / w.size, w / w.sum(), rtol=0, atol=1e-14)


def test_tables_split_short_and_long_range():
    nn = _local.LocalTables(mc.build_model("nn", 6, components=3).kernel.jr)
    assert nn.short_range and len(nn.near_off) == 6 and len(nn.far_off) == 0
    lr = _local.LocalTables(BL6_4.kernel.jr, near_r2=3, box_edge=2)
    assert not lr.short_range and len(lr.near_off) == 26 and len(lr.near_off) + len(lr.far_off) == 63
    assert np.isclose(lr.box_w.sum(), lr.far_total) and np.all(np.diff(lr.box_start) >= 1)


@pytest.mark.parametrize("L", [4, 6])
def test_sparse_field_equals_dense_and_fft_fields(L):
    model = mc.build_model("bl6", L, poisson=0.3)
    rng = np.random.default_rng(L)
    s = _unit(rng, (L**3, 6))
    fft = mc.local_fields(model.kernel, s.reshape(L, L, L, 6)).reshape(-1, 6)
    for box in (1, 2):
        t = _local.LocalTables(model.kernel.jr, 3, box)
        for i in (0, 7, L**3 - 1):
            sparse = _local.sparse_field(i, s, L, t.near_off, t.near_j, t.far_off, t.far_j)
            dense = _kernels._field_at(i, s, model.kernel.jr, L)
            assert np.abs(sparse - dense).max() < 1e-13
            assert np.abs(sparse - fft[i]).max() < 1e-12


@pytest.mark.parametrize("model", [BL6_4, mc.build_model("nn", 4, components=2)], ids=lambda m: m.name)
def test_local_energy_change_equals_energy_difference(model):
    L, n = model.L, model.n_components
    rng = np.random.default_rng(3)
    t = _local.tables_for(model.kernel)
    hext = rng.standard_normal(n)
    s = _unit(rng, (L**3, n))
    for i in (0, 5, 17):
        new = _unit(rng, n)
        e0 = mc.lattice_energy(model.kernel, s.reshape(L, L, L, n)) - np.sum(s @ hext)
        s1 = s.copy()
        s1[i] = new
        e1 = mc.lattice_energy(model.kernel, s1.reshape(L, L, L, n)) - np.sum(s1 @ hext)
        de = _local.site_energy_change(i, new, s, L, t.near_off, t.near_j, t.far_off, t.far_j, hext)
        assert abs(de - (e1 - e0)) < 1e-12


def test_box_members_by_decreasing_norm_with_tail_bounds():
    t = _local.LocalTables(mc.build_model("bl6", 6, poisson=0.3).kernel.jr)
    norms = np.linalg.norm(t.far_j, ord=2, axis=(-2, -1))
    for lo, hi in zip(t.box_start[:-1], t.box_start[1:]):
        assert np.all(np.diff(norms[lo:hi]) <= 1e-15)
        assert np.allclose(t.far_rest[lo:hi], [norms[k + 1:hi].sum() for k in range(lo, hi)], rtol=1e-12, atol=0)


def test_packed_couplings_used_when_exactly_symmetric():
    """bl6 and coupled-blocks (n = 6, symmetric J) get the 21-entry packed far
    table, which unpacks to the full one exactly; elastic-dipole (n = 3) and
    a kernel made asymmetric do not, and asking to pack one is refused."""
    for name, kw, want in [("bl6", {"poisson": 0.3}, True), ("coupled-blocks", {}, True),
                           ("elastic-dipole", {}, False)]:
        t = _local.LocalTables(mc.build_model(name, 6, **kw).kernel.jr)
        assert t.packed is want, name
        if want:
            full = np.empty_like(t.far_j)
            for a in range(6):
                full[:, a, a] = t.far_p[:, a]
            for c, (a, b) in enumerate(_local.PACKED_PAIRS):
                full[:, a, b] = full[:, b, a] = t.far_p[:, 6 + c]
            assert np.array_equal(full, t.far_j)
    jr = mc.build_model("bl6", 6, poisson=0.3).kernel.jr.copy()
    jr[..., 0, 1] *= 1.0 + 1e-9
    assert not _local.LocalTables(jr).packed
    with pytest.raises(ValueError, match="symmetric"):
        _local.LocalTables(jr, packed=True)


@pytest.mark.parametrize("packed", [True, False], ids=["packed", "full"])
def test_early_box_decision_equals_the_full_sum(packed):
    """The clock event's decision dE_B > u lambda_B, taken after part of a
    box, is the one the full box sum gives: uniform thresholds (the sampler's
    case) and thresholds within 1e-9 lambda_B of dE_B (the hardest), every
    box of an L = 6 bl6 table, with the packed (symmetric) and the full
    couplings.  Uniform thresholds sum fewer than 3/4 of the members (about
    1/2 expected)."""
    L = 6
    t = _local.LocalTables(mc.build_model("bl6", L, poisson=0.3).kernel.jr, packed=packed)
    assert t.packed is packed
    rng = np.random.default_rng(8)
    s = _unit(rng, (L**3, 6))
    counters = np.zeros(2, np.int64)
    summed = total = 0
    for _trial in range(6):
        i = int(rng.integers(L**3))
        xi, yi, zi = i // L**2, (i // L) % L, i % L
        new = _unit(rng, 6)
        ds = new - s[i]
        dsn = float(np.linalg.norm(ds))
        for kb in range(len(t.box_w)):
            lo, hi = t.box_start[kb], t.box_start[kb + 1]
            de = _local._box_energy(i, ds, s, L, t.far_off, t.far_j, lo, hi)
            lam = dsn * t.box_w[kb]
            assert abs(de) <= lam * (1 + 1e-12)
            thresholds = [rng.random() * lam, max(de + 1e-9 * lam, 0.0), max(de - 1e-9 * lam, 0.0)]
            for k, thr in enumerate(thresholds):
                before = counters[1]
                got = _local._box_rejects(xi, yi, zi, ds, dsn, thr, s, L, t.far, kb, counters)
                assert got == (de > thr), (kb, thr, de)
                if k == 0:
                    summed += counters[1] - before
                    total += hi - lo
    assert summed < 0.75 * total, (summed, total)


def _xoshiro_reference(state, k):
    """xoshiro256** (Blackman & Vigna) in Python integers."""
    s = [int(x) for x in state]
    mask = 2**64 - 1
    rotl = lambda x, r: ((x << r) | (x >> (64 - r))) & mask  # noqa: E731
    out = []
    for _ in range(k):
        out.append(rotl(s[1] * 5 & mask, 7) * 9 & mask)
        t = s[1] << 17 & mask
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def test_random_stream_matches_reference_and_is_uniform():
    ref = _xoshiro_reference([1, 2, 3, 4], 6)
    assert ref[:3] == [11520, 0, 1509978240]  # the published first outputs from state (1, 2, 3, 4)
    st = np.array([1, 2, 3, 4], dtype=np.uint64)
    u = np.empty(6)
    _local.fill_uniforms(st, u)
    assert np.array_equal(u, np.array([x >> 11 for x in ref], float) / 2.0**53)
    st = _local.stream_seed(np.random.default_rng(5))
    u = np.empty(200_000)
    _local.fill_uniforms(st, u)
    from scipy import stats
    assert stats.kstest(u, "uniform").pvalue > 0.01
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 3 / math.sqrt(u.size)


# --- exact limits ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [3, 6])
def test_free_spin_in_field_matches_bessel_ratio(n):
    """<s.hhat> = I_{n/2}(beta h) / I_{n/2-1}(beta h)."""
    model = mc.custom_model(2, n, lambda k: np.zeros((k.shape[0], n, n)), k0="zero")
    h = 1.5
    p = mc.RunParameters("nn", 2, 1.0, 6000, 11 + n, sampler="local", thermalize=200, components=n,
                         field=(h,) + (0.0,) * (n - 1))
    st = mc.new_state(p, model)
    mc.advance(st, model, p.sweeps)
    m = mc.mean_with_error(np.array(st.magnetisation)[:, 0])
    exact = float(special.iv(n / 2, h) / special.iv(n / 2 - 1, h))
    assert abs(m.mean - exact) / m.error < Z_MAX, (m, exact)
    assert 0.0 < st.sampler_state["delta"] <= 4.0 and st.params.delta == 0.0  # tuned while thermalising (capped at 4), then frozen


def _two_spin_quadrature(jmat, hvec, beta, n_theta=40, n_phi=80):
    """<s1.J.s2> for H = -s1.J.s2 - h.(s1 + s2), n = 3, by Gauss-Legendre x
    trapezoid quadrature over both spheres."""
    c, wc = np.polynomial.legendre.leggauss(n_theta)
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    cc, pp = np.meshgrid(c, phi, indexing="ij")
    sn = np.sqrt(1 - cc**2)
    pts = np.stack([sn * np.cos(pp), sn * np.sin(pp), cc], -1).reshape(-1, 3)
    w = np.repeat(wc, n_phi)
    pair = pts @ jmat @ pts.T
    logw = beta * (pair + (pts @ hvec)[:, None] + (pts @ hvec)[None, :])
    wt = np.exp(logw - logw.max()) * w[:, None] * w[None, :]
    return float(np.sum(wt * pair) / np.sum(wt))


@pytest.mark.parametrize("far", [False, True], ids=["near", "clock"])
def test_two_coupled_spins_match_quadrature(far):
    """L = 2 with J(r) only at r = x: four independent dimers, coupling matrix
    of mixed sign, plus a field.  Once with the pair in the near set, once
    with it behind the clock filter (every factor a bound event)."""
    rot = np.linalg.qr(np.random.default_rng(1).standard_normal((3, 3)))[0]
    jmat = rot @ np.diag([1.1, -0.8, 0.4]) @ rot.T
    jr = np.zeros((2, 2, 2, 3, 3))
    jr[1, 0, 0] = jmat
    tab = _local.LocalTables(jr, near_r2=0 if far else 3, box_edge=1, short_range=not far)
    assert (len(tab.far_off), len(tab.near_off)) == ((1, 0) if far else (0, 1))
    hvec = np.array([0.3, 0.0, -0.2])
    beta = 1.3
    rng = np.random.default_rng(21 + far)
    s = _unit(rng, (8, 3))
    gauss = rng.standard_normal((12000, 8, 3))
    unif = rng.random((12000, 8))
    vals = np.empty(12000)
    for sweep in range(12000):
        _local.sweep(s, tab, hvec, beta, 1.2, gauss[sweep], unif[sweep], _local.stream_seed(rng))
        vals[sweep] = np.einsum("pa,ab,pb->", s[:4], jmat, s[4:]) / 4  # dimers (0,y,z)-(1,y,z): sites i, i + 4
    m = mc.mean_with_error(vals[200:])
    exact = _two_spin_quadrature(jmat, hvec, beta)
    assert abs(m.mean - exact) / m.error < Z_MAX, (m, exact)


# --- against the dense reference Metropolis and an independent cluster code -----------------------------------------

def _chains(sampler, T, seeds, sweeps, therm):
    e, m = [], []
    for seed in seeds:
        p = mc.RunParameters("bl6", 4, T, sweeps, seed, sampler=sampler, thermalize=therm, poisson=0.3)
        st = mc.new_state(p, BL6_4)
        mc.advance(st, BL6_4, p.sweeps)
        e.append(np.array(st.energy))
        m.append(np.linalg.norm(np.array(st.magnetisation), axis=1))
    return e, m


def _pooled(series):
    """Mean over independent chains; error from the chain-to-chain spread."""
    means = np.array([x.mean() for x in series])
    return mc.Stats(float(means.mean()), float(means.std(ddof=1) / math.sqrt(means.size)), float("nan"), means.size)


@pytest.mark.slow
@pytest.mark.parametrize("T", [0.05, 0.12, 0.3], ids=["ordered", "near-Tc", "disordered"])
def test_local_agrees_with_dense_reference_bl6(T):
    """bl6 (Poisson 0.3) at L = 4, where 37 of the 63 couplings per site are
    behind the clock filter: energy and |m| of 6 independent chains each."""
    e_loc, m_loc = _chains("local", T, range(100, 106), 1500, 300)
    e_ref, m_ref = _chains("metropolis", T, range(200, 206), 1500, 300)
    for a, b in ((e_loc, e_ref), (m_loc, m_ref)):
        z = _z(_pooled(a), _pooled(b))
        assert abs(z) < Z_MAX, (T, _pooled(a), _pooled(b))


def _wolff_rows():
    rows = np.loadtxt(WOLFF)
    return {(int(r[0]), int(r[1]), round(r[2], 6)): r[3:] for r in rows}


@pytest.mark.slow
@pytest.mark.parametrize("n,beta", [(3, 0.693001), (2, 0.35), (4, 1.2)])
def test_nn_matches_wolff_reference(n, beta):
    """Nearest-neighbour O(n), L = 8: energy and Binder ratio against the
    independent Wolff cluster reference (tests/data/on_model_wolff.txt)."""
    e_ref, e_err, u_ref, u_err = _wolff_rows()[(n, 8, beta)]
    model = mc.build_model("nn", 8, components=n)
    p = mc.RunParameters("nn", 8, 1.0 / beta, 3000, 31 + n, sampler="local", thermalize=500, components=n)
    st = mc.new_state(p, model)
    mc.advance(st, model, p.sweeps)
    e = mc.mean_with_error(st.energy)
    assert abs(e.mean - e_ref) / math.hypot(e.error, e_err) < Z_MAX, (e, e_ref)
    m = np.linalg.norm(np.array(st.magnetisation), axis=1)
    tau = mc.mean_with_error(m).tau_int
    u, u_e = mc.jackknife(lambda x: np.mean(x**4) / np.mean(x**2) ** 2, m, tau=tau)
    assert abs(u - u_ref) / math.hypot(u_e, u_err) < Z_MAX, (u, u_e, u_ref)


# --- driver: tuning, resume -----------------------------------------------------------------------------------------

def test_resumed_local_run_is_bit_identical(tmp_path, monkeypatch):
    """Interrupted during thermalisation (while the width is being tuned)
    and after it: both resume to the uninterrupted chain bit for bit."""
    from tensorglass.storage import load_run, save_run
    monkeypatch.setenv("TENSORGLASS_CACHE", str(tmp_path / "cache"))
    p = mc.RunParameters("bl6", 4, 0.12, 40, 9, sampler="local", thermalize=20, poisson=0.3)
    ref = mc.new_state(p, BL6_4)
    mc.advance(ref, BL6_4, 40)
    for cut in (7, 25):
        st = mc.new_state(p, BL6_4)
        mc.advance(st, BL6_4, cut)
        save_run(tmp_path / "c.h5", st)
        back = load_run(tmp_path / "c.h5")
        mc.advance(back, BL6_4, 40 - cut)
        assert np.array_equal(back.coords, ref.coords)
        assert np.array_equal(np.array(back.energy), np.array(ref.energy))
        assert back.sampler_state["delta"] == ref.sampler_state["delta"] != 0.0
        assert back.generator_state() == ref.generator_state()
