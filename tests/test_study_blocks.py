"""Explicit clusters of coupled blocks and the 'blocks' study: exact limits,
independent brute-force references, linear response, the pipeline end to end."""

import json
import math

import numpy as np
import pytest
from scipy import integrate

from tensorglass.clusters import (
    block_covariance,
    classical_cluster_exact,
    cluster_coupling_sum,
    cubic_cluster_positions,
    isotropic_parts,
    kubo_spectrum,
    pair_couplings,
    ttls_cluster_hamiltonian,
    ttls_free_spectral_density,
)
from tensorglass.studies.blocks import validation

ALPHA = 0.625


@pytest.fixture(scope="module")
def checks():
    return validation(seed=11, mc_sweeps=40000)


def test_free_limit_reproduces_the_susceptibility_package(checks):
    # g -> 0: exact block covariances (classical) and the Kubo statics of an uncoupled 2^3 TTLS cluster
    # against susceptibility.multilevel_susceptibility, to round-off
    assert checks["free_limit_classical"] < 1e-12
    assert checks["free_limit_quantum"] < 1e-12


def test_two_coupled_blocks_against_independent_calculations(checks):
    # classical: enumeration vs the package formula on the composite 9-level block;
    # quantum: cluster ED vs a Kronecker-product 4x4 Hamiltonian fed to the package formula
    assert checks["two_block_classical"] < 1e-12
    assert checks["two_block_quantum"] < 1e-12


def test_monte_carlo_matches_exact_enumeration(checks):
    # 48 block means and 21 covariances of the total stress, batch-mean errors;
    # |z| < 4.5 for all 69 has family-wise p > 0.999 under the null (Bonferroni)
    assert checks["mc_vs_exact_n_z"] == 69
    assert checks["mc_vs_exact_max_abs_z"] < 4.5


def test_first_order_flow_has_no_isotropic_part_but_a_cubic_one():
    for n in (2, 3, 4):
        m = cluster_coupling_sum(n, ALPHA)
        assert max(abs(x) for x in isotropic_parts(m)) < 1e-14
        assert abs(m[0, 0] - m[0, 1] - m[3, 3]) > 0.05          # cubic anisotropy of the cube's sum
    # direct pair sum agrees with the displacement-weighted sum
    j = pair_couplings(cubic_cluster_positions(3), ALPHA)
    np.testing.assert_allclose(j.sum(axis=(0, 1)) / 27, cluster_coupling_sum(3, ALPHA), atol=1e-13)


def test_isotropic_projection_recovers_chi_l_and_chi_t():
    from tensorglass.tensors import tensor4_to_mandel
    d = np.eye(3)
    chi_l, chi_t = 1.7, 0.45
    c = ((chi_l - 2 * chi_t) * np.einsum("ij,kl->ijkl", d, d)
         + chi_t * (np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d)))
    np.testing.assert_allclose(isotropic_parts(tensor4_to_mandel(c)), (chi_l, chi_t), rtol=1e-14)


def _weak_cluster(g, seed=3):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((8, 2))
    v = rng.standard_normal((8, 2, 6))
    j = g * pair_couplings(cubic_cluster_positions(2), ALPHA)
    return e, v, j


def test_linear_response_constant_against_enumeration():
    # <dT_s dT_s'> = beta C_s J_ss' C_s' + O(J^2): the relative deviation halves when J halves
    temp = 0.8
    devs = []
    for g in (0.02, 0.01):
        e, v, j = _weak_cluster(g)
        _, cov = classical_cluster_exact(e, v, j, temp)
        _, c = block_covariance(e, v, temp)
        pred = np.einsum("sab,stbc,tcd->stad", c, j, c) / temp
        off = ~np.eye(8, dtype=bool)
        devs.append(np.linalg.norm(cov[off] - pred[off]) / np.linalg.norm(pred[off]))
    assert devs[0] < 0.05
    assert devs[1] / devs[0] == pytest.approx(0.5, abs=0.05)


