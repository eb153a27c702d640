"""The tensor-consistent avalanche (method "tensor") against a direct
fourth-order-tensor computation, and lattice sums of tildeLambda against the
closed-form direction averages (001 Sec. IV)."""

import numpy as np
import pytest

from tensorglass import avalanche as av
from tensorglass.errors import ParameterError
from tensorglass.interaction import tilde_lambda
from tensorglass.predict import predict
from tensorglass.tensors import tensor4_to_zhou, zhou_to_tensor4

ALPHA, ELL = 0.7, 20.0


def _stiffness_tensor(alpha):
    """001 Eq. (2.10) as a 3x3x3x3 array, rho c_t^2 = 1."""
    d = np.eye(3)
    lam = 1.0 / (1.0 - alpha) - 2.0
    return lam * np.einsum("ij,kl->ijkl", d, d) + np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d)


def _radius_weighted_lambda(eps, alpha, n_u=200, n_phi=64):
    """<tildeLambda> over the sphere with weight sqrt(1 - eps^2 n_x^2) by
    quadrature of the 4-tensor itself (no A..F, no closed forms)."""
    u, w = np.polynomial.legendre.leggauss(n_u)
    phi = np.arange(n_phi) * 2 * np.pi / n_phi
    s = np.sqrt(1 - u**2)
    n = np.stack([np.repeat(u, n_phi), np.outer(s, np.cos(phi)).ravel(), np.outer(s, np.sin(phi)).ravel()], -1)
    wt = np.repeat(w * np.sqrt(1 - eps**2 * u**2), n_phi)
    return np.einsum("p,pijkl->ijkl", wt, tilde_lambda(n, alpha)) / wt.sum()


def _direct_chi_inverse(eps, alpha, ell):
    """chi^-1 as a 9x9 map on 3x3 tensors: 2 ell <tildeLambda> plus the
    Moore-Penrose inverse of the stiffness on 9-vectors (its null space is the
    antisymmetric tensors, so on symmetric tensors it is the tensor inverse)."""
    nonel = 2 * ell * _radius_weighted_lambda(eps, alpha)
    s9 = np.linalg.pinv(_stiffness_tensor(alpha).reshape(9, 9))
    return nonel.reshape(9, 9) + s9


def _symmetric_eigenvalues(m9):
    """Eigenvalues of a 9x9 map restricted to symmetric 3x3 tensors, via an
    orthonormal basis of that subspace built here from scratch."""
    basis = []
    for i in range(3):
        for j in range(i, 3):
            t = np.zeros((3, 3))
            t[i, j] = t[j, i] = 1.0
            basis.append((t / np.linalg.norm(t)).ravel())
    b = np.array(basis)                     # (6, 9), orthonormal rows
    return np.linalg.eigvalsh(b @ (0.5 * (m9 + m9.T)) @ b.T)


@pytest.mark.parametrize("eps", [0.2, 0.55, 0.9])
def test_tensor_method_equals_direct_four_tensor_eigenvalues(eps):
    mandel = av.inverse_susceptibility_mandel(eps, ALPHA, ELL)
    direct = _symmetric_eigenvalues(_direct_chi_inverse(eps, ALPHA, ELL))
    np.testing.assert_allclose(np.linalg.eigvalsh(mandel), direct, atol=1e-9)
    md = av.modes(eps, ALPHA, ELL, "tensor")
    closed = sorted([md.hard_xy, md.hard_xy, md.hard_symmetric, md.dilation, md.yy_minus_zz, md.shear_yz])
    np.testing.assert_allclose(closed, direct, atol=1e-9)


def test_published_shear_eigenvalues_are_not_tensor_eigenvalues():
    # the plain inverse of 001 Eq. (4.6) differs from the tensor inverse in
    # the shear block only: S_xyxy = 1 there, 1/4 for the tensor
    pub = av.elastic_inverse_zhou(ALPHA)
    ten = av.elastic_inverse_tensor_zhou(ALPHA)
    np.testing.assert_allclose(np.diag(ten)[[1, 2, 4]], 0.25, atol=1e-14)
    np.testing.assert_allclose(np.diag(pub)[[1, 2, 4]], 1.0, atol=1e-14)
    np.testing.assert_allclose(ten[np.ix_([0, 3, 5], [0, 3, 5])], pub[np.ix_([0, 3, 5], [0, 3, 5])], atol=1e-14)
    # the tensor inverse contracted with the stiffness is the symmetric identity
    s4, c4 = zhou_to_tensor4(ten), _stiffness_tensor(ALPHA)
    ident = 0.5 * (np.einsum("ik,jl->ijkl", np.eye(3), np.eye(3)) + np.einsum("il,jk->ijkl", np.eye(3), np.eye(3)))
    np.testing.assert_allclose(np.einsum("ijmn,mnkl->ijkl", c4, s4), ident, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.55, 0.7, 0.8])
