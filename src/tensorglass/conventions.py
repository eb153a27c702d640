"""The one internal convention for 6-vectors and the one internal unit system.

Units
-----
The core computes in reduced units:

* stresses, elastic moduli and inverse susceptibilities are in units of
  ``rho * c_t**2`` (the shear modulus ``mu``); so ``mu = 1`` inside the core;
* lengths enter only through ``ell = ln(R / L1)``;
* the Bevzenko-Lubchenko model uses energies in units of its coupling ``J``
  (or of ``k_B T`` where stated) with ``k_B = 1`` and ``a**3 = 1``.

Materials data in km/s and g/cm^3 are converted once, where they enter
(:mod:`tensorglass.materials`).  Every dimensionless result depends on the
sound velocities only through ``alpha = 1 - c_t**2 / c_l**2`` (AUDIT.md
"Units").

6-vectors
---------
Internally a symmetric tensor ``t_ij`` is the orthonormal Mandel vector

    (t_xx, t_yy, t_zz, sqrt(2) t_yz, sqrt(2) t_xz, sqrt(2) t_xy)

in the component order of 004 Eq. (A1).  With this choice the double
contraction ``a_ij b_ij`` is the dot product, a fourth-order tensor with minor
symmetries is a symmetric 6x6 matrix, and tensor contraction (``C_ijmn D_mnkl``)
is the matrix product.  Converters to the papers' notations live in
:mod:`tensorglass.tensors`:

* Zhou (seeds 000-003): order (xx, xy, xz, yy, yz, zz), no weights;
* Bevzenko-Lubchenko: Mandel (A1) and the rescaled basis (A3).
"""

#: Component order of the internal Mandel vector, as index pairs.
MANDEL_PAIRS = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))
#: Weight of each Mandel component.
MANDEL_WEIGHTS = (1.0, 1.0, 1.0, 2.0**0.5, 2.0**0.5, 2.0**0.5)
#: Zhou's 6x6 index order (000 Eq. 3.7; 001 below Eq. 3.7), no weights.
ZHOU_PAIRS = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
ZHOU_LABELS = ("xx", "xy", "xz", "yy", "yz", "zz")
MANDEL_LABELS = ("xx", "yy", "zz", "yz", "xz", "xy")
