"""Running a sweep on a local or remote ``dask.distributed`` cluster."""

from __future__ import annotations

import hashlib

from ._compute import TARGETS, evaluate_point
from ._spec import SpecError, SweepSpec, load_spec
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
    store status."""
    spec = spec_path if isinstance(spec_path, SweepSpec) else load_spec(spec_path)
    store = SweepStore(store_path)
    store.initialise(spec, force=force)
    points = spec.points()
    seeds = spec.seeds()
    done = store.finished()
    todo = [i for i in range(len(points)) if i not in done]
    if max_points is not None:
        todo = todo[:max_points]
    if todo:
        _compute(spec, store, points, seeds, todo, scheduler, workers, progress, client)
    if assemble:
        try:
            store.collect(store.path / "dataset.nc")
        except OSError:
            pass
    return store.status()


def _compute(spec, store, points, seeds, todo, scheduler, workers, progress, client):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SpecError("tensorglass sweep needs dask.distributed: pip install 'tensorglass[sweep]'") from None
    own_client = client is None
    cluster = None
    if own_client:
        if scheduler:
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
    token = hashlib.sha1(spec.canonical().encode()).hexdigest()[:10]
    futures = {}
    for i in todo:
        fut = client.submit(evaluate_point, TARGETS.get(spec.compute, spec.compute), {**spec.fixed, **points[i]}, seeds[i], spec.outputs,
                            key=f"tensorglass-point-{token}-{i}", pure=False)
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
            store.write_point(i, rec)
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
