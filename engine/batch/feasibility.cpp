#include "engine/batch/feasibility.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "kernels/flow/flow_state.h"
#include "kernels/stats/lead_histogram.h"

namespace plantwin {
namespace {

// Saturating arithmetic: absurd batches (10^18 lanes) give "a lot", never a wrapped small number.
uint64_t mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kUnknownBytes - 1 : r;
}
uint64_t add(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? kUnknownBytes - 1 : r;
}
uint64_t u(int64_t x) { return x > 0 ? static_cast<uint64_t>(x) : 0; }

constexpr uint64_t kWord = 8;          // every per-lane number is 8 bytes (double or int64) but the bottleneck
constexpr uint64_t kStates = flow::kStationStates;  // working, blocked, starved, failed, setup, waiting, off shift
constexpr uint64_t kStationKpis = 8;   // oee, availability, performance, quality, scrapped, reworked,
                                       // mean_active_period_s, active_fraction
// produced, throughput_per_h, wip_mean, lead_time_mean_s, events, lead_time_p50/p90/p95/max_s
constexpr uint64_t kSummaryKpis = 9;
constexpr uint64_t kSummaryDatasets = 4;  // mean, ci95, diff_mean, diff_ci95

}  // namespace

uint64_t results_memory_bytes(const BatchShape& s) {
  // produced, events, throughput_per_h, wip_mean, lead_time_mean_s and the four lead-time
  // percentiles: 9 numbers per lane; per station its states and 8 KPIs; per buffer mean and
  // maximum; per source released and lost; per part type produced and throughput; per
  // operators pool and robot a utilisation.
  const uint64_t words = add(add(add(9, mul(u(s.stations), kStates + kStationKpis)),
                                 add(mul(2, u(s.buffers)), mul(2, u(s.sources)))),
                             add(mul(2, u(s.parts)), add(u(s.pools), u(s.robots))));
  const uint64_t per_lane = add(mul(words, kWord), 4);  // + the bottleneck (int32)
  const uint64_t shares = mul(mul(u(s.variants), u(s.stations)), kWord);  // bottleneck_share [V][S]
  return add(mul(u(s.lanes), per_lane), shares);
}

uint64_t writer_scratch_bytes(const BatchShape& s) {
  // lane_variant + lane_replication (int32 each), a double copy of produced/events and the
  // paired differences, alive together at the peak.
  return mul(u(s.lanes), 4 + 4 + 8 + 8);
}

uint64_t results_file_bytes(const BatchShape& s) {
  // /lanes/variant and /lanes/replication (int32) + the same per-lane numbers as in memory.
  const uint64_t lanes_index = mul(u(s.lanes), 4 + 4);
  const uint64_t summaries = mul(mul(u(s.variants), kSummaryKpis * kSummaryDatasets), kWord);
  return add(add(results_memory_bytes(s), lanes_index), summaries);
}

int64_t chunk_lanes(int64_t lanes, uint64_t bytes_per_lane, uint64_t memory_budget, int64_t min_chunk_lanes) {
  if (lanes <= 0) return 0;
  const uint64_t per_lane = std::max<uint64_t>(1, bytes_per_lane);
  const int64_t by_memory = static_cast<int64_t>(std::min<uint64_t>(
      std::max<uint64_t>(1, memory_budget / per_lane), static_cast<uint64_t>(INT64_MAX)));
  int64_t chunk = std::min(by_memory, std::max<int64_t>(min_chunk_lanes, lanes / 20 + (lanes % 20 != 0)));
  return std::max<int64_t>(1, std::min(chunk, lanes));
}

uint64_t chunk_bytes(const BatchShape& s, int64_t chunk, uint64_t bytes_per_lane) {
  // ChunkOutput per lane: produced, events, lead_sum, wip_area, lead_max, overflow flag; per
  // station its state accumulators [K], finished parts by type [P], scrap, rework, active
  // seconds and periods; buffer areas and maxima [B]; source released/lost over all elements
  // 2 x [E]; produced by part type [P]; pool and robot busy time [O], [R]; the lead-time
  // histogram (int32 bins).
  const uint64_t words =
      add(add(add(5, mul(u(s.stations), add(kStates + 4, u(s.parts)))), add(mul(2, u(s.buffers)), mul(2, u(s.elements)))),
          add(u(s.parts), add(u(s.pools), u(s.robots))));
  const uint64_t out_per_lane = add(add(mul(words, kWord), 1), 4 * static_cast<uint64_t>(stats::kLeadBins));
  return mul(u(chunk), add(bytes_per_lane, out_per_lane));
}

