"""The sweep store: a directory holding the spec, one atomically written
JSON record per finished point, and the assembled self-describing dataset.

    STORE/spec.json          the canonical spec (a changed spec is refused)
    STORE/points/NNNNNNN.json  {format, index, spec_hash, params, fixed, seed, status, result | error,
                                tensorglass_version, elapsed_s, checksum}
    STORE/dataset.nc         xarray dataset (NetCDF4 via h5netcdf), rebuilt after each run

A worker killed mid-task, or Ctrl-C, loses only the points in flight: every
other point's record is complete on disk.

A different spec run into an existing store with ``--force`` never touches
the store's points until it is complete: it runs in the hidden sub-store
``STORE/.replacement-HASH/`` (resumable, like any store) and replaces the
old sweep only when every one of its points is done (:meth:`SweepStore.promote`).
A crash during that swap is finished or undone on the next use of the store
(:meth:`SweepStore.recover`): the old points are never lost before the new
ones are all there.

Nothing read back is trusted.  A record counts only if it parses, carries
this store's spec hash, its own index (the file name's), the spec's
parameters and seed for that index, a result with every output (status ok),
and a SHA-256 checksum over all of that which matches.  Otherwise it is
*corrupt* (unreadable, altered, wrong index or parameters), *foreign* (another
spec, an unknown format or an odd file name) or *incomplete* (status ok
without a full result): `sweep status` names it, `sweep run` recomputes it and
`sweep collect` refuses to assemble until it has been recomputed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .. import __version__
from .._atomic import OutputError, _pid_alive, atomic_path, atomic_write_text, clean_stale_temporaries
from .._validate import is_regular_file
from ._compute import OUTPUTS, WITH_ERRORS
from ._spec import SpecError, SweepSpec, parse_spec

RECORD_FORMAT = "tensorglass-sweep-point/2"
#: Hidden folders of a store: a forced run of another spec in progress; the journal of a swap.
REPLACEMENT = ".replacement-"
RETIRED = ".replaced-tg"
_NAME = re.compile(r"^(\d{7})\.json$")
_CHECKED = ("format", "index", "spec_hash", "params", "fixed", "seed", "status", "result", "extra", "error",
            "tensorglass_version")

#: Units of the grid parameters (coordinates of the dataset).
PARAMETER_UNITS = {
    "c_l": "km/s", "c_t": "km/s", "rho": "g/cm^3", "ln_r_over_l1": "1", "alpha": "1", "k_ratio": "1",
    "im_chi_l1_l": "1/(rho c_t^2)", "im_chi_l1_t": "1/(rho c_t^2)", "n0": "1", "ell": "1", "k_l_over_k_t": "1",
    "L": "lattice spacings", "temperature": "J", "sweeps": "1", "components": "1", "poisson": "1",
    "cutoff": "lattice spacings", "thermalize": "sweeps",
}
PARAMETER_NAMES = {
    "c_l": "longitudinal sound velocity", "c_t": "transverse sound velocity", "rho": "density",
    "ln_r_over_l1": "ln(R/L1)", "alpha": "alpha = 1 - c_t^2/c_l^2", "k_ratio": "K = Re chi/Im chi",
    "ell": "ln(R/L1)", "n0": "blocks per super-block edge N0", "temperature": "temperature (k_B = 1)",
    "poisson": "Poisson ratio", "L": "lattice edge", "material": "material",
}


def spec_hash(spec: SweepSpec) -> str:
    return hashlib.sha256(spec.canonical().encode()).hexdigest()[:16]


def record_checksum(rec: dict) -> str:
    """SHA-256 over the record's meaningful fields (canonical JSON)."""
    body = {k: rec.get(k) for k in _CHECKED}
    return hashlib.sha256(json.dumps(body, sort_keys=True, allow_nan=True).encode()).hexdigest()


