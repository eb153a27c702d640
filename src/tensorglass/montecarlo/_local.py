"""Exact single-site sampler with sparse near fields and clock Monte Carlo
for the long-range tail (private; numba kernels).

The Hamiltonian is the lattice one of :mod:`._lattice`,
``H = -sum_{i<j} s_i.J(r_i - r_j).s_j - sum_i hext.s_i``.  The couplings
of site i are split once, from ``jr``, into

* a *near* set (few displacements): their field is summed exactly,
  O(z n^2) per update;
* a *far* set (the long-range tail; empty for short-range kernels such as
  ``nn``), grouped into boxes of displacements.

A Metropolis move ``s_i -> s_i'`` (ds = s_i' - s_i) is accepted with the
factorised Metropolis filter (Michel, Tan & Deng, Phys. Rev. E 99,
010105(R) (2019), Eqs. (2)-(4) and the "clock" construction):

    A = min(1, e^{-beta dE_near}) * prod_B min(1, e^{-beta dE_B}),
    dE_near = -ds.(h_near + hext),  dE_B = -ds. sum_{j in B} J_ij s_j.

Every factor is min(1, e^{-x}) of an energy term that changes sign under the
reverse move, so A(s->s')/A(s'->s) = e^{-beta dE}: detailed balance holds
for couplings of either sign.  The far factors are never all computed:
``|dE_B| <= lambda_B = |ds| w_B`` with ``w_B = sum_{j in B} ||J_ij||_2``, so
bound events come as a Poisson process of total rate
``Lambda = beta |ds| sum_B w_B`` (exponential waiting times on [0, 1]), each
event picks a box with probability w_B / sum w (Walker alias table) and
rejects the move with probability ``max(0, dE_B) / lambda_B``.  A box hit k
times passes with probability E[(1 - dE+/lambda)^k] over k ~ Poisson
(beta lambda) = exp(-beta dE+) = min(1, e^{-beta dE_B}), exactly its factor
(the Poisson-thinning form of the clock filter: no duplicate bookkeeping).
An event needs only the sign of ``dE_B - u lambda_B``, not dE_B: the box's
members are stored by decreasing ||J|| and summed until the bound on the
rest (|ds| times the sum of their norms) settles it, about half a box on
average, less when norms vary along the box (:func:`_box_rejects`; the same
decision as the full sum).
Cost per update: O(z n^2 + Lambda |B| n^2 / 2), with Lambda growing like
log N for a 1/r^3 tail.  Departure from the paper: the paper's single-pair
clock is the case of one displacement per box; grouping (its "boxes",
Sec. IV) and an exactly summed near set raise the acceptance.

Where the time goes (bl6, Poisson 0.3, L = 32, T = 0.115, width 0.26,
acceptance 0.28, 2 x 2 x 2 boxes): about 21 bound events and 84 box
members per site (161 before the early decision).  Each event reads a box of couplings and spins
at a random place in a 9 MB table, and these scattered reads, not the
arithmetic, dominate: with every read made cache-resident (a timing
experiment, not a sampler) a member costs 2.5x less, and the near field,
the proposals and the random numbers together are 15-20 % of a sweep.
Single-precision copies of the tables and spins (with an exact fallback)
and software prefetching of the next events' boxes were tried and gave
nothing or lost: the conversions cost what the smaller reads saved.  What
helped is reading spins that lie together: boxes long along z (their spins
are consecutive in memory) cost less per member, and their larger sums
cancel more, so the default boxes are 1 x 1 x 16 (see BOX_SHAPE); and
storing symmetric 6 x 6 couplings as their 21 independent entries
(:func:`pack_symmetric`: 0.85-0.94x the time per sweep at L = 32, both at
T = 0.115 and 0.23, same decisions; single precision on top of it again
gained nothing).  The per-site and per-event kernels are inlined, and the
clock filter is not called at all when there is no far set: a call of a
compiled function that is passed a dozen arrays pays for their reference
counts, and for the short-range ``nn`` kernel that was most of a sweep
(O(3), L = 16: 0.80 -> 0.36 ms per Metropolis sweep and 1.18 -> 0.20 ms
per over-relaxation sweep; bl6 at L = 32, 0.96x).

Over-relaxation: the microcanonical reflection about the exact local field
needs the full field, O(N) per site for a long-range kernel; we know no
cheap exact way to get it (maintaining all fields costs O(N) per accepted
move).  What is offered instead is exact but not microcanonical: reflect
about the *near* field (plus hext), ``s' = 2 (s.h)h/h^2 - s``, an involution
with unit Jacobian that leaves the near energy unchanged, and accept it with
the far clock filter.  For short-range kernels (far set empty) it is the
standard energy-conserving over-relaxation, always accepted.

Random numbers: the fixed-count ones (Gaussian proposals, one uniform per
site for the near factor) are pre-drawn by the driver; the variable number
the clock events need comes from a xoshiro256** stream whose 256-bit state
the driver draws from its own Generator for every sweep, so a run is a
function of the driver's generator alone and resumes bit-identically.
"""

