"""The sweep points of the bl-phase study (run on the workers).

``pt_point``: one lattice (model, L, Poisson ratio, cutoff, k = 0
convention) at ``n_t`` temperatures by parallel tempering over chains of
the package's Monte Carlo engine (:mod:`tensorglass.montecarlo`), with
``replicas`` independent copies (2 for the overlap P(q)).  The ordering
observables are computed here, in the edge layer, from the spin
configurations, because the engine's summary does not have them yet
(issue 7 adds them):

* ordering set K*: the wave vectors where the Weiss stability matrix
  lambda_max(J(k) - J(r=0)) is largest (the self term is excluded from H,
  so the lattice Weiss T_c is that maximum divided by n).  When it is flat
  (more than 26 maxima, e.g. a sharp cutoff), K* is the smallest non-zero
  shell.  K* = {0} for the nearest-neighbour model.
* order parameter m^2 = sum_{k in K*} |s(k)|^2 / N^2, s(k) = sum_r s_r
  e^{-ik.r} (trace over the n components); Binder ratio <m^4>/<m^2>^2.
  For K* = {0} this is |M|^2/N^2, the convention of the Wolff reference.
* second-moment correlation length about K*:
  xi = sqrt(S(K*)/S(K_nb) - 1) / (2 sin(pi/L)), S the per-mode average of
  |s(k)|^2/N over a shell and K_nb the shell one grid step outward
  (|m|^2 = 1 for K* = {0}, |m|^2 = 2 for K* = shell 1).
* compression weight: the share of component 0 (compression in 004's A3
  basis) in the ordering-mode intensity, <sum |s_0(k)|^2>/<sum |s(k)|^2>.
* overlaps of two replicas at the same T: site overlap
  q = (1/N) sum_i s_i^(1).s_i^(2) (the 6-vector dot product; its
  distribution P(q) is kept as a histogram) and the translation-invariant
  mode overlap q_mode = sum_k Tr(Q1_k Q2_k)/sqrt(sum Tr Q1_k^2 sum Tr Q2_k^2)
  with Q_k = Re s(k) s(k)^+ over K* (1 when both replicas chose the same
  ordering modes and polarisations, whatever their phases).

Per temperature the point stores 20 block means of each measured series
(e, e^2, m^2, m^4, S(K*), S(K_nb), S_0(K*)), from which the analysis
forms C, U, xi/L with jackknife or bootstrap errors, plus tau_int of e and
m^2 (window c = 8), so that a block shorter than 2 tau_int is flagged.

``mf_point``: the all-to-all model of 004 Eq. (21) (exact mean field) at
one N over a T grid via :func:`tensorglass.montecarlo.run_mean_field`,
with the same block layout (the energy per spin is
-(1/2) N (J_c m_c^2 + J_s m_s^2) from the order parameters).
"""

from __future__ import annotations

import math

import numpy as np

N_BLOCKS = 20
Q_BINS = 41
QM_BINS = 20


def _tau(x):
    from ..montecarlo import integrated_autocorrelation_time
    return float(integrated_autocorrelation_time(np.asarray(x, float), c=8.0))


def _blocks(x, nb=N_BLOCKS):
    x = np.asarray(x, float)
    b = x.size // nb
    return x[: nb * b].reshape(nb, b).mean(axis=1).tolist()


def temperature_grid(t_lo, t_hi, n_t):
    """Temperatures equally spaced in beta (parallel-tempering friendly)."""
    return (1.0 / np.linspace(1.0 / t_lo, 1.0 / t_hi, int(n_t)))


def ordering_sets(model):
    """(K* mask, neighbour-shell mask, Weiss T_c, |k*|) on the full L^3 grid."""
    from ..montecarlo import full_fourier
    jk = full_fourier(model.kernel)  # (L,L,L,n,n)
    L, n = model.L, model.n_components
    lam = np.linalg.eigvalsh(jk - model.kernel.self_coupling)[..., -1]
    m1 = np.fft.fftfreq(L) * L
    mx, my, mz = np.meshgrid(m1, m1, m1, indexing="ij")
    msq = np.rint(mx**2 + my**2 + mz**2).astype(int)
    top = lam.max()
    kstar = lam >= top - 1e-9 * max(abs(top), 1.0)
    if kstar.sum() > 26:
        kstar = msq == 1
    s0 = int(msq[kstar].max())
    nb_shell = 1 if s0 == 0 else min(v for v in np.unique(msq) if v > s0)
    if s0 > 0:  # outward neighbour shell of shell s0: |m|^2 = s0 + 1 for the shells used here
        nb_shell = s0 + 1 if np.any(msq == s0 + 1) else nb_shell
    nb = msq == nb_shell
    return kstar, nb, float(top / n), float(2 * np.pi / L * math.sqrt(s0))


