"""Shared computations, the judgement and the registry of the checks.

Each published entry (:func:`tensorglass.reference.published_entries`) is
answered by one small function ``c_<id>`` in the module of its paper
(``p000`` ... ``p004``; dots and dashes of the id become underscores), or, for
the long tables, by one function per table.  A check returns
``(computed, note)`` and optionally a third item, a dict that replaces the
entry's tolerance (``tolerance``, ``tolerance_kind``, ``tolerance_source``)
where the check propagates the rounding of printed inputs.  A check never
returns a status: :func:`judge` decides every status from the computed value,
the published one and the tolerance (see there for the two cases without a
number).  Published numbers are read only from the reference data.
"""

from __future__ import annotations

import itertools
import math
from functools import cached_property

import numpy as np

from ... import avalanche as av
from ... import gamma_ratio as gr
from ... import interaction as ia
from ... import meanfield as mf
from ...materials import builtin_materials
from ...reference import published_entries, reference_input

#: ln(R/L1) with which 001's table and critical values are reproduced (000's
#: "R = 1 m" with L1 = 50 A gives 19.1, "approximately 20").
ELL_TABLE = 20.0
#: 001's stated ln(1 mm / 50 A).
ELL_001_TEXT = math.log(1e-3 / 50e-10)
HBAR = 1.054571817e-34
KB = 1.380649e-23

REPRODUCED, DISCREPANCY, NOT_CHECKABLE = "reproduced", "discrepancy", "not-checkable"
ABSOLUTE, RELATIVE = "absolute", "relative"

#: The rule of the judgement, stated once (the report prints it).
RULE = ("Every status is decided by one comparison: reproduced if |computed - published| <= tolerance (for a "
        "pair or list, every element; a relative tolerance is a fraction of |published|), else discrepancy. "
        "Two cases have no number to compare. Where the computation runs but yields no value (for example no "
        "eigenvalue changes sign below eps = 1), the computed result says 'none' and why, and the entry is a "
        "discrepancy, since the paper prints a value. Where the seeds do not hold what the computation needs, "
        "nothing is computed and the entry is not-checkable.")


def no_value(reason: str) -> str:
    """The computed result of a computation that yields no value, e.g.
    ``no_value("no sign change for 0 <= eps < 1")``: judged a discrepancy
    by :func:`judge`, since no number can lie within a tolerance."""
    return f"none ({reason})"


def judge(computed, published, tolerance, kind=ABSOLUTE) -> str:
    """The status of an entry, from its comparison only (:data:`RULE`):
    ``None`` (nothing computed: the seeds lack the inputs) is not-checkable;
    otherwise reproduced iff :func:`within`; a :func:`no_value` text is never
    within a tolerance."""
    if computed is None:
        return NOT_CHECKABLE
    return REPRODUCED if within(computed, published, tolerance, kind) else DISCREPANCY


def pub(entry_id):
    """A published value, from the reference data only."""
    return next(e["published"] for e in published_entries() if e["id"] == entry_id)


def entry(entry_id):
    return next(e for e in published_entries() if e["id"] == entry_id)


def within(computed, published, tol, kind=ABSOLUTE):
    """|computed - published| <= tol (absolute) or <= tol |published| (relative),
    elementwise for lists (a published range is a two-element list); a single
    published number is compared with every computed element."""
    if tol is None or computed is None or isinstance(computed, str) or isinstance(published, str):
        return False
    c = np.atleast_1d(np.asarray(computed, dtype=float))
    p = np.atleast_1d(np.asarray(published, dtype=float))
    if p.size == 1 and c.size > 1:
        p = np.full_like(c, p[0])
    if c.shape != p.shape or not np.all(np.isfinite(c)):
        return False
    bound = tol * (np.abs(p) if kind == RELATIVE else 1.0)
    return bool(np.all(np.abs(c - p) <= bound * (1 + 1e-9) + 1e-300))


def printed_half_unit(value) -> float:
    """Half a unit of the last printed digit of a number typed from a paper
    (0.745 -> 0.0005, 1.06 -> 0.005, 40 -> 0.5, 3.83e-5 -> 5e-8)."""
    s = repr(float(value)) if not isinstance(value, str) else value
    mant, _, exp = s.lower().partition("e")
    decimals = len(mant.split(".")[1].rstrip("0")) if "." in mant else 0
    if not decimals and "." not in mant:
        decimals = 0
    return 0.5 * 10.0 ** (-decimals + (int(exp) if exp else 0))