def test_first_order_super_block_susceptibility_against_enumeration():
    # chi_super = (1/N)[sum chi_s + sum_{s != s'} chi_s J chi_s' + beta^2 sum_s kappa3_s . h_s] + O(J^2),
    # h_s = sum_t J_st <T_t> the mean field (the last, Hartree, term averages out over disorder because
    # <T_t> does): the error quarters when J halves
    temp = 0.8
    beta = 1 / temp
    errs = []
    for g in (0.02, 0.01):
        e, v, j = _weak_cluster(g)
        _, cov = classical_cluster_exact(e, v, j, temp)
        chi_super = cov.sum(axis=(0, 1)) / temp / 8
        mean, c = block_covariance(e, v, temp)
        chi = beta * c
        p = np.exp(-beta * (e - e.min(axis=1, keepdims=True)))
        p /= p.sum(axis=1, keepdims=True)
        dv = v - mean[:, None, :]
        kappa3 = np.einsum("sk,ska,skb,skc->sabc", p, dv, dv, dv)
        h = np.einsum("stab,tb->sa", j, mean)
        first = (chi.sum(axis=0) + np.einsum("sab,stbc,tcd->ad", chi, j, chi)
                 + beta**2 * np.einsum("sabc,sc->ab", kappa3, h)) / 8
        errs.append(np.linalg.norm(chi_super - first))
    assert errs[1] / errs[0] == pytest.approx(0.25, abs=0.04)


def test_single_ttls_kubo_weight_is_002_eq_2_7():
    # one TTLS: one line at E with weight pi gamma_a gamma_b (Delta_0/E)^2 tanh(E/2T) (per unit volume)
    asym, tun, temp = 0.3, 0.4, 0.2
    gam = np.array([[0.5, -0.2, 0.1, 0.3, 0.0, 0.7]])
    h, td = ttls_cluster_hamiltonian([asym], [tun], gam, np.zeros((1, 1, 6, 6)))
    omega, w, rel = kubo_spectrum(h, td, temp, 1.0)
    e = math.hypot(asym, tun)
    assert omega == pytest.approx([e], rel=1e-14)
    np.testing.assert_allclose(w[0], math.pi * np.outer(gam[0], gam[0]) * (tun / e) ** 2 * math.tanh(e / (2 * temp)),
                               rtol=1e-12, atol=1e-15)


def test_free_spectral_density_against_direct_integration():
    # <(Delta_0/E)^2 delta(w - E)> over P = Pbar/Delta_0: integrate the distribution over a frequency
    # window directly (2-d quadrature in Delta, Delta_0) and compare with the closed form
    dmax, t0, t1 = 1.0, 0.01, 1.0
    norm = 2 * dmax * math.log(t1 / t0)
    for a, b in ((0.05, 0.2), (0.5, 1.0), (0.9, 1.3)):
        def inner(d0):
            # Delta range where a < sqrt(Delta^2 + d0^2) < b, weight (d0/E)^2 / d0
            lo2, hi2 = max(a * a - d0 * d0, 0.0), b * b - d0 * d0
            if hi2 <= 0:
                return 0.0
            lo, hi = math.sqrt(lo2), min(math.sqrt(hi2), dmax)
            if hi <= lo:
                return 0.0
            # int d0/(D^2 + d0^2) dD = atan(D/d0)
            return 2 * (math.atan(hi / d0) - math.atan(lo / d0)) / norm
        direct = integrate.quad(inner, t0, t1, limit=200, points=[a, b])[0]
        closed = integrate.quad(lambda w: float(ttls_free_spectral_density(w, dmax, t0, t1)), a, b, limit=200)[0]
        assert closed == pytest.approx(direct, rel=1e-6)


