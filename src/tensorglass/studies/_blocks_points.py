"""The kinds of sweep point of the ``blocks`` study (run on the workers).

Units: block volume 1, lattice spacing 1, rho c_t^2 = 1 (so the couplings
``J = -2 Lambda`` are those of :mod:`tensorglass.clusters`), k_B = hbar = 1.

Classical blocks (``blocks-classical``): each of the ``n^3`` blocks has
``states`` levels with energies drawn from N(0, 1) (the level scale
Delta = 1 is the unit of energy and temperature) and stress 6-vectors whose
Mandel components are drawn from N(0, s_T^2) (isotropic: invariant under
rotations; ``vol_dev_ratio`` scales the volumetric component
``(T_xx + T_yy + T_zz)/sqrt 3`` relative to the five deviatoric ones).
The coupling strength is

    g = s_T^2 ||J(e_x)||_F / Delta,

the root-mean-square stress-stress energy of two nearest-neighbour blocks
(for independent stresses) over the level scale; ``||J(e_x)||_F`` is the
Frobenius norm of the Mandel coupling at unit distance along a cube axis
(the same for all six neighbours).

Quantum blocks (``blocks-quantum``): ``2^3`` TTLS with the standard
distribution of 002 Sec. 2 (asymmetry uniform in [-delta_max, delta_max],
tunnelling log-uniform in [tunnelling_min, tunnelling_max]) and
deformation potentials ``gamma`` drawn like the classical stresses with
``g = s_gamma^2 ||J(e_x)||_F / delta_max``.

With ``symmetric = 1`` each block's levels come in pairs ``(E_a, +T_a)``,
``(E_a, -T_a)`` (:func:`tensorglass.clusters.symmetric_level_sets`): every
block has zero mean stress, isolated and in the cluster (the papers'
hypothesis, 002 Eq. C.12), and no third cumulant.

Disorder comes from ``disorder_seed`` (shared by every g and T, so curves
against g use the same blocks: common random numbers); Monte Carlo chains
use the point's own seed from the sweep engine.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..clusters import (
    block_covariance,
    cluster_coupling_sum,
    cubic_cluster_positions,
    displacement_couplings,
    isotropic_parts,
    kubo_spectrum,
    pair_couplings,
    sample_classical_cluster,
    symmetric_level_sets,
    ttls_cluster_hamiltonian,
)
from ..errors import ParameterError
from ..montecarlo import integrated_autocorrelation_time
from ..tensors import mandel_to_tensor, tensor_to_mandel

_U = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0]) / math.sqrt(3.0)
#: canonical displacements (x >= y >= z >= 0) whose correlations are measured
DISPLACEMENTS = ((1, 0, 0), (1, 1, 0), (1, 1, 1), (2, 0, 0), (2, 2, 0), (4, 0, 0))


def nn_coupling_norm(alpha):
    """``||J(e_x)||_F``: the Frobenius norm of the Mandel coupling at unit distance."""
    return float(np.linalg.norm(displacement_couplings(2, alpha)[2, 1, 1]))


def random_stresses(rng, shape, scale, vol_dev_ratio):
    """Isotropic random Mandel 6-vectors: N(0, scale^2) per component, the
    volumetric component scaled by ``vol_dev_ratio``."""
    z = rng.standard_normal(tuple(shape) + (6,))
    return scale * (z + (vol_dev_ratio - 1.0) * np.einsum("...a,a->...", z, _U)[..., None] * _U)


def _signed_permutations():
    ops = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            q = np.zeros((3, 3))
            for i, (p, s) in enumerate(zip(perm, signs)):
                q[i, p] = s
            ops.append(q)
    return ops


def mandel_rotation(q):
    """6x6 matrix R with ``mandel(Q t Q^T) = R mandel(t)`` for orthogonal Q."""
    basis = mandel_to_tensor(np.eye(6))
    return tensor_to_mandel(np.einsum("ij,ajk,lk->ail", q, basis, q)).T


def displacement_orbit(c):
    """Lattice displacements equivalent to ``c`` under the cube's symmetry,
    one of each pair ``+-d``, with the Mandel rotation taking each to ``c``."""
    c = np.asarray(c, dtype=int)
    seen, out = set(), []
    for q in _signed_permutations():
        d = tuple(int(v) for v in np.rint(q.T @ c))           # q d = c
        if d in seen or tuple(-v for v in d) in seen:
            continue
        seen.add(d)
        out.append((np.array(d), mandel_rotation(q)))
    return out


def _pair_slices(d, n):
    a = tuple(slice(max(0, -k), n - max(0, k)) for k in d)
    b = tuple(slice(max(0, k), n + min(0, k)) for k in d)
    return a, b


def _anisotropy(c):
    """Cubic anisotropy of a Mandel 6x6 matrix: ``(c11 - c12) - c44`` (zero when isotropic)."""
    c11 = np.mean(np.diagonal(c)[:3])
    c12 = (c[0, 1] + c[0, 2] + c[1, 2]) / 3.0
    c44 = np.mean(np.diagonal(c)[3:])
    return float(c11 - c12 - c44)


def classical_point(params, seed):
    """One disorder realisation of an open ``n^3`` cluster at (g, T): Monte
    Carlo chains, inter-block correlations, super-block susceptibility and
    the recursion's predictions from the same blocks."""
    p = {"alpha": 0.625, "states": 4, "vol_dev_ratio": 1.0, "thermalize": 100, "chains": 2, **params}
    n, g, temp = int(p["n"]), float(p["g"]), float(p["temperature"])
    if not (g >= 0 and math.isfinite(g)):
        raise ParameterError("g", g, "g >= 0")
    beta = 1.0 / temp
    nsite, k_states = n**3, int(p["states"])
    rng = np.random.default_rng([int(p["disorder_seed"]), n, k_states])
    scale = math.sqrt(g / nn_coupling_norm(p["alpha"]))
    if int(p.get("symmetric", 0)):
        if k_states % 2:
            raise ParameterError("states", k_states, "an even number of levels for symmetric level sets",
                                 "use states = 2, 4, ...")
        energies, vectors = symmetric_level_sets(rng.standard_normal((nsite, k_states // 2)),
                                                 random_stresses(rng, (nsite, k_states // 2), scale,
                                                                 p["vol_dev_ratio"]))
    else:
        energies = rng.standard_normal((nsite, k_states))
        vectors = random_stresses(rng, (nsite, k_states), scale, p["vol_dev_ratio"])
    jd = displacement_couplings(n, p["alpha"])
    _, c_bare = block_covariance(energies, vectors, temp)                  # (N, 6, 6) exact isolated blocks
    chi_elem = beta * c_bare.mean(axis=0)
    m = cluster_coupling_sum(n, p["alpha"])
    flow_001 = chi_elem + chi_elem @ m @ chi_elem                           # 001 Eq. (3.3), one step
    a = np.linalg.inv(chi_elem) - m                                         # 000 Eq. (3.8), one step; nan past
    flow_000 = np.linalg.inv(a) if np.min(np.linalg.eigvalsh(0.5 * (a + a.T))) > 0 else np.full((6, 6), np.nan)
    cb = c_bare.reshape(n, n, n, 6, 6)
    disp = [c for c in DISPLACEMENTS if max(c) < n]
    meas = {c: np.zeros((6, 6)) for c in disp}
    pred = {c: np.zeros((6, 6)) for c in disp}
    c0 = np.zeros((6, 6))
    chi_super = np.zeros((6, 6))
    taus, changed = [], []
    seeds = np.random.SeedSequence(int(seed)).generate_state(int(p["chains"]))
    for ch in range(int(p["chains"])):
        states, frac = sample_classical_cluster(n, energies, vectors, jd, temp, int(p["sweeps"]), int(seeds[ch]),
                                                int(p["thermalize"]))
        changed.append(frac)
        t = vectors[np.arange(nsite), states]                               # (sweeps, N, 6)
        total = t.sum(axis=1)
        taus.append(max(integrated_autocorrelation_time(total[:, 0]), integrated_autocorrelation_time(total[:, 3])))
        chi_super += beta / nsite * np.cov(total.T, bias=True)
        x = t - t.mean(axis=0)
        c0 += np.einsum("tia,tib->ab", x, x) / x.shape[0] / nsite
        x = x.reshape(x.shape[0], n, n, n, 6)
        for c in disp:
            acc, pacc, count = np.zeros((6, 6)), np.zeros((6, 6)), 0
            for d, r in displacement_orbit(c):
                sa, sb = _pair_slices(d, n)
                a = x[(slice(None),) + sa].reshape(-1, 6)
                b = x[(slice(None),) + sb].reshape(-1, 6)
                npair = a.shape[0] // x.shape[0]
                cd = a.T @ b / a.shape[0]
                acc += npair * r @ cd @ r.T
                if ch == 0:
                    jdd = jd[d[0] + n - 1, d[1] + n - 1, d[2] + n - 1]
                    pd = beta * np.einsum("xyzab,bc,xyzcd->ad", cb[sa], jdd, cb[sb]) / npair
                    pacc += npair * r @ pd @ r.T
                count += npair
            cm = acc / count
            meas[c] += 0.5 * (cm + cm.T)
            if ch == 0:
                pm = pacc / count
                pred[c] = 0.5 * (pm + pm.T)
    nch = int(p["chains"])
    chi_super /= nch
    c0 /= nch
    meas = {c: v / nch for c, v in meas.items()}
    cl, ct = isotropic_parts(chi_super)
    el, et = isotropic_parts(chi_elem)
    fl1, ft1 = isotropic_parts(flow_001)
    fl0, ft0 = isotropic_parts(flow_000)
    norm0 = np.linalg.norm(c0)
    out = {"chi_l_measured": float(cl), "chi_t_measured": float(ct), "chi_l_elementary": float(el),
           "chi_t_elementary": float(et), "chi_l_flow": float(fl1), "chi_t_flow": float(ft1),
           "chi_l_flow_closed": float(fl0), "chi_t_flow_closed": float(ft0),
           "anisotropy_measured": _anisotropy(chi_super), "anisotropy_flow": _anisotropy(flow_001),
           "chi_onsite_over_bare": float(np.trace(c0) / np.trace(c_bare.mean(axis=0))),
           "tau_int": float(max(taus)), "changed_fraction": float(np.mean(changed))}
    for c in DISPLACEMENTS:             # nan where the cluster is too small for the displacement
        key = "".join(map(str, c))
        out[f"c_over_c0_{key}"] = float(np.linalg.norm(meas[c]) / norm0) if c in meas else float("nan")
    out["_extra"] = {"displacements": [list(c) for c in disp],
                     "correlation": [meas[c].tolist() for c in disp],
                     "linear_response": [pred[c].tolist() for c in disp],
                     "c0": c0.tolist(), "c0_bare": c_bare.mean(axis=0).tolist(),
                     "chi_super": chi_super.tolist(), "chi_elementary": chi_elem.tolist(),
                     "flow_001": flow_001.tolist(), "flow_000": flow_000.tolist()}
    return out


def quantum_point(params, seed):
    """``realisations`` disorder draws of the ``2^3`` TTLS cluster at coupling
    g: binned Kubo spectra ``Im chi_l(omega)``, ``Im chi_t(omega)`` of the
    super-block (bin averages of the delta peaks), one row per draw.
    Deterministic (no Monte Carlo): ``seed`` is unused."""
    p = {"alpha": 0.625, "vol_dev_ratio": 1.0, "delta_max": 1.0, "tunnelling_min": 0.01,
         "tunnelling_max": 1.0, "omega_min": 0.02, "omega_max": 1.4, "bins": 14, "n": 2, **params}
    g, temp, n = float(p["g"]), float(p["temperature"]), int(p["n"])
    if not (g >= 0 and math.isfinite(g)):
        raise ParameterError("g", g, "g >= 0")
    nsite = n**3
    edges = np.geomspace(p["omega_min"], p["omega_max"], int(p["bins"]) + 1)
    width = np.diff(edges)
    couplings = pair_couplings(cubic_cluster_positions(n), p["alpha"])
    scale = math.sqrt(g * p["delta_max"] / nn_coupling_norm(p["alpha"]))
    proj = np.vstack([_U, np.eye(6)])
    rows_l, rows_t, static_l, static_t = [], [], [], []
    for r in range(int(p["realisations"])):
        rng = np.random.default_rng([int(p["disorder_seed"]), r, nsite])
        asym = rng.uniform(-p["delta_max"], p["delta_max"], nsite)
        tun = np.exp(rng.uniform(math.log(p["tunnelling_min"]), math.log(p["tunnelling_max"]), nsite))
        gam = random_stresses(rng, (nsite,), 1.0, p["vol_dev_ratio"]) * scale
        h, td = ttls_cluster_hamiltonian(asym, tun, gam, couplings)
        omega, w, _ = kubo_spectrum(h, td, temp, nsite, projections=proj)
        vol = w[:, 0, 0]
        dev = (np.einsum("kaa->k", w[:, 1:, 1:]) - vol) / 5.0
        im_t = dev / 2.0
        im_l = (vol + 4.0 * im_t) / 3.0
        idx = np.digitize(omega, edges) - 1
        ok = (idx >= 0) & (idx < len(width))
        rows_l.append(np.bincount(idx[ok], im_l[ok], len(width)) / width)
        rows_t.append(np.bincount(idx[ok], im_t[ok], len(width)) / width)
        static_l.append(2 / math.pi * np.sum(im_l / omega))
        static_t.append(2 / math.pi * np.sum(im_t / omega))
    return {"static_chi_res_l": float(np.mean(static_l)), "static_chi_res_t": float(np.mean(static_t)),
            "_extra": {"edges": edges.tolist(), "im_chi_l": np.array(rows_l).tolist(),
                       "im_chi_t": np.array(rows_t).tolist()}}


def finite_k_point(params, seed):
    """S_l(k), S_t(k) along the cube axes of an ``L^3`` periodic lattice of
    unit-stress blocks (uniform on S^5) from the Monte Carlo engine's
    ``coupled-blocks`` model (HMC; ``sweeps`` trajectories after ``thermalize``), in ``batches`` batch means
    (:func:`tensorglass.clusters.unit_block_monte_carlo`).  ``model`` and
    ``poisson`` (the Poisson ratio of ``alpha``) only name the lattice for the
    sweep engine's checks of a Monte Carlo lattice."""
    from ..clusters import unit_block_monte_carlo
    p = {"alpha": 0.625, "thermalize": 200, "batches": 20, **params}
    r = unit_block_monte_carlo(int(p["L"]), float(p["alpha"]), float(p["temperature"]), int(p["sweeps"]),
                               int(seed), int(p["thermalize"]), int(p["batches"]))
    return {"acceptance": float(r["acceptance"]), "step_size": float(r["step_size"]),
            "_extra": {"kL": r["kL"].tolist(), "S_l": r["S_l"].tolist(), "S_t": r["S_t"].tolist()}}
