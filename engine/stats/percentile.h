// Percentiles of a lane's lead times from its histogram (kernels/stats/lead_histogram.h).
// Pure: no simulation, no I/O.
//
// The q-quantile is the value x at which the cumulative count reaches q * n (n: the
// histogram's total). Inside the bin b where that happens the counts are taken as spread
// evenly between the bin's edges lead_bin_lower(b) and lead_bin_upper(b), so x is linearly
// interpolated there; the bin that holds the exact maximum has `max_s` as its upper edge
// (which also covers values above the last bin's nominal edge), and the result is clamped to
// at most `max_s`. Bins are 1/16 octave wide, so the result is within 6.25 % of the true
// sample quantile whenever that lies in the histogram's range (0.125 s .. 2^21 s); typically
// far closer, as the counts inside a bin are close to evenly spread.
#pragma once
#include <cstdint>

namespace plantwin {

// `counts`: stats::kLeadBins bin counts; `q` in [0, 1]; `max_s`: the largest value entered.
// NaN when the histogram is empty (no part produced) or q is outside [0, 1].
double lead_time_quantile(const int32_t* counts, double q, double max_s);

}  // namespace plantwin
