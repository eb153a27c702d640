"""Lattice spin models whose couplings are given by their Fourier image.

* ``bl6``: Bevzenko-Lubchenko (004 Eqs. 18-20): unit 6-spins in the A3
  basis with ``J(k)`` the rank-3 projector of
  :func:`tensorglass.interaction.bl_coupling_matrix`.
* ``elastic-dipole``: 3-spins with ``J(k) = khat khat^T`` (004 Eqs. B4-B5).
* ``coupled-blocks``: block stress 6-vectors (Mandel) coupled by
  Zhou's Lambda (000 Eq. 2.14, 003 Eq. A15): V = sum_{s != s'} T Lambda T
  = -sum_{i<j} T J T with ``J(k) = -2 Lambda(k)`` (units 1/(rho c_t^2)).
* ``nn``: nearest-neighbour n-vector model, ``J(k) = 2 sum_a cos k_a``
  (J = 1 per bond), for validation.
* any user kernel: :func:`custom_model`.

Energies are in units of the coupling scale (``J(k)`` of order 1), k_B = 1.

UV cutoff: 004 Eq. (19) integrates J(k) up to k_micro ~ pi/a.  A sharp cut at
the faces of the cubic Brillouin zone makes the lattice kernel ring (its
real-space tail is then not the continuum 1/r^3 law); the long-range models
therefore multiply J(k) by ``exp(-cutoff^2 k^2/2)``, a smooth version of
k_micro, with ``cutoff`` in lattice units (default 1.0; 0 = sharp zone
edge).  With cutoff = 1 the elastic-dipole kernel follows
``(d_ij - 3 n_i n_j)/(4 pi r^3)`` to a few per cent at r >= 4 (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError
from ..interaction import bl_coupling_matrix, elastic_dipole_coupling, stress_stress_interaction_k
from ..tensors import IsotropicElasticity, tensor4_to_mandel
from ._lattice import LatticeKernel, check_lattice_size, kernel_from_fourier

MODELS = ("bl6", "elastic-dipole", "coupled-blocks", "nn")


@dataclass(frozen=True)
class SpinModel:
    """A lattice model: its kernel, spin dimension and parameters."""

    name: str
    kernel: LatticeKernel = field(repr=False)
    params: dict = field(default_factory=dict)

    @property
    def L(self):
        return self.kernel.L

    @property
    def n_components(self):
        return self.kernel.n

    @property
    def n_sites(self):
        return self.kernel.L**3


DEFAULT_CUTOFF = 1.0


def _damped(fn, cutoff):
    if not (isinstance(cutoff, (int, float)) and cutoff >= 0 and np.isfinite(cutoff)):
        raise ParameterError("cutoff", cutoff, "cutoff >= 0 (Gaussian UV width in lattice units)")

    def jk(k):
        return fn(k) * np.exp(-0.5 * cutoff**2 * np.sum(k * k, axis=-1))[:, None, None]
    return jk


def bl6_model(L, medium: IsotropicElasticity, k0="average", cutoff=DEFAULT_CUTOFF) -> SpinModel:
    jk = _damped(lambda k: bl_coupling_matrix(k, medium), cutoff)
    return SpinModel("bl6", kernel_from_fourier(L, jk, 6, k0),
                     {"c_l_over_c_t": medium.velocity_ratio, "poisson_ratio": medium.poisson_ratio, "k0": str(k0),
                      "cutoff": cutoff})


def elastic_dipole_model(L, k0="average", cutoff=DEFAULT_CUTOFF) -> SpinModel:
    return SpinModel("elastic-dipole", kernel_from_fourier(L, _damped(elastic_dipole_coupling, cutoff), 3, k0),
                     {"k0": str(k0), "cutoff": cutoff})


def coupled_blocks_model(L, alpha, k0="average", cutoff=DEFAULT_CUTOFF) -> SpinModel:
    jk = _damped(lambda k: -2.0 * tensor4_to_mandel(stress_stress_interaction_k(k, alpha)), cutoff)
    return SpinModel("coupled-blocks", kernel_from_fourier(L, jk, 6, k0), {"alpha": alpha, "k0": str(k0),
                                                                          "cutoff": cutoff})


def nn_model(L, n_components: int) -> SpinModel:
    if not (isinstance(n_components, (int, np.integer)) and n_components >= 1):
        raise ParameterError("components", n_components, "an integer >= 1")

    def jk(k):
        c = 2.0 * np.cos(k).sum(axis=-1)
        return c[:, None, None] * np.eye(n_components)
    return SpinModel("nn", kernel_from_fourier(L, jk, n_components, k0="value"), {"components": n_components})


def custom_model(L, n_components, jk_of_k, k0="average", name="custom") -> SpinModel:
    """Any coupling given as a function of k ((M, 3) -> (M, n, n))."""
    return SpinModel(name, kernel_from_fourier(L, jk_of_k, n_components, k0), {"k0": str(k0)})


def build_model(model: str, L, *, poisson=None, c_l=None, c_t=None, components=None, k0="average",
                cutoff=DEFAULT_CUTOFF) -> SpinModel:
    """The models of ``tensorglass mc run`` by name."""
    L = check_lattice_size(L)
    if model not in MODELS:
        raise ParameterError("model", model, "one of " + ", ".join(MODELS))
    if model == "nn":
        return nn_model(L, 3 if components is None else components)
    if model == "elastic-dipole":
        return elastic_dipole_model(L, k0, cutoff)
    if poisson is not None:
        medium = IsotropicElasticity.from_poisson(poisson)
    elif c_l is not None and c_t is not None:
        medium = IsotropicElasticity(c_l, c_t)
    else:
        medium = IsotropicElasticity.from_poisson(0.2)  # J_compr = J_shear
    if model == "bl6":
        return bl6_model(L, medium, k0, cutoff)
    return coupled_blocks_model(L, medium.alpha, k0, cutoff)
