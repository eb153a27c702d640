"""``tensorglass reproduce``: every seed result, published beside computed."""

from __future__ import annotations

import datetime as _dt
import json
import platform
import shutil
import sys
import time
from collections import Counter

import numpy as np

from .. import __version__
from .. import avalanche as av
from .. import gamma_ratio as gr
from .._atomic import atomic_write_text, check_output_dir, publish_directory, staging_dir
from ..materials import builtin_materials
from ..reference import external_reference
from .checks import ELL_001_TEXT, ELL_TABLE, compute_results, counts_by_paper
from ._figures import FIGURES, set_resolution
from ._render import Doc

STATUS_ORDER = {"discrepancy": 0, "not-checkable": 1, "reproduced": 2}


def _fmt(x):
    if x is None:
        return "-"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, (int, float, np.floating)):
        x = float(x)
        if x == 0:
            return "0"
        if abs(x) >= 1e4 or abs(x) < 1e-3:
            return f"{x:.4g}"
        return f"{x:.4f}".rstrip("0").rstrip(".") if abs(x) < 100 else f"{x:.2f}"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    return str(x)


def _by_id(results):
    return {r["id"]: r for r in results}


def _entries_table(doc, results, prefixes):
    rows = [[r["id"], r["source"], r["quantity"], _fmt(r["published"]), _fmt(r["computed"]), r["status"], r["note"]]
            for r in results if r["id"].startswith(prefixes)]
    doc.table(["id", "source", "quantity", "published", "computed", "status", "why / how"], rows)


def _worst(*statuses):
    return min(statuses, key=lambda s: STATUS_ORDER[s])


