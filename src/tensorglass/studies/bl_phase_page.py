"""The page of the bl-phase study: its figures and its text, rendered by the
report's renderer (:mod:`tensorglass.report._render`).  The text is built
from the stored results alone (``results.json``), so a finished study's page
can be drawn again without computing anything (:func:`document`); the
figures need the computed curves (:func:`figures`), except the ones in
:data:`FROM_RESULTS`."""

from __future__ import annotations

import math
import re

import numpy as np

from ..report._bibliography import BIBLIOGRAPHY
from ..report._render import Doc
from .bl_phase import couplings

TITLE = "Bevzenko-Lubchenko stress-spin model: phase diagram beyond mean field"


_SAMPLER_WORDS = {"hmc": "geodesic hybrid Monte Carlo with FFT forces, step size tuned while thermalising",
                  "local": "single-site moves, sparse near fields with clock Monte Carlo for the long-range tail",
                  "metropolis": "dense single-site Metropolis"}


def _ok(v):
    return v is not None and not isinstance(v, str) and math.isfinite(v)


def _fmt(v, e=None, nd=3):
    """A value with its error; '-' where there is none (a missing value is never printed as nan)."""
    if not _ok(v):
        return "-"
    if not _ok(e):
        return f"{v:.{nd}f}"
    return f"{v:.{nd}f} ± {e:.{nd}f}"


def _p(p):
    """A p-value as a reader wants it: 'p < 0.001' rather than 'p = 0.00'."""
    if not _ok(p):
        return "p: -"
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _crossing(c, key="t", nd=4, with_z=True):
    pair = f"{c['pair'][0]}/{c['pair'][1]}"
    if not _ok(c.get(key)):
        return f"{pair}: no crossing in the grid"
    z = f", z = {c['angle_z']:.1f}" if with_z and _ok(c.get("angle_z")) else ""
    return f"{pair}: {_fmt(c[key], c.get('error'), nd)}{z}"


_RUN = re.compile(r"sigma=([\d.]+), L=(\d+): (.*)")


def flag_rows(results):
    """The flags (marginal statistics) and notes of every run as rows (kind, sigma, L, what)."""
    rows = []
    for kind, items in (("flag", results.get("flags", [])), ("note", results.get("notes", []))):
        for text in items:
            m = _RUN.match(text)
            rows.append([kind, m.group(1), m.group(2), m.group(3)] if m else [kind, "-", "-", text])
    return rows


def _colors(n):
    import matplotlib.pyplot as plt
    return [plt.cm.viridis(x) for x in np.linspace(0.0, 0.85, max(n, 1))]


def fig_tc(res):
    import matplotlib.pyplot as plt
    rows = res["rows"]
    s = np.array([r["poisson_ratio"] for r in rows])
    fig, ax = plt.subplots(figsize=(6.2, 4.2))
    tc, err = np.array([r["t_c"] for r in rows]), np.array([r["error"] for r in rows])
    ax.errorbar(s, tc, err, fmt="o", color="k", capsize=3, label="Monte Carlo: crossings of the two largest L")
    for key, lab in (("crossings_xi_over_L", r"$\xi/L$ crossing"), ("crossings_binder", "Binder crossing")):
        v = np.array([r[key][-1]["t"] for r in rows])
        e = np.array([r[key][-1]["error"] for r in rows])
        ax.errorbar(s + (0.006 if "xi" in key else -0.006), v, e, fmt="s" if "xi" in key else "^", ms=4,
                    alpha=0.6, capsize=2, label=lab + f" (L = {rows[0][key][-1]['pair'][0]}, "
                    f"{rows[0][key][-1]['pair'][1]})")
    ss = np.linspace(0.0, 0.45, 100)
    ax.plot(ss, [max(couplings(x)) / 6 for x in ss], "C3-", label="004 mean field max(J)/6")
    ax.plot(s, [r["t_c_weiss"] for r in rows], "C2--", label=f"lattice Weiss T_c (L = {rows[0]['t_c_weiss_L']})")
    ax.axvline(0.2, color="0.7", lw=0.8, ls=":")
    ax.set_xlabel(r"Poisson ratio $\sigma$")
    ax.set_ylabel(r"$k_B T_c$ / (coupling scale of $J(k)$)")
    ax.set_title("Bevzenko-Lubchenko lattice model: transition temperature")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig


