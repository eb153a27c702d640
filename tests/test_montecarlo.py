"""Monte Carlo engine: invariants, exactly solvable limits (fixed seeds,
stated p-value thresholds) and agreement of the fast and reference samplers."""

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy import integrate, special, stats

from tensorglass import montecarlo as mc
from tensorglass.errors import ParameterError
from tensorglass.montecarlo import _kernels
from tensorglass.tensors import IsotropicElasticity

P_MIN = 0.01  # two-sided p-value threshold for the statistical tests


def _p_value(a, b):
    """Two-sided p of the difference of two Stats (or Stats and an exact value)."""
    if isinstance(b, float):
        z = (a.mean - b) / a.error
    else:
        z = (a.mean - b.mean) / math.hypot(a.error, b.error)
    return 2 * stats.norm.sf(abs(z))


MODELS = [mc.build_model("bl6", 4, poisson=0.3), mc.build_model("elastic-dipole", 3),
          mc.build_model("coupled-blocks", 3, c_l=5.8, c_t=3.8), mc.build_model("nn", 4, components=2),
          mc.custom_model(3, 2, lambda k: np.einsum("m,ab->mab", np.cos(k[:, 0]) + 0.3 * np.cos(2 * k[:, 1]),
                                                    np.array([[1.0, 0.2], [0.2, 0.5]])), k0="value")]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_local_energy_change_equals_energy_difference(model):
    L, n = model.L, model.n_components
    rng = np.random.default_rng(11)
    s = rng.normal(size=(L**3, n))
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    fields = mc.local_fields(model.kernel, s.reshape(L, L, L, n)).reshape(-1, n)
    e0 = mc.lattice_energy(model.kernel, s.reshape(L, L, L, n))
    for i in (0, 7, L**3 - 1):
        np.testing.assert_allclose(_kernels._field_at(i, s, model.kernel.jr, L), fields[i], atol=1e-12)
        s2 = s.copy()
        v = rng.normal(size=n)
        s2[i] = v / np.linalg.norm(v)
        e1 = mc.lattice_energy(model.kernel, s2.reshape(L, L, L, n))
        assert abs((e1 - e0) - (-(s2[i] - s[i]) @ fields[i])) < 1e-10


@pytest.mark.parametrize("L", [5, 6])
def test_fft_kernel_equals_direct_lattice_sum(L):
    med = IsotropicElasticity.from_poisson(0.25)
    from tensorglass.interaction import bl_coupling_matrix, sphere_average
    model = mc.bl6_model(L, med, cutoff=0.0)
    k = mc.k_grid(L)
    jk = np.zeros(k.shape[:3] + (6, 6))
    nz = np.any(k != 0, axis=-1)
    jk[nz] = bl_coupling_matrix(k[nz], med)
    jk[~nz] = sphere_average(lambda q: bl_coupling_matrix(q, med), 12, 24)
    if L % 2 == 0:  # Nyquist planes: the kernel keeps the even part of the sampled J(k)
        flip = (-np.arange(L)) % L
        jk = 0.5 * (jk + jk[flip][:, flip][:, :, flip])
    for r in [(0, 0, 1), (1, 2, 3), (2, 2, 0), (L - 1, 1, 2)]:
        np.testing.assert_allclose(mc.direct_lattice_sum(jk, r), model.kernel.jr[r], atol=1e-12)


@pytest.mark.parametrize("cutoff", [1.0, 1.5])
def test_fft_kernel_equals_ewald_image_sum(cutoff):
    """The FFT lattice kernel equals the periodic sum over all images of the
    smoothed continuum kernel (Ewald, reciprocal-space form) up to the
    aliasing of wave vectors beyond the zone, ~exp(-cutoff^2 pi^2/2)."""
    from tensorglass.interaction import elastic_dipole_coupling
    L = 6
    tol = 5 * math.exp(-(cutoff**2) * math.pi**2 / 2)  # observed: 1.6x this bound

    def jk(k):
        return elastic_dipole_coupling(k) * np.exp(-0.5 * cutoff**2 * np.sum(k * k, axis=1))[:, None, None]
    jr = mc.elastic_dipole_model(L, k0="zero", cutoff=cutoff).kernel.jr
    scale = np.abs(jr[(1, 0, 0)]).max()
    for r in [(1, 0, 0), (1, 1, 0), (2, 1, 1), (3, 3, 3)]:
        assert np.abs(mc.ewald_image_sum(L, jk, r) - jr[r]).max() < tol * scale, r


def test_nn_kernel_is_nearest_neighbour():
    jr = mc.build_model("nn", 5, components=3).kernel.jr
    for r in itertools.product(range(5), repeat=3):
        d = sum(min(c, 5 - c) for c in r)
        np.testing.assert_allclose(jr[r], np.eye(3) * (1.0 if d == 1 else 0.0), atol=1e-12)