def rounding_range(f, inputs, half_widths, corners_max: int = 6):
    """Range of ``f`` over the box ``inputs +- half_widths`` (the rounding of
    printed inputs): exact over the corners for up to ``corners_max`` inputs
    (``f`` monotonic in each input over a box this small), else to first order
    by central differences.  Returns ``(low, high)``."""
    x0 = np.asarray(inputs, dtype=float)
    h = np.asarray(half_widths, dtype=float) * np.ones_like(x0)
    if x0.size <= corners_max:
        vals = [f(x0 + np.array(s) * h) for s in itertools.product((-1.0, 1.0), repeat=x0.size)]
        vals.append(f(x0))
        return float(min(vals)), float(max(vals))
    f0 = f(x0)
    spread = 0.0
    for i in range(x0.size):
        d = np.zeros_like(x0)
        d[i] = h[i]
        spread += abs(f(x0 + d) - f(x0 - d)) / 2.0
    return float(f0 - spread), float(f0 + spread)


def rounding_tolerance(f, inputs, half_widths, printed_half: float, what: str, corners_max: int = 6):
    """Tolerance of a published number computed from printed inputs: the
    half-width of ``f``'s range over the inputs' rounding box about the
    value at the printed inputs, plus ``printed_half``, half a unit of the
    result's last printed digit (the entry's own tolerance).  Returns the
    override dict a check hands back."""
    lo, hi = rounding_range(f, inputs, half_widths, corners_max)
    center = f(np.asarray(inputs, dtype=float))
    spread = max(hi - center, center - lo)
    half = printed_half
    how = "over the corners of the rounding box" if np.size(inputs) <= corners_max else "to first order"
    return {"tolerance": float(spread + half), "tolerance_kind": ABSOLUTE,
            "tolerance_source": (f"input rounding: {what} moves the result by up to {spread:.2g} ({how}), plus half a "
                                 f"unit of the printed result ({half:g})")}


