"""Figures, text and dataset of the bl-phase study (edge layer)."""

from __future__ import annotations

import math

import numpy as np

from ..report._render import Doc


_SAMPLER_WORDS = {"hmc": "geodesic hybrid Monte Carlo with FFT forces, step size tuned while thermalising",
                  "local": "single-site moves, sparse near fields with clock Monte Carlo for the long-range tail",
                  "metropolis": "dense single-site Metropolis"}


def _fmt(v, e=None, nd=3):
    if v is None or not math.isfinite(v):
        return "n/a"
    if e is None or not math.isfinite(e):
        return f"{v:.{nd}f}"
    return f"{v:.{nd}f} ± {e:.{nd}f}"


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
    from .bl_phase import couplings
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


def fig_ordered(res):
    import matplotlib.pyplot as plt
    rows = res["rows"]
    s = np.array([r["poisson_ratio"] for r in rows])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    a1.errorbar(s, [r["compression_weight"] for r in rows], [r["compression_weight_error"] for r in rows],
                fmt="o-", color="k", capsize=3, label="lowest T of the grid")
    a1.plot(s, [r["compression_weight_paramagnet"] for r in rows], "s--", color="0.5", label="highest T (paramagnet)")
    a1.axvline(0.2, color="0.7", lw=0.8, ls=":")
    a1.set_xlabel(r"Poisson ratio $\sigma$")
    a1.set_ylabel("compression share of the ordering-mode intensity")
    a1.set_title("content of the ordering modes (largest L)")
    a1.legend(fontsize=7)
    a1.set_ylim(0, 1)
    a2.plot(s, [r["ordering_wavevector_2pi_over_L"] for r in rows], "o-", color="k")
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
        ax.errorbar(x, [r[key] for r in rob], [r[err] for r in rob], fmt="o", color="k", capsize=3)
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


def build_dataset(res, cfg):
    import xarray as xr
    sig = cfg["sigmas"]
    sizes = cfg["sizes"]
    t = res["curves"][sig[0]][sizes[0]]["T"]
    data = {}
    for key, unit, desc in (("C", "k_B per spin", "heat capacity per spin"),
                            ("U", "1", "Binder ratio <m^4>/<m^2>^2 of the ordering modes"),
                            ("xi_over_L", "1", "second-moment correlation length over L"),
                            ("compression_weight", "1", "compression share of the ordering-mode intensity")):
        arr = np.array([[res["curves"][s][L][key][0] for L in sizes] for s in sig])
        err = np.array([[res["curves"][s][L][key][1] for L in sizes] for s in sig])
        data[key] = (("poisson_ratio", "L", "temperature"), arr, {"units": unit, "long_name": desc})
        data[key + "_error"] = (("poisson_ratio", "L", "temperature"), err,
                                {"units": unit, "long_name": "jackknife error of " + desc})
    rows = res["rows"]
    for key, unit in (("t_c", "J"), ("error", "J"), ("t_c_mean_field", "J"), ("t_c_weiss", "J"),
                      ("ordering_wavevector", "1/a"), ("compression_weight", "1"), ("jump", "k_B per spin"),
                      ("jump_error", "k_B per spin"), ("c_max", "k_B per spin"), ("c_max_error", "k_B per spin")):
        name = "t_c_error" if key == "error" else key + ("_lowest_T" if key == "compression_weight" else "")
        data[name] = (("poisson_ratio",), np.array([r[key] for r in rows], float), {"units": unit})
    ds = xr.Dataset(data, coords={"poisson_ratio": ("poisson_ratio", np.array(sig, float), {"units": "1"}),
                                  "L": ("L", np.array(sizes), {"units": "lattice spacings"}),
                                  "temperature": ("temperature", np.asarray(t), {"units": "J/k_B"})})
    ds.attrs["energy_unit"] = "J: the coupling scale of J(k) (its rank-3 projector has eigenvalue 1), k_B = 1"
    return ds


