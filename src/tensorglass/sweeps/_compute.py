"""What one sweep point computes (runs on the workers; pure functions)."""

from __future__ import annotations

import time
import warnings

from .. import __version__

#: Output name -> unit.  Outputs with an error bar get a ``*_error`` companion.
OUTPUTS = {
    "predict": {
        "alpha": "1", "poisson_ratio": "1", "gamma_ratio": "1",
        "critical_strains.dilation": "1", "critical_strains.yy_minus_zz": "1", "critical_strains.shear_yz": "1",
        "critical_eccentricities.dilation": "1", "critical_eccentricities.yy_minus_zz": "1",
        "critical_eccentricities.shear_yz": "1", "j_compr_over_j_shear": "1", "t_curie_over_j": "J_shear",
    },
    "flow": {"im_chi_ratio": "1", "target_ratio": "1", "gamma_ratio": "1", "relative_deviation": "1",
             "im_chi_t_final": "rho c_t^2"},
    "mc": {"energy_per_spin": "J per spin", "specific_heat": "k_B per spin", "m_compression": "1",
           "m_shear": "1", "chi_compression": "1/J", "chi_shear": "1/J", "binder_compression": "1",
           "binder_shear": "1", "tau_int": "sweeps", "acceptance": "1"},
}
#: Kinds of point defined by other packages (the studies): name -> "tensorglass.module:function".
#: Filled by :func:`tensorglass.sweeps.register_compute`; the target is imported on the worker.
TARGETS: dict = {}
WITH_ERRORS = {"energy_per_spin", "specific_heat", "m_compression", "m_shear", "chi_compression", "chi_shear",
               "binder_compression", "binder_shear"}


def _velocities(params):
    if "material" in params:
        from ..materials import get_material
        m = get_material(params["material"])
        return m.c_l, m.c_t
    return params.get("c_l"), params.get("c_t")


def _get(d, dotted):
    for part in dotted.split("."):
        d = d[part]
    return d


def evaluate_point(compute: str, params: dict, seed: int, outputs: tuple) -> dict:
    """Compute one point; returns ``{"result": {...}, "elapsed_s", "tensorglass_version"}``.
    Raises on bad parameters (the driver records the point as failed)."""
    t0 = time.perf_counter()
    extra = None
    if ":" in compute:  # a registered kind of point: "tensorglass.module:function"
        import importlib
        module, _, function = compute.partition(":")
        if not module.startswith("tensorglass."):
            raise ValueError(f"compute target {compute!r} is outside the tensorglass package")
        res = getattr(importlib.import_module(module), function)(dict(params), seed)
        extra = res.pop("_extra", None)
        out = {o: res[o] for o in outputs}
        out.update({o + "_error": res[o + "_error"] for o in outputs if o + "_error" in res})
    elif compute == "predict":
        from ..predict import predict
        c_l, c_t = _velocities(params)
        res = predict(c_l, c_t, rho=params.get("rho"), ln_r_over_l1=params.get("ln_r_over_l1", 20.0),
                      method=params.get("method", "published"))
        out = {o: _get(res, o) for o in outputs}
    elif compute == "flow":
        from ..renormalization import im_chi_flow
        from ..tensors import alpha_from_velocities
        if "alpha" in params:
            alpha = params["alpha"]
        else:
            alpha = alpha_from_velocities(*_velocities(params))
        f = im_chi_flow(alpha, params.get("k_ratio", -1.0), params.get("im_chi_l1_l", 0.5),
                        params.get("im_chi_l1_t", 0.5), params.get("n0", 2), params.get("ell", 20.0),
                        params.get("k_l_over_k_t", 1.0))
        full = {"im_chi_ratio": float(f.ratio[-1]), "target_ratio": f.target_ratio,
                "gamma_ratio": float(f.gamma_ratio[-1]), "relative_deviation": float(f.ratio[-1] / f.target_ratio - 1),
                "im_chi_t_final": float(f.im_chi_t[-1])}
        out = {o: full[o] for o in outputs}
    else:
        from ..montecarlo import RunParameters, advance, new_state, summarize
        p = dict(params)
        if "material" in p:
            p["c_l"], p["c_t"] = _velocities(p)
            del p["material"]
        run = RunParameters(seed=seed, **{**{"model": "bl6", "L": 4, "temperature": 1.0, "sweeps": 100}, **p})
        model = run.build()
        state = new_state(run, model)
        advance(state, model, run.sweeps)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = summarize(state, model)
        out = {}
        for o in outputs:
            if o in WITH_ERRORS:
                out[o] = s[o]["mean"]
                out[o + "_error"] = s[o]["error"]
            else:
                out[o] = s[o]
    rec = {"result": out, "elapsed_s": time.perf_counter() - t0, "tensorglass_version": __version__}
    if extra is not None:
        rec["extra"] = extra  # non-scalar results (arrays as lists), kept in the point record only
    return rec