def build_report(results, figures, quick, elapsed) -> Doc:
    R = _by_id(results)
    counts = Counter(r["status"] for r in results)
    doc = Doc()
    doc.h(1, "tensorglass reproduction report")
    doc.p(f"tensorglass {__version__}, generated {_dt.datetime.now(_dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} "
          f"by `tensorglass reproduce{' --quick' if quick else ''}` in {elapsed:.1f} s "
          f"(Python {platform.python_version()}, numpy {np.__version__}).")
    doc.p("Every number and checkable claim of the five seed papers (../shared/seeds) is listed with the value "
          "tensorglass computes, a status and, for every discrepancy, the reason. Published numbers are read only "
          "from the package's reference data (tensorglass/reference/data/published.json); nothing here is copied "
          "into a result. Units: stresses and moduli in rho c_t^2, alpha = 1 - c_t^2/c_l^2, ell = ln(R/L1); "
          "the Bevzenko-Lubchenko model in k_B = a^3 = 1. Deterministic: no random numbers except one seeded "
          "Monte Carlo check (seed 20261122).")
    doc.h(2, "Summary")
    doc.table(["status", "entries"], [[k, counts.get(k, 0)] for k in ("reproduced", "discrepancy", "not-checkable")]
              + [["total", len(results)]])
    doc.table(["paper", "entries", "reproduced", "discrepancy", "not-checkable"],
              [[p, c["entries"], c["reproduced"], c["discrepancy"], c["not-checkable"]]
               for p, c in counts_by_paper(results).items()])
    doc.p("Headline findings: 001's critical strains are reproduced exactly, but only with ln(R/L1) = 20, not the ~12 "
          "its text states, and only with the closed-form averages of its Eq. (4.5), which are not the averages its "
          "Eq. (4.4) defines; with the averages as defined no mode softens. 000's critical values cannot be obtained "
          "from 000's own matrix. The stable fixed point chi_rel = -2 chi_res of 001 Eq. (3.4) is not a fixed point of "
          "the joint flow. gamma_l/gamma_t = c_l/c_t holds only as a limit of the flow, and on the seeds' 13 "
          "materials a single constant fits the measured ratios better than c_l/c_t.")
    doc.h(3, "All discrepancies")
    doc.table(["id", "published", "computed", "why"],
              [[r["id"], _fmt(r["published"]), _fmt(r["computed"]), r["note"]] for r in results
               if r["status"] == "discrepancy"])

    # 1 gamma ratio
    doc.h(2, "1. gamma_l/gamma_t (002 Table 1, 003 Sec. IV)")
    rows = []
    mats = {m.name: m for m in builtin_materials()}
    for name in mats:
        ids = [f"002.table.{name}.{k}" for k in ("gamma_ratio_exp", "gamma_ratio_theo", "deviation_percent")]
        got = [R.get(i) for i in ids]
        cells = [name]
        for g in got:
            cells += ([_fmt(g["published"]), _fmt(g["computed"])] if g else ["-", "-"])
        cells.append(_worst(*[g["status"] for g in got if g]))
        rows.append(cells)
    doc.table(["material", "exp. ratio (pub)", "(computed from gammas)", "c_l/c_t (pub)", "(computed)",
               "deviation % (pub)", "(computed)", "status"], rows)
    doc.p("003's table repeats the 13 rows with the same numbers; each of its entries is checked separately "
          "(ids 003.table.*, appendix).")
    fits = [("003, 13 materials", "003.fit13"), ("003, 10 materials", "003.fit10"), ("002, 9 materials", "002.fit9")]
    doc.table(["fit through the origin", "slope (pub)", "slope (computed)", "r (pub)", "r (computed)", "status"],
              [[lab, _fmt(R[p + ".slope"]["published"]), _fmt(R[p + ".slope"]["computed"]),
                _fmt(R[p + ".r"]["published"]), _fmt(R[p + ".r"]["computed"]),
                _worst(R[p + ".slope"]["status"], R[p + ".r"]["status"])] for lab, p in fits])
    t13 = [m for m in mats.values() if m.in_003_table]
    meas = np.array([m.gamma_ratio_measured for m in t13])
    pred = np.array([m.velocity_ratio for m in t13])
    keep = np.array([m.name not in ("As2S3", "PMMA", "PS") for m in t13])
    c13 = gr.compare_with_constant_model(meas, pred)
    c10 = gr.compare_with_constant_model(meas[keep], pred[keep])
    doc.p("Null model beside the prediction (measured ratios from the gamma columns):")
    doc.table(["model", "RMS deviation, 13 materials", "RMS deviation, 10 materials"],
              [["gamma_l/gamma_t = c_l/c_t (no free parameter)", _fmt(c13.rms_velocity_model), _fmt(c10.rms_velocity_model)],
               [f"one constant (fitted: {c13.constant:.3f} / {c10.constant:.3f})", _fmt(c13.rms_constant_model),
                _fmt(c10.rms_constant_model)]])
    lb = gr.ISOTROPIC_LOWER_BOUND
    doc.p(f"Bounds: orientation averaging gives gamma_l/gamma_t >= 2/sqrt(3) = {lb:.4f} for any coupling tensor, and "
          f"a positive bulk modulus gives c_l/c_t >= 2/sqrt(3). Smallest measured ratio {meas.min():.3f}, smallest "
          f"c_l/c_t {pred.min():.3f}: both bounds hold.")
    doc.img("figures/" + figures["fig_gamma_ratio"], "003 Fig. 1 recomputed (left) and the constant-ratio null model (right)")
    _entries_table(doc, results, ("002.pmma", "003.summary", "002.mb", "003.mb", "003.sec4", "002.sec5"))

    # 2 avalanche
    doc.h(2, "2. Critical strains of avalanches (001 Sec. IV, 000 Sec. IV)")
    doc.p(f"Method as published (default of `tensorglass predict`): chi^-1 = 2 ell [A..F](eps) + (chi_el)^-1 with "
          f"001's closed-form averages, Zhou's unweighted 6x6 notation, ell = ln(R/L1) = {ELL_TABLE:g}.")
    rows = []
    for name, m in mats.items():
        if not m.in_001_table:
            continue
        cells = [name, f"{m.c_l:.2f}", f"{m.c_t:.2f}"]
        sts = []
        for k in ("alpha", "e_crit1", "e_crit2", "e_crit3"):
            r = R[f"001.table.{name}.{k}"]
            cells += [_fmt(r["published"]), _fmt(r["computed"])]
            sts.append(r["status"])
        cells.append(_worst(*sts))
        rows.append(cells)
    doc.table(["material", "c_l", "c_t", "alpha (pub)", "(computed)", "e1 (pub)", "(computed)", "e2 (pub)",
               "(computed)", "e3 (pub)", "(computed)", "status"], rows)
    doc.p("Where a row differs, the printed e_crit follows from the printed alpha, which itself is not "
          "1 - c_t^2/c_l^2 of the printed velocities (see notes in the appendix).")
    methods = [("published", ELL_TABLE), ("published", ELL_001_TEXT), ("volume", ELL_TABLE), ("000", ELL_TABLE),
               ("000-corrected", ELL_TABLE)]
    rows = []
    for meth, ell in methods:
        ce = av.critical_eccentricities(0.7, ell, meth)
        cs = av.critical_strains(0.7, ell, meth)
        rows.append([meth, f"{ell:.2f}"] + [f"{_fmt(ce[k])} / {_fmt(cs[k])}" for k in av.SOFT_MODES])
    doc.p("Each reading of the method at alpha = 0.7 (critical eccentricity / critical strain; '-' = no sign "
          "change for eps < 1):")
    doc.table(["method", "ln(R/L1)", "dilation", "yy - zz", "yz shear"], rows)
    doc.bullets([
        "published: 001 Eqs. (4.2)-(4.6) with the typos C' and D' corrected; reproduces 001 at ell = 20.",
        "volume: the averages as 001 Eq. (4.4) defines them; the non-elastic matrix is then independent of ell "
        "(the ell piece multiplies the angular integral of tildeLambda, which is zero) and nothing softens.",
        "000 / 000-corrected: 000 Eq. (4.2) with its printed constants (from D12 with 1/4) or with 1/12; no crossing "
        "below eps = 1, so 000's 1.70 and 0.239 cannot be obtained (and eps = 1.70 is impossible).",
    ])
    _entries_table(doc, results, ("001.alpha07", "001.range", "001.ell", "001.fig", "001.eq4", "001.primes",
                                  "001.eccentricity", "000.eccentricity", "000.fig", "000.eq4", "000.ell", "000.sec",
                                  "001.sec4", "001.alpha_", "001.experiment", "001.chi_order"))
    es = [R["001.table.a-SiO2.e_crit2"]["computed"], R["001.table.PMMA.e_crit1"]["computed"]]
    js = external_reference("metallic_glass_shear_yield_strain")
    fs, fe = external_reference("silica_fibre_strength_GPa"), external_reference("silica_fibre_failure_strain")
    doc.p(f"External comparison (not a seed claim): the shear yield strain is {js['value']} +- {js['error']} "
          f"({js['source']}), an order of magnitude below the predicted critical strains ({min(es):.3f} to "
          f"{max(es):.3f}); the {fs['source']} (about {fs['value']} GPa, strain about {fe['value']}) comes closer.")
    doc.img("figures/" + figures["fig_avalanche_eigenvalues"], "001 Figs. 3-9 recomputed")
    doc.img("figures/" + figures["fig_avalanche_methods"], "The soft eigenvalues of chi^-1 under each reading")
    doc.img("figures/" + figures["fig_critical_strains"], "Critical strains against alpha, with 001's table")

    doc.h(2, "3. Renormalisation flows (000 Sec. III, 001 Sec. III, 002 Sec. 4)")
    _entries_table(doc, results, ("000.eq3", "001.eq3", "002.eq4", "002.ell", "003.eq4", "002.eqB9", "002.Tc"))
    doc.img("figures/" + figures["fig_flows"], "Flows iterated step by step against their closed forms")

    doc.h(2, "4. Single-block susceptibilities (002 Sec. 2, 001 Eq. 2.7)")
    _entries_table(doc, results, ("002.eq2", "002.betahw", "002.ultrasonic"))
    doc.p("The generic multi-level susceptibility (001 Eq. 2.7) is checked in the test suite against the second "
          "derivative of the free energy; it has no published number.")
    doc.img("figures/" + figures["fig_ttls"], "TTLS susceptibility: digamma formula, Kramers-Kronig, and 002 Eq. (2.9)")

    doc.h(2, "5. Stress-stress interaction (000 Eq. 2.14, 001 Eq. 2.13, 003 Eqs. 2.15, A1, A15)")
    _entries_table(doc, results, ("000.eq2", "000.d12", "003.eq2", "003.jl", "003.eq3", "003.eq5", "003.bk7", "003.sio2",
                                  "002.eqD8"))

    doc.h(2, "6. Bevzenko-Lubchenko stress model (004)")
    _entries_table(doc, results, ("004.",))
    for key, cap in (("fig_bl_single_site", "004 Fig. 2: single-site free energy, Eq. (14)"),
                     ("fig_bl_free_energy_surface", "004 Fig. 3: mean-field free energy, Eq. (24)"),
                     ("fig_bl_phase_diagram", "004 Fig. 4: phase diagram"),
                     ("fig_bl_f_of_g", "004 Fig. 5: F_0(g) and F(g)"),
                     ("fig_meanfield_thermo", "Mean-field order parameters and heat capacity")):
        doc.img("figures/" + figures[key], cap)

    doc.h(2, "Appendix: every published number")
    _entries_table(doc, results, ("",))
    return doc


