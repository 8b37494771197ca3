// Can this machine do a batch at all? Estimated before `plantwin run` simulates, so that a
// batch too large for memory or for the output folder's disk is refused at once, with the
// numbers, instead of failing (or being killed) hours later.
#pragma once
#include <cstdint>
#include <limits>
#include <string>

#include "engine/backend/backend.h"
#include "engine/model/model.h"

namespace plantwin {

// "Not known" for the machine's numbers (no /proc/meminfo, statvfs failed): that check is skipped.
constexpr uint64_t kUnknownBytes = std::numeric_limits<uint64_t>::max();

struct Feasibility {
  bool ok = true;
  std::string why;                 // empty when ok; the reason, with the numbers, otherwise
  uint64_t results_bytes = 0;      // the results file, uncompressed (an upper bound)
  uint64_t memory_bytes = 0;       // peak memory of the batch: results + writer scratch + one chunk
  uint64_t disk_free_bytes = kUnknownBytes;      // free space in the output folder
  uint64_t mem_available_bytes = kUnknownBytes;  // MemAvailable from /proc/meminfo
};

// The sizes that decide a batch's results, counted from the compiled model.
struct BatchShape {
  int64_t lanes = 0, variants = 1;
  int64_t stations = 0, buffers = 0, sources = 0, elements = 0;
  int64_t parts = 1, pools = 0, robots = 0;
};

// Bytes the per-lane vectors of BatchResults hold (produced, events, throughput, wip, lead
// time and its 4 percentiles, state fractions [L][S][K], the 8 station KPIs [L][S], buffer
// mean and maximum [L][B], source counts 2 x [L][Q], per part type 2 x [L][P], operator and
// robot utilisation [L][O], [L][R], the bottleneck [L] int32) plus bottleneck_share [V][S].
uint64_t results_memory_bytes(const BatchShape& s);
// Extra bytes the results writer allocates while writing (lane indices, double copies, diffs).
uint64_t writer_scratch_bytes(const BatchShape& s);
// The results file without compression: every per-lane dataset plus the per-variant summaries.
uint64_t results_file_bytes(const BatchShape& s);
// Lanes in one chunk as run_batch sizes it (approximately).
int64_t chunk_lanes(int64_t lanes, uint64_t bytes_per_lane, uint64_t memory_budget, int64_t min_chunk_lanes);
// Bytes one chunk of `chunk` lanes needs: the backend's lane state plus the chunk's raw outputs.
uint64_t chunk_bytes(const BatchShape& s, int64_t chunk, uint64_t bytes_per_lane);

// The thresholds, as a pure function of the numbers: refused when memory_bytes is above 80 %
// of mem_available_bytes, or when even a 4x compressed file (results_bytes / 4) is larger
// than disk_free_bytes. kUnknownBytes for either machine number skips that check.
// `folder` only labels the message.
Feasibility judge_batch(int64_t lanes, uint64_t results_bytes, uint64_t memory_bytes,
                        uint64_t mem_available_bytes, uint64_t disk_free_bytes,
                        const std::string& folder);

// MemAvailable from /proc/meminfo, or kUnknownBytes.
uint64_t mem_available_bytes();
// Free bytes (for an unprivileged user) on the file system of `folder`, or kUnknownBytes.
uint64_t disk_free_bytes(const std::string& folder);
// The folder a results file at `output_path` goes to ("." for a bare file name).
std::string output_folder(const std::string& output_path);

// "3.2 TB", "21.4 GB", "512 B": decimal units, one decimal.
std::string human_bytes(uint64_t bytes);
// "1,000,000,000".
std::string with_commas(int64_t n);

// Checks the batch `model` describes (model.lanes() lanes) on `backend`, writing to `output_path`.
Feasibility check_batch(const Model& model, const Backend& backend, const std::string& output_path);
// The same with the lane count given (variants x replications can exceed what Model stores).
Feasibility check_batch(const Model& model, const Backend& backend, const std::string& output_path,
                        int64_t lanes, int64_t variants);

}  // namespace plantwin
