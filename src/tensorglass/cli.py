"""Command line: ``tensorglass {reproduce, predict, materials}``.

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
               "material": "--material"}


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return {"reproduce": _cmd_reproduce, "predict": _cmd_predict, "materials": _cmd_materials}[args.command](args)
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
    except KeyboardInterrupt:
        print("tensorglass: interrupted; nothing was left half-written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
