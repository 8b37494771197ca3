// The per-lane KPIs that compare, diff and check work on: their names, units and which way
// is better, and a lane column of a batch as doubles.
#pragma once
#include <string>
#include <vector>

#include "engine/batch/batch_results.h"

namespace plantwin {

struct LaneKpi {
  const char* name;
  const char* unit;
  bool higher_is_better;
};

// produced [parts], throughput_per_h [parts/h], wip_mean [parts], lead_time_mean_s [s], in
// this order.
const std::vector<LaneKpi>& lane_kpis();

// The KPI called `name`; nullptr when there is none.
const LaneKpi* find_lane_kpi(const std::string& name);

// The KPI's value in every lane ([L], lane = variant * replications + replication); NaN where
// it has none (a lead time with no finished part). `name` must be one of lane_kpis().
std::vector<double> kpi_column(const BatchResults& r, const std::string& name);

}  // namespace plantwin
