"""Study ``blocks``: is the coupled-block renormalisation's "only assumption"
true, and does its flow match explicit simulation?

001 Sec. II.C (and 002 Eq. 3.2, 003 Eq. 3.2) assume that the stresses of
different blocks are uncorrelated, ``<T^(s) T^(s')> = chi delta_ss'``; the
recursions 001 Eqs. (3.2)-(3.3), 000 Eqs. (3.5)-(3.8) and 002 Eq. (4.1)
stand on it.  This study simulates the super-block Hamiltonian (001 Eq.
2.14) itself: classical multi-level blocks by Monte Carlo in open clusters
of up to 8^3 blocks, and 2^3 quantum two-level blocks by exact
diagonalisation (:mod:`tensorglass.clusters`).  Point functions:
:mod:`._blocks_points`; derivations: docs/notes/02-coupled-block-clusters.md.
"""

from __future__ import annotations

import math

import numpy as np

from ..sweeps import register_compute
from . import _blocks_points as pts

_CLASSICAL_PARAMS = {"g": float, "temperature": float, "n": int, "disorder_seed": int, "sweeps": int,
                     "thermalize": int, "chains": int, "states": int, "alpha": float, "vol_dev_ratio": float,
                     "symmetric": int}
_CLASSICAL_OUT = {
    "chi_l_measured": "1/Delta (stress^2 per block volume)", "chi_t_measured": "1/Delta",
    "chi_l_elementary": "1/Delta", "chi_t_elementary": "1/Delta", "chi_l_flow": "1/Delta", "chi_t_flow": "1/Delta",
    "chi_l_flow_closed": "1/Delta", "chi_t_flow_closed": "1/Delta", "anisotropy_measured": "1/Delta",
    "anisotropy_flow": "1/Delta", "chi_onsite_over_bare": "1", "tau_int": "sweeps", "changed_fraction": "1",
    **{f"c_over_c0_{''.join(map(str, c))}": "1" for c in pts.DISPLACEMENTS},
}
_QUANTUM_PARAMS = {"g": float, "temperature": float, "disorder_seed": int, "realisations": int, "alpha": float,
                   "vol_dev_ratio": float, "delta_max": float, "tunnelling_min": float, "tunnelling_max": float,
                   "omega_min": float, "omega_max": float, "bins": int, "n": int}
_QUANTUM_OUT = {"static_chi_res_l": "1/delta_max", "static_chi_res_t": "1/delta_max"}

register_compute("blocks-classical", "tensorglass.studies._blocks_points:classical_point", _CLASSICAL_PARAMS,
                 _CLASSICAL_OUT)
register_compute("blocks-finite-k", "tensorglass.studies._blocks_points:finite_k_point",
                 {"L": int, "temperature": float, "trajectories": int, "thermalize": int, "batches": int,
                  "alpha": float, "replica": int}, {"acceptance": "1", "step_size": "1"})
register_compute("blocks-quantum", "tensorglass.studies._blocks_points:quantum_point", _QUANTUM_PARAMS, _QUANTUM_OUT)