def fig_crossings(curves_by_label, key, ylabel, title, ref=None, xlabel=r"$k_B T$"):
    """Small multiples: one panel per label, one curve per size."""
    import matplotlib.pyplot as plt
    labels = list(curves_by_label)
    ncol = min(3, len(labels))
    nrow = int(math.ceil(len(labels) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.0 * ncol, 3.0 * nrow), squeeze=False)
    for ax, lab in zip(axes.flat, labels):
        curves = curves_by_label[lab]
        for col, (L, c) in zip(_colors(len(curves)), curves.items()):
            mean, err, _ = c[key]
            ax.errorbar(c["T"], mean, err, fmt="o-", ms=3, capsize=2, color=col, label=f"L = {L}")
        if ref is not None and ref.get(lab) is not None:
            ax.axvline(ref[lab], color="C3", ls="--", lw=1)
        ax.set_title(lab, fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(labels):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def fig_heat(res):
    import matplotlib.pyplot as plt
    rows = res["rows"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    for col, r in zip(_colors(len(rows)), rows):
        ls = sorted(int(k) for k in r["c_max_by_L"])
        h = [r["c_max_by_L"][str(L)]["height"] for L in ls]
        he = [r["c_max_by_L"][str(L)]["height_error"] for L in ls]
        a1.errorbar(ls, h, he, fmt="o-", color=col, capsize=2, label=rf"$\sigma$ = {r['poisson_ratio']:g}")
        edge = [r["c_max_by_L"][str(L)]["at_edge"] for L in ls]
        a1.plot([L for L, e in zip(ls, edge) if e], [v for v, e in zip(h, edge) if e], "o", mfc="white", mec=col,
                ms=7)
    a1.set_xticks(sorted(int(k) for k in rows[0]["c_max_by_L"]))
    a1.set_xlabel("L (lattice spacings); open: maximum at the lowest T of the grid (a lower bound)")
    a1.set_ylabel(r"$C_{max}$ per spin / $k_B$")
    a1.set_title("heat-capacity peak against size")
    a1.legend(fontsize=7)
    s = np.array([r["poisson_ratio"] for r in rows])
    a2.errorbar(s, [r["jump"] for r in rows], [r["jump_error"] for r in rows], fmt="o-", color="k", capsize=3,
                label=r"jump $C_{max} - C(T_{max})$, largest L")
    a2.axvline(0.2, color="0.7", lw=0.8, ls=":")
    a2.set_xlabel(r"Poisson ratio $\sigma$")
    a2.set_ylabel(r"per spin / $k_B$")
    a2.set_title("jump against Poisson ratio (004 mean field: 4 $k_B$)", fontsize=10)
    a2.legend(fontsize=7)
    fig.tight_layout()
    return fig


def fig_ordered(results):
    """The compression share of the ordering-mode intensity against sigma (from the stored results); the
    ordering wave vector gets its own panel only where it changes with sigma."""
    import matplotlib.pyplot as plt
    rows = results["t_c"]
    s = np.array([r["poisson_ratio"] for r in rows])
    k = [r["ordering_wavevector_2pi_over_L"] for r in rows]
    varies = max(k) - min(k) > 1e-9
    fig, axes = plt.subplots(1, 2 if varies else 1, figsize=(10 if varies else 5.6, 3.8), squeeze=False)
    a1 = axes[0][0]
    a1.errorbar(s, [r["compression_weight"] for r in rows], [r["compression_weight_error"] or 0.0 for r in rows],
                fmt="o-", color="k", capsize=3, label="lowest T of the grid")
    a1.plot(s, [r.get("compression_weight_paramagnet", np.nan) for r in rows], "s--", color="0.5",
            label="highest T (paramagnet)")
    a1.axvline(0.2, color="0.7", lw=0.8, ls=":")
    a1.set_xlabel(r"Poisson ratio $\sigma$")
    a1.set_ylabel("compression share of the ordering-mode intensity")
    a1.set_title("content of the ordering modes (largest L)" + ("" if varies else
                 f"; |k*| = {k[0]:g} x 2pi/L at every sigma"), fontsize=9)
    a1.legend(fontsize=7)
    a1.set_ylim(0, 1)
    if varies:
        a2 = axes[0][1]
        a2.plot(s, k, "o-", color="k")
        a2.set_ylim(0, max(k) * 1.2)
        a2.set_xlabel(r"Poisson ratio $\sigma$")
        a2.set_ylabel(r"$|k^*|$ / (2$\pi$/L)")
        a2.set_title("ordering wave vector (max of the Weiss matrix)")
    fig.tight_layout()
    return fig


def fig_slices(res, recs, cfg):
    import matplotlib.pyplot as plt
    picks = [s for s in (cfg["sigmas"][0], 0.2, cfg["sigmas"][-1]) if s in cfg["sigmas"]]
    picks = list(dict.fromkeys(picks))
    Lm = cfg["sizes"][-1]
    fig, axes = plt.subplots(2, len(picks), figsize=(3.4 * len(picks), 6.2), squeeze=False)
    for j, s in enumerate(picks):
        i = next(k for k, p in enumerate(recs["scan_params"]) if p["poisson"] == s and p["L"] == Lm)
        ex = recs["scan"][i]["extra"]
        sl = np.asarray(ex["slice"])
        t = ex["temperatures"][0]
        im = axes[0, j].imshow(sl[:, :, 0].T, origin="lower", cmap="RdBu_r", vmin=-1, vmax=1)
        axes[0, j].set_title(rf"$\sigma$ = {s:g}, T = {t:.3f}: compression $s_1$", fontsize=8)
        fig.colorbar(im, ax=axes[0, j], fraction=0.046)
        im2 = axes[1, j].imshow(np.linalg.norm(sl[:, :, 1:], axis=-1).T, origin="lower", cmap="viridis", vmin=0,
                                vmax=1)
        axes[1, j].set_title(r"shear $|s_{2..6}|$", fontsize=8)
        fig.colorbar(im2, ax=axes[1, j], fraction=0.046)
        for a in axes[:, j]:
            a.set_xlabel("x (a)")
            a.set_ylabel("y (a)")
    fig.suptitle(f"frozen stress pattern: slice z = 0 of an L = {Lm} lattice at the lowest T (one replica)", fontsize=9)
    fig.tight_layout()
    return fig


def fig_overlap(res):
    import matplotlib.pyplot as plt
    rows = [r for r in res["rows"] if "overlap" in r]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    from ._bl_points import Q_BINS, QM_BINS
    qc = np.linspace(-1, 1, Q_BINS + 1)
    qc = 0.5 * (qc[1:] + qc[:-1])
    mc = np.linspace(0, 1, QM_BINS + 1)
    mc = 0.5 * (mc[1:] + mc[:-1])
    for col, r in zip(_colors(len(rows)), rows):
        h = np.asarray(r["_q_hist"], float)
        hm = np.asarray(r["_qm_hist"], float)
        a1.step(qc, h / h.sum() / (qc[1] - qc[0]), where="mid", color=col,
                label=rf"$\sigma$ = {r['poisson_ratio']:g}")
        a2.step(mc, hm / hm.sum() / (mc[1] - mc[0]), where="mid", color=col,
                label=rf"$\sigma$ = {r['poisson_ratio']:g}")
    t = rows[0]["overlap"]["T"][0] if rows else float("nan")
    L = rows[0]["overlap"]["L"] if rows else 0
    a1.set_xlabel(r"site overlap $q = N^{-1}\sum_i s^{(1)}_i\cdot s^{(2)}_i$")
    a1.set_ylabel("P(q)")
    a1.set_title(f"P(q), L = {L}, T = {t:.3f}", fontsize=9)
    a1.legend(fontsize=7)
    a2.set_xlabel(r"mode overlap $q_{mode}$ (translation invariant)")
    a2.set_ylabel(r"P($q_{mode}$)")
    a2.set_title(f"ordering-mode overlap, L = {L}, T = {t:.3f}", fontsize=9)
    a2.legend(fontsize=7)
    fig.tight_layout()
    return fig


def fig_robust(res):
    import matplotlib.pyplot as plt
    rob = res["robust"]
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.6))
    x = np.arange(len(rob))
    labels = [f"cutoff {r['cutoff']:g}\nk0 {r['k0']}" for r in rob]
    sizes = ", ".join(map(str, rob[0]["sizes"]))
    for ax, key, err, ylab, title in (
            (a1, "t_c", "error", r"$k_B T_c$", f"T_c, sigma = {res['robust_sigma']:g} (L = {sizes})"),
            (a2, "jump", "jump_error", r"jump per spin / $k_B$", "heat-capacity jump (largest L)"),
            (a3, "compression_weight", "compression_weight_error", "compression share",
             "ordering-mode content (lowest T)")):
        ax.errorbar(x, [r[key] for r in rob], [r[err] if _ok(r[err]) else 0.0 for r in rob], fmt="o", color="k",
                    capsize=3)
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_xlim(-0.5, len(rob) - 0.5)
        ax.set_ylabel(ylab)
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def fig_validation(res, val):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    o3 = res["o3"]["curves"]
    for key, ax, lab in (("xi_over_L", axes[0], r"$\xi/L$"), ("U", axes[1], r"$U = \langle m^4\rangle/\langle m^2\rangle^2$")):
        for col, (L, c) in zip(_colors(len(o3)), o3.items()):
            mean, err, _ = c[key]
            ax.errorbar(1 / c["T"], mean, err, fmt="o-", ms=3, capsize=2, color=col, label=f"L = {L}")
        ax.axvline(val["o3_beta_c_reference"], color="C3", ls="--", lw=1, label=f"beta_c = {val['o3_beta_c_reference']:g} (reference)")
        ax.set_xlabel(r"$\beta J$")
        ax.set_ylabel(lab)
        ax.set_title("nearest-neighbour O(3), same pipeline", fontsize=9)
        ax.legend(fontsize=7)
    mf = res["mf"]["curves"]
    for col, (n, c) in zip(_colors(len(mf)), mf.items()):
        mean, err, _ = c["U"]
        axes[2].errorbar(c["T"], mean, err, fmt="o-", ms=3, capsize=2, color=col, label=f"N = {n}")
    axes[2].axvline(val["all_to_all_expected"], color="C3", ls="--", lw=1, label="max(J)/6 (exact)")
    axes[2].set_xlabel(r"$k_B T$")
    axes[2].set_ylabel("Binder ratio of the ordering sector")
    axes[2].set_title(f"all-to-all model, 004 Eq. (21), sigma = {val['all_to_all_poisson']:g}", fontsize=9)
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    return fig