std::string human_bytes(uint64_t bytes) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double x = static_cast<double>(bytes);
  int i = 0;
  while (x >= 999.95 && i < 6) {
    x /= 1000.0;
    ++i;
  }
  char buf[32];
  if (i == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", x, units[i]);
  return buf;
}

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

Feasibility judge_batch(int64_t lanes, uint64_t results_bytes, uint64_t memory_bytes,
                        uint64_t mem_available, uint64_t disk_free, const std::string& folder) {
  Feasibility f;
  f.results_bytes = results_bytes;
  f.memory_bytes = memory_bytes;
  f.mem_available_bytes = mem_available;
  f.disk_free_bytes = disk_free;
  const std::string what = "the results of " + with_commas(lanes) + (lanes == 1 ? " lane" : " lanes");
  std::vector<std::string> reasons;
  if (mem_available != kUnknownBytes &&
      static_cast<long double>(memory_bytes) > 0.8L * static_cast<long double>(mem_available)) {
    reasons.push_back(what + " need about " + human_bytes(memory_bytes) + " of memory; this machine has " +
                      human_bytes(mem_available) + " available (a batch may use 80 % of it)");
  }
  if (disk_free != kUnknownBytes && results_bytes / 4 > disk_free) {
    reasons.push_back(what + " make a file of up to " + human_bytes(results_bytes) +
                      " (at least " + human_bytes(results_bytes / 4) + " even if compressed 4x); folder '" +
                      folder + "' has " + human_bytes(disk_free) + " free");
  }
  if (reasons.empty()) return f;
  f.ok = false;
  for (const auto& r : reasons) f.why += (f.why.empty() ? "" : "; ") + r;
  f.why += ": run fewer variants or replications";
  if (reasons.size() > 1 || reasons[0].find("folder") != std::string::npos)
    f.why += ", or write the results (-o) to a folder with more space";
  return f;
}

uint64_t mem_available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream ss(line.substr(13));
    unsigned long long kb = 0;
    std::string unit;
    if (!(ss >> kb)) return kUnknownBytes;
    ss >> unit;
    return mul(kb, unit == "kB" || unit.empty() ? 1024 : 1);
  }
  return kUnknownBytes;
}

std::string output_folder(const std::string& output_path) {
  std::filesystem::path p(output_path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

uint64_t disk_free_bytes(const std::string& folder) {
  struct statvfs st {};
  if (statvfs(folder.c_str(), &st) != 0) return kUnknownBytes;
  return mul(static_cast<uint64_t>(st.f_bavail), static_cast<uint64_t>(st.f_frsize ? st.f_frsize : st.f_bsize));
}

Feasibility check_batch(const Model& model, const Backend& backend, const std::string& output_path,
                        int64_t lanes, int64_t variants) {
  BatchShape s;
  s.lanes = lanes;
  s.variants = std::max<int64_t>(1, variants);
  s.stations = model.n_stations();
  s.buffers = model.n_buffers();
  s.sources = static_cast<int64_t>(model.sources.size());
  s.elements = model.n_elements;
  s.parts = model.n_parts;
  s.pools = static_cast<int64_t>(model.pools.size());
  s.robots = static_cast<int64_t>(model.robots.size());
  const uint64_t per_lane = backend.bytes_per_lane(model);
  const int64_t chunk = chunk_lanes(lanes, per_lane, backend.memory_budget(), backend.min_chunk_lanes());
  const uint64_t memory =
      add(add(results_memory_bytes(s), writer_scratch_bytes(s)), chunk_bytes(s, chunk, per_lane));
  const std::string folder = output_folder(output_path);
  return judge_batch(lanes, results_file_bytes(s), memory, mem_available_bytes(), disk_free_bytes(folder), folder);
}

Feasibility check_batch(const Model& model, const Backend& backend, const std::string& output_path) {
  return check_batch(model, backend, output_path, model.lanes(), model.n_variants);
}

}  // namespace plantwin