def test_tensor_method_yz_and_yy_minus_zz_cross_together(alpha):
    # transverse isotropy about x (000 Sec. IV) makes e_yz and e_yy - e_zz one
    # degenerate pair: same eigenvalue at every eps, so the same crossing
    ce = av.critical_eccentricities(alpha, ELL, "tensor")
    assert ce["shear_yz"] is not None
    assert abs(ce["shear_yz"] - ce["yy_minus_zz"]) < 1e-9
    for eps in (0.1, 0.5, 0.95):
        m = av.modes(eps, alpha, ELL, "tensor")
        assert abs(m.shear_yz - m.yy_minus_zz) < 1e-12 * max(1.0, abs(m.shear_yz))
    # the published method breaks that symmetry: its yz crossing is much later
    cp = av.critical_eccentricities(alpha, ELL, "published")
    assert cp["shear_yz"] - cp["yy_minus_zz"] > 0.2


def test_tensor_method_keeps_published_normal_block_crossings():
    ct, cp = av.critical_eccentricities(ALPHA, ELL, "tensor"), av.critical_eccentricities(ALPHA, ELL, "published")
    assert abs(ct["dilation"] - cp["dilation"]) < 1e-10
    assert abs(ct["yy_minus_zz"] - cp["yy_minus_zz"]) < 1e-10


def test_tensor_critical_point_is_a_null_tensor_of_the_direct_map():
    e = av.critical_eccentricities(ALPHA, ELL, "tensor")["shear_yz"]
    ev = _symmetric_eigenvalues(_direct_chi_inverse(e, ALPHA, ELL))
    assert np.sum(np.abs(ev) < 1e-8) == 2        # yz and yy-zz together
    ev_before = _symmetric_eigenvalues(_direct_chi_inverse(e - 0.01, ALPHA, ELL))
    assert np.all(ev_before > 0)


def test_predict_and_cli_accept_tensor():
    res = predict(5.8, 3.8, method="tensor")
    assert res["avalanche_method"] == "tensor"
    assert res["critical_strains"]["shear_yz"] == pytest.approx(res["critical_strains"]["yy_minus_zz"], abs=1e-9)
    with pytest.raises(ParameterError):
        predict(5.8, 3.8, method="tensors")


# ---- lattice sums -------------------------------------------------------------------------------------

def _zhou_of(av_dict, alpha):
    return av.zhou_matrix_from_abcdef(av.abcdef(av_dict, alpha))


@pytest.mark.parametrize("eps", [0.8, 0.9])
def test_lattice_volume_sum_converges_to_eq_4_4_not_eq_4_5(eps):
    # blocks on a cubic lattice inside the ellipsoid, outside L1: the error of
    # the closed-form volume average falls with R and stays < 15 % of the
    # distance to 001 Eq. (4.5)'s closed forms
    errs = []
    for radius, l1 in ((12, 2.0), (24, 4.0)):
        t, _ = av.lattice_average_lambda(eps, ALPHA, radius, l1, "volume")
        z = tensor4_to_zhou(t)
        vol = _zhou_of(av.direction_averages_volume(eps, float(np.log(radius / l1))), ALPHA)
        pub = _zhou_of(av.direction_averages_published(eps), ALPHA)
        errs.append(np.abs(z - vol).max())
    assert errs[1] < 0.15 * np.abs(pub - vol).max()
    assert errs[1] < 0.7 * errs[0]


def test_lattice_exterior_sum_reproduces_eq_4_5():
    # the 1/r^4 sum over the blocks outside the ellipsoid weights directions
    # by 1/r_max: it lands on 001 Eq. (4.5)'s closed forms, not on Eq. (4.4)'s
    eps = 0.8
    t, n = av.lattice_average_lambda(eps, ALPHA, 8, 1.0, "exterior", r_out_factor=3.0)
    z = tensor4_to_zhou(t)
    pub = _zhou_of(av.direction_averages_published(eps), ALPHA)
    vol = _zhou_of(av.direction_averages_volume(eps, ELL), ALPHA)
    assert n > 10**5
    assert np.abs(z - pub).max() < 0.1 * np.abs(pub - vol).max()


def test_lattice_rejects_bad_input():
    with pytest.raises(ParameterError):
        av.lattice_average_lambda(0.5, ALPHA, 2, 1.0)
    with pytest.raises(ParameterError):
        av.lattice_average_lambda(0.5, ALPHA, 8, 1.0, kind="surface")


def test_sweep_point_with_the_tensor_method():
    from tensorglass.sweeps._compute import evaluate_point
    out = evaluate_point("predict", {"c_l": 5.8, "c_t": 3.8, "method": "tensor"}, 0,
                         ("critical_strains.shear_yz", "critical_strains.yy_minus_zz", "avalanche_method"))
    r = out["result"]
    assert r["avalanche_method"] == "tensor"
    assert abs(r["critical_strains.shear_yz"] - r["critical_strains.yy_minus_zz"]) < 1e-9


@pytest.mark.parametrize("alpha", [0.55, 0.77])
def test_tensor_method_three_modes_stay_positive(alpha):
    # 000's count "3 eigenvalues stay positive, 3 cross" holds with tensors: xy, xz and the hard
    # symmetric mode stay positive up to eps -> 1; dilation and the yz / yy-zz pair go negative
    for eps in np.linspace(0.01, 0.995, 25):
        m = av.modes(eps, alpha, ELL, "tensor")
        assert m.hard_xy > 0 and m.hard_symmetric > 0
    end = av.modes(0.995, alpha, ELL, "tensor")
    assert end.dilation < 0 and end.yy_minus_zz < 0 and end.shear_yz < 0
