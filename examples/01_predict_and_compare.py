"""Predictions for a user's glass, and where it sits among the built-in ones.

Run: python examples/01_predict_and_compare.py
"""

from tensorglass.materials import builtin_materials
from tensorglass.predict import predict

mine = predict(c_l=5.2, c_t=3.1, name="my glass")
print(f"{'material':12s} {'c_l/c_t':>8s} {'e_crit(1)':>9s} {'e_crit(2)':>9s} {'J_c/J_s':>8s}  ordering")
rows = [mine] + [predict(m.c_l, m.c_t, name=m.name) for m in builtin_materials() if m.has_velocities]
for p in rows:
    cs = p["critical_strains"]
    print(f"{p['material']:12s} {p['gamma_ratio']:8.3f} {cs['dilation']:9.3f} {cs['yy_minus_zz']:9.3f} "
          f"{p['j_compr_over_j_shear']:8.3f}  {p['mean_field_order']}")