def test_elastic_dipole_kernel_has_the_continuum_tail():
    """J_ij(r) -> (d_ij - 3 n_i n_j)/(4 pi r^3) (004 App. B) away from the origin,
    with the smooth UV cutoff; the sharp zone edge (cutoff 0) rings instead."""
    L = 24
    jr = mc.elastic_dipole_model(L, k0="zero", cutoff=1.0).kernel.jr
    sharp = mc.elastic_dipole_model(L, k0="zero", cutoff=0.0).kernel.jr
    for r in [(4, 0, 0), (3, 3, 0), (3, 2, 2)]:
        v = np.array(r, float)
        d = np.linalg.norm(v)
        n = v / d
        cont = (np.eye(3) - 3 * np.outer(n, n)) / (4 * np.pi * d**3)
        assert np.abs(jr[r] - cont).max() < 0.05 * np.abs(cont).max(), r
    assert np.abs(sharp[(4, 0, 0)] - jr[(4, 0, 0)]).max() > 0.5 * np.abs(jr[(4, 0, 0)]).max()


def _free_model(n):
    return mc.custom_model(2, n, lambda k: np.zeros((k.shape[0], n, n)), k0="zero")


@pytest.mark.parametrize("sampler,seed", [("metropolis", 5), ("hmc", 6)])
def test_single_spin_in_field_matches_bessel_ratio(sampler, seed):
    """<s.hhat> = I_{n/2}(beta h)/I_{n/2-1}(beta h) for n = 6."""
    model = _free_model(6)
    p = mc.RunParameters("bl6", 2, 1.0, 3000, seed, sampler=sampler, thermalize=100, field=(1.5, 0, 0, 0, 0, 0))
    st = mc.new_state(p, model)
    mc.advance(st, model, p.sweeps)
    m = mc.mean_with_error(np.array(st.magnetisation)[:, 0])
    exact = float(special.iv(3, 1.5) / special.iv(2, 1.5))
    assert _p_value(m, exact) > P_MIN, (m, exact)


@pytest.mark.parametrize("sampler,seed", [("metropolis", 7), ("hmc", 8)])
def test_two_interacting_spins_match_numerical_integration(sampler, seed):
    """L = 2 with J(r) non-zero only along z: four independent dimers of
    Heisenberg spins; <s_a.s_b> against quadrature of the two-spin integral."""
    jz = 1.2
    model = mc.custom_model(2, 3, lambda k: np.einsum("m,ab->mab", jz * np.cos(k[:, 2]), np.eye(3)), k0="value")
    j_pair = float(model.kernel.jr[0, 0, 1][0, 0])
    beta = 1.0 / 0.8
    num = integrate.quad(lambda c: c * math.exp(beta * j_pair * c), -1, 1)[0]
    den = integrate.quad(lambda c: math.exp(beta * j_pair * c), -1, 1)[0]
    exact_energy_per_spin = -0.5 * j_pair * num / den  # one bond per two spins
    p = mc.RunParameters("nn", 2, 0.8, 4000, seed, sampler=sampler, thermalize=100, components=3)
    st = mc.new_state(p, model)
    mc.advance(st, model, p.sweeps)
    e = mc.mean_with_error(st.energy)
    assert _p_value(e, exact_energy_per_spin) > P_MIN, (e, exact_energy_per_spin)


def test_all_to_all_model_approaches_mean_field():
    """004 Eq. (21) sampled exactly; |<m>| -> the minimum of Eq. (24) as N grows."""
    from tensorglass.meanfield import mean_field_state
    exact = mean_field_state(0.12, 1.0, 0.6).m_compression
    errs = []
    for n in (30, 600):
        mcomp, _ = mc.run_mean_field(n, 0.12, 1.0, 0.6, 600, seed=n)
        errs.append(abs(mcomp.mean() - exact))
    assert errs[1] < 0.02 and errs[1] < errs[0]


def test_fast_and_reference_samplers_agree():
    """bl6, L = 3, T = 0.25: mean energy and shear order of the HMC and the
    single-site Metropolis chains agree (two-sided p > 0.01 each, fixed seeds)."""
    res = {}
    for sampler, seed in (("metropolis", 21), ("hmc", 22)):
        p = mc.RunParameters("bl6", 3, 0.25, 2500, seed, sampler=sampler, thermalize=300, poisson=0.3)
        model = p.build()
        st = mc.new_state(p, model)
        mc.advance(st, model, p.sweeps)
        res[sampler] = (mc.mean_with_error(st.energy),
                        mc.mean_with_error(np.linalg.norm(np.array(st.magnetisation)[:, 1:], axis=1)))
    for a, b in zip(res["metropolis"], res["hmc"]):
        assert _p_value(a, b) > P_MIN, (a, b)