from __future__ import annotations

import weakref

import numba as nb
import numpy as np

#: displacements with |d|^2 <= NEAR_R2 (lattice units) form the near set of a long-range kernel
NEAR_R2 = 3
#: edges (x, y, z) of the boxes of far displacements ((1, 1, 1) = the pairwise clock filter).  A box
#: whose members sum to a small dE_B (cancellations) rejects less, so larger boxes raise the acceptance
#: at a given width; the early decision sums about half a box per event, and boxes long along z read
#: spins that are consecutive in memory.  Measured (bl6, Poisson 0.3, T = 0.115, width tuned to
#: acceptance 0.3, mobility = acceptance x width^2, the per-sweep spin diffusion; CPU time per sweep
#: against the sampler before the early decision, in the same run, 2-3 runs on a shared machine):
#:   L = 32  (2,2,2): 0.55-0.58x the time per sweep, mobility 1.0x;  (1,1,16): 0.63-0.68x, 1.34x;
#:           (1,2,16): 0.86-0.98x, 2.3x;  per CPU-s (1,1,32) and (2,2,16) were within 10 % of (1,2,16)
#:   L = 16  (1,1,16): 0.71x, 1.8x;  (1,2,16): 1.08x, 3.2x
#: (1,1,16) is the default: cheaper sweeps and more mobility per sweep at once; (1,2,16) gives 10-25 %
#: more mobility per CPU-second at the cost per sweep of the old sampler.  Earlier (before the early
#: decision), cubes of edge 2 gave 2.4x (T = 0.115) and 6x (T = 0.23) the acceptance x width^2 per
#: CPU-second of edge 1.  With the early decision (L = 32, width 0.26): cubes of edge 1, 2, 3, 4 gave
#: acceptance 0.065, 0.28, 0.43, 0.52 and 0.039, 0.124, 0.106, 0.077 per CPU-second; near_r2 = 8 or 12
#: (92 or 178 exact neighbours) took only 6-13 % off the far weight and lost 20-33 %.
BOX_SHAPE = (1, 1, 16)
#: a kernel whose non-negligible couplings all lie within |d|^2 <= SHORT_RANGE_R2 is short-range (no
#: far set: every field exact); a property of the kernel, not of L, so that small lattices of a
#: long-range model run the same algorithm as large ones
SHORT_RANGE_R2 = 4


