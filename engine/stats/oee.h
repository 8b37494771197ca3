// Overall equipment effectiveness and the active-period bottleneck of one station in one
// lane, from the kernel's per-station sums. Pure: no simulation, no I/O.
//
// All times are server-seconds over the horizon, summed over the station's servers:
//   planned   = time not off shift (working + blocked + starved + failed + setup + waiting_operator)
//   downtime  = failed + setup + waiting_operator
//   run       = planned - downtime
//   ideal     = sum over part types t of done[t] * ideal cycle time[t] (the mean process time)
//   availability A = run / planned                  NaN when planned = 0
//   performance  P = ideal / run                    NaN when run = 0 (0 when nothing was processed)
//   quality      Q = (done - scrapped - reworked) / done   NaN when done = 0
//   OEE = A * P * Q = ideal * Q / planned, computed in the second form: NaN when planned = 0,
//         0 when the station had planned time but processed nothing.
// P can exceed 1 in a lane where process times happened to be shorter than their means.
#pragma once
#include <cstdint>
#include <vector>

namespace plantwin {

struct Oee {
  double availability, performance, quality, oee;
};

// The arithmetic above from the three times and the counts.
Oee compute_oee(double planned_s, double downtime_s, double ideal_s, int64_t done, int64_t scrapped,
                int64_t reworked);

// The same from a station's server-seconds in each reported state, in flow::ServerState order
// (working, blocked, starved, failed, setup, waiting_operator, off_shift); `states` of them
// (4 for a model without the extensions: then nothing is setup, waiting or off shift).
Oee station_oee(const double* state_seconds, int states, double ideal_s, int64_t done, int64_t scrapped,
                int64_t reworked);

// Bottleneck by the active-period method (Roser, Nakano & Tanaka 2001), simplified to the
// average: the station with the longest mean active period (active seconds / active periods)
// over the horizon. `active_s` and `periods` hold `stations` values; stations with no active
// period are skipped. Ties go to the lower index; -1 when no station was ever active.
int32_t active_period_bottleneck(const double* active_s, const int64_t* periods, int64_t stations);

// bottleneck_share [V][S]: for each variant, the fraction of its replications (lanes
// v * R .. v * R + R - 1 of `bottleneck` [V * R]) whose bottleneck is station s. A row sums
// to less than 1 when some lane had no bottleneck (-1).
std::vector<double> bottleneck_shares(const std::vector<int32_t>& bottleneck, int64_t variants,
                                      int64_t replications, int64_t stations);

}  // namespace plantwin