class SweepStore:
    def __init__(self, path):
        self.path = Path(path)
        self.points_dir = self.path / "points"
        self.spec_file = self.path / "spec.json"

    # ---- spec --------------------------------------------------------
    def initialise(self, spec: SweepSpec, force: bool = False) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise SpecError(f"--store = {str(self.path)!r} is a file; need a directory")
        if self.path.exists() and not self.spec_file.exists() and any(self.path.iterdir()):
            raise SpecError(f"--store = {str(self.path)!r} is not allowed: need a new or empty directory, or an "
                            "existing sweep store (it holds other files and no spec.json); choose another --store")
        if self.spec_file.exists():
            stored = self._read_spec_file()
            if stored["canonical"] != spec.canonical():
                # never discarded here: run_sweep(force=True) runs the new sweep beside it (replacement) and
                # swaps it in only when it is complete
                old = json.loads(stored["canonical"])
                new = json.loads(spec.canonical())  # same key order as old
                diff = sorted(k for k in new if old.get(k) != new.get(k))
                raise SpecError(f"store {self.path} holds a different sweep (differs in: {', '.join(diff)}); "
                                "use --force to replace its points once the new sweep is complete, or choose "
                                "another --store")
            self.points_dir.mkdir(parents=True, exist_ok=True)
            return
        try:
            self.points_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SpecError(f"--store = {str(self.path)!r} is not allowed: need a writable directory "
                            f"({exc.strerror or exc})") from None
        atomic_write_text(self.spec_file, json.dumps({
            "canonical": spec.canonical(), "spec_hash": spec_hash(spec), "created_by": f"tensorglass {__version__}",
            "n_points": spec.n_points, "shape": list(spec.shape())}, indent=1))

    def spec_hash(self) -> str:
        return spec_hash(self.spec())

    def holds_other(self, spec: SweepSpec) -> bool:
        """True when this store holds a sweep of another spec."""
        return self.spec_file.exists() and self._read_spec_file()["canonical"] != spec.canonical()

    def _read_spec_file(self) -> dict:
        if self.path.exists() and not self.path.is_dir():
            raise SpecError(f"{self.path} is a file, not a sweep store (a directory with spec.json)")
        self.recover()
        if not self.spec_file.exists():
            raise SpecError(f"{self.path} is not a sweep store (no spec.json); give the --store of `sweep run`")
        if not is_regular_file(self.spec_file):  # a FIFO or device would block the read forever
            raise SpecError(f"{self.spec_file} is not a regular file; the store cannot be used; "
                            "use a new --store")
        try:
            stored = json.loads(self.spec_file.read_text())
            if not isinstance(stored, dict) or not isinstance(stored.get("canonical"), str):
                raise ValueError("no canonical spec")
            json.loads(stored["canonical"])
            return stored
        except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise SpecError(f"{self.spec_file} is corrupt ({type(exc).__name__}); the store cannot be used (its "
                            "points/ are left as they are); use a new --store") from None

    def spec(self) -> SweepSpec:
        canonical = json.loads(self._read_spec_file()["canonical"])
        if not isinstance(canonical, dict):
            raise SpecError(f"{self.spec_file} is corrupt (not a spec); use --force or a new --store")
        return parse_spec(canonical, str(self.spec_file))

    # ---- replacing the sweep (--force) -------------------------------
    def replacement(self, spec: SweepSpec) -> "SweepStore":
        """The sub-store in which a forced run of another spec is computed."""
        return SweepStore(self.path / f"{REPLACEMENT}{spec_hash(spec)}")

    def replacements(self) -> list:
        """Sub-stores of forced runs not yet complete (hidden folders of this store)."""
        try:
            return sorted(p for p in self.path.iterdir() if p.name.startswith(REPLACEMENT) and p.is_dir())
        except OSError:
            return []

    def promote(self, staging: "SweepStore") -> None:
        """Make the complete sweep in ``staging`` this store's sweep.

        The old points, spec and dataset are moved into a journal folder
        (``.replaced-tgPID-*``, holding the old spec and the staging's name),
        the new points moved in, and the spec replaced in one ``os.replace``:
        that replace is the switch.  Only then is the journal removed.  A
        crash before the switch is undone by :meth:`recover` (the old sweep
        comes back, the new points go back to their staging), a crash after
        it is finished."""
        journal = Path(tempfile.mkdtemp(prefix=f"{RETIRED}{os.getpid()}-", dir=self.path))
        atomic_write_text(journal / "staging", staging.path.name)
        shutil.copyfile(self.spec_file, journal / "spec.json")
        if self.points_dir.exists():
            os.rename(self.points_dir, journal / "points")
        if (self.path / "dataset.nc").exists():
            os.rename(self.path / "dataset.nc", journal / "dataset.nc")
        os.rename(staging.points_dir, self.points_dir)
        os.replace(staging.spec_file, self.spec_file)  # the switch
        shutil.rmtree(journal, ignore_errors=True)
        shutil.rmtree(staging.path, ignore_errors=True)

    def recover(self) -> None:
        """Finish or undo a :meth:`promote` that a crash interrupted (journal
        folders of processes that no longer run)."""
        try:
            journals = [p for p in self.path.iterdir() if p.name.startswith(RETIRED)]
        except OSError:
            return
        for journal in journals:
            m = re.match(rf"^{re.escape(RETIRED)}(\d+)-", journal.name)
            if not m or _pid_alive(int(m.group(1))):
                continue
            try:
                self._undo_or_finish(journal)
            except (OSError, ValueError) as exc:
                raise SpecError(f"store {self.path}: an interrupted replacement of its sweep could not be finished "
                                f"({exc}); the old points are in {journal}/points; move them back to "
                                f"{self.points_dir} by hand") from None

    def _undo_or_finish(self, journal: Path) -> None:
        old = journal / "spec.json"
        if not old.exists() or not (journal / "staging").exists():
            shutil.rmtree(journal)  # interrupted before anything was moved
            return
        staging = SweepStore(self.path / (journal / "staging").read_text().strip())
        switched = json.loads(self.spec_file.read_text())["canonical"] != json.loads(old.read_text())["canonical"]
        if not switched:  # put the old sweep back, the new points back into their staging
            if not staging.points_dir.exists() and self.points_dir.exists():  # the new points had been moved in
                staging.path.mkdir(exist_ok=True)
                os.rename(self.points_dir, staging.points_dir)
            if (journal / "points").exists():
                os.rename(journal / "points", self.points_dir)
            if (journal / "dataset.nc").exists():
                os.rename(journal / "dataset.nc", self.path / "dataset.nc")
        elif staging.path.exists() and not staging.spec_file.exists():
            shutil.rmtree(staging.path)
        shutil.rmtree(journal)

    # ---- points ------------------------------------------------------
    def _file(self, index: int) -> Path:
        return self.points_dir / f"{index:07d}.json"

    def write_point(self, index: int, record: dict, spec: SweepSpec | None = None) -> None:
        """Write one point's record atomically, sealed with the spec hash, the
        format, the package version and a checksum."""
        spec = self.spec() if spec is None else spec
        rec = {"format": RECORD_FORMAT, "index": index, "spec_hash": spec_hash(spec),
               "tensorglass_version": __version__, **record}
        rec["checksum"] = record_checksum(rec)
        atomic_write_text(self._file(index), json.dumps(rec, allow_nan=True))

    def audit(self, spec: SweepSpec | None = None) -> dict:
        """Every record file checked against the spec: ``{"valid": {index:
        record}, "corrupt": [(name, why)], "foreign": [...], "incomplete": [...]}``."""
        spec = self.spec() if spec is None else spec
        h = spec_hash(spec)
        n = spec.n_points
        points = seeds = None
        out = {"valid": {}, "corrupt": [], "foreign": [], "incomplete": []}
        if not self.points_dir.is_dir():
            return out
        outputs = set(self._outputs(spec))
        for f in sorted(self.points_dir.iterdir()):
            if f.name.endswith(".tmp") and f.name.startswith("."):
                continue  # a write in progress (or a killed one, cleaned by the next run)
            m = _NAME.match(f.name)
            if not m or not f.is_file():
                out["foreign"].append((f.name, "not a point record of tensorglass (unexpected name); remove it"))
                continue
            i = int(m.group(1))
            try:
                rec = json.loads(f.read_text())
                if not isinstance(rec, dict):
                    raise ValueError("not an object")
            except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
                out["corrupt"].append((f.name, f"unreadable ({type(exc).__name__})"))
                continue
            if rec.get("format") != RECORD_FORMAT:
                out["foreign"].append((f.name, f"format {rec.get('format')!r}, not {RECORD_FORMAT!r}"))
                continue
            if rec.get("spec_hash") != h or not 0 <= i < n:
                out["foreign"].append((f.name, "written for another spec"))
                continue
            if rec.get("checksum") != record_checksum(rec):
                out["corrupt"].append((f.name, "checksum mismatch (altered after writing)"))
                continue
            if points is None:
                points, seeds = spec.points(), spec.seeds()
            if rec.get("index") != i or rec.get("params") != points[i] or rec.get("seed") != seeds[i] \
                    or rec.get("fixed") != spec.fixed:
                out["corrupt"].append((f.name, "index, parameters or seed differ from the spec's point"))
                continue
            status = rec.get("status")
            if status == "ok":
                res = rec.get("result")
                if not isinstance(res, dict) or not outputs <= set(res) or not all(
                        v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in res.values()):
                    out["incomplete"].append((f.name, "status ok without a complete result"))
                    continue
            elif status == "failed":
                if not isinstance(rec.get("error"), str):
                    out["incomplete"].append((f.name, "status failed without an error"))
                    continue
            else:
                out["corrupt"].append((f.name, f"status {status!r}"))
                continue
            out["valid"][i] = rec
        return out

    def records(self) -> dict:
        """The valid records by index (see :meth:`audit`)."""
        return self.audit()["valid"]

    def finished(self) -> set:
        return {i for i, r in self.records().items() if r["status"] == "ok"}

    def status(self) -> dict:
        spec = self.spec()
        a = self.audit(spec)
        recs = a["valid"]
        n = spec.n_points
        ok = sum(1 for r in recs.values() if r["status"] == "ok")
        failed = sum(1 for r in recs.values() if r["status"] == "failed")
        return {"store": str(self.path), "compute": spec.compute, "points": n, "done": ok, "failed": failed,
                "missing": n - ok - failed,
                "corrupt": [f"{name}: {why}" for name, why in a["corrupt"]],
                "foreign": [f"{name}: {why}" for name, why in a["foreign"]],
                "incomplete": [f"{name}: {why}" for name, why in a["incomplete"]],
                "errors": sorted({r.get("error", "") for r in recs.values() if r["status"] == "failed"})[:5],
                "replacements": [p.name for p in self.replacements()]}

    def _outputs(self, spec):
        outputs = []
        for o in spec.outputs:
            outputs.append(o)
            if spec.compute != "predict" and o in WITH_ERRORS:
                outputs.append(o + "_error")
        return outputs

    def check_clean(self, spec: SweepSpec | None = None) -> dict:
        """The valid records, or a :class:`SpecError` naming the bad ones."""
        a = self.audit(spec)
        bad = [(k, name, why) for k in ("corrupt", "foreign", "incomplete") for name, why in a[k]]
        if bad:
            counts = ", ".join(f"{sum(1 for b in bad if b[0] == k)} {k}" for k in ("corrupt", "foreign", "incomplete")
                               if any(b[0] == k for b in bad))
            shown = "; ".join(f"points/{name} ({kind}: {why})" for kind, name, why in bad[:3])
            more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
            raise SpecError(f"store {self.path} has {counts} point records: {shown}{more}; nothing was written; "
                            f"rerun `tensorglass sweep run SPEC --store {self.path}` to recompute them")
        return a["valid"]

    # ---- dataset -----------------------------------------------------
    def dataset(self):
        """The sweep as one xarray Dataset: grid as coordinates, every output
        (with ``*_error`` where it has one) with its units, and per point the
        status, seed, package version and elapsed time."""
        import xarray as xr
        spec = self.spec()
        recs = self.check_clean(spec)
        points = spec.points()
        seeds = spec.seeds()
        shape = spec.shape()
        names = list(spec.grid)
        def cattrs(n):
            a = {"long_name": PARAMETER_NAMES.get(n, n)}
            if n in PARAMETER_UNITS:
                a["units"] = PARAMETER_UNITS[n]
            return a
        if spec.combine == "zip":
            dims = ("point",)
            coords = {"point": ("point", np.arange(len(points)), {"long_name": "point index", "units": "1"})}
            coords.update({n: ("point", spec.grid[n], cattrs(n)) for n in names})
        else:
            dims = tuple(names)
            coords = {n: (n, spec.grid[n], cattrs(n)) for n in names}
        outputs = self._outputs(spec)
        data = {o: np.full(len(points), np.nan) for o in outputs}
        status = np.array(["missing"] * len(points), dtype=object)
        version = np.array([""] * len(points), dtype=object)
        elapsed = np.full(len(points), np.nan)
        for i, rec in recs.items():
            status[i] = rec["status"]  # audited records only
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
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        ds.attrs.update({"title": f"tensorglass sweep ({spec.compute})", "spec": spec.canonical(),
                         "history": f"{now}: assembled by tensorglass {__version__} from the sweep store {self.path}",
                         "source": f"tensorglass {__version__}", "Conventions": "CF-1.8",
                         "spec_hash": spec_hash(spec),
                         "fixed_parameters": json.dumps(spec.fixed), "sweep_seed": spec.seed,
                         "tensorglass_version": __version__, "combine": spec.combine})
        return ds

    def collect(self, to) -> Path:
        """Write the dataset atomically to ``to`` (``.nc`` NetCDF or ``.csv``);
        refuses a store with corrupt, foreign or incomplete records."""
        to = Path(to)
        if to.suffix not in (".csv", ".nc", ".nc4", ".netcdf"):
            raise SpecError(f"--to = {str(to)!r}: need a .nc or .csv file name")
        if to.parent.is_dir():
            clean_stale_temporaries(to.parent, to.name)
        ds = self.dataset()
        if to.suffix == ".csv":
            atomic_write_text(to, ds.to_dataframe().reset_index().to_csv(index=False))
        elif to.suffix in (".nc", ".nc4", ".netcdf"):
            try:
                with atomic_path(to) as tmp:
                    ds.to_netcdf(tmp, engine="h5netcdf")
            except OutputError:
                raise
            except OSError as exc:  # h5py/netCDF report a full disk without errno
                from .._atomic import describe_os_error
                raise OutputError(describe_os_error(exc, to)) from None
        else:
            raise SpecError(f"--to = {str(to)!r}: need a .nc or .csv file name")
        return to
