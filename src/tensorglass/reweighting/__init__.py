"""Multi-histogram reweighting of Monte Carlo runs (MBAR, through pymbar).

``reweight(files, temperatures)`` combines the energy time series of any
number of runs of one model (single-temperature runs, chains and
replica-exchange replicas alike) into estimates at temperatures between the
sampled ones: the energy, the specific heat, the ordering mode's Binder ratio
and xi/L, with errors from a bootstrap over blocks longer than the
autocorrelation time.  Temperatures outside the energy overlap of the runs
are refused, naming the gap.  At the edge of the package: it imports pymbar
and the file reader; the Monte Carlo core does not import it.
"""

from ._mbar import ReweightError, SampledState, reweight, reweight_files, sampled_states

__all__ = ["ReweightError", "SampledState", "reweight", "reweight_files", "sampled_states"]