ALPHA = 0.625            # Poisson ratio 0.2: c_l^2/c_t^2 = 1/(1 - alpha) = 8/3
CONFIGS = {
    # corr: open 8^3 clusters (correlations and N0 = 8); flow: 2^3 and 4^3 clusters
    "full": {"temperatures": [0.5, 1.0], "g_corr": [0.03, 0.1, 0.3, 1.0], "corr_n": 8, "corr_realisations": 6,
             "corr_sweeps": 1000, "chains": 2, "g_flow": [0.03, 0.1, 0.3, 1.0], "flow_n": [2, 4],
             "flow_realisations": 16, "flow_sweeps": {2: 40000, 4: 8000},
             "q_g": [0.01, 0.05, 0.1, 0.2, 0.4, 0.8], "q_batches": 8, "q_realisations": 50, "q_temperature": 0.25,
             "mc_check_sweeps": 100000,
             "weak_g": [0.005, 0.01, 0.03, 0.1], "weak_n": 4, "weak_realisations": 16, "weak_sweeps": 5000,
             "fk_L": 16, "fk_temperature": 10 / 3, "fk_trajectories": 8000, "fk_points": 2,
             "qweak_g": 0.05, "qweak_batches": 60, "m2_sizes": [2, 4, 8, 16, 24]},
    "quick": {"temperatures": [0.5, 1.0], "g_corr": [0.1, 0.3, 1.0], "corr_n": 8, "corr_realisations": 4,
              "corr_sweeps": 300, "chains": 2, "g_flow": [0.03, 0.1, 0.3, 1.0], "flow_n": [2, 4],
              "flow_realisations": 8, "flow_sweeps": {2: 20000, 4: 4000},
              "q_g": [0.01, 0.1, 0.2, 0.4, 0.8], "q_batches": 4, "q_realisations": 30, "q_temperature": 0.25,
              "mc_check_sweeps": 40000,
              "weak_g": [0.005, 0.01, 0.03, 0.1], "weak_n": 4, "weak_realisations": 8, "weak_sweeps": 5000,
              "fk_L": 16, "fk_temperature": 10 / 3, "fk_trajectories": 2000,
              "qweak_g": 0.05, "qweak_batches": 40, "m2_sizes": [2, 4, 8, 16]},
    # for the tests: the whole pipeline in seconds
    "tiny": {"temperatures": [1.0], "g_corr": [0.3], "corr_n": 4, "corr_realisations": 2, "corr_sweeps": 200,
             "chains": 1, "g_flow": [0.3], "flow_n": [2], "flow_realisations": 2, "flow_sweeps": {2: 2000},
             "q_g": [0.01, 0.4], "q_batches": 2, "q_realisations": 3, "q_temperature": 0.25,
             "mc_check_sweeps": 4000,
             "weak_g": [0.03], "weak_n": 2, "weak_realisations": 2, "weak_sweeps": 500,
             "fk_L": 4, "fk_temperature": 10 / 3, "fk_trajectories": 40, "qweak_g": 0.05, "qweak_batches": 1,
             "m2_sizes": [2, 4]},
}
SEEDS = {"classical": 20261123, "quantum": 20261124, "weak": 20261203, "finite_k": 20261204,
         "quantum_weak": 20261205}


def _weak_points(cfg):
    """Second edition: blocks with symmetric level sets (zero mean stress) at weak coupling, T = 1."""
    return [{"g": g, "temperature": 1.0, "n": cfg["weak_n"], "disorder_seed": 4000 + r, "sweeps": cfg["weak_sweeps"],
             "chains": 2 if cfg["weak_sweeps"] >= 1000 else 1, "alpha": ALPHA, "symmetric": 1}
            for g in cfg["weak_g"] for r in range(cfg["weak_realisations"])]


def _classical_points(cfg):
    points = []
    for temp in cfg["temperatures"]:
        for g in cfg["g_corr"]:
            for r in range(cfg["corr_realisations"]):
                points.append({"g": g, "temperature": temp, "n": cfg["corr_n"], "disorder_seed": 1000 + r,
                               "sweeps": cfg["corr_sweeps"], "chains": cfg["chains"], "alpha": ALPHA})
        for n in cfg["flow_n"]:
            for g in cfg["g_flow"]:
                for r in range(cfg["flow_realisations"]):
                    points.append({"g": g, "temperature": temp, "n": n, "disorder_seed": 2000 + r,
                                   "sweeps": cfg["flow_sweeps"][n], "chains": cfg["chains"], "alpha": ALPHA})
    return points


def _quantum_points(cfg):
    return [{"g": g, "temperature": cfg["q_temperature"], "disorder_seed": 3000 + b,
             "realisations": cfg["q_realisations"], "alpha": ALPHA}
            for g in cfg["q_g"] for b in range(cfg["q_batches"])]


