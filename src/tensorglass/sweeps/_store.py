"""The sweep store: a directory holding the spec, one atomically written
JSON record per finished point, and the assembled self-describing dataset.

    STORE/spec.json          the canonical spec (a changed spec is refused)
    STORE/points/NNNNNNN.json  {index, params, seed, status, result, error, tensorglass_version, elapsed_s}
    STORE/dataset.nc         xarray dataset (NetCDF4 via h5netcdf), rebuilt after each run

A worker killed mid-task, or Ctrl-C, loses only the points in flight: every
other point's record is complete on disk.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from .. import __version__
from .._atomic import atomic_write_text
from ._compute import OUTPUTS, WITH_ERRORS
from ._spec import SpecError, SweepSpec, parse_spec


class SweepStore:
    def __init__(self, path):
        self.path = Path(path)
        self.points_dir = self.path / "points"
        self.spec_file = self.path / "spec.json"

    # ---- spec --------------------------------------------------------
    def initialise(self, spec: SweepSpec, force: bool = False) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise SpecError(f"--store = {str(self.path)!r} is a file; need a directory")
        if self.spec_file.exists():
            stored = json.loads(self.spec_file.read_text())
            if stored["canonical"] != spec.canonical():
                if not force:
                    old = json.loads(stored["canonical"])
                    new = json.loads(spec.canonical())  # same key order as old
                    diff = sorted(k for k in new if old.get(k) != new.get(k))
                    raise SpecError(f"store {self.path} holds a different sweep (differs in: {', '.join(diff)}); "
                                    "use --force to discard its points, or choose another --store")
                shutil.rmtree(self.points_dir, ignore_errors=True)
                (self.path / "dataset.nc").unlink(missing_ok=True)
            else:
                self.points_dir.mkdir(parents=True, exist_ok=True)
                return
        try:
            self.points_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.spec_file, json.dumps({
                "canonical": spec.canonical(), "created_by": f"tensorglass {__version__}",
                "n_points": len(spec.points()), "shape": list(spec.shape())}, indent=1))
        except OSError as exc:
            raise SpecError(f"--store = {str(self.path)!r} is not writable ({exc.strerror})") from None

    def spec(self) -> SweepSpec:
        if not self.spec_file.exists():
            raise SpecError(f"{self.path} is not a sweep store (no spec.json)")
        return parse_spec(json.loads(json.loads(self.spec_file.read_text())["canonical"]), str(self.spec_file))

    # ---- points ------------------------------------------------------
    def _file(self, index: int) -> Path:
        return self.points_dir / f"{index:07d}.json"

    def write_point(self, index: int, record: dict) -> None:
        atomic_write_text(self._file(index), json.dumps(record, allow_nan=True))

    def records(self) -> dict:
        out = {}
        if self.points_dir.exists():
            for f in self.points_dir.glob("*.json"):
                try:
                    rec = json.loads(f.read_text())
                    out[int(rec["index"])] = rec
                except (ValueError, KeyError):
                    continue  # cannot happen with atomic writes; treated as missing
        return out

    def finished(self) -> set:
        return {i for i, r in self.records().items() if r.get("status") == "ok"}

    def status(self) -> dict:
        spec = self.spec()
        recs = self.records()
        n = len(spec.points())
        ok = sum(1 for r in recs.values() if r["status"] == "ok")
        failed = sum(1 for r in recs.values() if r["status"] == "failed")
        return {"store": str(self.path), "compute": spec.compute, "points": n, "done": ok, "failed": failed,
                "missing": n - ok - failed,
                "errors": sorted({r.get("error", "") for r in recs.values() if r["status"] == "failed"})[:5]}

    # ---- dataset -----------------------------------------------------
    def dataset(self):
        """The sweep as one xarray Dataset: grid as coordinates, every output
        (with ``*_error`` where it has one) with its units, and per point the
        status, seed, package version and elapsed time."""
        import xarray as xr
        spec = self.spec()
        recs = self.records()
        points = spec.points()
        seeds = spec.seeds()
        shape = spec.shape()
        names = list(spec.grid)
        if spec.combine == "zip":
            dims = ("point",)
            coords = {"point": np.arange(len(points))}
            coords.update({n: ("point", spec.grid[n]) for n in names})
        else:
            dims = tuple(names)
            coords = {n: spec.grid[n] for n in names}
        outputs = []
        for o in spec.outputs:
            outputs.append(o)
            if spec.compute != "predict" and o in WITH_ERRORS:
                outputs.append(o + "_error")
        data = {o: np.full(len(points), np.nan) for o in outputs}
        status = np.array(["missing"] * len(points), dtype=object)
        version = np.array([""] * len(points), dtype=object)
        elapsed = np.full(len(points), np.nan)
        for i, rec in recs.items():
            status[i] = rec["status"]
            version[i] = rec.get("tensorglass_version", "")
            elapsed[i] = rec.get("elapsed_s", np.nan)
            if rec["status"] == "ok":
                for o in outputs:
                    v = rec["result"].get(o)
                    data[o][i] = np.nan if v is None else float(v)
        variables = {}
        units = OUTPUTS[spec.compute]
        for o in outputs:
            base = o[:-6] if o.endswith("_error") else o
            name = o.replace(".", "__")
            attrs = {"units": units.get(base, "1"), "long_name": o}
            if o.endswith("_error"):
                attrs["description"] = f"one-sigma error of {base} (autocorrelation-corrected)"
            elif o.startswith("critical_"):
                attrs["description"] = "NaN where no sign change occurs below eccentricity 1"
            variables[name] = (dims, data[o].reshape(shape), attrs)
        variables["status"] = (dims, status.astype(str).reshape(shape), {"description": "ok, failed or missing"})
        variables["seed"] = (dims, np.array(seeds, dtype=np.int64).reshape(shape),
                             {"description": "per-point seed from numpy SeedSequence(spec seed).spawn"})
        variables["tensorglass_version"] = (dims, version.astype(str).reshape(shape), {})
        variables["elapsed_s"] = (dims, elapsed.reshape(shape), {"units": "s"})
        ds = xr.Dataset(variables, coords=coords)
        ds.attrs.update({"title": f"tensorglass sweep ({spec.compute})", "spec": spec.canonical(),
                         "fixed_parameters": json.dumps(spec.fixed), "sweep_seed": spec.seed,
                         "tensorglass_version": __version__, "combine": spec.combine})
        return ds

    def collect(self, to) -> Path:
        """Write the dataset atomically to ``to`` (``.nc`` NetCDF or ``.csv``)."""
        to = Path(to)
        ds = self.dataset()
        if to.suffix == ".csv":
            atomic_write_text(to, ds.to_dataframe().reset_index().to_csv(index=False))
        elif to.suffix in (".nc", ".nc4", ".netcdf"):
            import os
            import tempfile
            fd, tmp = tempfile.mkstemp(prefix=f".{to.name}.", suffix=".tmp", dir=to.parent)
            os.close(fd)
            try:
                ds.to_netcdf(tmp, engine="h5netcdf")
                os.replace(tmp, to)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        else:
            raise SpecError(f"--to = {str(to)!r}: need a .nc or .csv file name")
        return to
