"""Running a sweep on a local or remote ``dask.distributed`` cluster."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

from .._atomic import clean_stale_temporaries
from ._compute import TARGETS, evaluate_point
from ._spec import SpecError, SweepSpec, check_points, load_spec
from ._store import SweepStore


def run_sweep(spec_path, store_path, scheduler: str | None = None, workers: int | None = None, force: bool = False,
              progress: bool = True, max_points: int | None = None, client=None, assemble: bool = True) -> dict:
    """Compute every unfinished point of the spec into the store.

    ``scheduler``: address of an existing Dask scheduler; otherwise a local
    cluster with ``workers`` processes (default 2) is started.  Finished
    points are skipped; failed and missing ones are (re)computed.  Each
    point's record is written atomically by this process as soon as its
    result arrives, so a killed worker or Ctrl-C loses only points in
    flight.  ``max_points`` stops after that many new points (for tests).
    ``assemble=False`` skips rebuilding ``dataset.nc`` at the end (``sweep
    collect`` or the next run does it).  ``spec_path`` may also be a
    :class:`SweepSpec` built in Python (the studies do this).  Returns the
    store status.

    Before anything is written or submitted, every grid point passes the
    checks of the single command (:func:`check_points`) and the worker count
    and scheduler address are checked.  A store this call created is
    removed again if the run fails before its first point is recorded (an
    unreachable scheduler, Ctrl-C), so no half-made store is left behind.
    Corrupt, foreign and incomplete records (see :class:`SweepStore`) are
    recomputed.

    ``force`` with a store of another spec never discards anything first:
    the new sweep runs in the store's replacement sub-store and replaces the
    old one only when every point is done (:meth:`SweepStore.promote`);
    until then the old points stay as they were, and rerunning with
    ``force`` continues the new sweep.  The returned status then describes
    the new sweep and says so (``"replacing"``)."""
    from .. import _validate
    spec = spec_path if isinstance(spec_path, SweepSpec) else load_spec(spec_path)
    check_points(spec, str(spec_path) if not isinstance(spec_path, SweepSpec) else "spec")
    if client is None and scheduler is None and workers is not None and not (
            isinstance(workers, int) and not isinstance(workers, bool) and 1 <= workers <= 1024):
        raise SpecError(f"--workers = {workers!r} is not allowed: need an integer 1 <= --workers <= 1024")
    if client is None:
        scheduler = _validate.scheduler_address(scheduler)
    if str(store_path).strip() == "":
        raise SpecError("--store = '' is not allowed: need a directory name, e.g. --store my.store")
    store = SweepStore(_validate.path_name(store_path, "--store"))
    created = not store.path.exists()
    target = store.replacement(spec) if force and store.holds_other(spec) else store
    staged = target is not store and not target.path.exists()
    try:
        target.initialise(spec)
        clean_stale_temporaries(target.points_dir)
        clean_stale_temporaries(target.path)
        points = spec.points()
        seeds = spec.seeds()
        done = target.finished()
        todo = [i for i in range(len(points)) if i not in done]
        if max_points is not None:
            todo = todo[:max_points]
        if todo:
            _compute(spec, target, points, seeds, todo, scheduler, workers, progress, client)
    except BaseException:
        if created and not _has_records(store):
            shutil.rmtree(store.path, ignore_errors=True)
        if staged and not _has_records(target):
            shutil.rmtree(target.path, ignore_errors=True)
        raise
    if target is not store:
        st = target.status()
        if st["done"] < st["points"]:  # the old sweep stays until this one is complete
            st["store"] = str(store.path)
            st["replacing"] = (f"the earlier sweep in {store.path} is kept unchanged until every point of this one "
                               f"is done; this one's points are in {target.path}; rerun the same command with "
                               "--force to continue it")
            return st
        store.promote(target)
    if assemble:
        try:
            store.collect(store.path / "dataset.nc")
        except SpecError:
            pass  # records that could not be recomputed (e.g. a stray file): `sweep status` names them
    return store.status()


def _has_records(store) -> bool:
    d = Path(store.points_dir)
    return d.is_dir() and any(f.name.endswith(".json") for f in d.iterdir())


def _compute(spec, store, points, seeds, todo, scheduler, workers, progress, client):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SpecError("tensorglass sweep needs dask.distributed: pip install 'tensorglass[sweep]'") from None
    own_client = client is None
    cluster = None
    if own_client:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise SpecError(f"--scheduler = {scheduler!r}: cannot connect ({exc})") from None
        else:
            n = 2 if workers is None else workers
            if not (isinstance(n, int) and n >= 1):
                raise SpecError(f"--workers = {n!r} is not allowed; need an integer >= 1")
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
            client = Client(cluster)
    # unique per run: a scheduler that still remembers an erred key from an earlier run must not reuse it
    token = hashlib.sha1(spec.canonical().encode()).hexdigest()[:10] + "-" + uuid.uuid4().hex[:8]
    futures = {}
    for i in todo:
        fut = client.submit(evaluate_point, TARGETS.get(spec.compute, spec.compute), {**spec.fixed, **points[i]},
                            seeds[i], spec.outputs, key=f"tensorglass-point-{token}-{i}", pure=False)
        futures[fut] = i
    bar = _bar(len(todo), progress)
    failed = 0
    try:
        for fut in as_completed(futures):
            i = futures[fut]
            rec = {"index": i, "params": points[i], "seed": seeds[i], "fixed": spec.fixed}
            try:
                out = fut.result()
                rec.update(status="ok", **out)
            except Exception as exc:  # the point failed; record why and go on
                failed += 1
                rec.update(status="failed", error=f"{type(exc).__name__}: {exc}".splitlines()[0])
            store.write_point(i, rec, spec)
            bar(failed)
    except KeyboardInterrupt:
        for f in futures:
            f.cancel()
        raise KeyboardInterrupt("finished points are in the store; rerun the same command to continue") from None
    finally:
        bar(None)
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()


def _bar(total, enabled):
    if not enabled:
        return lambda failed: None
    from tqdm import tqdm
    b = tqdm(total=total, desc="sweep", unit="point", leave=False)

    def step(failed):
        if failed is None:
            b.close()
            return
        b.update(1)
        b.set_postfix(failed=failed, remaining=b.total - b.n)
    return step
