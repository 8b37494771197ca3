// Everything one batch produced: identity of the run and per-lane outcomes, in the
// shapes of the results contract (docs/results.md). Lane order is variant-major:
// lane = variant * replications + replication.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace plantwin {

// One parameter the variants vary: /variants/params/<name>.
struct VariantParam {
  std::string name;          // its path, e.g. "buf1.capacity"
  std::string unit;          // "parts", "s", "m", "m/s", "1", "servers"
  int components = 1;        // 3 for positions ([V, 3] dataset)
  std::vector<double> values;  // [V * components]
};

// The poses of every body of one lane after each physics step it took (`--record-lanes`):
// /physics/trajectory/<lane>. Steps are only taken while the lane's world holds a part.
struct LaneTrajectory {
  int64_t lane = 0;
  int64_t bodies = 0;
  std::vector<double> time_s;  // [steps] simulated time after the step
  std::vector<double> pose;    // [steps][bodies][7]: x, y, z [m], qw, qx, qy, qz; NaN for a free slot
};

struct BatchResults {
  // Identity of the run (root attributes of the results file).
  std::string scene_name;
  std::string scene_text;     // the scene file's full text
  std::string scene_sha256;   // hex digest of the scene file's bytes
  uint64_t seed = 1;
  double horizon_s = 0;
  double warmup_s = 0;
  int32_t replications = 1;
  std::string backend;        // "cpu" or "cuda"
  std::string created_utc;    // ISO 8601, e.g. 2026-11-28T16:20:00Z

  std::vector<std::string> variant_names;  // [V]; "baseline" first
  std::vector<VariantParam> variant_params;  // the parameters variants set, first appearance order
  std::vector<std::string> element_names;  // [E] scene order
  std::vector<std::string> element_types;  // [E] "source", "station", ...
  std::vector<std::string> station_names;  // [S]
  std::vector<std::string> buffer_names;   // [B]
  std::vector<std::string> source_names;   // [Q]
  std::vector<std::string> state_names;    // [K] working, blocked, starved, failed, then (this engine)
                                           //   setup, waiting_operator, off_shift
  std::vector<std::string> part_names;     // [P] part types; empty in a file from before part types
  std::vector<std::string> pool_names;     // [O] operators pools, scene order
  std::vector<std::string> robot_names;    // [R] robots, scene order

  int64_t lanes = 0;  // L = V * replications

  // Per lane [L].
  std::vector<int64_t> produced;
  std::vector<double> throughput_per_h;
  std::vector<double> wip_mean;
  std::vector<double> lead_time_mean_s;  // NaN when no part reached a sink in the horizon
  std::vector<int64_t> events;           // events processed (warm-up included)
  // When the lane deadlocked (parts in the system, none can ever move, nothing scheduled),
  // in simulated seconds from 0; NaN for a lane that ran to its end. Empty in older files.
  std::vector<double> deadlock_at_s;
  // [L][S][K] row-major; every [l][s][:] sums to 1.
  std::vector<double> state_fraction;
  // [L][B] row-major.
  std::vector<double> buffer_mean_level;
  // [L][Q] row-major: parts each source released / discarded during the horizon.
  std::vector<int64_t> source_released;
  std::vector<int64_t> source_lost;

  // Factory KPIs (docs/results.md). All empty for a file written before they existed
  // (part_names empty); otherwise every one has its full shape.
  // [L][P] parts of each type that reached a sink, and per hour of horizon.
  std::vector<int64_t> produced_by_part;
  std::vector<double> throughput_by_part_per_h;
  // [L] lead-time percentiles from the per-lane histogram and the exact maximum; NaN when no
  // part reached a sink.
  std::vector<double> lead_time_p50_s, lead_time_p90_s, lead_time_p95_s, lead_time_max_s;
  // [L][S] OEE and its factors (NaN where undefined), scrap and rework counts, and the
  // active-period statistics.
  std::vector<double> station_oee, station_availability, station_performance, station_quality;
  std::vector<int64_t> station_scrapped, station_reworked;
  std::vector<double> station_mean_active_period_s;  // NaN when the station was never active
  std::vector<double> station_active_fraction;
  // [L] station index of the active-period bottleneck, -1 when no station was active.
  std::vector<int32_t> bottleneck;
  // [V][S] share of each variant's replications whose bottleneck is station s.
  std::vector<double> bottleneck_share;
  // [L][B] highest level each buffer held during the horizon.
  std::vector<int64_t> buffer_max_level;
  // [L][O] busy operator-seconds / (workers x horizon); [L][R] robot busy seconds / horizon.
  std::vector<double> operator_utilisation;
  std::vector<double> robot_utilisation;

  // Physical conveyors (docs/results.md, /physics): empty when the scene has none.
  std::string physics_engine;                   // "plantwin" or "bullet"
  std::vector<int64_t> physics_lost;            // [L] parts lost over the whole run (fell off, or late)
  std::vector<int64_t> physics_contact_overflow;// [L] physics steps that dropped contact points
  std::vector<int64_t> physics_steps;           // [L] physics steps taken (the world rests while empty)
  std::vector<LaneTrajectory> trajectories;     // the lanes asked for, in the order asked

  int64_t variants() const { return static_cast<int64_t>(variant_names.size()); }
  bool has_physics() const { return !physics_lost.empty(); }
  // True when the factory KPIs above are present (a run of this version, or a file it wrote).
  bool has_factory_kpis() const { return !part_names.empty(); }
};

// Calls f(x.v, ...) once for each per-lane vector v of the BatchResults x, ... (all of the
// same constness): every vector whose first dimension is the lane ([L], [L][S], [L][S][K],
// ...), in one fixed order, so that code that copies, merges or stores lanes lists them in one
// place. Vectors that are empty (an older file, no physics) are passed too.
template <class F, class... Results>
void for_each_lane_vector(F&& f, Results&... x) {
  f(x.produced...);
  f(x.throughput_per_h...);
  f(x.wip_mean...);
  f(x.lead_time_mean_s...);
  f(x.events...);
  f(x.deadlock_at_s...);
  f(x.state_fraction...);
  f(x.buffer_mean_level...);
  f(x.source_released...);
  f(x.source_lost...);
  f(x.produced_by_part...);
  f(x.throughput_by_part_per_h...);
  f(x.lead_time_p50_s...);
  f(x.lead_time_p90_s...);
  f(x.lead_time_p95_s...);
  f(x.lead_time_max_s...);
  f(x.station_oee...);
  f(x.station_availability...);
  f(x.station_performance...);
  f(x.station_quality...);
  f(x.station_scrapped...);
  f(x.station_reworked...);
  f(x.station_mean_active_period_s...);
  f(x.station_active_fraction...);
  f(x.bottleneck...);
  f(x.buffer_max_level...);
  f(x.operator_utilisation...);
  f(x.robot_utilisation...);
  f(x.physics_lost...);
  f(x.physics_contact_overflow...);
  f(x.physics_steps...);
}

}  // namespace plantwin