class Context:
    """Lazily computes what several checks share; one instance per report."""

    def __init__(self, quick: bool = False, ell: float = ELL_TABLE):
        self.quick = quick
        #: ln(R/L1) of 001's method (the report also answers with 001's stated value, ELL_001_TEXT)
        self.ell = ell
        self.materials = {m.name: m for m in builtin_materials()}
        self._corners = {}

    @cached_property
    def table13(self):
        return [m for m in self.materials.values() if m.in_003_table]

    @cached_property
    def ratio_arrays(self):
        names = [m.name for m in self.table13]
        exp_printed = {e["material"]: e["published"] for e in published_entries()
                       if e["id"].startswith("003.table.") and e.get("kind") == "ratio_exp"}
        x = np.array([exp_printed[n] for n in names])
        y = np.array([m.velocity_ratio for m in self.table13])
        return names, x, y, np.round(y, 2)

    def fit(self, exclude, rounded=True):
        names, x, y, yr = self.ratio_arrays
        mask = np.array([n not in exclude for n in names])
        return gr.fit_through_origin(x[mask], (yr if rounded else y)[mask])

    @cached_property
    def crit_by_material(self):
        out = {}
        for m in self.materials.values():
            if m.in_001_table:
                out[m.name] = av.critical_strains(m.alpha, self.ell)
        return out

    @cached_property
    def crit_alpha07(self):
        return av.critical_eccentricities(0.7, self.ell), av.critical_strains(0.7, self.ell)

    @cached_property
    def modes_curve(self):
        eps = np.linspace(0.0, 0.995, 400 if self.quick else 2000)
        return eps, [av.modes(e, 0.7, self.ell) for e in eps]

    @cached_property
    def silica(self):
        return self.materials["a-SiO2"].elasticity()

    def table_ratio(self, e, kind):
        """002 Table 1 / 003 table row, judged within the rounding of the printed
        inputs (gammas and velocities to 2 decimals, +-0.005)."""
        m = self.materials[e["material"]]
        h = 0.005
        if kind == "ratio_exp":
            val = m.gamma_ratio_measured
            tol = rounding_tolerance(lambda v: v[0] / v[1], [m.gamma_l, m.gamma_t], [h, h], e["tolerance"],
                                     "gamma_l, gamma_t printed to 2 decimals (+-0.005 eV)")
            return val, self._rounding_note(val, e, tol, "gamma_l/gamma_t from the table's own gamma columns"), tol
        if kind == "ratio_theo":
            val = m.velocity_ratio
            tol = rounding_tolerance(lambda v: v[0] / v[1], [m.c_l, m.c_t], [h, h], e["tolerance"],
                                     "c_l, c_t printed to 2 decimals (+-0.005 km/s)")
            return val, self._rounding_note(val, e, tol, "c_l/c_t from the table's velocities"), tol
        exp_printed = next(x["published"] for x in published_entries()
                           if x["id"] == e["id"].replace("deviation_percent", "gamma_ratio_exp"))
        exact = 100 * gr.relative_deviation(m.velocity_ratio, exp_printed)
        rounded = 100 * gr.relative_deviation(round(m.velocity_ratio, 2), exp_printed)
        tol = rounding_tolerance(lambda v: 100 * gr.relative_deviation(v[0] / v[1], v[2]), [m.c_l, m.c_t, exp_printed],
                                 [h, h, h], e["tolerance"],
                                 "c_l, c_t and the experimental ratio printed to 2 decimals (+-0.005)")
        if within(exact, e["published"], e["tolerance"]):
            return exact, "from unrounded c_l/c_t and the printed experimental ratio", tol
        note = (f"the printed value follows from c_l/c_t first rounded to 2 decimals as printed ({rounded:+.2f}%)"
                if within(rounded, e["published"], e["tolerance"]) else f"rounded c_l/c_t gives {rounded:+.2f}%")
        return exact, self._rounding_note(exact, e, tol, note), tol

    @staticmethod
    def _rounding_note(val, e, tol, base):
        if within(val, e["published"], e["tolerance"]):
            return base
        if within(val, e["published"], tol["tolerance"]):
            return base + "; reachable within the rounding of the printed inputs"
        return base + "; outside the rounding of the printed inputs"

    # ---------------- fits of 002 Sec. 5 and 003 Sec. IV ----------------
    #: The one data reading of every fit: the table's printed columns, MB_exp
    #: (gamma_l/gamma_t) and MB_theo (c_l/c_t), each to its printed 2 decimals.
    FIT_READING = ("reading: the table's printed columns MB_exp and MB_theo (2 decimals each), "
                   "the same for slope and r")

    def fit_printed(self, exclude):
        names, x, _, yr = self.ratio_arrays
        mask = np.array([n not in exclude for n in names])
        return x[mask], yr[mask]

    def fit_result(self, e, exclude, which):
        """slope or r of the fit through the origin MB_theo = k MB_exp over the
        printed columns, with the tolerance of the columns' rounding (+-0.005
        each, first order) plus half a unit of the printed result."""
        x, y = self.fit_printed(exclude)
        n = x.size

        def f(v):
            fit = gr.fit_through_origin(v[:n], v[n:])
            return fit.slope if which == "slope" else fit.pearson_r
        val = f(np.concatenate([x, y]))
        tol = rounding_tolerance(f, np.concatenate([x, y]), 0.005, e["tolerance"],
                                 f"the {2 * n} printed ratios, each +-0.005 (the columns are rounded)")
        return val, tol

    def table_avalanche(self, e, kind):
        """001 table row: alpha and the three critical strains from the printed
        velocities, judged within the velocities' rounding (+-0.005 km/s)."""
        m = self.materials[e["material"]]
        alpha_v = m.alpha
        printed_alpha = next(x["published"] for x in published_entries()
                             if x["id"] == f"001.table.{m.name}.alpha")
        half = 0.005  # velocities printed to 2 decimals (km/s)
        if kind == "alpha":
            tol = rounding_tolerance(lambda v: 1.0 - v[1] ** 2 / v[0] ** 2, [m.c_l, m.c_t], [half, half], e["tolerance"],
                                     "c_l, c_t printed to 2 decimals (+-0.005 km/s)")
            ok = within(alpha_v, e["published"], tol["tolerance"])
            note = ("1 - c_t^2/c_l^2 of the printed velocities" if within(alpha_v, e["published"], e["tolerance"]) else
                    "reachable within the rounding of the printed velocities" if ok else
                    f"the printed velocities give {alpha_v:.4f}, outside their rounding; the alpha column is off (typo or "
                    "different velocities); the e_crit columns follow the printed alpha")
            return alpha_v, note, tol
        key = {"e1": "dilation", "e2": "yy_minus_zz", "e3": "shear_yz"}[kind]
        val = self.crit_by_material[m.name][key]
        if val is None:
            return no_value(f"no sign change for 0 <= eps < 1 at ln(R/L1) = {self.ell:.3g}"), "method as published"
        corners = self.crit_corners(m.name)
        at_corners = [c[key] for c in corners if c[key] is not None] or [val]
        lo, hi = min(at_corners), max(at_corners)
        spread = max(hi - val, val - lo)
        ph = e["tolerance"]
        tol = {"tolerance": spread + ph, "tolerance_kind": ABSOLUTE,
               "tolerance_source": (f"input rounding: c_l, c_t printed to 2 decimals move e_crit by up to {spread:.2g} "
                                    f"(corners of the rounding box), plus half a unit of the printed result ({ph:g})")}
        if within(val, e["published"], e["tolerance"]):
            return val, f"method as published, ln(R/L1) = {self.ell:.3g} (001's text says about 12, see 001.ell)", tol
        if within(val, e["published"], tol["tolerance"]):
            return val, ("reachable within the rounding of the printed velocities (range "
                         f"{lo:.4f}-{hi:.4f}); method as published, ln(R/L1) = {self.ell:.3g}"), tol
        from_printed = av.critical_strains(printed_alpha, self.ell)[key]
        if within(from_printed, e["published"], e["tolerance"]):
            return val, (f"reproduced ({from_printed:.4f}) from the printed alpha = {printed_alpha}, "
                         f"but the printed velocities give alpha = {alpha_v:.4f} and e = {val:.4f} (range "
                         f"{lo:.4f}-{hi:.4f} within their rounding): the table's alpha column carries a typo"), tol
        return val, (f"outside the velocities' rounding ({lo:.4f}-{hi:.4f}); from the printed alpha the method gives "
                     f"{from_printed:.4f}"), tol

    def crit_corners(self, name):
        """Critical strains at the four corners of the velocities' rounding box."""
        if name not in self._corners:
            m = self.materials[name]
            self._corners[name] = [av.critical_strains(1.0 - (m.c_t + b) ** 2 / (m.c_l + a) ** 2, self.ell)
                                   for a in (-0.005, 0.005) for b in (-0.005, 0.005)]
        return self._corners[name]

    def alpha07(self, e, which, strain):
        eps, strains = self.crit_alpha07
        val = (strains if strain else eps)[which]
        if val is None:
            return no_value(f"no sign change for 0 <= eps < 1 at ln(R/L1) = {self.ell:.3g}"), "alpha = 0.7, method as published"
        return val, f"alpha = 0.7, ln(R/L1) = {self.ell:.3g}, method as published; 001's text states about 12 (see 001.ell)"

    def fig_eigen_at_zero(self, attr):
        _, md = self.modes_curve
        return 1.0 / getattr(md[0], attr)

    FIG_NOTE = ("at eps = 0 the non-elastic part vanishes (the sphere average of tildeLambda is zero), so the "
                 "eigenvalues of chi are those of the elastic matrix, (chi_el)^-1 inverted: {val:.3g} rho c_t^2. "
                 "All of 001 Figs. 3, 4, 6-8 are 10x below ours, i.e. 2/ln(R/L1) at ln(R/L1) = 20: the plotted "
                 "quantity seems to be (2/ell) chi, a normalisation the text does not state")
    #: the same, for the figures after the first (001.fig3 gives the reason)
    FIG_NOTE_SHORT = ("at eps = 0 the eigenvalue is the elastic one, {val:.3g} rho c_t^2: 10x the printed value, as in "
                      "all of 001 Figs. 3, 4, 6-8 (the factor 2/ln(R/L1) at ln(R/L1) = 20; see 001.fig3)")

    def lc(self):
        rho = 2510.0  # kg/m^3, BK7, 003 Sec. V
        c = 6.5e3     # m/s, 003 Sec. V
        omega_c = 1e15
        return (HBAR * omega_c / (rho * c * c)) ** (1 / 3) * 1e10

    def crossings_000(self):
        printed = av.critical_eccentricities(0.7, ELL_TABLE, "000")
        corr = av.critical_eccentricities(0.7, ELL_TABLE, "000-corrected")
        return printed, corr

    def jl(self):
        n = np.array([0.6, 0.0, 0.8])
        jl1, jl2 = ia.joffrin_levelut_parts(n, 0.7)
        t1 = ia.tilde_lambda(n, 0.0)  # dipolar part only
        t2 = ia.tilde_lambda(n, 0.7) - t1
        s1 = float(np.sum(t1 * ia.symmetrize_minor(jl1)) / np.sum(ia.symmetrize_minor(jl1) ** 2))
        s2 = float(np.sum(t2 * jl2) / np.sum(jl2**2))
        return s1, s2

    def bl_j(self):
        n, _ = ia.sphere_quadrature(8, 16)
        js = ia.bl_coupling_matrix(n, self.silica)
        idem = float(np.abs(np.einsum("nab,nbc->nac", js, js) - js).max())
        ev = np.linalg.eigvalsh(js)
        everr = float(np.abs(ev - np.array([0, 0, 0, 1, 1, 1])).max())
        return idem, everr

    def appb(self):
        avg = ia.sphere_average(lambda k: ia.bl_coupling_matrix(k, self.silica))
        return avg, ia.bl_coupling_angular_average_exact(self.silica)

    @cached_property
    def bessel_series(self):
        """Coefficients of ln(8 I_2(h)/h^2) = c2 h^2 + c4 h^4 + ..., fitted to the
        Bessel function itself (scipy.special.ive) at 0.02 <= h <= 0.4."""
        h = np.linspace(0.02, 0.4, 40)
        y = mf.log_sphere_average_exp(h) / h**2
        coef = np.polynomial.polynomial.polyfit(h**2, y, 4)
        return float(coef[0]), float(coef[1])


