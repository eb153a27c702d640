"""Independent chains of one run, and their joint summary.

Chain c of a run with seed s draws from ``PCG64(SeedSequence(s).spawn(n)[c])``,
so the chains are statistically independent and each is reproducible (and
resumable bit-identically) on its own.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._run import RunParameters, RunState, advance, new_state
from ._summary import summarize_states

DEFAULT_CHAINS = 4


def chain_seeds(seed: int, n_chains: int):
    """The chains' ``SeedSequence`` children of the run seed."""
    if not (isinstance(n_chains, (int, np.integer)) and n_chains >= 1):
        raise ParameterError("chains", n_chains, "an integer >= 1")
    return np.random.SeedSequence(seed).spawn(int(n_chains))


def new_chains(params: RunParameters, model, n_chains: int = DEFAULT_CHAINS) -> list[RunState]:
    return [new_state(params, model, seed_sequence=s) for s in chain_seeds(params.seed, n_chains)]


def run_chains(params: RunParameters, n_chains: int = DEFAULT_CHAINS, model=None, on_sweep=None,
               stop=None) -> list[RunState]:
    """Run ``n_chains`` independent chains of ``params`` (one after the other)
    to ``params.sweeps`` sweeps each; returns their states."""
    model = params.build() if model is None else model
    states = new_chains(params, model, n_chains)
    for st in states:
        advance(st, model, params.sweeps, on_sweep=on_sweep, stop=stop)
    return states


def summarize_chains(states, model, warn: bool = True) -> dict:
    """The keys of :func:`summarize` from several chains together, plus
    split-R-hat across them (``r_hat``: per observable and ``"max"``),
    ``chains``, ``effective_samples`` (of the slowest observable) and
    ``flags`` (R-hat > 1.05, acceptance < 0.2, fewer than 100 tau_int, frozen
    chains); see :mod:`._summary`."""
    if not states:
        raise ParameterError("chains", 0, "at least one chain")
    return summarize_states(list(states), model, warn=warn)
