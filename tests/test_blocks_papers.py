"""The coupled-block study, second edition: the theorem, the steps where each
paper's ln N0 arises, M2, and the finite-k response.  Grouped by paper."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tensorglass.clusters import (
    cluster_coupling_sum,
    gaussian_cluster_chi,
    gaussian_response_dense,
    isotropic_parts,
    m_000,
    pair_couplings,
    phonon_strains,
    rpa_response,
    second_order_cluster_sum,
    shell_sum_002,
)
from tensorglass.interaction import (
    angular_average,
    contact_term,
    isotropic_contractions,
    isotropic_part_of_tensor,
    low_k_ball_transform,
    tilde_lambda,
    tilde_lambda_003_printed,
)
from tensorglass.tensors import tensor4_to_mandel

ALPHA = 0.625
unit = st.tuples(*(st.floats(-1, 1, allow_nan=False) for _ in range(3))).filter(
    lambda v: 0.1 < math.sqrt(sum(x * x for x in v)))


class TestTheorem:
    """001 Eq. (3.3) / 002 Eq. (4.1): the isotropic part of every pair's term vanishes."""

    def test_symbolic_proof(self):
        from tensorglass.studies._blocks_theorem import symbolic_isotropic_contractions
        iijj, ijij, raw, _ = symbolic_isotropic_contractions()
        assert iijj == 0 and ijij == 0
        assert raw != 0            # off the unit sphere the contraction is not zero: the proof uses |n| = 1

    @settings(max_examples=60, deadline=None)
    @given(unit, st.floats(-2, 2, allow_nan=False))
    def test_contractions_vanish_for_every_direction_and_alpha(self, n, alpha):
        p, q = isotropic_contractions(tilde_lambda(np.array(n), alpha))
        assert abs(p) < 1e-12 and abs(q) < 1e-12

    @settings(max_examples=20, deadline=None)
    @given(st.integers(0, 2**31))
    def test_random_points_have_isotropic_m_zero_but_full_m_not(self, seed):
        pos = np.random.default_rng(seed).uniform(0, 5, (12, 3))
        m = pair_couplings(pos, ALPHA).sum(axis=(0, 1)) / 12
        assert max(abs(v) for v in isotropic_parts(m)) < 1e-12 * max(1.0, np.abs(m).max())
        assert np.linalg.norm(m) > 1e-4

    def test_isotropic_projection_of_a_tensor_matches_the_mandel_one(self):
        rng = np.random.default_rng(4)
        t = rng.standard_normal((3, 3, 3, 3))
        t = t + t.transpose(1, 0, 2, 3)
        t = t + t.transpose(0, 1, 3, 2)
        t = t + t.transpose(2, 3, 0, 1)
        np.testing.assert_allclose(isotropic_part_of_tensor(t), isotropic_parts(tensor4_to_mandel(t)), rtol=1e-12)

    def test_contact_term_is_the_only_isotropic_piece(self):
        cl, ct = isotropic_part_of_tensor(contact_term(ALPHA))
        # closed form: chi_t = alpha/30 - 1/12, chi_l = chi_t*2 + alpha/30
        assert ct == pytest.approx(ALPHA / 30 - 1 / 12, rel=1e-12)
        assert cl == pytest.approx(2 * (ALPHA / 30 - 1 / 12) + ALPHA / 30, rel=1e-12)
        assert (cl, ct) == pytest.approx((-0.1041667, -0.0625), abs=1e-6)


class Test000:
    """000 Eqs. (3.6)-(3.8), (D11)-(D13)."""

    def test_low_k_ball_is_d12_with_one_twelfth_not_one_quarter(self):
        # the ball |k| < 2 pi/64 of the transform, seen from r = 1: 000's D12 constant with q = 1/12;
        # the full transform (D13 + contact) already contains it, so D12 + D13 counts it twice
        k0 = 2 * math.pi / 64
        ball = low_k_ball_transform(np.array([0.3, 0.8, 0.52]), ALPHA, k0)
        pref = k0**3 / (6 * math.pi**2)
        assert pref == pytest.approx(4 * math.pi / 3 / 64**3, rel=1e-12)
        assert np.max(np.abs(ball - pref * contact_term(ALPHA, 1 / 12))) < 0.005 * np.max(np.abs(ball))
        assert np.max(np.abs(ball - pref * contact_term(ALPHA, 0.25))) > 1.0 * np.max(np.abs(ball))

    def test_m_000_is_half_the_kernel_sum_plus_the_d12_constant(self):
        for n0 in (2, 3):
            m = m_000(n0, ALPHA, 1 / 12)
            iso = isotropic_parts(m)
            expect = [-(4 * math.pi / 3) * (1 - n0**-3) * v for v in isotropic_part_of_tensor(contact_term(ALPHA))]
            np.testing.assert_allclose(iso, expect, rtol=1e-12)
            np.testing.assert_allclose(m - m.T, 0, atol=1e-14)
        # with the printed 1/4 the isotropic part is about 4x (l) and 3.7x (t) larger
        r = np.array(isotropic_parts(m_000(4, ALPHA, 0.25))) / np.array(isotropic_parts(m_000(4, ALPHA, 1 / 12)))
        np.testing.assert_allclose(r, [0.4375 / 0.1041667, 0.2291667 / 0.0625], rtol=1e-5)


