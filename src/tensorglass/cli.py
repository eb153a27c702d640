"""Command line: ``tensorglass {reproduce, predict, materials, mc, sweep, study}``.

Bad input gives a one-line error naming the parameter, its value and the
allowed range, and exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

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
    q.add_argument("--method", default="published", choices=("published", "volume", "000", "000-corrected"),
                   help="avalanche method (default: as published in 001)")
    q.add_argument("--materials-file", help="CSV with header name,c_l,c_t[,rho] to look --material up in")
    q.add_argument("--json", action="store_true", help="print one JSON object")

    mcp = sub.add_parser("mc", help="exact Monte Carlo of the long-range tensor spin models")
    mcs = mcp.add_subparsers(dest="mc_command", required=True, parser_class=_Parser)
    run = mcs.add_parser("run", help="run a chain into an HDF5 file (checkpointed)")
    run.add_argument("--model", required=True, help="bl6, elastic-dipole, coupled-blocks or nn")
    run.add_argument("--L", type=int, required=True, help="lattice edge (L^3 sites)")
    run.add_argument("--T", type=_finite_float("--T"), required=True, help="temperature (k_B = 1, coupling units)")
    run.add_argument("--components", type=int, help="spin components for --model nn (default 3)")
    run.add_argument("--cl", type=_finite_float("--cl"), help="longitudinal velocity (bl6, coupled-blocks)")
    run.add_argument("--ct", type=_finite_float("--ct"), help="transverse velocity (bl6, coupled-blocks)")
    run.add_argument("--poisson", type=_finite_float("--poisson"), help="Poisson ratio instead of --cl/--ct")
    run.add_argument("--sweeps", type=int, required=True)
    run.add_argument("--seed", type=int, required=True)
    run.add_argument("--out", required=True, help="output HDF5 file (also the checkpoint)")
    run.add_argument("--sampler", default="hmc", choices=("hmc", "metropolis", "local"),
                     help="hmc: exact hybrid MC with FFT forces; metropolis: single-site reference (dense O(N) "
                          "fields); local: exact single-site Metropolis with sparse near fields and clock Monte Carlo "
                          "for the long-range tail, plus over-relaxation")
    run.add_argument("--thermalize", type=int, default=0, help="sweeps discarded before measuring")
    run.add_argument("--cutoff", type=_finite_float("--cutoff"), default=1.0,
                     help="Gaussian UV cutoff of the long-range kernels, lattice units (0: sharp zone edge)")
    run.add_argument("--k0", default="average", choices=("average", "zero"), help="k = 0 term (sample shape)")
    run.add_argument("--overrelax", type=int, default=None,
                     help="over-relaxation sweeps per Metropolis sweep (default: local 2, metropolis 0)")
    for q_ in (run,):
        q_.add_argument("--checkpoint-every", type=_finite_float("--checkpoint-every"), default=120.0,
                        help="seconds between checkpoints")
        q_.add_argument("--json", action="store_true")
        q_.add_argument("--no-progress", action="store_true")
    run.add_argument("--no-cache", action="store_true", help="do not use the on-disk kernel cache")
    res = mcs.add_parser("resume", help="continue an interrupted run bit-identically")
    res.add_argument("file")
    res.add_argument("--checkpoint-every", type=_finite_float("--checkpoint-every"), default=120.0)
    res.add_argument("--json", action="store_true")
    res.add_argument("--no-progress", action="store_true")

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
    counts = reproduce(a.out, quick=a.quick, progress=not a.no_progress)
    print(f"wrote {Path(a.out) / 'report.html'}, report.md, results.json, figures/: "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    return 0


def _materials_table(path):
    from .materials import builtin_materials, load_materials_file
    return load_materials_file(path) if path else builtin_materials()


def _cmd_predict(a):
    from .errors import ParameterError
    from .materials import get_material
    from .predict import DEFAULT_LN_R_OVER_L1, predict
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
    if ell <= 0:
        raise ParameterError("--ln-r-over-l1", ell, "ln(R/L1) > 0", "e.g. 20 for R = 1 m and L1 = 50 A")
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
               "material": "--material", "L": "--L", "T": "--T", "model": "--model", "sweeps": "--sweeps",
               "seed": "--seed", "components": "--components", "cutoff": "--cutoff", "poisson_ratio": "--poisson"}


def _print_mc(summary, as_json):
    if as_json:
        print(json.dumps(summary))
        return
    def f(key):
        v = summary[key]
        return f"{v['mean']:.6g} +- {v['error']:.2g}"
    print(f"{summary['model']} L = {summary['L']}, T = {summary['temperature']}, sampler {summary['sampler']}, "
          f"{summary['sweeps']} sweeps, acceptance {summary['acceptance']:.2f}, tau_int = {summary['tau_int']:.2f}")
    for key in ("energy_per_spin", "specific_heat", "m_compression", "m_shear"):
        print(f"  {key:16s} {f(key)}")
    for w in summary.get("warnings", []):
        print(f"warning: {w}", file=sys.stderr)


def _cmd_mc(a):
    from .montecarlo import RunParameters
    from .storage import run_monte_carlo
    if a.mc_command == "resume":
        summary = run_monte_carlo(resume_from=a.file, checkpoint_every=a.checkpoint_every, progress=not a.no_progress)
    else:
        from .errors import ParameterError
        if (a.cl is None) != (a.ct is None):
            raise ParameterError("--ct" if a.ct is None else "--cl", None, "both --cl and --ct, or --poisson")
        params = RunParameters(model=a.model, L=a.L, temperature=a.T, sweeps=a.sweeps, seed=a.seed,
                               sampler=a.sampler, components=a.components, c_l=a.cl, c_t=a.ct, poisson=a.poisson,
                               k0=a.k0, cutoff=a.cutoff, thermalize=a.thermalize,
                               overrelax=a.overrelax)
        summary = run_monte_carlo(params, a.out, checkpoint_every=a.checkpoint_every, progress=not a.no_progress,
                                  use_cache=not a.no_cache)
    _print_mc(summary, a.json)
    return 0


def _cmd_sweep(a):
    try:
        from .sweeps import SweepStore, run_sweep
    except ImportError as exc:  # pragma: no cover
        from .errors import TensorglassError
        raise TensorglassError(f"sweeps need the [sweep] extra: pip install 'tensorglass[sweep]' ({exc})") from None
    if a.sweep_command == "run":
        st = run_sweep(a.spec, a.store, scheduler=a.scheduler, workers=a.workers, force=a.force,
                       progress=not a.no_progress)
    elif a.sweep_command == "status":
        st = SweepStore(a.store).status()
    else:
        out = SweepStore(a.store).collect(a.to)
        print(f"wrote {out}")
        return 0
    if getattr(a, "json", False):
        print(json.dumps(st))
    else:
        print(f"{st['store']}: {st['points']} points ({st['compute']}): {st['done']} done, {st['failed']} failed, "
              f"{st['missing']} missing")
        for e in st["errors"]:
            print(f"  failure: {e}")
    return 0 if st["failed"] == 0 else 1


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
    try:
        return {"reproduce": _cmd_reproduce, "predict": _cmd_predict, "materials": _cmd_materials,
                "mc": _cmd_mc, "sweep": _cmd_sweep, "study": _cmd_study}[args.command](args)
    except TensorglassError as exc:
        msg = str(exc)
        name = getattr(exc, "name", None)
        if name in _FLAG_NAMES:  # speak the command line's language
            msg = msg.replace(f"{name} = ", f"{_FLAG_NAMES[name]} = ", 1)
        print(f"tensorglass: error: {msg}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `tensorglass materials | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as exc:
        print(f"tensorglass: interrupted; {exc or 'nothing was left half-written'}", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