def test_nearest_neighbour_heisenberg_high_temperature():
    """O(3), beta = 0.2: e = -3 u(beta) + O(u^3), u = coth(beta) - 1/beta."""
    beta = 0.2
    p = mc.RunParameters("nn", 4, 1 / beta, 1500, 31, sampler="hmc", thermalize=100, components=3)
    model = p.build()
    st = mc.new_state(p, model)
    mc.advance(st, model, p.sweeps)
    e = mc.mean_with_error(st.energy)
    u = 1 / math.tanh(beta) - 1 / beta
    assert abs(e.mean - (-3 * u)) < 4 * e.error + 2e-3, (e, -3 * u)


def test_nearest_neighbour_heisenberg_low_temperature_spin_waves():
    """O(n) at low T: equipartition over the n-1 transverse modes per spin,
    e = -3 + (n - 1) T/2 + O(T^2) (exact low-temperature limit)."""
    t, n = 0.05, 3
    p = mc.RunParameters("nn", 4, t, 600, 33, sampler="hmc", thermalize=300, components=n)
    model = p.build()
    st = mc.new_state(p, model)
    st.coords[...] = np.array([1.0, 0.0, 0.0]) * 2.0  # start from a ground state
    mc.advance(st, model, p.sweeps)
    e = mc.mean_with_error(st.energy)
    assert abs(e.mean - (-3 + (n - 1) * t / 2)) < 4 * e.error + 4 * t**2, e


def test_finite_states_match_enumeration():
    """Two-level blocks with random stress 6-vectors and random site energies
    on L = 2 (8 sites, 256 configurations): Metropolis against exact enumeration."""
    model = mc.build_model("coupled-blocks", 2, c_l=5.8, c_t=3.8)
    rng = np.random.default_rng(41)
    vectors = rng.normal(size=(8, 2, 6)) * 0.8
    site_e = rng.normal(size=(8, 2)) * 0.3
    temp = 0.7
    energies = []
    for states in itertools.product((0, 1), repeat=8):
        idx = np.array(states)
        s = vectors[np.arange(8), idx]
        energies.append(mc.lattice_energy(model.kernel, s.reshape(2, 2, 2, 6)) + site_e[np.arange(8), idx].sum())
    energies = np.array(energies)
    w = np.exp(-(energies - energies.min()) / temp)
    exact = float((w @ energies) / w.sum() / 8)
    series = mc.run_finite_states(model, vectors, site_e, temp, 6000, seed=42)
    assert _p_value(mc.mean_with_error(series), exact) > P_MIN


def test_summary_has_errors_and_warns_on_short_runs():
    p = mc.RunParameters("bl6", 3, 0.3, 30, 1, sampler="hmc")
    model = p.build()
    st = mc.new_state(p, model)
    mc.advance(st, model, p.sweeps)
    with pytest.warns(mc.ShortRunWarning):
        out = mc.summarize(st, model)
    for k in ("energy_per_spin", "specific_heat", "m_compression", "m_shear"):
        assert set(out[k]) >= {"mean", "error"}
    assert out["sweeps"] == 30 and out["tau_int"] >= 0.5


def test_stress_susceptibility_for_coupled_blocks():
    p = mc.RunParameters("coupled-blocks", 3, 2.0, 200, 3, sampler="hmc", c_l=5.8, c_t=3.8)
    model = p.build()
    st = mc.new_state(p, model)
    mc.advance(st, model, p.sweeps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = mc.summarize(st, model)
    chi = np.array(out["stress_susceptibility_mandel"]["mean"])
    assert chi.shape == (6, 6) and np.allclose(chi, chi.T) and np.all(np.linalg.eigvalsh(chi) > -1e-9)


def test_parallel_tempering_swaps():
    base = mc.RunParameters("bl6", 3, 0.3, 1, 1, sampler="hmc")
    model = base.build()
    from dataclasses import replace
    params = [replace(base, temperature=t, seed=i) for i, t in enumerate((0.3, 0.33, 0.36))]
    states, acc = mc.parallel_tempering(params, model, rounds=40, seed=5)
    assert len(states) == 3 and np.all(acc > 0)


def test_autocorrelation_time_of_ar1():
    rng = np.random.default_rng(0)
    phi = 0.8
    x = np.zeros(200000)
    noise = rng.normal(size=x.size)
    for i in range(1, x.size):
        x[i] = phi * x[i - 1] + noise[i]
    tau = mc.integrated_autocorrelation_time(x)
    assert abs(tau - 0.5 * (1 + phi) / (1 - phi)) < 0.3


@pytest.mark.parametrize("kwargs", [dict(L=1), dict(temperature=0.0), dict(temperature=-1.0), dict(model="ising"),
                                    dict(sampler="gibbs"), dict(sweeps=0)])
def test_bad_run_parameters(kwargs):
    args = dict(model="bl6", L=4, temperature=0.3, sweeps=10, seed=1)
    args.update(kwargs)
    with pytest.raises(ParameterError):
        mc.RunParameters(**args)


def test_negative_bulk_modulus_rejected():
    with pytest.raises(ParameterError):
        mc.build_model("bl6", 4, c_l=3.0, c_t=2.9)
