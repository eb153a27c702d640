"""Lattice sums of the stress-stress coupling over an ellipsoid of blocks:
a numerical check, independent of any closed form, on the direction
averages of 001 Sec. IV.

001 Eq. (4.1) replaces the sum over pairs of blocks (001 Eq. 3.7) by the
continuum integral ``int_V d^3r tildeLambda(n)/r^3``.  Here the blocks sit on
a simple-cubic lattice (spacing 1, in units of the block size) and the sum is
done block by block with :func:`tensorglass.interaction.tilde_lambda`:

``"volume"``
    ``sum_{r in V, r >= L1} tildeLambda(n)/r^3 / sum 1/r^3`` over the blocks of
    the prolate ellipsoid with semi-axes ``(1+e)R, R, R`` outside the ball of
    radius L1.  This is 001 Eq. (4.4)'s average (with ``ell = ln(R/L1)``),
    whose closed form is :func:`direction_averages_volume`.
``"exterior"``
    ``sum_{r not in V, r < R_out} tildeLambda(n)/r^4 / (sum 1/r^4 + 4 pi/R_out)``
    over the blocks *outside* the ellipsoid: since ``int_{r_max}^inf r^2 dr/r^4
    = 1/r_max(n)``, this is the angular average weighted by ``1/r_max(n)``,
    which is what the closed forms of 001 Eq. (4.5) compute (AUDIT.md).  The
    shell beyond ``R_out`` adds ``4 pi/R_out`` to the normalisation and nothing
    to the tensor (the angular integral of tildeLambda vanishes).

Both return the averaged fourth-order tensor; :func:`tensorglass.tensors.tensor4_to_zhou` gives
the matrix of 001 Eq. (4.2).  The lattice approaches the continuum as the
ellipsoid grows (error ~ 1/R from the blocks cut by the surfaces).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..interaction import tilde_lambda
from ..tensors import check_alpha
from ._ellipsoid import check_eccentricity

_CHUNK = 32768


def _lattice_points(extent):
    g = np.arange(-extent, extent + 1, dtype=float)
    x, y, z = np.meshgrid(g, g, g, indexing="ij")
    return np.stack([x.ravel(), y.ravel(), z.ravel()], axis=-1)


def _inside_ellipsoid(p, eps, radius):
    a2 = radius**2 / (1.0 - eps**2)      # ((1+e) R)^2
    return p[:, 0] ** 2 / a2 + (p[:, 1] ** 2 + p[:, 2] ** 2) / radius**2 <= 1.0


def _weighted_sum(points, power, alpha):
    r = np.linalg.norm(points, axis=-1)
    total = np.zeros((3, 3, 3, 3))
    for s in range(0, len(points), _CHUNK):
        w = r[s:s + _CHUNK] ** (-power)
        total += np.einsum("p,pijkl->ijkl", w, tilde_lambda(points[s:s + _CHUNK], alpha))
    return total, float(np.sum(r ** (-power)))


def lattice_average_lambda(eps, alpha, radius, l1=1.0, kind="volume", r_out_factor=4.0):
    """Average of tildeLambda over the blocks of an ellipsoid (see module
    docstring), a (3, 3, 3, 3) tensor; ``radius`` = R and ``l1`` = L1 in
    lattice units, ``kind`` "volume" (001 Eq. 4.4) or "exterior" (the weight
    of 001 Eq. 4.5's closed forms).  Returns ``(tensor, n_blocks)``."""
    eps = float(check_eccentricity(eps))
    alpha = check_alpha(alpha)
    if not (np.isfinite(radius) and radius >= 4):
        raise ParameterError("radius", radius, "R >= 4 lattice spacings")
    if not (0 < l1 < radius):
        raise ParameterError("l1", l1, "0 < L1 < R")
    semi_x = radius / np.sqrt(1.0 - eps**2)
    if kind == "volume":
        p = _lattice_points(int(np.ceil(semi_x)))
        r = np.linalg.norm(p, axis=-1)
        p = p[_inside_ellipsoid(p, eps, radius) & (r >= l1)]
        s, norm = _weighted_sum(p, 3, alpha)
    elif kind == "exterior":
        r_out = r_out_factor * semi_x
        p = _lattice_points(int(np.ceil(r_out)))
        r = np.linalg.norm(p, axis=-1)
        p = p[~_inside_ellipsoid(p, eps, radius) & (r < r_out)]
        s, norm = _weighted_sum(p, 4, alpha)
        norm += 4.0 * np.pi / r_out
    else:
        raise ParameterError("kind", kind, "'volume' or 'exterior'")
    return s / norm, len(p)
