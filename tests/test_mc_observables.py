"""Order parameters: structure factor, ordering mode, xi, Weiss T_c, the k = 0 convention."""

import math

import numpy as np
import pytest

import tensorglass.montecarlo as mc
from tensorglass.interaction import bl_coupling_angular_average_exact
from tensorglass.montecarlo import _observables as obs
from tensorglass.montecarlo._run import record
from tensorglass.montecarlo._summary import summarize_states
from tensorglass.tensors import IsotropicElasticity


def _state_from_configs(params, model, configs):
    """A chain whose measurements are the given spin configurations (L, L, L, n)."""
    st = mc.new_state(params, model)
    st.accepted = st.attempted = 1
    for s in configs:
        st.sweep += 1
        record(st, model, s.reshape(-1, model.n_components), mc.lattice_energy(model.kernel, s))
    return st


def _spiral(L, m, n, rng, noise):
    """s_r = cos(k.r + phase) e1 + sin(k.r + phase) e2, k = 2 pi m / L, slightly perturbed."""
    r = np.stack(np.meshgrid(*(np.arange(L),) * 3, indexing="ij"), axis=-1)
    phase = r @ (2 * np.pi * np.asarray(m) / L) + rng.uniform(0, 2 * np.pi)
    s = np.zeros((L, L, L, n))
    s[..., 0], s[..., 1] = np.cos(phase), np.sin(phase)
    s += noise * rng.normal(size=s.shape)
    return s / np.linalg.norm(s, axis=-1, keepdims=True)


@pytest.mark.parametrize("m, n, shell", [((0, 1, 0), 3, 1), ((1, 0, -1), 2, 2), ((0, 0, 0), 3, 0)])
def test_planted_spin_wave_is_the_ordering_mode(m, n, shell):
    """A planted spin wave, measured with its shell named as the order
    parameter; with the default (the ferromagnet's Weiss shell k = 0) the
    data-driven diagnostic names the planted shell, and flags the
    disagreement when it is not k = 0."""
    L = 6
    rng = np.random.default_rng(4)
    configs = [_spiral(L, m, n, rng, 1e-3) for _ in range(40)]
    default = mc.RunParameters("nn", L, 1.0, 10, 1, sampler="metropolis", components=n)
    model = default.build()
    out0 = summarize_states([_state_from_configs(default, model, configs)], model, warn=False)
    assert out0["order_parameter"]["shell"] == 0 and out0["order_parameter"]["data_shell"] == shell
    assert ("order_shell_disagrees" in [f["flag"] for f in out0["flags"]]) == (shell != 0)
    p = mc.RunParameters("nn", L, 1.0, 10, 1, sampler="metropolis", components=n, order_shell=shell)
    st = _state_from_configs(p, model, configs)
    out = summarize_states([st], model, warn=False)
    sf = out["structure_factor"]
    assert sf["ordering_shell"] == shell == out["order_parameter"]["shell"]
    assert "order_shell_disagrees" not in [f["flag"] for f in out["flags"]]
    k = 2 * np.pi * np.asarray(m) / L
    got = np.asarray(sf["ordering_wavevector"])
    assert np.allclose(got, k) or np.allclose(got, -k)
    assert abs(out["m_order"]["mean"] - 1.0) < 1e-4
    # the shell-averaged S has the spiral's plane as its dominant eigenspace
    mat = np.asarray(sf["matrix"])
    assert np.allclose(np.linalg.eigvalsh(mat)[-2:].sum(), np.trace(mat), rtol=1e-4)
    assert out["xi"]["mean"] > 10 * L     # a perfect order has S(k_ord + delta) ~ 0


def test_ferromagnet_gives_m_order_one_and_m_k_is_bounded():
    L, n = 4, 3
    rng = np.random.default_rng(0)
    s = rng.normal(size=(L, L, L, n))
    s /= np.linalg.norm(s, axis=-1, keepdims=True)
    st = obs.stencil(L)
    _, trace = obs.measure(s, L, st)
    for shell in range(3):  # Parseval: the weight of any shell is at most 1
        assert 0 <= obs.mode_amplitude(trace[None], st, shell)[0] <= 1
    up = np.zeros((L, L, L, n))
    up[..., 2] = 1.0
    _, trace = obs.measure(up, L, st)
    assert obs.mode_amplitude(trace[None], st, 0)[0] == pytest.approx(1.0, abs=1e-12)
    assert obs.mode_amplitude(trace[None], st, 1)[0] == pytest.approx(0.0, abs=1e-12)


def test_uncorrelated_spins_give_xi_compatible_with_zero():
    L, n = 6, 3
    p = mc.RunParameters("nn", L, 1.0, 10, 1, sampler="metropolis", components=n)
    model = p.build()
    rng = np.random.default_rng(11)
    configs = []
    for _ in range(400):
        s = rng.normal(size=(L, L, L, n))
        configs.append(s / np.linalg.norm(s, axis=-1, keepdims=True))
    out = summarize_states([_state_from_configs(p, model, configs)], model, warn=False)
    xi = out["xi"]
    assert xi["error"] > 0 and abs(xi["mean"]) < 3 * xi["error"]          # |z| < 3
    assert out["structure_factor"]["ordering_shell"] == 0
    # every S(k) of independent unit spins is 1 (trace)
    for key in ("s_order", "s_neighbour"):
        v = out["structure_factor"][key]
        assert abs(v["mean"] - 1) < 3 * v["error"]