#: figures drawn from the stored results alone (a finished study's page can redraw them)
FROM_RESULTS = {"ordered_state": fig_ordered}


def figures(out) -> dict:
    """The study's figures (file stem -> matplotlib figure) from a finished computation (:func:`.bl_phase.run`)."""
    res, val, cfg, recs = (out.figure_data[k] for k in ("res", "val", "cfg", "recs"))
    by_sigma = {f"sigma = {s:g}": res["curves"][s] for s in cfg["sigmas"]}
    return {
        "tc_vs_poisson": fig_tc(res),
        "crossings_xi_over_L": fig_crossings(by_sigma, "xi_over_L", r"$\xi/L$",
                                             "second-moment correlation length over L (ordering modes)"),
        "crossings_binder": fig_crossings(by_sigma, "U", r"$\langle m^4\rangle/\langle m^2\rangle^2$",
                                          "Binder ratio of the ordering modes"),
        "heat_capacity_T": fig_crossings(by_sigma, "C", r"$C$ per spin / $k_B$", "heat capacity per spin"),
        "heat_capacity_peaks": fig_heat(res),
        "ordered_state": fig_ordered(out.results),
        "stress_pattern": fig_slices(res, recs, cfg),
        "overlap": fig_overlap(res),
        "robustness": fig_robust(res),
        "validation": fig_validation(res, val),
    }


