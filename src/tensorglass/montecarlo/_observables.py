"""Order parameters of lattice spin models: structure factor, ordering mode,
second-moment correlation length, Weiss temperature.

Definitions (spins ``s_r``, unit n-vectors on N = L^3 sites,
``s(k) = sum_r s_r e^{-i k.r}``, ``k = 2 pi m / L`` with integer m):

* the structure factor ``S(k) = (1/N) s(k) s(k)^dagger``, an n x n
  Hermitian matrix per wave vector.  For real spins ``S(-k) = S(k)^*``, so
  its average over a *shell* (all m of one |m|^2, paired with -m) is real
  symmetric.  Per measurement we record the shell-averaged matrices of the
  shells |m|^2 = 0, 1, 2 (k = 0, |k| = 2 pi/L, sqrt(2) 2 pi/L) and the trace
  ``tr S(k) = |s(k)|^2/N`` on the stencil of all m with |m_a| <= 2 and
  |m|^2 <= 5 (the shells and their neighbours one step 2 pi/L away).
* the ordering (order-parameter) shell: a property of the model, not of
  the data: the recorded shell on which the Weiss spectrum
  lambda_max(J(k) - J(r = 0)) is largest (:func:`weiss_ordering_shell`,
  :func:`ordering_mode`; k = 0 for a ferromagnet, |k| = 2 pi/L for bl6),
  or one the user names, the same at every temperature of a run.  (A shell
  picked from the data, the largest mean lambda_max of the shell-averaged
  S, switched to k = 0 in bl6's paramagnet with k0 = "average", because
  averaging the members' differently polarised S dilutes lambda_max; it is
  kept only as a diagnostic.)  The ordering wave vector: the member of that
  shell with the largest mean tr S(k) (sign chosen so that its first
  non-zero component is positive: k and -k are one mode).
* the ordering-mode amplitude ``m_k = sqrt(sum_{k in shell} |s(k)|^2) / N``.
  By Parseval, sum over all k of |s(k)|^2 = N^2 for unit spins, so m_k <= 1
  with equality exactly when all of the spin weight sits in that shell (a
  perfectly ordered state at that k: a ferromagnet for k = 0, a planar
  spiral for k != 0); for k = 0 it is the usual |M|/N.  This is the
  "documented equivalent" of sqrt(lambda_max/N): it does not depend on how
  the weight is shared among the members of the shell (domains of several
  directions) or among components.
* the second-moment correlation length
  ``xi = sqrt(S(k_ord)/S(k_ord + delta) - 1) / (2 sin(|delta|/2))``,
  |delta| = 2 pi/L, with S = tr S(k) and S(k_ord + delta) averaged over the
  six neighbours k_ord +- 2 pi e_a / L (for k_ord = 0: the shell
  |k| = 2 pi/L, the usual formula, e.g. Cooper, Freedman & Preston, Nucl.
  Phys. B 210, 210 (1982); Caracciolo et al.).  Both S values are averaged
  over the members of the ordering shell (a cubic orbit, where equilibrium
  averages are equal), so xi does not depend on which member of the shell
  a finite chain happens to order along.  The trace includes the
  components that never order (bl6's J(k) is a rank-3 projector), which add
  the same paramagnetic background to both S values: xi is then an
  underestimate of the ordering mode's length but keeps its crossing
  property.  A signed root ``sign(r - 1) sqrt(|r - 1|)`` is reported, so
  that a paramagnet's xi scatters around 0 instead of being clipped.
* bl6 (spins in 004's A3 basis, component 1 the compression):
  ``compression_weight`` = v_1^2 of the dominant eigenvector v of the mean
  shell-averaged S on the ordering shell (``shear_weight`` = 1 - it); it is
  ill-defined, and its jackknife error large, when the top eigenvalues are
  nearly degenerate.  ``compression_fraction`` = S_11 / tr S of the same
  matrix is the degeneracy-proof share of the compression component in the
  ordering shell's weight (1/6 for independent spins, 1 or 0 for pure
  compression or shear order).
* the lattice (Weiss) mean-field temperature
  ``T_W = max_k lambda_max(J(k) - J(r = 0)) / n`` (k_B = 1): the
  linearised self-consistency ``m_i = (beta/n) sum_{j != i} J_ij m_j`` of
  unit n-vectors.  The self term J(r = 0) is excluded because the sampled
  Hamiltonian excludes it (sum over pairs i < j); it vanishes for the
  nearest-neighbour model, where T_W = 6 J / n.  For bl6 with J(k) of 004
  Eqs. (18)-(20) this is the lattice version of 004 Eq. (24)'s
  k_B T_Curie = max(J)/6.

Everything here is numpy/scipy; nothing draws random numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft

#: |m|^2 of the recorded shells: k = 0, |k| = 2 pi/L, sqrt(2) 2 pi/L
SHELL_NORMS = (0, 1, 2)


@dataclass(frozen=True)
class Stencil:
    """The wave vectors recorded per measurement on an L^3 lattice."""

    L: int
    m: np.ndarray               # (K, 3) integer vectors, |m_a| <= 2, |m|^2 <= 5
    shells: tuple               # per shell in SHELL_NORMS: indices into m (one of each +-m pair, distinct mod L)

    @property
    def k(self):
        return 2 * np.pi * self.m / self.L

    def shell_k_norms(self):
        return [2 * np.pi * math.sqrt(s) / self.L for s in SHELL_NORMS]

    def index(self, m):
        """Row of ``m`` (or of an equivalent vector mod L) in the stencil."""
        key = tuple(np.mod(m, self.L))
        for i, row in enumerate(np.mod(self.m, self.L)):
            if tuple(row) == key:
                return i
        raise KeyError(m)

    def neighbours(self, i):
        """Rows of the six vectors one step 2 pi/L from row ``i``, excluding
        those equal mod L to m_i or -m_i (small lattices)."""
        out = []
        mi = self.m[i]
        same = {tuple(np.mod(mi, self.L)), tuple(np.mod(-mi, self.L))}
        for a in range(3):
            for sgn in (1, -1):
                nb = mi.copy()
                nb[a] += sgn
                if tuple(np.mod(nb, self.L)) in same:
                    continue
                out.append(self.index(nb))
        return out


def stencil(L: int) -> Stencil:
    r = np.arange(-2, 3)
    mm = np.stack(np.meshgrid(r, r, r, indexing="ij"), axis=-1).reshape(-1, 3)
    mm = mm[np.sum(mm * mm, axis=1) <= 5]
    mm = mm[np.lexsort((mm[:, 2], mm[:, 1], mm[:, 0], np.sum(mm * mm, axis=1)))]
    shells = []
    for s2 in SHELL_NORMS:
        seen, rows = set(), []
        for i, m in enumerate(mm):
            if int(m @ m) != s2 or not _canonical(m):
                continue
            key = tuple(np.mod(m, L))
            if key in seen or tuple(np.mod(-m, L)) in seen:
                continue
            seen.add(key)
            rows.append(i)
        shells.append(tuple(rows))
    return Stencil(int(L), mm, tuple(shells))


def _canonical(m):
    """True for the member of a +-m pair whose first non-zero component is positive (and for m = 0)."""
    nz = np.flatnonzero(m)
    return nz.size == 0 or m[nz[0]] > 0


def spin_fourier(spins, L: int, st: Stencil):
    """``s(k)`` on the stencil: (K, n) complex, from one real FFT of the
    (L, L, L, n) spins (``s(-k) = s(k)^*`` gives the other half)."""
    n = spins.shape[-1]
    sk = sfft.rfftn(np.asarray(spins, float).reshape(L, L, L, n), axes=(0, 1, 2))
    idx = np.mod(st.m, L)
    flip = idx[:, 2] > L // 2
    idx[flip] = np.mod(-st.m[flip], L)
    out = sk[idx[:, 0], idx[:, 1], idx[:, 2]]
    out[flip] = np.conj(out[flip])
    return out


def measure(spins, L: int, st: Stencil, order_shell: int | None = None):
    """One measurement: the shell-averaged real S matrices (n_shells, n, n)
    and tr S(k) on the stencil (K,); with ``order_shell``, also the real
    part of S(k) of every recorded member of that shell (P, n, n), from
    which the Gaussian value of the ordering mode's Binder ratio follows
    (:func:`gaussian_binder`)."""
    sk = spin_fourier(spins, L, st)
    n_sites = L**3
    trace = np.sum(np.abs(sk) ** 2, axis=1) / n_sites
    mats = []
    for rows in st.shells:
        v = sk[list(rows)]
        mats.append(np.real(np.einsum("ka,kb->ab", v, np.conj(v))) / (len(rows) * n_sites))
    if order_shell is None:
        return np.array(mats), trace
    v = sk[list(st.shells[order_shell])]
    members = np.real(np.einsum("ka,kb->kab", v, np.conj(v))) / n_sites
    return np.array(mats), trace, members


def gaussian_binder(member_matrices, st: Stencil, shell: int):
    """The Binder ratio ``<m^4>/<m^2>^2`` of the ordering-mode amplitude
    (:func:`mode_amplitude`) if the shell's Fourier modes were independent
    Gaussian variables with the given mean structure factors (the
    paramagnet at N -> infinity):

        U_G = 1 + sum_m c_m tr(S_m^2) / (sum_m w_m tr S_m)^2,

    over the recorded members m of the shell, with w_m = 2, c_m = 4 for a
    member standing for the pair +-k (real and imaginary parts, each of
    covariance N S_m / 2) and w_m = 1, c_m = 2 for a self-conjugate one
    (k = 0 or a Nyquist vector: one real mode of covariance N S_m).  With
    all d = sum_m w_m n real components of equal variance this is the
    textbook 1 + 2/d (bl6, n = 6, on |k| = 2 pi/L: d = 36, U_G = 1.056);
    unequal variances (bl6's J(k) is a rank-3 projector, so three
    polarisations per mode are enhanced) give a larger value.
    ``member_matrices``: (P, n, n) mean real S(k) per member."""
    rows = list(st.shells[shell])
    s = np.asarray(member_matrices, float)
    self_conj = np.array([_self_conjugate(st.m[i], st.L) for i in rows])
    w = np.where(self_conj, 1.0, 2.0)
    c = np.where(self_conj, 2.0, 4.0)
    tr = np.trace(s, axis1=-2, axis2=-1)
    tr2 = np.einsum("kab,kba->k", s, s)
    return 1.0 + float(np.sum(c * tr2)) / float(np.sum(w * tr)) ** 2


def structure_factor_direct(spins, k):
    """``S(k) = (1/N) s(k) s(k)^dagger`` by the direct sum over sites (O(N)
    per k): the independent check of the FFT.  ``spins`` (L, L, L, n), ``k`` (3,)."""
    L = spins.shape[0]
    r = np.stack(np.meshgrid(*(np.arange(L),) * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    s = spins.reshape(-1, spins.shape[-1])
    sk = np.exp(-1j * (r @ np.asarray(k, float))) @ s
    return np.outer(sk, np.conj(sk)) / L**3


def lambda_max(mats):
    """Largest eigenvalue of (..., n, n) symmetric matrices."""
    return np.linalg.eigvalsh(mats)[..., -1]


def mode_amplitude(trace_series, st: Stencil, shell: int):
    """``m_k`` per measurement on ``shell``: sqrt(sum_{k in shell, +-k} tr S(k) / N).

    For m != 0 each recorded row stands for the pair +-k (equal |s(k)|^2);
    on even lattices a Nyquist vector equal to its own negative counts once."""
    rows = list(st.shells[shell])
    mult = np.array([1.0 if _self_conjugate(st.m[i], st.L) else 2.0 for i in rows])
    w = np.asarray(trace_series)[:, rows] @ mult
    return np.sqrt(np.maximum(w, 0.0) / st.L**3)


def _self_conjugate(m, L):
    return bool(np.all(np.mod(m, L) == np.mod(-m, L)))


def order_series(trace_series, st: Stencil, shell: int):
    """Per measurement, from tr S(k) on the stencil (T, K): the ordering-mode
    amplitude m_k (:func:`mode_amplitude`), S(k) averaged over the members
    of ``shell`` and S averaged over each member's six neighbours one step
    2 pi/L away (the two ingredients of :func:`correlation_length`).  Both
    S values are averages over one cubic orbit, so they do not depend on
    which member a finite chain happens to order along."""
    x = np.asarray(trace_series)
    rows = list(st.shells[shell])
    nbrs = [st.neighbours(i) for i in rows]
    s_ord = x[:, rows].mean(axis=1)
    s_nb = np.mean([x[:, nb].mean(axis=1) for nb in nbrs], axis=0)
    return mode_amplitude(x, st, shell), s_ord, s_nb


def correlation_length(s_ord, s_nb, L: int):
    """Signed second-moment correlation length from mean S(k_ord) and mean
    S(k_ord + delta) (see the module docstring)."""
    r = s_ord / s_nb - 1.0
    return np.sign(r) * np.sqrt(np.abs(r)) / (2.0 * math.sin(math.pi / L))


def weiss_temperature(model) -> float:
    """Lattice (Weiss) mean-field critical temperature
    ``max_k lambda_max(J(k) - J(r=0)) / n`` of ``model`` (k_B = 1, coupling
    units).  Lattice version of 004 Eq. (24) (k_B T_Curie = max J / 6 for
    n = 6); departs from ``max J(k)/n`` by the self term J(r = 0), which the
    sampled Hamiltonian excludes (zero for ``nn``, where T_W = 6/n)."""
    return float(np.max(weiss_spectrum(model))) / model.kernel.n


def shell_mean(trace_series, st: Stencil, shell: int):
    """Per measurement: the mean of ``tr S(k)`` over the members of a
    recorded shell (one row per +-k pair; ``|s(-k)|^2 = |s(k)|^2``), i.e.
    the per-mode average S of that shell.  ``trace_series`` (T, K) or (K,)."""
    return np.asarray(trace_series)[..., list(st.shells[shell])].mean(axis=-1)


def weiss_spectrum(model):
    """``lambda_max(J(k) - J(r = 0))`` on the full L^3 grid of wave vectors,
    shape (L, L, L): the Weiss stability spectrum whose maximum over k is
    ``n T_W`` (:func:`weiss_temperature`)."""
    from ._lattice import full_fourier
    kernel = model.kernel
    jk = full_fourier(kernel) - kernel.self_coupling
    jk = 0.5 * (jk + np.swapaxes(jk, -1, -2))
    return np.linalg.eigvalsh(jk)[..., -1]


def ordering_mode(model, shell: int | None = None) -> dict:
    """The ordering mode of ``model``: the order-parameter shell (the Weiss
    ordering shell of :func:`weiss_ordering_shell`, or ``shell`` when
    given), the member of it where ``lambda_max(J(k) - J(r = 0))`` is
    largest (integer vector ``m``, k = 2 pi m / L) and the two leading
    eigenvectors of J(k) there (the polarisations of a planar spiral that
    puts all of the spin weight into the mode).  A property of the model,
    not of the data: the same at every temperature of a run."""
    key = (id(model.kernel), shell)
    hit = _MODE_CACHE.get(key)
    if hit is not None and hit[0] is model.kernel:
        return hit[1]
    out = _ordering_mode(model, shell)
    if len(_MODE_CACHE) > 16:
        _MODE_CACHE.clear()
    _MODE_CACHE[key] = (model.kernel, out)
    return out


_MODE_CACHE: dict = {}


def _ordering_mode(model, shell):
    from ._lattice import full_fourier
    L = model.L
    if shell is None:
        shell, on_shell = weiss_ordering_shell(model)
    else:
        if shell not in range(len(SHELL_NORMS)):
            from ..errors import ParameterError
            raise ParameterError("order_shell", shell, f"a recorded shell 0..{len(SHELL_NORMS) - 1} "
                                 "(|m|^2 = 0, 1, 2: k = 0, 2 pi/L, sqrt(2) 2 pi/L)", "or leave it unset for the Weiss shell")
        on_shell = None
    st = stencil(L)
    jk = full_fourier(model.kernel) - model.kernel.self_coupling
    best = None
    for i in st.shells[shell]:
        m = np.mod(st.m[i], L)
        mat = 0.5 * (jk[m[0], m[1], m[2]] + jk[m[0], m[1], m[2]].T)
        w, v = np.linalg.eigh(mat)
        if best is None or w[-1] > best[0] + 1e-12 * max(1.0, abs(best[0])):
            best = (float(w[-1]), st.m[i].copy(), v[:, ::-1][:, :2].copy(), w[::-1].copy())
    return {"shell": int(shell), "source": "weiss" if on_shell is not None else "given",
            "weiss_on_recorded_shell": on_shell, "m": best[1], "k": 2 * np.pi * best[1] / L,
            "polarisations": best[2], "eigenvalues": best[3]}


def ordered_spins(model, shell: int | None = None):
    """Unit spins (L, L, L, n) with all of their weight in the ordering mode
    (``--start ordered``): for k = 0 every spin along the leading
    eigenvector e1 of J(0) - J(r = 0); for k != 0 the planar spiral
    ``s_r = e1 cos(k.r) + e2 sin(k.r)`` (e1, e2 the two leading
    eigenvectors at k), whose amplitude m_k is exactly 1.  One-component
    spins take ``sign(cos(k.r))`` (uniform for k = 0)."""
    mode = ordering_mode(model, shell)
    L, n = model.L, model.n_components
    r = np.stack(np.meshgrid(*(np.arange(L),) * 3, indexing="ij"), axis=-1)
    phase = r @ mode["k"]
    e = mode["polarisations"]
    if n == 1:
        s = np.sign(np.cos(phase))[..., None]
        s[s == 0] = 1.0
        return s
    if not np.any(mode["m"]):
        return np.broadcast_to(e[:, 0], (L, L, L, n)).copy()
    return np.cos(phase)[..., None] * e[:, 0] + np.sin(phase)[..., None] * e[:, 1]


def weiss_ordering_shell(model, rtol: float = 1e-9):
    """The recorded shell (index into :data:`SHELL_NORMS`) on which the Weiss
    spectrum ``lambda_max(J(k) - J(r=0))`` is largest: the modes that order
    first in the lattice mean-field theory, the fixed order parameter of a
    finite-size (crossing) analysis.

    Returns ``(shell, on_shell)``.  Where several recorded shells tie
    within ``rtol`` (a flat maximum, e.g. a sharp cutoff), the smallest
    non-zero one is taken; ``on_shell`` is False when the maximum over all
    k lies outside the recorded shells (|m|^2 > 2), in which case the
    best recorded shell is returned."""
    lam = weiss_spectrum(model)
    L = model.L
    m1 = np.rint(np.fft.fftfreq(L) * L).astype(int)
    mx, my, mz = np.meshgrid(m1, m1, m1, indexing="ij")
    msq = mx**2 + my**2 + mz**2
    top = float(lam.max())
    tol = rtol * max(abs(top), 1.0)
    best = [float(lam[msq == s].max()) if np.any(msq == s) else -np.inf for s in SHELL_NORMS]
    tied = [i for i, b in enumerate(best) if b >= max(best) - tol]
    nonzero = [i for i in tied if SHELL_NORMS[i] > 0]
    shell = nonzero[0] if (nonzero and len(tied) > 1) else tied[0]
    return shell, bool(best[shell] >= top - tol)
