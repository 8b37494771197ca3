// The human-readable report of a batch, printed by `plantwin run` and `plantwin info`.
#pragma once
#include <ostream>

#include "engine/batch/batch_results.h"

namespace plantwin {

// Prints to `os`, in fixed-width columns (UTF-8; "±" counts as one column):
//  - a header block: scene, backend, lanes, replications, horizon, warm-up, seed;
//  - one row per variant: produced, throughput [parts/h], WIP [parts], lead time [s], each
//    as "mean ± ci95" over replications (the 95 % Student-t half-width; mean alone with one
//    replication; "n/a" where no replication has a finite value), about 4 significant digits;
//  - with the factory KPIs (r.has_factory_kpis()), one row per variant of lead-time
//    percentiles p50, p90, p95 and the maximum [s], "mean ± ci95" as above;
//  - for the baseline (variant 0), each station's mean share of the horizon in each state,
//    in percent (the states beyond the contract's four only when some station spent time in
//    them), then, with the factory KPIs, each station's mean OEE [%] and its bottleneck share
//    (percent of the baseline's replications in which it was the bottleneck), and each
//    buffer's mean level.
// Requires r's vectors to match its counts (as write_results checks); throws
// std::invalid_argument otherwise.
void print_kpi_table(std::ostream& os, const BatchResults& r);

}  // namespace plantwin
