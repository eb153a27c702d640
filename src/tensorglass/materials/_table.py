"""Materials: the built-in table (with provenance) and users' own files.

Velocities are stored as given (km/s) and densities in g/cm^3.  The core
needs only ``alpha = 1 - c_t^2/c_l^2``; conversion to core units happens in
:meth:`Material.elasticity` (``rho c_t^2 = 1``).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import MaterialsFileError, UnknownMaterialError
from ..tensors import IsotropicElasticity, check_velocities


@dataclass(frozen=True)
class Material:
    """One glass.  ``c_t`` or ``rho`` may be ``None`` when the source lacks them."""

    name: str
    c_l: float
    c_t: float | None = None
    rho: float | None = None
    gamma_l: float | None = None
    gamma_t: float | None = None
    source: str = "user"
    in_002_table1: bool = False
    in_003_table: bool = False
    in_001_table: bool = False
    gamma_from_K3: bool = False

    @property
    def has_velocities(self) -> bool:
        return self.c_t is not None

    def elasticity(self) -> IsotropicElasticity:
        if self.c_t is None:
            raise UnknownMaterialError("c_t", None, f"a transverse velocity for {self.name}",
                                       "the source gives none; pass --ct explicitly")
        return IsotropicElasticity(self.c_l, self.c_t, self.rho if self.rho else 1.0)

    @property
    def alpha(self) -> float:
        return self.elasticity().alpha

    @property
    def velocity_ratio(self) -> float:
        return self.elasticity().velocity_ratio

    @property
    def gamma_ratio_measured(self) -> float | None:
        if self.gamma_l is None or self.gamma_t is None:
            return None
        return self.gamma_l / self.gamma_t


def _num(x: str | None):
    if x is None:
        return None
    x = x.strip()
    return float(x) if x else None


def _parse(text: str, origin: str, strict_velocities: bool) -> list[Material]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise MaterialsFileError(f"materials file {origin}: no rows; need a header 'name,c_l,c_t[,rho]' and one row per material")
    try:
        table = list(csv.reader(io.StringIO("\n".join(lines)), strict=True))
    except csv.Error as exc:
        raise MaterialsFileError(f"materials file {origin}: not valid CSV ({exc}); check for an unbalanced "
                                 "quote (\") or a stray control character") from None
    fields = [f.strip() for f in (table[0] if table else [])]
    missing = {"name", "c_l"} - set(fields)
    if missing:
        raise MaterialsFileError(
            f"materials file {origin}: header {','.join(fields)!r} lacks {sorted(missing)}; need 'name,c_l,c_t[,rho]'")
    dup_fields = sorted({f for f in fields if fields.count(f) > 1})
    if dup_fields:
        raise MaterialsFileError(f"materials file {origin}: header repeats {dup_fields}; give each column once")
    if len(table) < 2:
        raise MaterialsFileError(f"materials file {origin}: a header and no materials; add one row per material "
                                 "below the header, e.g. 'BK7,6.2,3.8'")
    out = []
    for lineno, cells in enumerate(table[1:], start=2):
        if strict_velocities and len(cells) != len(fields):
            raise MaterialsFileError(f"materials file {origin}, data row {lineno}: {len(cells)} fields, the header "
                                     f"has {len(fields)}; check commas and quotes")
        row = {k: (cells[j].strip() if j < len(cells) else None) for j, k in enumerate(fields)}
        try:
            c_l = _num(row.get("c_l"))
            c_t = _num(row.get("c_t"))
            rho = _num(row.get("rho"))
            g_l = _num(row.get("gamma_l"))
            g_t = _num(row.get("gamma_t"))
        except ValueError as exc:
            raise MaterialsFileError(f"materials file {origin}, data row {lineno}: {exc}; numbers must be plain decimals") from None
        name = row.get("name") or ""
        if not name:
            raise MaterialsFileError(f"materials file {origin}, data row {lineno}: empty name")
        if c_l is None or (strict_velocities and c_t is None):
            raise MaterialsFileError(f"materials file {origin}, row {name!r}: c_l and c_t are required (km/s)")
        try:
            if strict_velocities:
                from .._validate import density, velocities
                velocities(c_l, c_t, ("c_l", "c_t"))
                if rho is not None:
                    density(rho, "rho")
            if c_t is not None:
                check_velocities(c_l, c_t)
            elif not (math.isfinite(c_l) and c_l > 0):
                raise UnknownMaterialError("c_l", c_l, "c_l > 0")
            if rho is not None and not (math.isfinite(rho) and rho > 0):
                raise UnknownMaterialError("rho", rho, "rho > 0 (g/cm^3)")
        except ValueError as exc:
            raise MaterialsFileError(f"materials file {origin}, row {name!r}: {exc}") from None
        out.append(Material(
            name=name, c_l=c_l, c_t=c_t, rho=rho, gamma_l=g_l, gamma_t=g_t,
            source=row.get("source") or f"user file {origin}",
            in_002_table1=row.get("in_002_table1") == "1", in_003_table=row.get("in_003_table") == "1",
            in_001_table=row.get("in_001_table") == "1", gamma_from_K3=row.get("gamma_from_K3") == "1"))
    names = [m.name for m in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise MaterialsFileError(f"materials file {origin}: duplicate names {sorted(dup)}")
    return out


def builtin_materials() -> list[Material]:
    """All built-in glasses, in the order of 002 Table 1."""
    text = resources.files("tensorglass.materials").joinpath("data/glasses.csv").read_text()
    return _parse(text, "builtin glasses.csv", strict_velocities=False)


def load_materials_file(path) -> list[Material]:
    """Read a user's CSV file with header ``name,c_l,c_t[,rho]`` (km/s, g/cm^3).

    Raises :class:`MaterialsFileError` with the file, row and reason when it is
    malformed.
    """
    from .._validate import input_file, path_name
    p = Path(path_name(path, "--materials-file"))
    if p.exists():  # a FIFO, device or folder is refused at once (reading a FIFO blocks forever)
        input_file(p, "--materials-file", "give a CSV file with header name,c_l,c_t[,rho]")
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise MaterialsFileError(f"materials file {p}: cannot read ({exc.__class__.__name__}: {exc})") from None
    return _parse(text, str(p), strict_velocities=True)


def get_material(name: str, table: list[Material] | None = None) -> Material:
    """Look a material up by name (case-insensitive)."""
    table = builtin_materials() if table is None else table
    for m in table:
        if m.name.lower() == str(name).lower():
            return m
    raise UnknownMaterialError(
        "material", name, "one of " + ", ".join(m.name for m in table),
        "or give the velocities with --cl/--ct")