def test_kubo_statics_obey_the_fluctuation_sum_for_classical_limit():
    # with no tunnelling the cluster is classical: no resonance lines, and the relaxation part is
    # beta Cov(T)/V of the classical enumeration with the same Ising couplings
    rng = np.random.default_rng(5)
    asym = rng.uniform(-1, 1, 3)
    gam = rng.standard_normal((3, 6))
    x = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 1]])
    j = pair_couplings(x, ALPHA)
    h, td = ttls_cluster_hamiltonian(asym, np.zeros(3), gam, j)
    omega, w, rel = kubo_spectrum(h, td, 0.5, 3)
    assert np.all(np.abs(w) < 1e-14)
    energies = np.stack([asym / 2, -asym / 2], axis=1)                     # sigma_z = +1, -1
    vectors = np.stack([gam, -gam], axis=1)
    _, cov = classical_cluster_exact(energies, vectors, j, 0.5)
    np.testing.assert_allclose(rel, cov.sum(axis=(0, 1)) / 0.5 / 3, rtol=1e-10, atol=1e-13)


@pytest.mark.slow
def test_study_pipeline_end_to_end(tmp_path):
    from tensorglass.studies import run_study
    out = tmp_path / "blocks"
    res = run_study("blocks", config="tiny", out=out, workers=1, progress=False)
    for f in ("study.md", "study.html", "data.nc", "results.json", "figures/correlation_vs_g.png",
              "figures/quantum_ratio.png", "figures/flow_vs_scale.png"):
        assert (out / f).is_file(), f
    data = json.loads((out / "results.json").read_text())
    assert {"correlation", "flow", "quantum", "validation", "verdict"} <= set(data)
    assert {"g", "temperature", "r", "c_over_c0", "error"} <= set(data["correlation"][0])
    assert {"g", "n0", "chi_l_measured", "chi_t_measured", "chi_l_flow", "chi_t_flow", "errors"} <= set(data["flow"][0])
    assert {"g", "omega", "im_chi_l", "im_chi_t", "ratio", "error", "rg_step_ratio"} <= set(data["quantum"][0])
    assert {"free_limit_max_rel_error", "two_block_max_rel_error"} <= set(data["validation"])
    assert data["validation"]["free_limit_max_rel_error"] < 1e-12
    assert isinstance(data["verdict_first_edition"], str) and "Assumption" in data["verdict_first_edition"]
    # second edition keys
    assert {"isotropic_first_order_max_abs", "contact_term", "second_order"} <= set(data["theorem"])
    assert data["theorem"]["isotropic_first_order_max_abs"] < 1e-12
    assert {"n", "iso_l", "iso_t"} <= set(data["theorem"]["second_order"][0])
    assert {"kL", "S_l", "S_l_error", "S_t", "S_t_error", "ratio", "ratio_error", "first_order_ratio", "g_over_T",
            "blocks"} <= set(data["finite_k"][0])
    assert {"paper", "quantity", "predicted", "measured", "error", "z"} <= set(data["predictions"][0])
    assert {p["paper"][:3] for p in data["predictions"]} == {"000", "001", "002"}
    assert isinstance(data["verdict"], str) and data["verdict"].count(". ") <= 3
    # the measured nearest-neighbour correlation is the linear response within 25 % at g/T = 0.3
    r1 = [c for c in data["correlation"] if c["displacement"] == [1, 0, 0]][0]
    assert r1["c_over_c0"] > 5 * r1["error"]
    assert r1["amplitude_over_linear_response"] == pytest.approx(1.0, abs=0.25)
    assert res["headline"]


def test_quick_configuration_fits_in_fifteen_minutes_and_has_every_part():
    """Issue 19: --quick gives every key in under 15 minutes; its estimate (CPU seconds measured per point on this
    machine, blocks.COST) on 2 idle cores leaves a margin of 2 for load and the engine's overhead."""
    from tensorglass.studies import blocks
    quick, full = blocks.CONFIGS["quick"], blocks.CONFIGS["full"]
    assert set(quick) == set(full) - {"fk_points"}
    parts = blocks.estimate(quick)
    assert {what.split()[0] for what, _, _ in parts} >= {"classical", "quantum", "weak-coupling", "finite-k"}
    assert all(n > 0 for _, n, _ in parts)
    minutes_on_two_cores = sum(n * s for _, n, s in parts) / 60 / 2
    assert minutes_on_two_cores < 7.5