def _coupling_norms(jr):
    """Spectral norms ||J(d)|| of the couplings (self term zeroed), squared
    minimum-image distances |d|^2, and which couplings are non-negligible
    (above 1e-12 of the largest).  Displacement d means site j = i + d; the
    coupling in h_i is J(r_i - r_j) = jr[-d mod L], the entry the dense
    reference kernel reads."""
    L = jr.shape[0]
    n = jr.shape[-1]
    norms = np.linalg.norm(jr.reshape(-1, n, n), ord=2, axis=(-2, -1)).reshape(L, L, L)
    norms[0, 0, 0] = 0.0
    d1 = np.arange(L)
    dx, dy, dz = np.meshgrid(d1, d1, d1, indexing="ij")
    mi = lambda a: np.where(a > L // 2, a - L, a)  # noqa: E731 (minimum image)
    r2 = mi(dx) ** 2 + mi(dy) ** 2 + mi(dz) ** 2
    tiny = 1e-12 * norms.max() if norms.max() > 0 else 0.0
    return norms, r2, norms > tiny


def is_short_range(jr) -> bool:
    """Whether every non-negligible coupling lies within |d|^2 <= SHORT_RANGE_R2
    (what :class:`LocalTables` decides, without building its tables)."""
    _, r2, significant = _coupling_norms(jr)
    return bool(np.all(r2[significant] <= SHORT_RANGE_R2))


class LocalTables:
    """Sparse couplings of one kernel: near list, far boxes, alias table."""

    def __init__(self, jr, near_r2=NEAR_R2, box_edge=BOX_SHAPE, short_range=None, packed=None):
        """``box_edge``: the box edges (x, y, z), or one edge for cubes.
        ``packed``: keep the far couplings as the 21 upper-triangle entries
        (:func:`pack_symmetric`); None = when n = 6 and every far coupling is
        exactly symmetric (bl6, coupled-blocks), which a False overrides."""
        L = jr.shape[0]
        norms, r2, significant = _coupling_norms(jr)
        self.short_range = bool(np.all(r2[significant] <= SHORT_RANGE_R2)) if short_range is None else bool(short_range)
        if self.short_range:
            near = significant
            far = np.zeros_like(near)
        else:
            near = (r2 <= near_r2) & (norms > 0)
            far = (~near) & (norms > 0)
        near[0, 0, 0] = far[0, 0, 0] = False

        def rows(mask, order=None):
            idx = np.argwhere(mask)
            if order is not None:
                idx = idx[np.lexsort(order(idx)[::-1])]
            mats = jr[(-idx[:, 0]) % L, (-idx[:, 1]) % L, (-idx[:, 2]) % L]
            return np.ascontiguousarray(idx.astype(np.int64)), np.ascontiguousarray(mats), norms[tuple(idx.T)]

        self.near_off, self.near_j, _ = rows(near)
        bx, by, bz = (max(int(e), 1) for e in ((box_edge,) * 3 if np.ndim(box_edge) == 0 else box_edge))

        def box_key(idx):
            # within a box, members by decreasing norm (the early decision of _box_rejects)
            m = np.where(idx > L // 2, idx - L, idx) + L // 2
            return [m[:, 0] // bx, m[:, 1] // by, m[:, 2] // bz, -norms[tuple(idx.T)]]
        self.far_off, self.far_j, far_w = rows(far, box_key)
        self.far_rest = np.zeros(len(self.far_off))
        if len(self.far_off):
            keys = np.stack(box_key(self.far_off)[:3], axis=1)
            new_box = np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)]
            starts = np.flatnonzero(new_box)
            self.box_start = np.r_[starts, len(keys)].astype(np.int64)
            self.box_w = np.add.reduceat(far_w, starts)
            for lo, hi in zip(starts, self.box_start[1:]):
                # bound on what the members after k can add: sum of their norms
                self.far_rest[lo:hi] = np.r_[np.cumsum(far_w[lo:hi][::-1])[::-1][1:], 0.0]
        else:
            self.box_start = np.zeros(1, np.int64)
            self.box_w = np.zeros(0)
        self.far_total = float(self.box_w.sum())
        n = jr.shape[-1]
        symmetric = n == 6 and np.array_equal(self.far_j, self.far_j.transpose(0, 2, 1))
        if packed and not symmetric:
            raise ValueError("packed far couplings need n = 6 and exactly symmetric J")
        self.packed = bool(len(self.far_off)) and symmetric and packed is not False
        self.far_p = pack_symmetric(self.far_j) if self.packed else np.zeros((0, 21))
        self.far = (self.far_off, self.far_j, self.far_rest, self.box_start, self.box_w, self.far_p)
        self.alias_prob, self.alias_idx = walker_alias(self.box_w)
        self.L = L

    def __repr__(self):
        return (f"LocalTables(L={self.L}, near={len(self.near_off)}, far={len(self.far_off)}, "
                f"boxes={len(self.box_w)}, far_total={self.far_total:.4g}, packed={self.packed})")


#: the off-diagonal pairs (a < b) of a 6 x 6 matrix, in the order of :func:`pack_symmetric`'s columns 6..20
PACKED_PAIRS = tuple((a, b) for a in range(6) for b in range(a + 1, 6))


def pack_symmetric(mats):
    """Symmetric 6 x 6 matrices (m, 6, 6) as (m, 21): the diagonal, then the
    pairs of :data:`PACKED_PAIRS`.  ``ds.J.s = sum_a J_aa ds_a s_a +
    sum_{a<b} J_ab (ds_a s_b + ds_b s_a)`` reads 21 numbers instead of 36:
    a bl6 sweep at L = 32 took 0.85-0.94x the time (the reads of the far boxes,
    scattered through a table larger than the cache, dominate; single
    precision on top gained nothing more; see the module docstring)."""
    cols = [mats[:, a, a] for a in range(6)] + [mats[:, a, b] for a, b in PACKED_PAIRS]
    return np.ascontiguousarray(np.stack(cols, axis=1))


def walker_alias(weights):
    """Walker's alias table (Vose's construction): draw k with probability
    w_k / sum w from one uniform u: x = u K, k = floor(x), keep k if
    x - k < prob[k] else alias[k]."""
    w = np.asarray(weights, float)
    K = w.size
    prob = np.ones(K)
    alias = np.arange(K, dtype=np.int64)
    if K == 0 or w.sum() <= 0:
        return prob, alias
    q = w * K / w.sum()
    small = [k for k in range(K) if q[k] < 1.0]
    large = [k for k in range(K) if q[k] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        prob[s] = q[s]
        alias[s] = g
        q[g] -= 1.0 - q[s]
        (small if q[g] < 1.0 else large).append(g)
    return prob, alias


_CACHE: dict = {}


def tables_for(kernel, near_r2=NEAR_R2, box_edge=BOX_SHAPE) -> LocalTables:
    """The tables of ``kernel``, built once and kept while its ``jr`` lives."""
    key = (id(kernel.jr), near_r2, box_edge)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is kernel.jr:
        return hit[1]
    tab = LocalTables(kernel.jr, near_r2, box_edge)
    _CACHE[key] = (weakref.ref(kernel.jr), tab)
    weakref.finalize(kernel.jr, _CACHE.pop, key, None)
    return tab


def stream_seed(rng: np.random.Generator) -> np.ndarray:
    """256-bit xoshiro state for one sweep, drawn from the driver's generator."""
    s = rng.integers(0, np.iinfo(np.uint64).max, size=4, dtype=np.uint64, endpoint=True)
    if not s.any():
        s[0] = 1
    return s


@nb.njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@nb.njit(cache=True, inline="always")
def _next_uniform(st):
    """xoshiro256** (Blackman & Vigna): a uniform double in [0, 1) from the
    top 53 bits; ``st`` (4 x uint64) is advanced in place."""
    result = _rotl(st[1] * np.uint64(5), 7) * np.uint64(9)
    t = st[1] << np.uint64(17)
    st[2] ^= st[0]
    st[3] ^= st[1]
    st[1] ^= st[2]
    st[0] ^= st[3]
    st[2] ^= t
    st[3] = _rotl(st[3], 45)
    return float(result >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True)
def _site(i, L):
    return i // (L * L), (i // L) % L, i % L


@nb.njit(cache=True, inline="always")
def _wrap(x, L):
    """``x mod L`` for 0 <= x < 2L (offsets are stored in [0, L)): a compare
    instead of an integer division."""
    return x - L if x >= L else x


@nb.njit(cache=True, inline="always")
def near_field(i, spins, L, near_off, near_j, out):
    """``out = sum_{j in near(i)} J(r_i - r_j) s_j``."""
    n = spins.shape[1]
    xi, yi, zi = _site(i, L)
    for a in range(n):
        out[a] = 0.0
    for k in range(near_off.shape[0]):
        j = (_wrap(xi + near_off[k, 0], L) * L + _wrap(yi + near_off[k, 1], L)) * L + _wrap(zi + near_off[k, 2], L)
        if n == 6:
            s0, s1, s2, s3, s4, s5 = spins[j, 0], spins[j, 1], spins[j, 2], spins[j, 3], spins[j, 4], spins[j, 5]
            for a in range(6):
                out[a] += ((near_j[k, a, 0] * s0 + near_j[k, a, 1] * s1) + (near_j[k, a, 2] * s2 + near_j[k, a, 3] * s3)
                           + (near_j[k, a, 4] * s4 + near_j[k, a, 5] * s5))
        else:
            for a in range(n):
                acc = 0.0
                for b in range(n):
                    acc += near_j[k, a, b] * spins[j, b]
                out[a] += acc


@nb.njit(cache=True)
def _box_energy(i, ds, spins, L, far_off, far_j, lo, hi):
    """``dE_B = -ds . sum_{j in B} J(r_i - r_j) s_j`` for the displacements lo..hi-1."""
    n = spins.shape[1]
    xi, yi, zi = _site(i, L)
    de = 0.0
    for k in range(lo, hi):
        j = (_wrap(xi + far_off[k, 0], L) * L + _wrap(yi + far_off[k, 1], L)) * L + _wrap(zi + far_off[k, 2], L)
        for a in range(n):
            acc = 0.0
            for b in range(n):
                acc += far_j[k, a, b] * spins[j, b]
            de -= ds[a] * acc
    return de


@nb.njit(cache=True, inline="always")
def _box_rejects(xi, yi, zi, ds, dsnorm, threshold, spins, L, far, kb, counters):
    """Whether ``dE_B > threshold`` for box ``kb``, deciding as soon as the
    members not yet summed cannot change the answer: after the partial sum
    P, the rest lies within ``+- |ds| far_rest[k]`` (each member's
    |ds.J s_j| <= |ds| ||J||), so ``P - R > threshold`` means yes and
    ``P + R <= threshold`` means no.  Members are stored by decreasing norm,
    so R falls fastest; half a box or less is summed on average.  The
    answer is the one the full sum gives (up to rounding at the 1e-16
    level); only its cost changes.  ``counters[1]`` counts members summed."""
    far_off, far_j, far_rest, box_start, far_p = far[0], far[1], far[2], far[3], far[5]
    n = spins.shape[1]
    packed = far_p.shape[0] > 0
    if packed:
        d0, d1, d2, d3, d4, d5 = ds[0], ds[1], ds[2], ds[3], ds[4], ds[5]
    de = 0.0
    for k in range(box_start[kb], box_start[kb + 1]):
        j = (_wrap(xi + far_off[k, 0], L) * L + _wrap(yi + far_off[k, 1], L)) * L + _wrap(zi + far_off[k, 2], L)
        if packed:   # symmetric 6 x 6 couplings (pack_symmetric): unrolled, with independent partial sums
            s0, s1, s2, s3, s4, s5 = spins[j, 0], spins[j, 1], spins[j, 2], spins[j, 3], spins[j, 4], spins[j, 5]
            q = far_p[k]
            de -= (((q[0] * d0 * s0 + q[1] * d1 * s1) + (q[2] * d2 * s2 + q[3] * d3 * s3)
                    + (q[4] * d4 * s4 + q[5] * d5 * s5))
                   + ((q[6] * (d0 * s1 + d1 * s0) + q[7] * (d0 * s2 + d2 * s0))
                      + (q[8] * (d0 * s3 + d3 * s0) + q[9] * (d0 * s4 + d4 * s0))
                      + (q[10] * (d0 * s5 + d5 * s0) + q[11] * (d1 * s2 + d2 * s1)))
                   + ((q[12] * (d1 * s3 + d3 * s1) + q[13] * (d1 * s4 + d4 * s1))
                      + (q[14] * (d1 * s5 + d5 * s1) + q[15] * (d2 * s3 + d3 * s2))
                      + (q[16] * (d2 * s4 + d4 * s2) + q[17] * (d2 * s5 + d5 * s2)))
                   + ((q[18] * (d3 * s4 + d4 * s3) + q[19] * (d3 * s5 + d5 * s3)) + q[20] * (d4 * s5 + d5 * s4)))
        else:
            for a in range(n):
                acc = 0.0
                for b in range(n):
                    acc += far_j[k, a, b] * spins[j, b]
                de -= ds[a] * acc
        counters[1] += 1
        rest = dsnorm * far_rest[k]
        if de - rest > threshold:
            return True
        if de + rest <= threshold:
            return False
    return de > threshold


@nb.njit(cache=True, inline="always")
def _far_filter(i, ds, dsnorm, spins, L, far, alias_prob, alias_idx, far_total, beta, st, counters):
    """The clock part of the factorised filter: True if no bound event
    rejects.  Events come at total rate ``beta |ds| far_total`` on [0, 1];
    each picks box B with probability w_B/far_total (alias table) and
    rejects with probability max(0, dE_B)/lambda_B, i.e. when
    ``dE_B > u lambda_B`` for a fresh uniform u.  ``counters[0]`` counts
    bound events."""
    rate = beta * dsnorm * far_total
    if rate <= 0.0:
        return True
    box_w = far[4]
    nbox = box_w.shape[0]
    xi, yi, zi = _site(i, L)
    t = 0.0
    while True:
        t -= np.log(1.0 - _next_uniform(st)) / rate
        if t > 1.0:
            return True
        x = _next_uniform(st) * nbox
        k = int(x)
        if k >= nbox:
            k = nbox - 1
        if x - k >= alias_prob[k]:
            k = alias_idx[k]
        counters[0] += 1
        threshold = _next_uniform(st) * dsnorm * box_w[k]
        if _box_rejects(xi, yi, zi, ds, dsnorm, threshold, spins, L, far, k, counters):
            return False


@nb.njit(cache=True)
def local_sweep(spins, L, near_off, near_j, far, alias_prob, alias_idx, far_total, hext, beta, delta, gauss,
                uniforms, st, counters):
    """One sequential Metropolis sweep (sites 0..N-1) with the proposal
    ``s' = (s + delta xi)/|s + delta xi|`` (symmetric, as in the dense
    reference) and the factorised filter described in the module docstring.
    Returns the number of accepted moves."""
    nsite, n = spins.shape
    h = np.empty(n)
    new = np.empty(n)
    ds = np.empty(n)
    acc = 0
    for i in range(nsite):
        norm = 0.0
        for a in range(n):
            new[a] = spins[i, a] + delta * gauss[i, a]
            norm += new[a] * new[a]
        norm = np.sqrt(norm)
        dsn = 0.0
        for a in range(n):
            new[a] /= norm
            ds[a] = new[a] - spins[i, a]
            dsn += ds[a] * ds[a]
        dsn = np.sqrt(dsn)
        near_field(i, spins, L, near_off, near_j, h)
        de = 0.0
        for a in range(n):
            de -= ds[a] * (h[a] + hext[a])
        if de > 0.0 and uniforms[i] >= np.exp(-beta * de):
            continue
        if far_total > 0.0 and not _far_filter(i, ds, dsn, spins, L, far, alias_prob, alias_idx, far_total, beta, st,
                                                counters):
            continue
        for a in range(n):
            spins[i, a] = new[a]
        acc += 1
    return acc


@nb.njit(cache=True)
def overrelax_sweep(spins, L, near_off, near_j, far, alias_prob, alias_idx, far_total, hext, beta, st,
                    counters):
    """One sequential sweep of reflections about the near field plus hext
    (exact microcanonical over-relaxation when the far set is empty; else
    accepted by the far clock filter).  Returns the number accepted."""
    nsite, n = spins.shape
    h = np.empty(n)
    ds = np.empty(n)
    acc = 0
    for i in range(nsite):
        near_field(i, spins, L, near_off, near_j, h)
        hh = 0.0
        sh = 0.0
        for a in range(n):
            h[a] += hext[a]
            hh += h[a] * h[a]
            sh += h[a] * spins[i, a]
        if hh == 0.0:
            continue
        dsn = 0.0
        for a in range(n):
            ds[a] = 2.0 * sh * h[a] / hh - 2.0 * spins[i, a]
            dsn += ds[a] * ds[a]
        dsn = np.sqrt(dsn)
        if far_total > 0.0 and not _far_filter(i, ds, dsn, spins, L, far, alias_prob, alias_idx, far_total, beta, st,
                                                counters):
            continue
        for a in range(n):
            spins[i, a] += ds[a]
        acc += 1
    return acc


@nb.njit(cache=True)
def sparse_field(i, spins, L, near_off, near_j, far_off, far_j):
    """The exact local field from the sparse tables, near plus every far
    displacement (O(N n^2); for tests and diagnostics, not for sampling)."""
    n = spins.shape[1]
    h = np.empty(n)
    near_field(i, spins, L, near_off, near_j, h)
    xi, yi, zi = _site(i, L)
    for k in range(far_off.shape[0]):
        j = (((xi + far_off[k, 0]) % L) * L + (yi + far_off[k, 1]) % L) * L + (zi + far_off[k, 2]) % L
        for a in range(n):
            for b in range(n):
                h[a] += far_j[k, a, b] * spins[j, b]
    return h


@nb.njit(cache=True)
def site_energy_change(i, new, spins, L, near_off, near_j, far_off, far_j, hext):
    """Exact ``E(s_i -> new) - E`` from the sparse tables: near factor plus
    every far box, the sum of the energy terms the factorised filter uses."""
    n = spins.shape[1]
    h = np.empty(n)
    near_field(i, spins, L, near_off, near_j, h)
    ds = np.empty(n)
    de = 0.0
    for a in range(n):
        ds[a] = new[a] - spins[i, a]
        de -= ds[a] * (h[a] + hext[a])
    return de + _box_energy(i, ds, spins, L, far_off, far_j, 0, far_off.shape[0])


@nb.njit(cache=True)
def fill_uniforms(st, out):
    """Draw ``out.size`` uniforms from the xoshiro256** stream ``st`` (tests)."""
    for k in range(out.shape[0]):
        out[k] = _next_uniform(st)


def sweep(spins, tables: LocalTables, hext, beta, delta, gauss, uniforms, seed, overrelax: int = 0):
    """Driver helper: one Metropolis sweep then ``overrelax`` reflection
    sweeps, all drawing clock events from one stream seeded with ``seed``.
    Returns (accepted Metropolis moves, accepted reflections, counters:
    bound events, box members summed)."""
    t = tables
    st = np.array(seed, dtype=np.uint64)
    counters = np.zeros(2, np.int64)
    acc = local_sweep(spins, t.L, t.near_off, t.near_j, t.far, t.alias_prob, t.alias_idx, t.far_total, hext,
                      beta, delta, gauss, uniforms, st, counters)
    acc_or = 0
    for _ in range(overrelax):
        acc_or += overrelax_sweep(spins, t.L, t.near_off, t.near_j, t.far, t.alias_prob, t.alias_idx,
                                  t.far_total, hext, beta, st, counters)
    return acc, acc_or, counters