def _measure(spins, L, n, kstar, nb):
    s = spins.reshape(L, L, L, n)
    sk = np.fft.fftn(s, axes=(0, 1, 2))
    p = (sk.real**2 + sk.imag**2)
    n_sites = L**3
    pk = p[kstar]  # (nK, n)
    tot = pk.sum()
    m2 = tot / n_sites**2
    return m2, tot / n_sites / kstar.sum(), p[nb].sum() / n_sites / nb.sum(), pk[:, 0].sum() / n_sites / kstar.sum(), sk


def _mode_matrix(sk, kstar):
    v = sk[kstar]  # (nK, n) complex
    return np.real(v[:, :, None] * np.conj(v[:, None, :]))


def pt_point(params: dict, seed: int) -> dict:
    """One parallel-tempering run (see the module docstring)."""
    from ..montecarlo import RunParameters, advance, lattice_energy, new_state
    model_name = params.get("model", "bl6")
    L = int(params["L"])
    temps = temperature_grid(params["t_lo"], params["t_hi"], params["n_t"])
    sweeps, therm = int(params["sweeps"]), int(params["thermalize"])
    replicas = int(params.get("replicas", 1))
    # each chain is a run of the engine whose thermalisation (where the local sampler tunes its width, then
    # freezes it) is the study's; energies for the swaps and measurements are computed here after every sweep
    kw = {"model": model_name, "L": L, "sampler": params.get("sampler", "metropolis"), "sweeps": sweeps,
          "thermalize": therm}
    if model_name == "nn":
        kw["components"] = int(params.get("components", 3))
    else:
        kw.update(poisson=float(params["poisson"]), cutoff=float(params.get("cutoff", 1.0)),
                  k0=str(params.get("k0", "average")))
    ss = np.random.SeedSequence(seed)
    child = ss.spawn(replicas * len(temps) + 1)
    base = RunParameters(temperature=float(temps[0]), seed=0, **kw)
    model = base.build()
    n, n_sites = model.n_components, model.n_sites
    kstar, nb, t_weiss, kmag = ordering_sets(model)
    chains = []
    for r in range(replicas):
        sts = []
        for j, t in enumerate(temps):
            p = RunParameters(temperature=float(t), seed=int(child[r * len(temps) + j].generate_state(1)[0] >> 1), **kw)
            sts.append(new_state(p, model))
        chains.append(sts)
    swap_rng = np.random.Generator(np.random.PCG64(child[-1]))
    betas = 1.0 / temps
    nt = len(temps)
    series = [[{k: [] for k in ("e", "m2", "sk", "snb", "s0")} for _ in range(nt)] for _ in range(replicas)]
    q_hist = np.zeros((nt, Q_BINS))
    qm_hist = np.zeros((nt, QM_BINS))
    q_abs, q2, qm = [[] for _ in range(nt)], [[] for _ in range(nt)], [[] for _ in range(nt)]
    swaps_tried, swaps_acc = np.zeros(nt - 1), np.zeros(nt - 1)
    acc0 = [[0, 0] for _ in range(nt)]
    for sweep in range(sweeps):
        for r in range(replicas):
            sts = chains[r]
            energies = np.empty(nt)
            for j, st in enumerate(sts):
                advance(st, model, 1)
                energies[j] = lattice_energy(model.kernel, st.coords.reshape(L, L, L, n))
                for series_name in ("energy", "magnetisation", "structure_shells", "structure_trace"):
                    getattr(st, series_name, []).clear()  # the engine's own series: not used here, keep memory flat
            for i in range(sweep % 2, nt - 1, 2):
                swaps_tried[i] += 1
                if swap_rng.random() < math.exp(min(0.0, (betas[i] - betas[i + 1]) * (energies[i] - energies[i + 1]))):
                    sts[i].coords, sts[i + 1].coords = sts[i + 1].coords, sts[i].coords
                    energies[i], energies[i + 1] = energies[i + 1], energies[i]
                    swaps_acc[i] += 1
            if sweep >= therm:
                for j, st in enumerate(sts):
                    m2, skk, snb, s0, sk = _measure(st.coords, L, n, kstar, nb)
                    d = series[r][j]
                    d["e"].append(energies[j] / n_sites)
                    d["m2"].append(m2)
                    d["sk"].append(skk)
                    d["snb"].append(snb)
                    d["s0"].append(s0)
                    if replicas == 2:
                        d["_sk"] = sk
        if replicas == 2 and sweep >= therm:
            for j in range(nt):
                a, b = chains[0][j].coords, chains[1][j].coords
                q = float(np.sum(a * b)) / n_sites
                q_hist[j] += np.histogram([q], bins=Q_BINS, range=(-1, 1))[0]
                q_abs[j].append(abs(q))
                q2[j].append(q * q)
                qa = _mode_matrix(series[0][j]["_sk"], kstar)
                qb = _mode_matrix(series[1][j]["_sk"], kstar)
                num = float(np.sum(qa * qb))
                den = math.sqrt(float(np.sum(qa * qa)) * float(np.sum(qb * qb)))
                v = num / den if den > 0 else 0.0
                qm[j].append(v)
                qm_hist[j] += np.histogram([v], bins=QM_BINS, range=(0, 1))[0]
    for sts in chains:
        for j, st in enumerate(sts):
            acc0[j][0] += st.accepted
            acc0[j][1] += st.attempted
    blocks, taus = {}, {"e": [], "m2": []}
    for key in ("e", "m2", "sk", "snb", "s0"):
        blocks[key] = [_blocks(series[0][j][key]) for j in range(nt)]
    blocks["e2"] = [_blocks(np.square(series[0][j]["e"])) for j in range(nt)]
    blocks["m4"] = [_blocks(np.square(series[0][j]["m2"])) for j in range(nt)]
    for j in range(nt):
        taus["e"].append(_tau(series[0][j]["e"]))
        taus["m2"].append(_tau(series[0][j]["m2"]))
    n_meas = sweeps - therm
    # a frozen-pattern picture: the z = 0 slice of replica 0 at the lowest T
    low = chains[0][0].coords.reshape(L, L, L, n)[:, :, 0, :]  # temps[0] is the lowest
    extra = {"temperatures": temps.tolist(), "blocks": blocks, "tau": taus, "n_meas": n_meas,
             "block_length": n_meas // N_BLOCKS, "swap_rates": (swaps_acc / np.maximum(swaps_tried, 1)).tolist(),
             "acceptance": [a / max(b, 1) for a, b in acc0], "slice": low.tolist(),
             "n_components": n, "n_sites": n_sites, "ordering_set_size": int(kstar.sum()), "k_star": kmag}
    if replicas == 2:
        extra.update({"q_hist": q_hist.tolist(), "q_mode_hist": qm_hist.tolist(),
                      "q_abs": [float(np.mean(x)) for x in q_abs], "q2": [float(np.mean(x)) for x in q2],
                      "q_mode": [float(np.mean(x)) for x in qm]})
    max_tau = max(max(taus["e"]), max(taus["m2"]))
    return {"t_weiss": t_weiss, "k_star": kmag, "min_swap_rate": float(np.min(extra["swap_rates"])) if nt > 1 else 1.0,
            "max_tau": max_tau, "_extra": extra}