def build_report(res, val, cfg, cfg_name, recs):
    res["robust_sigma"] = cfg["robust_sigma"]
    for r in res["rows"]:
        if "overlap" in r:
            i = next(k for k, p in enumerate(recs["scan_params"]) if p["poisson"] == r["poisson_ratio"]
                     and p["L"] == r["overlap"]["L"])
            r["_q_hist"] = recs["scan"][i]["extra"]["q_hist"][0]
            r["_qm_hist"] = recs["scan"][i]["extra"]["q_mode_hist"][0]
    figures = {
        "tc_vs_poisson": fig_tc(res),
        "crossings_xi_over_L": fig_crossings({f"sigma = {s:g}": res["curves"][s] for s in cfg["sigmas"]}, "xi_over_L",
                                             r"$\xi/L$", "second-moment correlation length over L (ordering modes)"),
        "crossings_binder": fig_crossings({f"sigma = {s:g}": res["curves"][s] for s in cfg["sigmas"]}, "U",
                                          r"$\langle m^4\rangle/\langle m^2\rangle^2$",
                                          "Binder ratio of the ordering modes"),
        "heat_capacity_T": fig_crossings({f"sigma = {s:g}": res["curves"][s] for s in cfg["sigmas"]}, "C",
                                         r"$C$ per spin / $k_B$", "heat capacity per spin"),
        "heat_capacity_peaks": fig_heat(res),
        "ordered_state": fig_ordered(res),
        "stress_pattern": fig_slices(res, recs, cfg),
        "overlap": fig_overlap(res),
        "robustness": fig_robust(res),
        "validation": fig_validation(res, val),
    }
    doc = Doc()
    rows = res["rows"]
    bl6_sampler = cfg.get("bl6_sampler", cfg["sampler"])
    doc.h(1, "The Bevzenko-Lubchenko stress-spin lattice model beyond mean field")
    doc.p(f"Configuration: **{cfg_name}** (sizes L = {', '.join(map(str, cfg['sizes']))}; "
          f"Poisson ratios {', '.join(f'{s:g}' for s in cfg['sigmas'])}). Model: unit 6-spins in 004's basis (A3) on an "
          "L^3 simple-cubic lattice, H = -sum_{i<j} s_i.J(r_ij).s_j with J(k) the rank-3 projector of 004 Eqs. (18)-(20), "
          f"Gaussian UV cutoff exp(-k^2/2) (lattice units) and the k = 0 term '{cfg['k0']}' unless stated. Samplers "
          f"(exact): bl6 on '{bl6_sampler}' ({_SAMPLER_WORDS[bl6_sampler]}), O(3) and the all-to-all model on "
          f"'{cfg['sampler']}' ({_SAMPLER_WORDS[cfg['sampler']]}), with parallel tempering over the temperature grid "
          "(equally spaced in beta). Energies in units of the coupling scale of J(k), k_B = 1.")
    if cfg_name != "full":
        doc.p(f"**This is not the full study.** The sizes are small (L <= {max(cfg['sizes'])}); their crossings "
              "carry finite-size corrections that the full study (L = 8-24) is designed to control. Read the "
              "numbers as the qualitative picture.")
    if cfg["k0"] == "zero":
        doc.p("k = 0 convention 'zero' in the scan: the uniform mode, one of N, carries no coupling. With 004's "
              "'average' (the undamped angular average of J(khat)) the uniform mode out-competes the cutoff-damped "
              "smallest shell |k| = 2 pi/L at small L for large sigma (sigma >= 0.4 at L = 8, 0.45 at L = 10), "
              "so the order parameter would change between sizes; with 'zero' every size orders on that shell at "
              "every sigma, which is also where the thermodynamic limit orders (|k*| -> 0 with coupling -> 1 > "
              "max(J_compr, J_shear)). Section 4 shows what 'average' changes.")
    cost = res.get("cost")
    if cost:
        cached = cost["wall_time_s"] * cost["workers"] < 0.05 * cost["point_cpu_time_s"]
        doc.p((f"Cost: the points came from the store (computed by an earlier run: {cost['point_cpu_time_s'] / 60:.1f} "
               "CPU-min inside the points; " if cached else
               f"Cost: the points took {cost['wall_time_s'] / 60:.1f} min of wall time on {cost['workers']} "
               f"worker(s) ({cost['point_cpu_time_s'] / 60:.1f} CPU-min inside the points; ")
              + f"printed estimate {cost['estimated_cpu_s'] / 60:.1f} CPU-min)."
              + ("" if cfg_name == "full" else
                 f" The full study is estimated at {cost['full_study_estimated_cpu_hours']:.1f} CPU-hours from the "
                 f"same per-sweep costs (about {cost['full_study_estimated_cpu_hours'] / 2:.1f} h on 2 workers)."))
    if res["flags"]:
        doc.p("**Flags** (runs whose statistics are marginal): " + "; ".join(res["flags"]))
    if res.get("notes"):
        doc.p("**Notes** (not statistical problems): " + "; ".join(res["notes"]))
    doc.h(2, "1. T_c against the Poisson ratio")
    doc.img("figures/tc_vs_poisson.png", "T_c from the crossings of xi/L and of the ordering-mode Binder ratio "
            "(largest pair of sizes), 004's mean-field max(J)/6 and the lattice Weiss T_c = max_k lambda_max(J(k) - "
            "J(r=0))/6.")
    doc.table(["sigma", "J_c/J_s", "T_c (MC)", "from", "xi/L crossings (pair: T, quality z)",
               "Binder crossings", "004 MF", "Weiss (L)"],
              [[f"{r['poisson_ratio']:g}", f"{r['j_compr_over_j_shear']:.3f}", _fmt(r["t_c"], r["error"], 4),
                r["method"],
                "; ".join(f"{c['pair'][0]}/{c['pair'][1]}: {_fmt(c['t'], c['error'], 4)}, z={c['angle_z']:.1f}"
                          for c in r["crossings_xi_over_L"]),
                "; ".join(f"{c['pair'][0]}/{c['pair'][1]}: {_fmt(c['t'], c['error'], 4)}, z={c['angle_z']:.1f}"
                          for c in r["crossings_binder"]),
                f"{r['t_c_mean_field']:.4f}", f"{r['t_c_weiss']:.4f} ({r['t_c_weiss_L']})"] for r in rows])
    sd = res.get("sigma_dependence") or {}
    if sd:
        doc.p(f"Sigma dependence of the measured T_c: a constant T_c = {sd['constant_t_c']:.4f} ± "
              f"{sd['constant_t_c_error']:.4f} gives chi^2 = {sd['chi2_constant']:.2f} for {sd['dof']} degrees of "
              f"freedom (p = {sd['p_constant']:.2f}); 004's mean-field shape max(J)/6, scaled by one free factor "
              f"({sd['mean_field_shape_scale']:.2f}), gives chi^2 = {sd['chi2_mean_field_shape']:.2f} "
              f"(p = {sd['p_mean_field_shape']:.2f}).")
    doc.p("The lattice Weiss T_c of the ordering modes hardly depends on sigma (J(k) is a rank-3 projector with "
          "eigenvalue 1 for every sigma and direction) but grows with L as the smallest |k| shrinks: at sigma = "
          f"{res['robust_sigma']:g}, " + ", ".join(f"{v:.4f} (L = {k})" for k, v in res["t_weiss_vs_L"].items())
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
          "the smaller one. As a diagnostic, the crossings in the reduced temperature T/T_Weiss(L):")
    doc.table(["sigma", "xi/L: tau_x = T_x/T_Weiss", "Binder: tau_x"],
              [[f"{r['poisson_ratio']:g}",
                "; ".join(f"{c['pair'][0]}/{c['pair'][1]}: {_fmt(c['tau'], c['error'], 3)}"
                          for c in r["reduced_crossings"]["xi_over_L"]),
                "; ".join(f"{c['pair'][0]}/{c['pair'][1]}: {_fmt(c['tau'], c['error'], 3)}"
                          for c in r["reduced_crossings"]["binder"])] for r in rows])
    doc.img("figures/crossings_xi_over_L.png", "xi/L of the ordering modes against T for every sigma and L")
    doc.img("figures/crossings_binder.png", "Binder ratio of the ordering modes against T")
    doc.h(2, "2. The ordered state")
    kk = sorted({(round(r["ordering_wavevector_2pi_over_L"], 3), r["ordering_set_size"]) for r in rows})
    doc.p("The ordering modes K* are the wave vectors where the Weiss matrix lambda_max(J(k) - J(r=0)) is largest. "
          "Here (largest L): " + "; ".join(f"|k*| = {a:g} x 2pi/L ({b} wave vectors)" for a, b in kk) + ". "
          + ("The lattice model does not order uniformly: its strongest modes are the smallest non-zero wave "
             "vectors, whose |k*| goes to 0 only as 1/L." if all(a > 0 for a, _ in kk) else ""))
    doc.table(["sigma", "|k*| (2pi/L)", "modes in K*", "compression share (lowest T)", "paramagnet",
               "<|q|>", "<q_mode> (paramagnet)", "state"],
              [[f"{r['poisson_ratio']:g}", f"{r['ordering_wavevector_2pi_over_L']:.2f}", r["ordering_set_size"],
                _fmt(r["compression_weight"], r["compression_weight_error"]),
                f"{r['compression_weight_paramagnet']:.3f}",
                f"{r['overlap']['q_abs'][0]:.3f}" if "overlap" in r else "-",
                f"{r['overlap']['q_mode'][0]:.3f} ({r['overlap']['q_mode_paramagnet']:.3f})" if "overlap" in r else "-",
                r["overlap"]["state"] if "overlap" in r else "-"] for r in rows])
    doc.img("figures/ordered_state.png", "compression share of the ordering-mode intensity and the ordering wave vector")
    doc.img("figures/stress_pattern.png", "a frozen stress pattern: compression component and shear magnitude")
    doc.p("Overlaps of two independent replicas at the same T: the site overlap q = (1/N) sum_i s_i^(1).s_i^(2) "
          "(6-vector dot product) and the translation-invariant mode overlap q_mode = sum_k Tr(Q1_k Q2_k) / "
          "sqrt(sum Tr Q1_k^2 sum Tr Q2_k^2), Q_k = Re s(k) s(k)^+ over the ordering modes. A modulated state has a "
          "free phase (translations), so a broad P(q) alone does not mean a glass; q_mode near 1 means the replicas "
          "chose the same modes and polarisations (domains), well below 1 that they chose different ones (a "
          "degenerate manifold, 004 Sec. II's 'many distinct, nearly degenerate configurations'). Rule used: "
          "q_mode > 0.9 domains (uniform if also <|q|> > 0.8), < 0.7 degenerate, otherwise intermediate.")
    doc.img("figures/overlap.png", "P(q) and P(q_mode) at the lowest temperature of the grid")
    doc.h(2, "3. Heat capacity and 004's conjectures")
    doc.img("figures/heat_capacity_T.png", "C(T) per spin with jackknife errors")
    doc.img("figures/heat_capacity_peaks.png", "peak height against L, and C_max and the jump against sigma")
    doc.p("Jump estimate: C_max (three-point parabola at the peak) minus C at the highest temperature of the grid "
          "(the paramagnetic background), at the largest L, with a bootstrap error. In 004's mean field the jump "
          "is 4 k_B per spin in both sectors (AUDIT), so any sigma dependence is a fluctuation effect. Verdict rule: "
          "confirmed when the effect is positive by >= 3 standard errors; refuted when its 97.5% upper bound is "
          "below 10% of the mean C_max (or mean jump); otherwise inconclusive.")
    doc.table(["conjecture", "claim", "verdict", "evidence"],
              [[c["id"], c["claim"], c["verdict"], c["evidence"]] for c in res["conjectures"]])
    doc.h(2, "4. Robustness: UV cutoff and k = 0 convention")
    doc.img("figures/robustness.png", "T_c, jump and compression share for two cutoffs and two k = 0 conventions")
    doc.table(["cutoff", "k0", "T_c", "jump", "C_max", "|k*|", "compression share"],
              [[f"{r['cutoff']:g}", r["k0"], _fmt(r["t_c"], r["error"], 4), _fmt(r["jump"], r["jump_error"]),
                _fmt(r["c_max"], r["c_max_error"]), f"{r['ordering_wavevector']:.3f}",
                _fmt(r["compression_weight"], r["compression_weight_error"])] for r in res["robust"]])
    dep = res.get("robust_dependence") or []
    if dep:
        doc.p(f"Shift of each result from the scan's own choice (cutoff {res['robust'][0]['cutoff']:g}, k0 "
              f"'{res['robust'][0]['k0']}'), in combined standard errors z; |z| > 2 marks a conclusion that depends "
              "on the choice.")
        doc.table(["variant", "quantity", "variant value", "scan's value", "z", "reading"],
                  [[f"cutoff {d['cutoff']:g}, k0 {d['k0']}", d["quantity"], _fmt(d["value"], None, 4),
                    _fmt(d["base_value"], None, 4), f"{d['z']:.1f}" if math.isfinite(d["z"]) else "n/a", d["verdict"]]
                   for d in dep])
        moved = sorted({d["quantity"] for d in dep if d["verdict"] == "depends"})
        doc.p("Depends on the cutoff or the k = 0 convention at this precision: " + (", ".join(moved) or "none")
              + ".")
    doc.h(2, "5. Validation through the same pipeline")
    doc.img("figures/validation.png", "nearest-neighbour O(3) and the all-to-all model of 004 Eq. (21)")
    doc.table(["check", "measured", "expected", "deviation"],
              [["O(3) beta_c from xi/L crossings (L = " + "/".join(map(str, val["o3_sizes"][-2:])) + ")",
                _fmt(val["o3_beta_c"], val["o3_beta_c_error"], 4), f"{val['o3_beta_c_reference']:g}",
                f"{100 * val['o3_relative_deviation']:.2f}%"],
               ["O(3) beta_c from Binder crossings", _fmt(val["o3_beta_c_binder"], val["o3_beta_c_binder_error"], 4),
                f"{val['o3_beta_c_reference']:g}",
                f"{100 * (val['o3_beta_c_binder'] / val['o3_beta_c_reference'] - 1):.2f}%"],
               ["all-to-all T_c (Binder crossing, N = " + "/".join(map(str, val["all_to_all_sizes"][-2:])) + ")",
                _fmt(val["all_to_all_t_c"], val["all_to_all_t_c_error"], 4), f"{val['all_to_all_expected']:.4f}",
                f"{100 * (val['all_to_all_t_c'] / val['all_to_all_expected'] - 1):.2f}%"]])
    doc.h(2, "Method notes")
    doc.bullets([
        "Observables are read off the Monte Carlo engine's structure factor (recorded after every sweep; "
        "tensorglass.montecarlo mode_amplitude, shell_mean, correlation_length), with the ordering set K* fixed by "
        "the Weiss maximum (weiss_ordering_shell): m^2 = sum_{k in K*} |s(k)|^2/N^2, U = <m^4>/<m^2>^2, "
        "xi = sqrt(S(K*)/S(K_nb) - 1)/(2 sin(pi/L)) "
        "with K_nb the next shell outward. For O(3) this is the standard k = 0 definition.",
        "Errors: 20 blocks per temperature; jackknife for curves, bootstrap (200 resamples of the blocks, the same "
        "blocks at every temperature) for crossings and peaks. tau_int of e and m^2 with window c = 8; a block "
        "shorter than 2 tau_int or a run shorter than 50 tau_int is flagged above.",
        "Definitions and their derivation: docs/notes/bl_phase.md.",
    ])
    return doc, figures, build_dataset(res, cfg)