def reproduce(out, quick: bool = False, progress: bool = True) -> dict:
    """Write ``out/report.md``, ``out/report.html``, ``out/figures/*.png`` and
    ``out/results.json`` (a JSON list, one record per published number: the
    schema of issue 2) and ``out/summary.json`` (the status counts, overall
    and per paper).  Everything is built in a staging directory and then
    moved into ``out`` file by file with ``os.replace``, so no file in ``out``
    is ever half-written.  Returns the status counts, with the per-paper
    counts under ``"counts_by_paper"``."""
    out = check_output_dir(out)
    t0 = time.perf_counter()
    steps = ["checks"] + [f.__name__ for f in FIGURES] + ["report"]
    bar = _progress(len(steps), progress)
    staging = staging_dir(out)
    try:
        results = compute_results(quick=quick)
        bar("checks")
        figdir = staging / "figures"
        figdir.mkdir()
        set_resolution(quick)
        figures = _render_figures(figdir, quick, bar)
        elapsed = time.perf_counter() - t0
        doc = build_report(results, figures, quick, elapsed)
        atomic_write_text(staging / "report.md", doc.markdown())
        atomic_write_text(staging / "report.html", doc.html("tensorglass reproduction report"))
        summary = {"counts": dict(Counter(r["status"] for r in results)), "counts_by_paper": counts_by_paper(results)}
        atomic_write_text(staging / "results.json", json.dumps(results, indent=1, allow_nan=False))
        atomic_write_text(staging / "summary.json", json.dumps(summary, indent=1, allow_nan=False))
        bar("report")
        publish_directory(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        bar(None)
    return {**Counter(r["status"] for r in results), "counts_by_paper": counts_by_paper(results)}


def _render_one(index, figdir, quick):
    set_resolution(quick)
    fn = FIGURES[index]
    return fn.__name__, fn(figdir, quick)


def _render_figures(figdir, quick, bar, workers: int = 2) -> dict:
    """Draw every figure; in ``workers`` forked processes where the platform
    forks (the figures are independent and savefig dominates the run time),
    else one after the other.  Children look figures up by index, so they see
    exactly the parent's FIGURES."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    figures = {}
    if workers > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            futs = [pool.submit(_render_one, i, figdir, quick) for i in range(len(FIGURES))]
            for fut in as_completed(futs):
                name, path = fut.result()
                figures[name] = path
                bar(name)
    else:
        for i in range(len(FIGURES)):
            name, path = _render_one(i, figdir, quick)
            figures[name] = path
            bar(name)
    return figures


def _progress(total, enabled):
    if not enabled:
        return lambda name: None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return lambda name: None
    bar = tqdm(total=total, desc="reproduce", unit="step", file=sys.stderr, leave=False)

    def step(name):
        if name is None:
            bar.close()
        else:
            bar.set_postfix_str(name)
            bar.update(1)
    return step