# ---------------- order-of-magnitude estimates shared by 000-003 ----------------
#: a-SiO2's and BK7's densities (003 Sec. V, from the reference data), kg/m^3.
RHO_SIO2 = reference_input("003.sec5.SiO2")["rho_g_per_cm3"] * 1e3
RHO_BK7 = reference_input("003.sec5.BK7")["rho_g_per_cm3"] * 1e3


def critical_length(rho, c, omega_c=1e15, omega=None):
    """Upper bound on L_c in Angstrom: ``(hbar omega_c / (rho c^2 [ln(omega_c/omega)]))^(1/3)``
    (001 Eq. 3.6 and 000 Eq. 3.4 without the logarithm; 002 Eq. B.9 and 003
    Eq. 4.4 with it); SI inputs."""
    log = math.log(omega_c / omega) if omega else 1.0
    return (HBAR * omega_c / (rho * c * c * log)) ** (1.0 / 3.0) * 1e10


def critical_length_tolerance(printed_half, rho, c, omega, rho_half, c_half):
    """Tolerance of an L_c estimate: '~1e15 rad/s' is an order of magnitude
    (log10 omega_c +- 0.5), rho and c are printed to their digits."""
    return rounding_tolerance(lambda v: critical_length(v[1], v[2], 10.0 ** v[0], omega), [15.0, rho, c],
                              [0.5, rho_half, c_half], printed_half,
                              "omega_c ~ 1e15 rad/s read as 10^(15 +- 0.5), rho and c to their printed digits")


def count_sign_changes(method: str, alpha: float = 0.7, ell: float = ELL_TABLE, n: int = 400):
    """Over 0 <= eps < 1: how many of the six eigenvalues of chi^-1 stay positive
    and how many change sign (hard_xy counts twice), and the range of the
    coefficient of the sixth eigenvector (001/000 Fig. 9)."""
    eps = np.linspace(0.0, 0.995, n)
    md = [av.modes(x, alpha, ell, method) for x in eps]
    names = ("hard_xy", "hard_xy", "hard_symmetric", "dilation", "yy_minus_zz", "shear_yz")
    crossing = sum(1 for k in names if np.any(np.diff(np.sign([getattr(m, k) for m in md])) != 0))
    positive = sum(1 for k in names if all(getattr(m, k) > 0 for m in md))
    coeff = np.array([m.coeff_dilation for m in md])
    return positive, crossing, (float(np.nanmin(coeff)), float(np.nanmax(coeff)))