def test_xi_of_an_ornstein_zernike_field_is_its_correlation_length():
    """Gaussian fields with the lattice Ornstein-Zernike spectrum
    S(k) = 1/(4 sum_a sin^2(k_a/2) + 1/xi^2) have second-moment length xi
    exactly; the pipeline (FFT, stencil, neighbours, jackknife) must find it."""
    L, n, xi_true = 8, 2, 2.5
    p = mc.RunParameters("nn", L, 1.0, 10, 1, sampler="metropolis", components=n)
    model = p.build()
    k = mc.k_grid(L)
    spec = 1.0 / (4 * np.sum(np.sin(k / 2) ** 2, axis=-1) + xi_true**-2)
    rng = np.random.default_rng(5)
    configs = []
    for _ in range(1500):
        w = rng.normal(size=(L, L, L, n))
        field = np.real(np.fft.ifftn(np.fft.fftn(w, axes=(0, 1, 2)) * np.sqrt(spec)[..., None], axes=(0, 1, 2)))
        configs.append(field)
    out = summarize_states([_state_from_configs(p, model, configs)], model, warn=False)
    xi = out["xi"]
    assert abs(xi["mean"] - xi_true) < 3 * xi["error"] and xi["error"] < 0.1 * xi_true
    assert out["xi_over_L"]["mean"] == pytest.approx(xi["mean"] / L)


@pytest.mark.parametrize("L", [4, 5])
def test_fft_structure_factor_equals_direct_sum(L):
    n = 3
    rng = np.random.default_rng(L)
    s = rng.normal(size=(L, L, L, n))
    s /= np.linalg.norm(s, axis=-1, keepdims=True)
    st = obs.stencil(L)
    mats, trace = obs.measure(s, L, st)
    for i in range(0, len(st.m), 5):
        direct = obs.structure_factor_direct(s, st.k[i])
        assert trace[i] == pytest.approx(np.real(np.trace(direct)), abs=1e-10)
    for j, rows in enumerate(st.shells):
        direct = np.mean([np.real(obs.structure_factor_direct(s, st.k[i])) for i in rows], axis=0)
        np.testing.assert_allclose(mats[j], direct, atol=1e-10)


def test_compression_weight_of_bl6_modes():
    """bl6 configurations ordered in component 1 (compression) or in 2..6 (shear)."""
    L = 4
    p = mc.RunParameters("bl6", L, 0.2, 10, 1, sampler="metropolis", poisson=0.3)
    model = p.build()
    rng = np.random.default_rng(2)
    for comp, weight in ((0, 1.0), (3, 0.0)):
        configs = []
        for _ in range(30):
            s = 0.05 * rng.normal(size=(L, L, L, 6))
            s[..., comp] += 1.0
            configs.append(s / np.linalg.norm(s, axis=-1, keepdims=True))
        out = summarize_states([_state_from_configs(p, model, configs)], model, warn=False)
        assert out["compression_weight"]["mean"] == pytest.approx(weight, abs=1e-2)
        assert out["shear_weight"]["mean"] == pytest.approx(1 - weight, abs=1e-2)
        assert out["compression_fraction"]["mean"] == pytest.approx(weight, abs=1e-2)


@pytest.mark.parametrize("cutoff", [0.0, 1.0, 1.5])
@pytest.mark.parametrize("poisson", [0.2, 0.3])
def test_k0_average_is_the_analytic_angular_average(cutoff, poisson):
    """k0='average' is the angular average of the undamped J(khat): 004 App. B
    (AUDIT: diag(K/(lambda+2mu), (2/5)(K+2mu)/(lambda+2mu) x5)), whatever the UV cutoff."""
    med = IsotropicElasticity.from_poisson(poisson)
    model = mc.bl6_model(4, med, cutoff=cutoff)
    j0 = mc.full_fourier(model.kernel)[0, 0, 0]
    np.testing.assert_allclose(j0, bl_coupling_angular_average_exact(med), atol=1e-12)
    assert model.kernel.k0 == "average"
    dip = mc.elastic_dipole_model(4, cutoff=cutoff)
    np.testing.assert_allclose(mc.full_fourier(dip.kernel)[0, 0, 0], np.eye(3) / 3, atol=1e-12)
    zero = mc.bl6_model(4, med, k0="zero", cutoff=cutoff)
    np.testing.assert_allclose(mc.full_fourier(zero.kernel)[0, 0, 0], 0.0, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_weiss_temperature_of_nn_is_6_over_n(n):
    model = mc.nn_model(4, n)
    assert mc.weiss_temperature(model) == pytest.approx(6.0 / n, rel=1e-12)


def test_weiss_temperature_of_bl6_approaches_mean_field():
    """Lattice Weiss T_c of bl6 at large L tends to 004 Eq. (24)'s max(J)/6
    (J_shear = 1 at Poisson 0.2) from below: the smallest |k| = 2 pi/L is
    damped by the UV cutoff, and the self term is removed."""
    med = IsotropicElasticity.from_poisson(0.2)
    t = [mc.weiss_temperature(mc.bl6_model(L, med, k0="zero")) for L in (4, 8, 12)]
    assert t[0] < t[1] < t[2] < 1 / 6
    damping = math.exp(-0.5 * (2 * math.pi / 12) ** 2)
    assert t[2] == pytest.approx(damping / 6, rel=0.05)
