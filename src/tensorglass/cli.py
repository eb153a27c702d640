"""Command line: ``tensorglass {reproduce, predict, materials, mc, sweep, study}``.

Bad input gives a one-line error naming the parameter, its value and the
allowed range, and exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from . import __version__
from .errors import TensorglassError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line, status 2
        self.exit(2, f"tensorglass: error: {message}\n")


def _finite_float(name):
    def conv(s):
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} = {s!r} is not a number") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{name} = {s!r} is not finite")
        return v
    return conv


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="tensorglass", description="Coupled-block and Bevzenko-Lubchenko theories of glasses, "
                "computable and checked against the papers.")
    p.add_argument("--version", action="version", version=f"tensorglass {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("reproduce", help="reproduce every seed result: report.html/.md, figures, results.json")
    r.add_argument("--out", required=True, help="output directory (created if missing)")
    r.add_argument("--quick", action="store_true", help="coarser figures, for a fast check")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")

    q = sub.add_parser("predict", help="predictions for one material")
    src = q.add_mutually_exclusive_group(required=True)
    src.add_argument("--material", help="a built-in material (see `tensorglass materials`) or one from --materials-file")
    src.add_argument("--cl", type=_finite_float("--cl"), help="longitudinal sound velocity (km/s)")
    q.add_argument("--ct", type=_finite_float("--ct"), help="transverse sound velocity (km/s), with --cl")
    q.add_argument("--rho", type=_finite_float("--rho"), help="density (g/cm^3), optional")
    q.add_argument("--ln-r-over-l1", type=_finite_float("--ln-r-over-l1"), default=None,
                   help="ln(R/L1); default 20, with which 001's table is reproduced")
    q.add_argument("--method", default="published", choices=("published", "tensor", "volume", "000", "000-corrected"),
                   help="avalanche method (default: as published in 001; 'tensor': the same algebra with "
                        "tensors, Mandel 6x6 matrices)")
    q.add_argument("--materials-file", help="CSV with header name,c_l,c_t[,rho] to look --material up in")
    q.add_argument("--json", action="store_true", help="print one JSON object")

    mcp = sub.add_parser("mc", help="exact Monte Carlo of the long-range tensor spin models")
    mcs = mcp.add_subparsers(dest="mc_command", required=True, parser_class=_Parser)
    run = mcs.add_parser("run", help="run a chain into an HDF5 file (checkpointed)")
    run.add_argument("--model", required=True, help="bl6, elastic-dipole, coupled-blocks or nn")
    run.add_argument("--L", type=int, required=True, help="lattice edge (L^3 sites)")
    run.add_argument("--T", type=_finite_float("--T"), help="temperature (k_B = 1, coupling units); "
                     "or --temperatures")
    run.add_argument("--components", type=int, help="spin components for --model nn (default 3)")
    run.add_argument("--cl", type=_finite_float("--cl"), help="longitudinal velocity (bl6, coupled-blocks)")
    run.add_argument("--ct", type=_finite_float("--ct"), help="transverse velocity (bl6, coupled-blocks)")
    run.add_argument("--poisson", type=_finite_float("--poisson"), help="Poisson ratio instead of --cl/--ct")
    run.add_argument("--sweeps", type=int, required=True)
    run.add_argument("--seed", type=int, required=True)
    run.add_argument("--out", required=True, help="output HDF5 file (also the checkpoint)")
    run.add_argument("--sampler", default="auto", choices=("auto", "hmc", "local", "metropolis", "ising"),
                     help="auto (default): the exact and fastest sampler for the model (local for short-range "
                          "kernels, hmc for long-range ones, ising for n = 1); hmc: geodesic hybrid MC with FFT "
                          "forces, step tuned during --thermalize; local: exact single-site Metropolis with sparse "
                          "near fields, clock Monte Carlo for the long-range tail and over-relaxation; metropolis: "
                          "dense single-site reference; ising: heat bath for n = 1")
    run.add_argument("--thermalize", type=int, default=0, help="sweeps discarded before measuring")
    run.add_argument("--cutoff", type=_finite_float("--cutoff"), default=1.0,
                     help="Gaussian UV cutoff of the long-range kernels, lattice units (0: sharp zone edge)")
    run.add_argument("--k0", default="average", choices=("average", "zero"),
                     help="k = 0 term (sample shape): average = angular average of the long-wavelength J(khat) "
                     "(a sphere); zero = no uniform-mode coupling (tin-foil); nn always uses its J(0)")
    run.add_argument("--overrelax", type=int, default=None,
                     help="over-relaxation sweeps per Metropolis sweep (default: local 2 for short-range kernels, else 0)")
    run.add_argument("--kinetic", default="auto", choices=("auto", "gaussian", "linear"),
                     help="HMC kinetic energy: gaussian |v|^2/2 or linear |v| (unit angular speed; decorrelates the "
                          "energy about 2x faster near T_c); auto (default): linear for n >= 4, gaussian below")
    run.add_argument("--trajectory", type=_finite_float("--trajectory"), default=0.0,
                     help="HMC mean trajectory time (jittered over 0.5-1.5x); 0 (default): 2 gaussian, 8 linear")
    run.add_argument("--chains", type=int, default=4, help="independent chains (default 4; split-R-hat across them)")
    run.add_argument("--temperatures", help="comma-separated temperatures: parallel tempering over them "
                     "(replaces --T and --chains; one swap round per sweep); or auto:TMIN:TMAX, a ladder built from "
                     "measured energy fluctuations so that every neighbouring pair swaps at a rate >= 0.2")
    run.add_argument("--order-shell", type=int, default=None, choices=(0, 1, 2),
                     help="order-parameter shell |m|^2 of k = 2 pi m/L (default: the model's Weiss ordering shell)")
    run.add_argument("--start", default="random", choices=("random", "ordered"),
                     help="initial spins: random (infinite T) or ordered (the ordering mode at full amplitude)")
    for q_ in (run,):
        q_.add_argument("--checkpoint-every", type=_finite_float("--checkpoint-every"), default=120.0,
                        help="seconds between checkpoints")
        q_.add_argument("--json", action="store_true")
        q_.add_argument("--no-progress", action="store_true")
    run.add_argument("--no-cache", action="store_true", help="do not use the on-disk kernel cache")
    run.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    res = mcs.add_parser("resume", help="continue an interrupted run bit-identically")
    res.add_argument("file")
    res.add_argument("--checkpoint-every", type=_finite_float("--checkpoint-every"), default=120.0)
    res.add_argument("--json", action="store_true")
    res.add_argument("--no-progress", action="store_true")
    rw = mcs.add_parser("reweight", help="multi-histogram (MBAR) estimates between the sampled temperatures")
    rw.add_argument("files", nargs="+", help="files of `mc run` (single-temperature runs or replica exchange)")
    rw.add_argument("--T", required=True, dest="grid", help="temperatures: a:b:step (inclusive) or a comma list")
    rw.add_argument("--bootstrap", type=int, default=100, help="bootstrap resamples for the errors (default 100)")
    rw.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    rw.add_argument("--json", action="store_true")

    sw = sub.add_parser("sweep", help="parameter sweeps on a local or remote Dask cluster")
    sws = sw.add_subparsers(dest="sweep_command", required=True, parser_class=_Parser)
    srun = sws.add_parser("run", help="compute every unfinished point of SPEC into --store")
    srun.add_argument("spec", help="TOML spec (see examples/sweeps/)")
    srun.add_argument("--store", required=True, help="store directory (created; rerun to resume)")
    srun.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a local cluster)")
    srun.add_argument("--workers", type=int, help="local worker processes (default 2)")
    srun.add_argument("--force", action="store_true", help="discard a store made by a different spec")
    srun.add_argument("--no-progress", action="store_true")
    srun.add_argument("--json", action="store_true")
    sst = sws.add_parser("status", help="points done, failed and missing")
    sst.add_argument("store")
    sst.add_argument("--json", action="store_true")
    scol = sws.add_parser("collect", help="write the store as one NetCDF or CSV file")
    scol.add_argument("store")
    scol.add_argument("--to", required=True, help="output file, .nc or .csv")
    scol.add_argument("--force", action="store_true", help="overwrite an existing --to file")

    st = sub.add_parser("study", help="studies beyond the papers (Monte Carlo on the sweep engine)")
    st.add_argument("name", help="the study: bl-phase (Bevzenko-Lubchenko phase diagram) or blocks "
                    "(a simulation test of the coupled-block renormalisation)")
    st.add_argument("--out", required=True, help="output directory: study.html/.md, figures/, data.nc, results.json")
    st.add_argument("--quick", action="store_true", help="small lattices, the qualitative picture (< 15 min on 2 cores)")
    st.add_argument("--store", help="sweep store to resume from (default: OUT/store)")
    st.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a local cluster)")
    st.add_argument("--workers", type=int, help="local worker processes (default 2)")
    st.add_argument("--force", action="store_true", help="rewrite a finished study in --out")
    st.add_argument("--no-progress", action="store_true")

    m = sub.add_parser("materials", help="list the built-in materials (or a materials file)")
    m.add_argument("--materials-file", help="CSV with header name,c_l,c_t[,rho]")
    m.add_argument("--json", action="store_true")
    return p


def _cmd_reproduce(a):
    from .report import reproduce
    from pathlib import Path
    from ._atomic import check_output_dir, remove_if_empty
    from ._atomic import check_free_space
    from ._validate import path_name
    if a.out.strip():
        path_name(a.out, "--out")  # before the first look at it (ENAMETOOLONG would not name the option)
    existed = Path(a.out).exists() if a.out.strip() else True
    check_output_dir(a.out)
    try:
        check_free_space(a.out, (2 if a.quick else 8) * 2**20, "--out", "the report")
    except BaseException:
        if not existed:
            remove_if_empty(a.out)
        raise
    try:
        counts = reproduce(a.out, quick=a.quick, progress=not a.no_progress)
    except BaseException:
        if not existed:  # a failed first run leaves no empty folder behind
            remove_if_empty(a.out)
        raise
    print(f"wrote {Path(a.out) / 'report.html'}, report.md, results.json, summary.json, figures/: "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if isinstance(v, int)))
    return 0


def _materials_table(path):
    from .materials import builtin_materials, load_materials_file
    return load_materials_file(path) if path else builtin_materials()


def _cmd_predict(a):
    from .errors import ParameterError
    from .materials import get_material
    from .predict import DEFAULT_LN_R_OVER_L1, predict
    if a.materials_file is not None and a.material is None:
        raise ParameterError("--materials-file", a.materials_file, "--material NAME to look up in it",
                             "add --material NAME, or drop --materials-file when giving --cl/--ct")
    if a.material is not None:
        if a.ct is not None:
            raise ParameterError("--ct", a.ct, "no --ct together with --material", "give either --material or --cl and --ct")
        mat = get_material(a.material, _materials_table(a.materials_file))
        if mat.c_t is None:
            raise ParameterError("--material", a.material, "a material with a transverse velocity",
                                 "the source gives none; use --cl and --ct")
        c_l, c_t, rho, name = mat.c_l, mat.c_t, (a.rho if a.rho is not None else mat.rho), mat.name
    else:
        if a.ct is None:
            raise ParameterError("--ct", None, "a transverse velocity with --cl", "add --ct C_T (km/s)")
        c_l, c_t, rho, name = a.cl, a.ct, a.rho, None
    ell = DEFAULT_LN_R_OVER_L1 if a.ln_r_over_l1 is None else a.ln_r_over_l1
    from . import _validate
    _validate.predict_parameters(c_l, c_t, rho, ell, ("--cl", "--ct", "--rho", "--ln-r-over-l1") if a.material is None
                                 else ("c_l of " + name, "c_t of " + name, "--rho", "--ln-r-over-l1"))
    res = predict(c_l, c_t, rho=rho, ln_r_over_l1=ell, method=a.method, name=name)
    if a.json:
        print(json.dumps(res))
        return 0
    f = lambda v: "none below eps = 1" if v is None else f"{v:.4f}"  # noqa: E731
    print(f"{name or 'material'}: c_l = {c_l:g}, c_t = {c_t:g}" + (f", rho = {rho:g}" if rho else ""))
    print(f"  alpha = 1 - c_t^2/c_l^2        {res['alpha']:.4f}")
    print(f"  Poisson ratio                  {res['poisson_ratio']:.4f}")
    print(f"  gamma_l/gamma_t = c_l/c_t      {res['gamma_ratio']:.4f}   (002 Eq. 4.6; a limit, see report)")
    print(f"  critical strains (001 Sec. IV, method {a.method}, ln(R/L1) = {ell:g}):")
    for k in ("dilation", "yy_minus_zz", "shear_yz"):
        print(f"    {k:12s} e_crit = {f(res['critical_strains'][k])}   eps_crit = {f(res['critical_eccentricities'][k])}")
    print(f"  J_compr/J_shear (004 Eq. 22)   {res['j_compr_over_j_shear']:.4f}")
    print(f"  mean-field ordering            {res['mean_field_order']}")
    print(f"  k_B T_Curie / J_shear          {res['t_curie_over_j']:.4f}")
    return 0


def _cmd_materials(a):
    mats = _materials_table(a.materials_file)
    if a.json:
        from dataclasses import asdict
        print(json.dumps([asdict(m) for m in mats]))
        return 0
    print(f"{'name':12s} {'c_l':>6s} {'c_t':>6s} {'rho':>5s} {'g_l/g_t':>8s}  source")
    for m in mats:
        ct = f"{m.c_t:6.2f}" if m.c_t is not None else "     -"
        rho = f"{m.rho:5.2f}" if m.rho else "    -"
        g = f"{m.gamma_ratio_measured:8.3f}" if m.gamma_ratio_measured else "       -"
        print(f"{m.name:12s} {m.c_l:6.2f} {ct} {rho} {g}  {m.source}")
    return 0


_FLAG_NAMES = {"c_l": "--cl", "c_t": "--ct", "rho": "--rho", "ln_r_over_l1": "--ln-r-over-l1",
               "material": "--material", "L": "--L", "T": "--T", "temperature": "--T", "model": "--model", "sweeps": "--sweeps",
               "seed": "--seed", "components": "--components", "cutoff": "--cutoff", "poisson_ratio": "--poisson",
               "trajectory": "--trajectory", "kinetic": "--kinetic"}


def _print_mc(summary, as_json):
    if as_json:
        print(json.dumps(summary))
        return
    if "replicas" in summary:  # parallel tempering
        print(f"{summary['model']} L = {summary['L']}, parallel tempering over {len(summary['temperatures'])} "
              f"temperatures, {summary['sweeps']} rounds; swap rates "
              + ", ".join(f"{r:.2f}" for r in summary["swap_rates"])
              + (f"; {summary['exchange']['round_trips']} round trips" if "exchange" in summary else ""))
        for rep in summary["replicas"]:
            _print_mc_one(rep)
    else:
        _print_mc_one(summary)
    for fl in summary.get("flags", []):
        print(f"FLAG {fl['flag']}: {fl['message']}; remedy: {fl['remedy']}")
    for w in summary.get("warnings", []):
        print(f"warning: {w}", file=sys.stderr)


def _print_mc_one(summary):
    def f(key):
        v = summary[key]
        return f"{v['mean']:.6g} +- {v['error']:.2g}"
    sf = summary["structure_factor"]
    print(f"{summary['model']} L = {summary['L']}, T = {summary['temperature']}, sampler {summary['sampler']}, "
          f"{summary['chains']} chain(s) x {summary['sweeps']} sweeps, acceptance {summary['acceptance']:.2f}, "
          f"tau_int = {summary['tau_int']:.2f}, split-R-hat = {summary['r_hat']['max']:.3f}, "
          f"Weiss T_c = {summary['t_c_weiss']:.4g}")
    ss = summary.get("sampler_state") or {}
    ss = ss if isinstance(ss, list) else [ss]   # one report per chain
    if ss and "step_size" in ss[0]:
        steps = ", ".join(f"{c['step_size']:.4g}" for c in ss)
        print(f"  hmc step size {steps} ({ss[0]['step_size_source']}), "
              f"{np.mean([c['mean_integrator_steps'] for c in ss]):.1f} integrator steps per trajectory of time "
              f"{ss[0].get('trajectory', 2.0):g}, {ss[0].get('kinetic', 'gaussian')} kinetic energy")
    print(f"  ordering wave vector {[round(k, 4) for k in sf['ordering_wavevector']]} (shell {sf['ordering_shell']})")
    keys = ["energy_per_spin", "specific_heat", "m_compression", "m_shear", "m_order", "chi_order", "binder_order",
            "xi_over_L"] + [k for k in ("compression_weight", "compression_fraction") if k in summary]
    for key in keys:
        print(f"  {key:18s} {f(key)}")


def _temperature_list(text):
    from .errors import ParameterError
    if text.strip().startswith("auto"):
        parts = text.strip().split(":")
        try:
            tmin, tmax = float(parts[1]), float(parts[2])
        except (IndexError, ValueError):
            tmin = tmax = float("nan")
        if len(parts) != 3 or not (math.isfinite(tmin) and math.isfinite(tmax) and 0 < tmin < tmax):
            raise ParameterError("--temperatures", text, "auto:TMIN:TMAX with 0 < TMIN < TMAX",
                                 "e.g. --temperatures auto:0.10:0.20")
        return ("auto", tmin, tmax)
    try:
        temps = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        temps = []
    if len(temps) < 2 or not all(math.isfinite(t) and t > 0 for t in temps) or len(set(temps)) != len(temps):
        raise ParameterError("--temperatures", text, "at least two distinct temperatures > 0, comma-separated",
                             "e.g. --temperatures 0.10,0.12,0.14")
    return temps


def _cmd_mc(a):
    if a.mc_command == "reweight":
        return _cmd_reweight(a)
    from pathlib import Path
    from .montecarlo import RunParameters
    from .storage import run_monte_carlo
    from . import _validate
    from ._atomic import check_output_file, replaced_only_on_success
    _validate.number("--checkpoint-every", a.checkpoint_every, *_validate.CHECKPOINT_RANGE, unit="s",
                     hint="seconds between checkpoints (0: after every sweep)")
    if a.mc_command == "resume":
        from ._atomic import drop_set_aside
        summary = run_monte_carlo(resume_from=a.file, checkpoint_every=a.checkpoint_every, progress=not a.no_progress)
        drop_set_aside(a.file)   # the run that --force started is complete: the file it replaced can go
    else:
        from .errors import ParameterError
        temps = _temperature_list(a.temperatures) if a.temperatures is not None else None
        if (a.T is None) == (temps is None):
            raise ParameterError("--T", a.T, "exactly one of --T and --temperatures")
        auto = temps is not None and temps[0] == "auto"
        for t in ((temps[1:] if auto else temps) or [a.T]):
            _validate.mc_parameters(
                {"model": a.model, "L": a.L, "temperature": t, "sweeps": a.sweeps, "seed": a.seed,
                 "sampler": a.sampler, "components": a.components, "c_l": a.cl, "c_t": a.ct, "poisson": a.poisson,
                 "cutoff": a.cutoff, "thermalize": a.thermalize, "overrelax": a.overrelax},
                flag=lambda k: _FLAG_NAMES.get(k, "--" + k.replace("_", "-")))
        if a.chains < 1 or a.chains > 64:
            raise ParameterError("--chains", a.chains, "an integer from 1 to 64 (4 recommended, for split-R-hat)")
        check_output_file(a.out, "--out", force=a.force, ours=_describe_mc_file)
        from ._atomic import check_free_space
        n = _validate.FIXED_COMPONENTS.get(a.model, a.components or 3)
        replicas = (64 if auto else len(temps)) if temps is not None else a.chains
        members = {0: 1, 1: 3, 2: 6}.get(a.order_shell, 3)   # per sweep: E, m, 3 shell matrices, the stencil, the order shell
        check_free_space(Path(a.out), replicas * (a.L**3 * n * 8 + a.sweeps * (n + 1 + (3 + members) * n * n + 57) * 8) + 2**14,
                         "--out", "the run's file")
        params = RunParameters(model=a.model, L=a.L, temperature=a.T if temps is None else temps[1 if auto else 0],
                               sweeps=a.sweeps, seed=a.seed, sampler=a.sampler, components=a.components, c_l=a.cl,
                               c_t=a.ct, poisson=a.poisson, k0=a.k0, cutoff=a.cutoff, thermalize=a.thermalize,
                               overrelax=a.overrelax, kinetic=a.kinetic, trajectory=a.trajectory,
                               order_shell=a.order_shell, start=a.start)
        if temps is not None:
            from .storage import run_tempering
            ladder = None
            if auto:
                from .montecarlo import tempering_ladder
                from .storage import cached_model
                progress = (lambda msg: print(f"ladder: {msg}", file=sys.stderr)) if not a.no_progress else None
                temps, ladder = tempering_ladder(params, cached_model(params, not a.no_cache), temps[1], temps[2],
                                                 progress=progress)
            with replaced_only_on_success(a.out, "--out"):
                summary = run_tempering(params, temps, a.out, checkpoint_every=a.checkpoint_every,
                                        progress=not a.no_progress, use_cache=not a.no_cache, ladder=ladder)
        else:
            with replaced_only_on_success(a.out, "--out"):
                summary = run_monte_carlo(params, a.out, chains=a.chains, checkpoint_every=a.checkpoint_every,
                                          progress=not a.no_progress, use_cache=not a.no_cache)
    _print_mc(summary, a.json)
    return 0


def _reweight_grid(text):
    from .errors import ParameterError
    bad = ParameterError("--T", text, "a:b:step with 0 < a <= b and step > 0 (at most 2001 points), or a comma list "
                         "of temperatures > 0", "e.g. --T 1.40:1.50:0.005")
    try:
        if ":" in text:
            lo, hi, step = (float(x) for x in text.split(":"))
            if not (all(math.isfinite(x) for x in (lo, hi, step)) and 0 < lo <= hi and step > 0
                    and (hi - lo) / step <= 2000):
                raise bad
            n = int(math.floor((hi - lo) / step * (1 + 1e-9))) + 1
            return [lo + i * step for i in range(n)]
        temps = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise bad from None
    if not temps or not all(math.isfinite(t) and t > 0 for t in temps):
        raise bad
    return temps


def _cmd_reweight(a):
    from .errors import ParameterError
    from .reweighting import reweight_files
    temps = _reweight_grid(a.grid)
    if not (1 <= a.bootstrap <= 10000):
        raise ParameterError("--bootstrap", a.bootstrap, "1 to 10000 resamples")
    if not (0 <= a.seed < 2**64):
        raise ParameterError("--seed", a.seed, "0 <= seed < 2^64")
    out = reweight_files(a.files, temps, n_boot=a.bootstrap, seed=a.seed)
    if a.json:
        print(json.dumps(out))
        return 0
    print(f"MBAR over {len(out['sampled'])} sampled temperatures ("
          + ", ".join(f"{s['T']:.5g}" for s in out["sampled"]) + f"), L = {out['L']}, order shell "
          f"{out['order_shell']}; {out['method']}")
    print(f"{'T':>10s} {'E/N':>22s} {'C/N':>20s} {'U_order':>20s} {'xi/L':>20s} {'n_eff':>7s}")
    for i, t in enumerate(out["temperatures"]):
        cells = " ".join(f"{out[q]['mean'][i]:>11.6g} +- {out[q]['error'][i]:<7.2g}"
                         for q in ("energy_per_spin", "specific_heat", "binder_order", "xi_over_L"))
        print(f"{t:>10.6g} {cells} {out['n_eff'][i]:>7.0f}")
    return 0


def _describe_mc_file(path):
    """What an existing --out holds, in words (None: not ours)."""
    import h5py
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != "tensorglass-mc":
            return None
        if f.attrs.get("status") == "complete":
            return "holds a finished Monte Carlo run"
        return f"holds an unfinished run; continue it with `tensorglass mc resume {path}`"


def _cmd_sweep(a):
    try:
        from . import studies  # noqa: F401  (registers the studies' kinds of point: their stores are sweeps too)
        from .sweeps import SweepStore, run_sweep
    except ImportError as exc:  # pragma: no cover
        from .errors import TensorglassError
        raise TensorglassError(f"sweeps need the [sweep] extra: pip install 'tensorglass[sweep]' ({exc})") from None
    from . import _validate
    _validate.path_name(a.store, "--store" if a.sweep_command == "run" else "store")
    if a.sweep_command == "run":
        _validate.scheduler_address(a.scheduler)
        if a.workers is not None:
            from .errors import ParameterError
            if a.scheduler is not None:
                raise ParameterError("--workers", a.workers, "no --workers with --scheduler (the cluster has its own)",
                                     "drop --workers, or drop --scheduler for a local cluster")
            _validate.integer("--workers", a.workers, *_validate.WORKERS_RANGE, hint="local worker processes")
        from ._atomic import check_free_space
        check_free_space(a.store, 2**16, "--store", "the store")
        st = run_sweep(a.spec, a.store, scheduler=a.scheduler, workers=a.workers, force=a.force,
                       progress=not a.no_progress)
    elif a.sweep_command == "status":
        st = SweepStore(a.store).status()
    else:
        from ._atomic import check_output_file
        store = SweepStore(a.store)
        store.spec()  # a store at all, before the output is checked
        check_output_file(a.to, "--to", force=a.force, suffixes=(".nc", ".csv"), ours=_describe_collected,
                          replaceable=lambda p: _collected_hash(p) == store.spec_hash())
        out = store.collect(a.to)
        print(f"wrote {out}")
        return 0
    if getattr(a, "json", False):
        print(json.dumps(st))
    else:
        bad = {k: st.get(k, []) for k in ("corrupt", "foreign", "incomplete")}
        print(f"{st['store']}: {st['points']} points ({st['compute']}): {st['done']} done, {st['failed']} failed, "
              f"{st['missing']} missing" + "".join(f", {len(v)} {k}" for k, v in bad.items() if v))
        for e in st["errors"]:
            print(f"  failure: {e}")
        for k, v in bad.items():
            for line in v[:20]:
                print(f"  {k}: {line}")
            if len(v) > 20:
                print(f"  {k}: ... and {len(v) - 20} more")
        if any(bad.values()):
            print("  `tensorglass sweep run SPEC --store STORE` recomputes them")
        if st.get("replacing"):
            print(f"  note: {st['replacing']}")
        for name in st.get("replacements", []) if not st.get("replacing") else []:
            print(f"  note: {name}/ holds an unfinished forced run of another spec; rerun it with --force to "
                  "finish it (it replaces this sweep only when complete), or remove the folder")
    return 0 if st["failed"] == 0 and not any(st.get(k) for k in ("corrupt", "foreign", "incomplete")) else 1


def _collected_hash(path):
    """The spec hash of a NetCDF file written by ``sweep collect`` (else None)."""
    if path.suffix != ".nc":
        return None
    import h5py
    with h5py.File(path, "r") as f:
        h = f.attrs.get("spec_hash")
        return h.decode() if isinstance(h, bytes) else (str(h) if h is not None else None)


def _describe_collected(path):
    return "holds another sweep's collected dataset" if _collected_hash(path) else None


_POSITIONAL = {"spec", "file", "name"}


def _option_of(args, filename) -> str | None:
    """The option whose path an ``OSError`` is about (``--out``, ``--store``, ...), or None."""
    if not filename:
        return None
    import os
    f = os.fsdecode(filename) if isinstance(filename, bytes) else str(filename)
    for k, v in vars(args).items():
        if isinstance(v, str) and v.strip() and (f == v or f.startswith(v.rstrip("/") + "/")):
            positional = getattr(args, "sweep_command", None) in ("status", "collect") if k == "store" \
                else k in _POSITIONAL
            return ("" if positional else "--") + k.replace("_", "-") + (f" = {v!r}" if f != v else "")
    return None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cmd_study(a):
    from .studies import run_study
    summary = run_study(a.name, out=a.out, quick=a.quick, store=a.store, scheduler=a.scheduler, workers=a.workers,
                        force=a.force, progress=not a.no_progress)
    print(f"wrote {a.out}/study.html, study.md, figures/, data.nc, results.json"
          + (f": {summary['headline']}" if summary.get("headline") else ""))
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("mc", "sweep", "study"):  # before numba is first imported
        from ._atomic import numba_cache_fallback
        note = numba_cache_fallback()
        if note:
            print(f"tensorglass: {note}", file=sys.stderr)
    try:
        return {"reproduce": _cmd_reproduce, "predict": _cmd_predict, "materials": _cmd_materials,
                "mc": _cmd_mc, "sweep": _cmd_sweep, "study": _cmd_study}[args.command](args)
    except TensorglassError as exc:
        msg = str(exc)
        name = getattr(exc, "name", None)
        if name in _FLAG_NAMES:  # speak the command line's language
            msg = msg.replace(f"{name} = ", f"{_FLAG_NAMES[name]} = ", 1)
        print(f"tensorglass: error: {_one_line(msg)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `tensorglass materials | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # a full disk, a vanished folder: one line, status 2
        from ._atomic import describe_os_error
        where = exc.filename or next((getattr(args, k) for k in ("out", "to", "store") if getattr(args, k, None)), "an output")
        option = _option_of(args, exc.filename)
        print(f"tensorglass: error: {option + ': ' if option else ''}{_one_line(describe_os_error(exc, where))}",
              file=sys.stderr)
        return 2
    except MemoryError:
        print("tensorglass: error: out of memory; choose a smaller problem (e.g. a smaller --L or grid)", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"tensorglass: interrupted; {exc or 'nothing was left half-written'}", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still no stack trace unless asked for
        import os
        if os.environ.get("TENSORGLASS_TRACEBACK"):
            raise
        print(f"tensorglass: internal error: {type(exc).__name__}: {_one_line(exc)[:300]} "
              "(a bug; please report it; TENSORGLASS_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
