#include "engine/io/lane_kpis.h"

namespace plantwin {

const std::vector<LaneKpi>& lane_kpis() {
  static const std::vector<LaneKpi> k = {
      {"produced", "parts", true},
      {"throughput_per_h", "parts/h", true},
      {"wip_mean", "parts", false},
      {"lead_time_mean_s", "s", false},
  };
  return k;
}

const LaneKpi* find_lane_kpi(const std::string& name) {
  for (const LaneKpi& k : lane_kpis())
    if (name == k.name) return &k;
  return nullptr;
}

std::vector<double> kpi_column(const BatchResults& r, const std::string& name) {
  if (name == "produced") return std::vector<double>(r.produced.begin(), r.produced.end());
  if (name == "throughput_per_h") return r.throughput_per_h;
  if (name == "wip_mean") return r.wip_mean;
  return r.lead_time_mean_s;
}

}  // namespace plantwin