class Test001:
    """001 Eqs. (3.3), (3.7), (4.1)-(4.5)."""

    def test_sphere_has_a_zero_angular_integral_and_a_typo_kernel_does_not(self):
        assert np.max(np.abs(angular_average(tilde_lambda, ALPHA))) < 1e-14
        assert np.max(np.abs(angular_average(tilde_lambda_003_printed, ALPHA))) > 0.1

    def test_abcdef_vanish_for_the_sphere_and_grow_as_eps_squared(self):
        from tensorglass.studies._blocks_theorem import failing_steps
        f = failing_steps(ALPHA, n0_list=(2,))
        assert max(abs(v) for v in f["001_sphere_ABCDEF"].values()) < 1e-15
        e = f["001_ellipsoid"]
        for a, b in zip(e, e[1:]):
            assert b["max_abs_ABCDEF"] / a["max_abs_ABCDEF"] == pytest.approx((b["eps"] / a["eps"]) ** 2, rel=0.05)


class Test002:
    """002 Eqs. (4.1), (C.20)-(C.23)."""

    def test_direct_cube_sum_saturates_while_c23_grows_as_ln_n0(self):
        rows = [shell_sum_002(n, np.array([0.0, 0.0, 0.05 / n]), ALPHA) for n in (2, 4, 8)]
        # C.23 grows by 4 pi ln 2 (-Lambda) per doubling; the direct sum's increments halve
        d = [r["direct_l"] for r in rows]
        assert abs(d[2] - d[1]) < 0.6 * abs(d[1] - d[0])
        assert rows[2]["c23_l"] - rows[1]["c23_l"] == pytest.approx(rows[1]["c23_l"] - rows[0]["c23_l"], rel=1e-12)
        # and it is far larger than the direct sum (factor > 10 at every N0)
        assert all(abs(r["c23_l"]) > 10 * abs(r["direct_l"]) for r in rows)
        # N0^3 - 1 = 7 against 3 ln 2 = 2.08 at N0 = 2; the lattice shell count follows the former
        assert rows[0]["count_exact"] / rows[0]["count_c22"] == pytest.approx(7 / (3 * math.log(2)), rel=1e-12)
        assert abs(rows[0]["lattice_count"] - rows[0]["count_exact"]) < abs(rows[0]["lattice_count"]
                                                                            - rows[0]["count_c22"])

    def test_phonon_strains_pick_chi_l_and_chi_t(self):
        d = np.eye(3)
        chi = (1.3 - 2 * 0.4) * np.einsum("ij,kl->ijkl", d, d) + 0.4 * (np.einsum("ik,jl->ijkl", d, d)
                                                                      + np.einsum("il,jk->ijkl", d, d))
        c = tensor4_to_mandel(chi)
        el, et = phonon_strains([0.2, -0.5, 0.7])
        assert el @ c @ el == pytest.approx(1.3) and et @ c @ et == pytest.approx(0.4)


class TestSecondOrder:
    """M2 of Gaussian blocks: expansion against the exact cluster chi, and saturation in n."""

    def test_m_and_m2_are_the_expansion_of_the_exact_gaussian_cluster(self):
        for c in (0.02, 0.04):
            for n in (2, 3):
                exact = gaussian_cluster_chi(n, ALPHA, c)
                two = c * np.eye(6) + c**2 * cluster_coupling_sum(n, ALPHA) + c**3 * second_order_cluster_sum(n, ALPHA)
                assert np.max(np.abs(exact - two)) < 30 * c**4

    def test_isotropic_m2_levels_off(self):
        from tensorglass.studies._blocks_theorem import second_order_table
        rows, fits = second_order_table(ALPHA, sizes=(2, 4, 8, 16))
        np.testing.assert_allclose([r["iso_l"] for r in rows], [0.018, 0.041, 0.054, 0.060], atol=6e-4)
        inc = np.diff([r["iso_l"] for r in rows])
        assert np.all(inc[1:] < 0.6 * inc[:-1])                # increments per doubling halve (ln n would not)
        assert fits["inverse"]["rms_residual"] < 0.2 * fits["log"]["rms_residual"]


@pytest.fixture(scope="module")
def kernel():
    from tensorglass.montecarlo import coupled_blocks_model
    return coupled_blocks_model(4, ALPHA).kernel