def document(results) -> Doc:
    """The study's page from its results (``results.json``; :func:`.bl_phase.complete_results` adds what older
    results lack)."""
    prm = results["parameters"]
    cfg_name = prm["configuration"]
    sampler = prm["sampler"].split(" + ")[0]
    bl6_sampler = prm.get("bl6_sampler", sampler)
    rows = results["t_c"]
    overlap = {o["poisson_ratio"]: o for o in results.get("overlap", [])}
    rob, val = results["robustness"], results["validation"]
    flags = flag_rows(results)
    doc = Doc(BIBLIOGRAPHY)
    doc.h(1, "The Bevzenko-Lubchenko stress-spin lattice model beyond mean field")
    doc.p(f"Configuration: **{cfg_name}** (sizes L = {', '.join(map(str, prm['sizes']))}; "
          f"Poisson ratios {', '.join(f'{s:g}' for s in prm['sigmas'])}). Model: unit 6-spins in 004's basis (A3) on "
          "an L^3 simple-cubic lattice, H = -sum_{i<j} s_i.J(r_ij).s_j with J(k) the rank-3 projector of 004 Eqs. "
          f"(18)-(20), Gaussian UV cutoff exp(-k^2/2) (lattice units) and the k = 0 term '{prm['k0']}' unless stated. "
          f"Samplers (exact): bl6 on '{bl6_sampler}' ({_SAMPLER_WORDS[bl6_sampler]}), O(3) and the all-to-all model "
          f"on '{sampler}' ({_SAMPLER_WORDS[sampler]}), with parallel tempering over the temperature grid (equally "
          "spaced in beta). Energies in units of the coupling scale of J(k), k_B = 1. Tables sort (click a header) "
          "and filter (type in the box above a table).")
    if cfg_name != "full":
        doc.p(f"**This is not the full study.** The sizes are small (L <= {max(prm['sizes'])}); their crossings "
              "carry finite-size corrections that the full study (L = 8-24) is designed to control. Read the "
              "numbers as the qualitative picture.")
    if prm["k0"] == "zero":
        doc.p("k = 0 convention 'zero' in the scan: the uniform mode, one of N, carries no coupling. With 004's "
              "'average' (the undamped angular average of J(khat)) the uniform mode out-competes the cutoff-damped "
              "smallest shell |k| = 2 pi/L at small L for large sigma (sigma >= 0.4 at L = 8, 0.45 at L = 10), "
              "so the order parameter would change between sizes; with 'zero' every size orders on that shell at "
              "every sigma, which is also where the thermodynamic limit orders (|k*| -> 0 with coupling -> 1 > "
              "max(J_compr, J_shear)). Section 4 shows what 'average' changes.")
    if "point_cpu_time_s" in prm:
        cached = prm["wall_time_s"] * prm["workers"] < 0.05 * prm["point_cpu_time_s"]
        doc.p((f"Cost: the points came from the store (computed by an earlier run: {prm['point_cpu_time_s'] / 60:.1f} "
               "CPU-min inside the points; " if cached else
               f"Cost: the points took {prm['wall_time_s'] / 60:.1f} min of wall time on {prm['workers']} "
               f"worker(s) ({prm['point_cpu_time_s'] / 60:.1f} CPU-min inside the points; ")
              + f"printed estimate {prm['estimated_cpu_s'] / 60:.1f} CPU-min)."
              + ("" if cfg_name == "full" else
                 f" The full study is estimated at {prm['full_study_estimated_cpu_hours']:.1f} CPU-hours from the "
                 f"same per-sweep costs (about {prm['full_study_estimated_cpu_hours'] / 2:.1f} h on 2 workers)."))
    n_flag = sum(r[0] == "flag" for r in flags)
    doc.p(f"Runs flagged for marginal statistics: {n_flag}; notes that are not statistical problems: "
          f"{len(flags) - n_flag}. Both are listed in {{table:flags}} (section 6)." if flags else
          "No run is flagged for marginal statistics.")
    doc.toc()

    doc.h(2, "1. T_c against the Poisson ratio", anchor="tc")
    doc.p("{fig:tc_vs_poisson} and {table:tc} give T_c from the crossings of xi/L and of the ordering-mode Binder "
          "ratio of consecutive sizes ({fig:crossings_xi_over_L}, {fig:crossings_binder}).")
    doc.figure("tc_vs_poisson", "figures/tc_vs_poisson.png",
               "T_c from the crossings of xi/L and of the ordering-mode Binder ratio (largest pair of sizes), 004's "
               "mean-field max(J)/6 and the lattice Weiss T_c = max_k lambda_max(J(k) - J(r=0))/6.")
    doc.table(["sigma", "J_c/J_s", "T_c (MC)", "from", "xi/L crossings (pair: T, quality z)",
               "Binder crossings", "004 MF", "Weiss (L)"],
              [[f"{r['poisson_ratio']:g}", f"{r['j_compr_over_j_shear']:.3f}", _fmt(r["t_c"], r["error"], 4),
                r["method"], "; ".join(_crossing(c) for c in r["crossings_xi_over_L"]),
                "; ".join(_crossing(c) for c in r["crossings_binder"]),
                f"{r['t_c_mean_field']:.4f}", f"{r['t_c_weiss']:.4f} ({r['t_c_weiss_L']})"] for r in rows],
              caption="T_c against the Poisson ratio: Monte Carlo (crossings of consecutive sizes), 004's mean "
                      "field and the lattice Weiss temperature", key="tc")
    sd = results.get("sigma_dependence") or {}
    if sd:
        doc.p(f"Sigma dependence of the measured T_c: a constant T_c = {sd['constant_t_c']:.4f} ± "
              f"{sd['constant_t_c_error']:.4f} gives chi^2 = {sd['chi2_constant']:.2f} for {sd['dof']} degrees of "
              f"freedom ({_p(sd['p_constant'])}); 004's mean-field shape max(J)/6, scaled by one free factor "
              f"({sd['mean_field_shape_scale']:.2f}), gives chi^2 = {sd['chi2_mean_field_shape']:.2f} "
              f"({_p(sd['p_mean_field_shape'])}).")
    robust_sigma = prm["robust_sigma"]
    doc.p("The lattice Weiss T_c of the ordering modes hardly depends on sigma (J(k) is a rank-3 projector with "
          "eigenvalue 1 for every sigma and direction) but grows with L as the smallest |k| shrinks: at sigma = "
          f"{robust_sigma:g}, " + ", ".join(f"{v:.4f} (L = {k})" for k, v in results["t_weiss_vs_L"].items())
          + ". 004's mean field instead uses the angular average of J(khat), i.e. the uniform mode.")
    doc.p("Crossing quality z: how many standard errors the two curves separate one grid step away from the "
          "crossing (below about 2 the crossing is not resolved). T_c: the mean of the resolved crossings (z >= 2 "
          "and one sign change) of the largest pair; where none is resolved, of the bracketed ones, marked "
          "'unresolved'. T_c error: bootstrap over blocks, combined with half the distance between the xi/L and "
          "the Binder crossing.")
    doc.p("Finite-size caveat. The ordering modes sit at |k*| = 2 pi/L, so their coupling, and the lattice Weiss "
          "T_c, grow with L through the cutoff factor exp(-(2 pi/L)^2/2): T_Weiss = "
          + ", ".join(f"{v:.4f} (L = {k})" for k, v in rows[0]["t_weiss_by_L"].items())
          + f" at sigma = {rows[0]['poisson_ratio']:g}. Part of the drift of xi/L and U with L is this change of "
          "the coupling, not critical scaling, and it pushes the xi/L curves of the larger lattice above those of "
          "the smaller one. As a diagnostic, {table:reduced} gives the crossings in the reduced temperature "
          "T/T_Weiss(L).")
    doc.table(["sigma", "xi/L: tau_x = T_x/T_Weiss", "Binder: tau_x"],
              [[f"{r['poisson_ratio']:g}",
                "; ".join(_crossing(c, "tau", 3, False) for c in r["reduced_crossings"]["xi_over_L"]),
                "; ".join(_crossing(c, "tau", 3, False) for c in r["reduced_crossings"]["binder"])] for r in rows],
              caption="Crossings in the reduced temperature T/T_Weiss(L) of each size", key="reduced")
    doc.figure("crossings_xi_over_L", "figures/crossings_xi_over_L.png",
               "xi/L of the ordering modes against T for every sigma and L")
    doc.figure("crossings_binder", "figures/crossings_binder.png", "Binder ratio of the ordering modes against T")

    doc.h(2, "2. The ordered state", anchor="ordered")
    kk = sorted({(round(r["ordering_wavevector_2pi_over_L"], 3), r.get("ordering_set_size")) for r in rows})
    doc.p("The ordering modes K* are the wave vectors where the Weiss matrix lambda_max(J(k) - J(r=0)) is largest. "
          "Here (largest L): " + "; ".join(f"|k*| = {a:g} x 2pi/L" + (f" ({b} wave vectors)" if b else "")
                                           for a, b in kk) + ". "
          + ("The lattice model does not order uniformly: its strongest modes are the smallest non-zero wave "
             "vectors, whose |k*| goes to 0 only as 1/L. " if all(a > 0 for a, _ in kk) else "")
          + "{table:ordered} and {fig:ordered_state} give the content of the ordering modes; {fig:stress_pattern} "
          "shows a frozen pattern and {fig:overlap} the overlaps of two replicas.")
    doc.table(["sigma", "|k*| (2pi/L)", "modes in K*", "compression share (lowest T)", "paramagnet",
               "<|q|>", "<q_mode> (paramagnet)", "state"],
              [[f"{r['poisson_ratio']:g}", f"{r['ordering_wavevector_2pi_over_L']:.2f}", r.get("ordering_set_size", "-"),
                _fmt(r["compression_weight"], r["compression_weight_error"]),
                _fmt(r.get("compression_weight_paramagnet")),
                _fmt(overlap[r["poisson_ratio"]]["q_abs"][0]) if r["poisson_ratio"] in overlap else "-",
                (f"{_fmt(overlap[r['poisson_ratio']]['q_mode'][0])} "
                 f"({_fmt(overlap[r['poisson_ratio']]['q_mode_paramagnet'])})") if r["poisson_ratio"] in overlap else "-",
                overlap[r["poisson_ratio"]]["state"] if r["poisson_ratio"] in overlap else "-"] for r in rows],
              caption="The ordered state: ordering modes, their compression share and the replica overlaps at the "
                      "lowest temperature", key="ordered")
    doc.figure("ordered_state", "figures/ordered_state.png", "Compression share of the ordering-mode intensity "
               "against sigma, at the lowest and the highest temperature of the grid (largest L)")
    doc.figure("stress_pattern", "figures/stress_pattern.png",
               "A frozen stress pattern: compression component and shear magnitude")
    doc.p("Overlaps of two independent replicas at the same T: the site overlap q = (1/N) sum_i s_i^(1).s_i^(2) "
          "(6-vector dot product) and the translation-invariant mode overlap q_mode = sum_k Tr(Q1_k Q2_k) / "
          "sqrt(sum Tr Q1_k^2 sum Tr Q2_k^2), Q_k = Re s(k) s(k)^+ over the ordering modes. A modulated state has a "
          "free phase (translations), so a broad P(q) alone does not mean a glass; q_mode near 1 means the replicas "
          "chose the same modes and polarisations (domains), well below 1 that they chose different ones (a "
          "degenerate manifold, 004 Sec. II's 'many distinct, nearly degenerate configurations'). Rule used: "
          "q_mode > 0.9 domains (uniform if also <|q|> > 0.8), < 0.7 degenerate, otherwise intermediate.")
    doc.figure("overlap", "figures/overlap.png", "P(q) and P(q_mode) at the lowest temperature of the grid")

    doc.h(2, "3. Heat capacity and 004's conjectures", anchor="heat")
    doc.p("{fig:heat_capacity_T} shows C(T) for every sigma and L, {fig:heat_capacity_peaks} the peak against L and "
          "the jump against sigma; {table:conjectures} decides 004 Sec. IV's conjectures. Jump estimate: C_max "
          "(three-point parabola at the peak) minus C at the highest temperature of the grid (the paramagnetic "
          "background), at the largest L, with a bootstrap error. In 004's mean field the jump is 4 k_B per spin in "
          "both sectors (AUDIT), so any sigma dependence is a fluctuation effect. Verdict rule: confirmed when the "
          "effect is positive by >= 3 standard errors; refuted when its 97.5% upper bound is below 10% of the mean "
          "C_max (or mean jump); otherwise inconclusive.")
    doc.figure("heat_capacity_T", "figures/heat_capacity_T.png", "C(T) per spin with jackknife errors")
    doc.figure("heat_capacity_peaks", "figures/heat_capacity_peaks.png",
               "Peak height against L, and C_max and the jump against sigma")
    doc.table(["conjecture", "source", "claim", "verdict", "evidence"],
              [[c["id"], c["source"], c["claim"], c["verdict"], c["evidence"]] for c in results["conjectures"]],
              caption="004 Sec. IV's conjectures on the heat capacity, each with its verdict and evidence",
              key="conjectures")

    doc.h(2, "4. Robustness: UV cutoff and k = 0 convention", anchor="robustness")
    doc.p(f"{{fig:robustness}} and {{table:robust}}: T_c, jump and compression share at sigma = {robust_sigma:g} for "
          "two cutoffs and two k = 0 conventions.")
    doc.figure("robustness", "figures/robustness.png",
               "T_c, jump and compression share for two cutoffs and two k = 0 conventions")
    doc.table(["cutoff", "k0", "T_c", "jump", "C_max", "|k*|", "compression share"],
              [[f"{r['cutoff']:g}", r["k0"], _fmt(r["t_c"], r["error"], 4), _fmt(r["jump"], r["jump_error"]),
                _fmt(r["c_max"], r["c_max_error"]), _fmt(r["ordering_wavevector"]),
                _fmt(r["compression_weight"], r["compression_weight_error"])] for r in rob],
              caption=f"Robustness at sigma = {robust_sigma:g}: the scan's own variant (first row) and the others",
              key="robust")
    dep = results.get("robustness_dependence") or []
    if dep:
        doc.p(f"{{table:dependence}}: the shift of each result from the scan's own choice (cutoff {rob[0]['cutoff']:g}, "
              f"k0 '{rob[0]['k0']}'), in combined standard errors z; |z| > 2 marks a conclusion that depends on the "
              "choice.")
        doc.table(["variant", "quantity", "variant value", "scan's value", "z", "reading"],
                  [[f"cutoff {d['cutoff']:g}, k0 {d['k0']}", d["quantity"], _fmt(d["value"], None, 4),
                    _fmt(d["base_value"], None, 4), f"{d['z']:.1f}" if _ok(d["z"]) else "-", d["verdict"]]
                   for d in dep],
                  caption="How far each variant moves each result, in combined standard errors", key="dependence")
        moved = sorted({d["quantity"] for d in dep if d["verdict"] == "depends"})
        doc.p("Depends on the cutoff or the k = 0 convention at this precision: " + (", ".join(moved) or "none")
              + ".")

    doc.h(2, "5. Validation through the same pipeline", anchor="validation")
    doc.p("{fig:validation} and {table:validation}: nearest-neighbour O(3) and the all-to-all model of 004 Eq. (21) "
          "through the same points and crossing analysis.")
    doc.figure("validation", "figures/validation.png", "Nearest-neighbour O(3) and the all-to-all model of 004 Eq. (21)")

    def dev(a, b):
        return f"{100 * (a / b - 1):.2f}%" if _ok(a) and _ok(b) else "-"
    doc.table(["check", "measured", "expected", "deviation"],
              [["O(3) beta_c from xi/L crossings (L = " + "/".join(map(str, val["o3_sizes"][-2:])) + ")",
                _fmt(val["o3_beta_c"], val["o3_beta_c_error"], 4), f"{val['o3_beta_c_reference']:g}",
                dev(val["o3_beta_c"], val["o3_beta_c_reference"])],
               ["O(3) beta_c from Binder crossings", _fmt(val["o3_beta_c_binder"], val["o3_beta_c_binder_error"], 4),
                f"{val['o3_beta_c_reference']:g}", dev(val["o3_beta_c_binder"], val["o3_beta_c_reference"])],
               ["all-to-all T_c (Binder crossing, N = " + "/".join(map(str, val["all_to_all_sizes"][-2:])) + ")",
                _fmt(val["all_to_all_t_c"], val["all_to_all_t_c_error"], 4), f"{val['all_to_all_expected']:.4f}",
                dev(val["all_to_all_t_c"], val["all_to_all_expected"])]],
              caption="Validation: known transition temperatures through the study's pipeline", key="validation")

    doc.h(2, "6. Flags and notes", anchor="flags")
    if flags:
        doc.p("Flags: runs whose statistics are marginal (a block shorter than 2 tau_int, a run shorter than 50 "
              "tau_int, or an energy that drifts between the halves of the run); a flagged run holds every "
              "conjecture's verdict back. Notes: observations that are not statistical problems (a low parallel-"
              "tempering swap rate makes the temperatures independent chains, each with its own checks).")
        doc.table(["kind", "sigma", "L", "observation"], flags,
                  caption="Flags and notes of every run, one row each", key="flags")
    else:
        doc.p("No run is flagged and none carries a note.")
    doc.h(2, "Method notes", anchor="method")
    doc.bullets([
        "Observables are read off the Monte Carlo engine's structure factor (recorded after every sweep; "
        "tensorglass.montecarlo mode_amplitude, shell_mean, correlation_length), with the ordering set K* fixed by "
        "the Weiss maximum (weiss_ordering_shell): m^2 = sum_{k in K*} |s(k)|^2/N^2, U = <m^4>/<m^2>^2, "
        "xi = sqrt(S(K*)/S(K_nb) - 1)/(2 sin(pi/L)) with K_nb the next shell outward. For O(3) this is the "
        "standard k = 0 definition.",
        "Errors: 20 blocks per temperature; jackknife for curves, bootstrap (200 resamples of the blocks, the same "
        "blocks at every temperature) for crossings and peaks. tau_int of e and m^2 with window c = 8; a block "
        "shorter than 2 tau_int or a run shorter than 50 tau_int is flagged (section 6).",
        "Definitions and their derivation: docs/notes/bl_phase.md.",
    ])
    doc.h(2, "Bibliography", anchor="bibliography")
    doc.bibliography(cited_only=True)
    return doc