def mf_point(params: dict, seed: int) -> dict:
    """All-to-all model of 004 Eq. (21) at one N over a temperature grid."""
    from ..montecarlo import run_mean_field
    n_spins = int(params["n_spins"])
    j_c, j_s = float(params["j_compr"]), float(params["j_shear"])
    temps = temperature_grid(params["t_lo"], params["t_hi"], params["n_t"])
    sweeps, therm = int(params["sweeps"]), int(params["thermalize"])
    ss = np.random.SeedSequence(seed).spawn(len(temps))
    blocks = {k: [] for k in ("e", "e2", "m2", "m4")}
    taus = {"e": [], "m2": []}
    for j, t in enumerate(temps):
        mc, ms = run_mean_field(n_spins, float(t), j_c, j_s, sweeps, int(ss[j].generate_state(1)[0] >> 1),
                                thermalize=therm)
        e = -0.5 * n_spins * (j_c * mc**2 + j_s * ms**2)
        m = mc if j_c >= j_s else ms
        for key, x in (("e", e), ("e2", e * e), ("m2", m * m), ("m4", m**4)):
            blocks[key].append(_blocks(x))
        taus["e"].append(_tau(e))
        taus["m2"].append(_tau(m * m))
    return {"max_tau": max(max(taus["e"]), max(taus["m2"])),
            "_extra": {"temperatures": temps.tolist(), "blocks": blocks, "tau": taus, "n_meas": sweeps,
                       "block_length": sweeps // N_BLOCKS, "n_sites": n_spins}}
