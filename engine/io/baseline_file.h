// The baselines of `plantwin check`: one small text file per scene holding, for every variant
// and lane KPI, the mean, sample standard deviation and replication count of a reference run.
// Tab-separated lines, one fact each, so that a change to a baseline reads as a short diff in
// review:
//   plantwin-baseline	1
//   scene	two-station-line
//   run	replications=10	seed=1	horizon_s=28800	warmup_s=1800
//   kpi	baseline	throughput_per_h	55.183333333333337	1.9386025019063839	10
// Numbers are written with 17 significant digits, so reading a file back gives the same
// doubles. Lines starting with # are comments.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"
#include "engine/stats/welch.h"

namespace plantwin {

struct BaselineRow {
  std::string variant, kpi;
  SampleSummary stats;
};

struct Baseline {
  std::string scene;
  int64_t replications = 0;
  uint64_t seed = 0;
  double horizon_s = 0, warmup_s = 0;
  std::vector<BaselineRow> rows;  // variant order of the run, KPIs in lane_kpis() order
};

// A malformed baseline file; the message names the file and line.
struct BaselineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The baseline of a batch: every variant, every lane KPI (engine/io/lane_kpis.h).
Baseline baseline_of(const BatchResults& r);

// Writes atomically (a temporary file in the same folder, renamed over `path`). Throws
// std::runtime_error naming the path when it cannot.
void write_baseline(const Baseline& b, const std::string& path);

// Reads a file written by write_baseline. Throws BaselineError ("PATH:LINE: ...") on a line
// it cannot read, a missing header, or a KPI row whose numbers do not parse; a missing file
// gives "PATH: no such baseline file".
Baseline read_baseline(const std::string& path);

// The baseline file of scene file `scene_path` in folder `dir`: DIR/<scene file name without
// .yaml or .yml>.baseline.
std::string baseline_path(const std::string& dir, const std::string& scene_path);

}  // namespace plantwin