def _second_points(cfg):
    wpts = _weak_points(cfg)
    fpts = [{"L": cfg["fk_L"], "temperature": cfg["fk_temperature"], "trajectories": cfg["fk_trajectories"],
             "thermalize": 200 if cfg["fk_trajectories"] >= 1000 else 10, "batches": 20, "alpha": ALPHA,
             "replica": r} for r in range(cfg.get("fk_points", 1))]
    qwpts = [{"g": cfg["qweak_g"], "temperature": cfg["q_temperature"], "disorder_seed": 5000 + b,
              "realisations": cfg["q_realisations"] if cfg["qweak_batches"] > 1 else 3, "alpha": ALPHA}
             for b in range(cfg["qweak_batches"])]
    return wpts, fpts, qwpts


def _second_parts(cfg):
    wpts, fpts, qwpts = _second_points(cfg)
    return [(f"weak-coupling {cfg['weak_n']}^3 clusters, symmetric levels", len(wpts),
             2.2e-4 * cfg["weak_sweeps"] * 2 + 0.5),
            (f"finite-k {cfg['fk_L']}^3 periodic unit blocks (HMC)", len(fpts), 0.014 * cfg["fk_trajectories"]),
            ("quantum 2^3 TTLS at weak coupling", len(qwpts), 0.2 * qwpts[0]["realisations"])]


def _second_records(study, cfg):
    wpts, fpts, qwpts = _second_points(cfg)
    wrec = study.compute("weak", "blocks-classical", wpts, SEEDS["weak"])
    frec = study.compute("finite_k", "blocks-finite-k", fpts, SEEDS["finite_k"])
    qwrec = study.compute("quantum_weak", "blocks-quantum", qwpts, SEEDS["quantum_weak"])
    return wrec, frec, qwrec


def run_second_edition(study, config=None) -> dict:
    """Only the second edition's parts (theorem, weak-coupling predictions,
    finite k, weak quantum step), with their own page and results.json; the
    first edition's points are not computed."""
    from ._blocks_second import write_second_only
    name = config or ("quick" if study.quick else "full")
    cfg = CONFIGS[name]
    study.announce(_second_parts(cfg))
    return write_second_only(study, cfg, name, ALPHA, *_second_records(study, cfg))


def _cost(points, kind):
    """CPU seconds per point measured on this machine (2 cores shared; see the report)."""
    if kind == "quantum":
        return [0.15 * p["realisations"] for p in points]
    per_sweep = {2: 2.1e-5, 4: 6.7e-4, 8: 1.8e-2}     # seconds per sweep, measured at load ~16 on 2 cores
    return [per_sweep.get(p["n"], 1.2e-2 * (p["n"] / 8) ** 6) * p["sweeps"] * p["chains"] + 1.0 for p in points]


def run(study, config=None) -> dict:
    """Run the study (``config`` overrides the quick/full choice; the tests pass ``"tiny"``)."""
    from ._blocks_report import analyse_and_write
    name = config or ("quick" if study.quick else "full")
    cfg = CONFIGS[name]
    cpts, qpts = _classical_points(cfg), _quantum_points(cfg)
    ccost, qcost = _cost(cpts, "classical"), _cost(qpts, "quantum")
    parts = []
    for n in sorted({p["n"] for p in cpts}):
        sel = [c for p, c in zip(cpts, ccost) if p["n"] == n]
        parts.append((f"classical {n}^3 clusters", len(sel), float(np.mean(sel))))
    parts.append(("quantum 2^3 TTLS clusters", len(qpts), float(np.mean(qcost))))
    parts += _second_parts(cfg)
    study.announce(parts)
    crec = study.compute("classical", "blocks-classical", cpts, SEEDS["classical"])
    qrec = study.compute("quantum", "blocks-quantum", qpts, SEEDS["quantum"])
    second = _second_records(study, cfg)
    return analyse_and_write(study, cfg, name, crec, qrec, ALPHA, second=second)