class TestFiniteK:
    """The response at the phonon's wave vector (periodic blocks)."""

    def test_rpa_is_the_exact_gaussian_response(self, kernel):
        chi0 = np.diag([0.12, 0.1, 0.1, 0.08, 0.1, 0.09])
        for m in ((1, 0, 0), (2, 0, 0), (1, 1, 0)):
            s = gaussian_response_dense(kernel, chi0, m)
            r = rpa_response(kernel, chi0, [m])
            el, et = phonon_strains(2 * np.pi * np.array(m) / 4)
            assert r["S_l"][0] == pytest.approx(el @ s @ el, rel=1e-10)
            assert r["S_t"][0] == pytest.approx(et @ s @ et, rel=1e-10)

    def test_first_order_is_the_linear_term(self, kernel):
        m = [(1, 0, 0)]
        for c in (1e-3, 2e-3):
            r = rpa_response(kernel, c * np.eye(6), m)
            assert abs(r["S_l"][0] - r["first_l"][0]) < 2 * c**3 * 10
        r1 = rpa_response(kernel, 1e-3 * np.eye(6), m)
        r2 = rpa_response(kernel, 2e-3 * np.eye(6), m)
        # the residual is O(c^3): doubling c multiplies it by 8
        assert (r2["S_l"][0] - r2["first_l"][0]) / (r1["S_l"][0] - r1["first_l"][0]) == pytest.approx(8, rel=0.02)


class TestHypotheses:
    """Blocks that meet the papers' hypotheses (002 Eq. C.12): zero mean stress per block."""

    def test_symmetric_level_sets_have_zero_block_means_in_a_coupled_cluster(self):
        from tensorglass.clusters import classical_cluster_exact, cubic_cluster_positions, symmetric_level_sets
        rng = np.random.default_rng(8)
        j = 0.5 * pair_couplings(cubic_cluster_positions(2), ALPHA)
        e, v = symmetric_level_sets(rng.standard_normal((8, 1)), rng.standard_normal((8, 1, 6)))
        mean, _ = classical_cluster_exact(e, v, j, 1.0)
        assert np.max(np.abs(mean)) < 1e-12
        # the same draw without the mirror partner (two independent levels) has non-zero means: the test can fail
        e2, v2 = rng.standard_normal((8, 2)), rng.standard_normal((8, 2, 6))
        mean2, _ = classical_cluster_exact(e2, v2, j, 1.0)
        assert np.max(np.abs(mean2)) > 0.05

    def test_symmetric_point_runs_and_reports_its_blocks(self):
        from tensorglass.studies._blocks_points import classical_point
        out = classical_point({"g": 0.03, "temperature": 1.0, "n": 2, "disorder_seed": 5, "sweeps": 400,
                               "thermalize": 20, "chains": 1, "symmetric": 1}, seed=3)
        assert out["chi_l_elementary"] > 0 and math.isfinite(out["chi_l_measured"])
        from tensorglass.errors import ParameterError
        with pytest.raises(ParameterError):
            classical_point({"g": 0.03, "temperature": 1.0, "n": 2, "disorder_seed": 5, "sweeps": 10,
                             "chains": 1, "symmetric": 1, "states": 3}, seed=3)


class TestStudyAnalysis:
    """The second edition's tables from synthetic records (no Monte Carlo)."""

    def test_predictions_for_isotropic_blocks(self):
        from tensorglass.studies.blocks import predictions, weak_table
        c = 0.05
        chi = c * np.eye(6)
        cl, ct = isotropic_parts(chi)
        recs = [{"params": {"g": 0.01, "n": 4, "temperature": 1.0},
                 "result": {"chi_l_elementary": cl, "chi_t_elementary": ct, "chi_l_measured": cl * (1 + s),
                            "chi_t_measured": ct, "tau_int": 0.5},
                 "extra": {"chi_elementary": chi.tolist()}} for s in (0.001, -0.001, 0.002)]
        row = weak_table(recs, ALPHA)[0]
        assert row["p001_l"] == pytest.approx(1.0, abs=1e-12)        # the theorem: no isotropic first-order change
        # 000 with 1/12, closed form for chi = c I: (1/c - M)^-1, isotropic part over c
        m = m_000(4, ALPHA, 1 / 12)
        expect = isotropic_parts(np.linalg.inv(np.eye(6) / c - m))[0] / cl
        assert row["p000t_l"] == pytest.approx(expect, rel=1e-12) and expect > 1.01
        assert row["meas_l"] == pytest.approx(1 + 0.002 / 3, rel=1e-12)
        preds = predictions([row], {})
        assert [p["paper"][:3] for p in preds] == ["000", "000", "001"]
        p001 = preds[2]
        assert p001["z"] == pytest.approx((p001["measured"] - 1.0) / p001["error"], rel=1e-9)

    def test_drift_fit_recovers_a_slope(self):
        from tensorglass.studies.blocks import drift_fit
        kl = np.array([0.2, 0.4, 0.8, 1.6, 3.1])
        rows = [{"kL": k, "ratio": 2.0 + 0.01 * math.log(1 / k), "gaussian_ratio": 2.0, "ratio_error": 0.003}
                for k in kl]
        f = drift_fit(rows)
        assert f["slope"] == pytest.approx(0.01, rel=1e-9)
        assert f["slope_error"] == pytest.approx(0.003 / math.sqrt(np.sum((np.log(1 / kl) - np.log(1 / kl).mean()) ** 2)),
                                                 rel=1e-9)
