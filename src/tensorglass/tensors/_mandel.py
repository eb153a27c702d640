"""Conversions between symmetric tensors and 6-vectors / 6x6 matrices."""

from __future__ import annotations

import numpy as np

from ..conventions import MANDEL_PAIRS, MANDEL_WEIGHTS, ZHOU_PAIRS

_W = np.asarray(MANDEL_WEIGHTS)


def tensor_to_mandel(t):
    """Symmetric 3x3 tensor(s) ``(..., 3, 3)`` to Mandel 6-vectors ``(..., 6)``.

    Only the symmetric part is kept: the off-diagonal component used is
    ``(t_ij + t_ji)/2``.
    """
    t = np.asarray(t, dtype=float)
    out = np.empty(t.shape[:-2] + (6,))
    for a, (i, j) in enumerate(MANDEL_PAIRS):
        out[..., a] = 0.5 * (t[..., i, j] + t[..., j, i]) * _W[a]
    return out


def mandel_to_tensor(v):
    """Mandel 6-vector(s) ``(..., 6)`` to symmetric 3x3 tensor(s)."""
    v = np.asarray(v, dtype=float)
    out = np.empty(v.shape[:-1] + (3, 3))
    for a, (i, j) in enumerate(MANDEL_PAIRS):
        out[..., i, j] = v[..., a] / _W[a]
        out[..., j, i] = v[..., a] / _W[a]
    return out


def tensor4_to_mandel(c):
    """Fourth-order tensor ``(..., 3,3,3,3)`` with minor symmetries to its 6x6
    Mandel matrix, such that ``a_ij C_ijkl b_kl = a_M . C_M . b_M``.

    The tensor is symmetrised over ``i<->j`` and ``k<->l`` first.
    """
    c = np.asarray(c, dtype=float)
    c = 0.25 * (c + np.swapaxes(c, -4, -3) + np.swapaxes(c, -2, -1)
                + np.swapaxes(np.swapaxes(c, -4, -3), -2, -1))
    out = np.empty(c.shape[:-4] + (6, 6))
    for a, (i, j) in enumerate(MANDEL_PAIRS):
        for b, (k, l) in enumerate(MANDEL_PAIRS):
            out[..., a, b] = c[..., i, j, k, l] * _W[a] * _W[b]
    return out


def _matrix_to_tensor4(m, pairs, weights):
    """Expand a 6x6 matrix over index ``pairs`` (divided by ``weights``) into
    the fourth-order tensor with minor symmetries."""
    m = np.asarray(m, dtype=float)
    out = np.empty(m.shape[:-2] + (3, 3, 3, 3))
    for a, (i, j) in enumerate(pairs):
        for b, (k, l) in enumerate(pairs):
            val = m[..., a, b] / (weights[a] * weights[b])
            for (p, q) in {(i, j), (j, i)}:
                for (r, s) in {(k, l), (l, k)}:
                    out[..., p, q, r, s] = val
    return out


def mandel_to_tensor4(m):
    """6x6 Mandel matrix to the fourth-order tensor with minor symmetries."""
    return _matrix_to_tensor4(m, MANDEL_PAIRS, _W)


def tensor4_to_zhou(c):
    """Fourth-order tensor to Zhou's unweighted 6x6 matrix.

    Zhou (000 below Eq. 3.7; 001 below Eq. 3.7) writes ``chi_ijkl`` as
    ``chi_AB`` with ``A, B`` in (xx, xy, xz, yy, yz, zz) and *no* weights:
    ``M_AB = C_{ij kl}``.  Note that the plain matrix product of two such
    matrices is not the tensor contraction ``C_ijmn D_mnkl`` (which counts
    the off-diagonal pairs twice); :func:`zhou_to_mandel` makes the relation
    explicit.
    """
    c = np.asarray(c, dtype=float)
    out = np.empty(c.shape[:-4] + (6, 6))
    for a, (i, j) in enumerate(ZHOU_PAIRS):
        for b, (k, l) in enumerate(ZHOU_PAIRS):
            out[..., a, b] = c[..., i, j, k, l]
    return out


def zhou_to_tensor4(m):
    """Zhou's unweighted 6x6 matrix to the fourth-order tensor (minor-symmetric)."""
    return _matrix_to_tensor4(m, ZHOU_PAIRS, np.ones(6))


def zhou_to_mandel(m):
    """Zhou's unweighted 6x6 matrix to the internal Mandel matrix."""
    return tensor4_to_mandel(zhou_to_tensor4(m))


def mandel_to_zhou(m):
    """Internal Mandel 6x6 matrix to Zhou's unweighted 6x6 matrix."""
    return tensor4_to_zhou(mandel_to_tensor4(m))


def zhou_vector_to_mandel(v):
    """Zhou's strain/stress 6-vector (xx, xy, xz, yy, yz, zz), unweighted, to Mandel."""
    v = np.asarray(v, dtype=float)
    t = np.zeros(v.shape[:-1] + (3, 3))
    for a, (i, j) in enumerate(ZHOU_PAIRS):
        t[..., i, j] = v[..., a]
        t[..., j, i] = v[..., a]
    return tensor_to_mandel(t)


def bl_a3_matrix(bulk_modulus: float, shear_modulus: float):
    """The 6x6 matrix ``G`` with ``g = G @ t_M`` (004 Eq. A3).

    ``t_M`` is the internal Mandel vector of the deformation ``d_ij`` and
    ``g`` the Bevzenko-Lubchenko rescaled 6-vector

        g = (sqrt(K) tr d, sqrt(mu)(d11-d22), sqrt(mu/3)(d11+d22-2 d33),
             2 sqrt(mu) d23, 2 sqrt(mu) d31, 2 sqrt(mu) d12),

    for which ``d_ij Lambda_ijkl d_kl = g.g`` (004 Eqs. 9-13).  Since
    ``sqrt(2) d23`` is the Mandel component, ``2 sqrt(mu) d23 =
    sqrt(2 mu) t_yz``.
    """
    k, mu = float(bulk_modulus), float(shear_modulus)
    g = np.zeros((6, 6))
    g[0, :3] = np.sqrt(k)
    g[1, :3] = np.sqrt(mu) * np.array([1.0, -1.0, 0.0])
    g[2, :3] = np.sqrt(mu / 3.0) * np.array([1.0, 1.0, -2.0])
    g[3, 3] = g[4, 4] = g[5, 5] = np.sqrt(2.0 * mu)
    return g


def mandel_to_bl(t, bulk_modulus: float, shear_modulus: float):
    """Mandel 6-vector(s) of a deformation to the BL vector ``g`` (004 Eq. A3)."""
    return np.asarray(t, dtype=float) @ bl_a3_matrix(bulk_modulus, shear_modulus).T


def bl_to_mandel(g, bulk_modulus: float, shear_modulus: float):
    """Inverse of :func:`mandel_to_bl`."""
    ginv = np.linalg.inv(bl_a3_matrix(bulk_modulus, shear_modulus))
    return np.asarray(g, dtype=float) @ ginv.T


def bilinear_form_to_bl(m_mandel, bulk_modulus: float, shear_modulus: float):
    """Re-express a bilinear form ``t.M.t`` (Mandel) in BL coordinates:
    returns ``J`` with ``g.J.g = t.M.t``, i.e. ``J = G^-T M G^-1``; ``M`` may
    be a stack (..., 6, 6)."""
    ginv = np.linalg.inv(bl_a3_matrix(bulk_modulus, shear_modulus))
    return ginv.T @ np.asarray(m_mandel, dtype=float) @ ginv