def rg_step_ratio_free(g, temperature, omega_edges, alpha, delta_max=1.0, tunnelling_min=0.01, tunnelling_max=1.0,
                       vol_dev_ratio=1.0, k_sign=None):
    """One step of 002 Eq. (4.1) at N0 = 2 from the free (g = 0) super-block:

        Im chi~_a(L2) = Im chi~_a + (2 ln 2 / rho c_a^2) K(omega) [Im chi~_a]^2,

    with ``Im chi~ = Im chi/(1 - e^{-beta omega})`` (002 Eq. 2.17),
    ``K = Re chi~/Im chi~`` (002 Eq. 4.2) and ``Re chi~`` from the
    Kramers-Kronig integral of 002 Eq. (3.5); the free spectrum is the exact
    disorder average ``pi <gamma_a gamma_a> tanh(beta omega/2) f(omega)`` of
    :func:`tensorglass.clusters.ttls_free_spectral_density`, averaged over
    each frequency bin.  Units rho c_t^2 = 1, rho c_l^2 = 1/(1 - alpha).
    Returns the ratios ``Im chi_l/Im chi_t`` before and after the step (nan
    where the relative increment ``2 ln2 |K| Im chi~/rho c^2`` reaches 1 and the
    perturbative step has no meaning), the free Im chi_l and Im chi_t per bin
    and K per bin."""
    from scipy import integrate
    from ..clusters import ttls_free_spectral_density
    beta = 1.0 / temperature
    s2 = g * delta_max / pts.nn_coupling_norm(alpha)
    # isotropic parts of <gamma gamma^T>: vol variance v^2 s2, deviatoric s2
    cov = s2 * (np.eye(6) + (vol_dev_ratio**2 - 1.0) * np.outer(pts._U, pts._U))
    from ..clusters import isotropic_parts
    c_l, c_t = isotropic_parts(cov)
    w_hi = math.hypot(delta_max, tunnelling_max)

    def shape(w):
        return math.pi * ttls_free_spectral_density(w, delta_max, tunnelling_min, tunnelling_max) * np.tanh(beta * w / 2)

    edges = np.asarray(omega_edges, float)
    centres = np.sqrt(edges[1:] * edges[:-1])
    bin_avg = np.array([integrate.quad(shape, a, b, limit=200)[0] / (b - a) for a, b in zip(edges[:-1], edges[1:])])
    kk = []
    for w in centres:
        # Re chi(w) = (2/pi) PV int W Im chi(W)/(W^2 - w^2) dW = (2/pi) PV int [W Im chi(W)/(W + w)]/(W - w) dW
        pv, _ = integrate.quad(lambda x, w=w: x * shape(x) / (x + w), tunnelling_min, w_hi, weight="cauchy", wvar=w,
                               limit=400)
        kk.append(2 / math.pi * pv / float(shape(w)))
    k = np.array(kk)
    if k_sign is not None:      # 002 Sec. 4 argues K < 0; k_sign = -1 imposes that sign on |K|
        k = k_sign * np.abs(k)
    reduce = 1.0 - np.exp(-beta * centres)
    x_l, x_t = c_l * bin_avg / reduce, c_t * bin_avg / reduce
    rho_cl2, rho_ct2 = 1.0 / (1.0 - alpha), 1.0
    inc_l = 2 * math.log(2) / rho_cl2 * k * x_l
    inc_t = 2 * math.log(2) / rho_ct2 * k * x_t
    # the step is a perturbative expansion: not used (nan) where a relative increment reaches 1/2
    valid = (np.abs(inc_l) < 0.5) & (np.abs(inc_t) < 0.5)
    step_l = np.where(valid, x_l * (1 + inc_l), np.nan)
    step_t = np.where(valid, x_t * (1 + inc_t), np.nan)
    unit_l, unit_t = isotropic_parts(np.eye(6) + (vol_dev_ratio**2 - 1.0) * np.outer(pts._U, pts._U))
    free = np.full(len(centres), unit_l / unit_t)
    return {"free_ratio": free, "step_ratio": step_l / step_t if g > 0 else free,
            "free_im_chi_l": c_l * bin_avg, "free_im_chi_t": c_t * bin_avg, "k": k, "shape": bin_avg}