def test_page_leads_with_the_second_edition_and_keeps_g_one_in_the_appendix():
    """Issue 19: theorem, predictions, finite k and the quantum step come first; couplings g >= 1 only in an
    appendix titled as outside any perturbative regime (drawn from the stored tiny results)."""
    import copy
    from pathlib import Path

    from tensorglass.studies import blocks_page
    results = json.loads((Path(__file__).parent / "data" / "blocks_tiny_results.json").read_text())
    strong = copy.deepcopy(results)
    for row in strong["correlation"][:2] + strong["flow"][:1]:
        row["g"] = 1.0                                   # pretend these rows were run at g = 1
    doc = blocks_page.document(strong)
    anchors = [a for _, _, a in doc.headings()]
    order = ["theorem", "predictions", "finite-k", "quantum-step", "first-edition", "appendix-strong"]
    assert [anchors.index(a) for a in order] == sorted(anchors.index(a) for a in order)
    md = doc.markdown()
    appendix = md[md.index("## Appendix A"):]
    body = md[:md.index("## Appendix A")]

    def g_column(text, caption):
        rows = text[text.index(caption):].split("\n\n")[1].splitlines()[2:]      # skip the header and the rule
        return [float(r.split("|")[2]) for r in rows]
    assert 1.0 not in g_column(body, "Inter-block correlation by temperature")
    assert 1.0 not in g_column(body, "Super-block susceptibilities relative")
    assert set(g_column(appendix, "Inter-block correlation at g >= 1")) == {1.0}
    assert "Inter-block correlation at g >= 1" in appendix
    top = md[:md.index("## 1. The theorem")]
    assert "**Verdict.** The isotropic part of the first-order M vanishes pair by pair" in top
    assert "**Headline.** isotropic first-order M = 0 pair by pair" in top


def test_finite_k_and_classical_points_are_checked_before_anything_runs():
    from tensorglass.sweeps import parse_spec
    from tensorglass.sweeps._spec import SpecError, check_points
    from tensorglass.studies import blocks
    good = blocks._second_points(blocks.CONFIGS["tiny"])[1][0]
    for bad in ({"batches": 50}, {"poisson": 0.3}, {"L": 2}, {"L": 5}, {"model": "bl6"}):
        spec = parse_spec({"compute": "blocks-finite-k", "seed": 1, "combine": "zip",
                           "grid": {k: [v] for k, v in {**good, **bad}.items()}, "fixed": {}}, "spec")
        with pytest.raises(SpecError, match=list(bad)[0]):
            check_points(spec)
    point = {**blocks._weak_points(blocks.CONFIGS["tiny"])[0], "states": 3}
    spec = parse_spec({"compute": "blocks-classical", "seed": 1, "combine": "zip",
                       "grid": {k: [v] for k, v in point.items()}, "fixed": {}}, "spec")
    with pytest.raises(SpecError, match="states"):
        check_points(spec)


@pytest.mark.parametrize("name", ["tiny", "quick", "full"])
def test_every_configuration_passes_the_up_front_checks(name):
    """The points each configuration submits pass the sweep engine's checks (a finite-k point once failed them at
    the quick size: its thermalisation was checked against a default of 100 sweeps)."""
    from tensorglass.sweeps import parse_spec
    from tensorglass.sweeps._spec import check_points
    from tensorglass.studies import blocks
    cfg = blocks.CONFIGS[name]
    wpts, fpts, qwpts = blocks._second_points(cfg)
    for kind, pts in (("blocks-classical", blocks._classical_points(cfg) + wpts), ("blocks-finite-k", fpts),
                      ("blocks-quantum", blocks._quantum_points(cfg) + qwpts)):
        for group in ({tuple(p) for p in pts}):                 # one spec per set of parameter names
            sel = [p for p in pts if tuple(p) == group]
            spec = parse_spec({"compute": kind, "seed": 1, "combine": "zip",
                               "grid": {k: [p[k] for p in sel] for k in group}, "fixed": {}}, "spec")
            assert check_points(spec) == len(sel)
