// A backend owns memory and launching for the flow kernel; the kernel source is shared
// (kernels/flow/lane_sim.h). `cpu` always exists; `cuda` when the build found nvcc.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/model/model.h"

namespace plantwin {

// Raw per-lane outcomes of one chunk of lanes, in the kernel's units (seconds, sums).
struct ChunkOutput {
  int64_t lanes = 0;
  std::vector<int64_t> produced, events;  // [n]
  std::vector<double> lead_sum, wip_area;  // [n]
  std::vector<uint8_t> overflow;           // [n]
  std::vector<double> st_acc;              // [n][stations][flow::kStationStates] server-seconds per state
  std::vector<double> buf_area;            // [n][buffers]
  std::vector<int64_t> src_released, src_lost;  // [n][elements] (non-sources are 0)
  // Factory-object statistics, all over the horizon (after warm-up):
  std::vector<int64_t> st_done;            // [n][stations][parts] parts finished processing, by part type
                                           //   (scrapped and reworked ones included)
  std::vector<int64_t> st_scrap, st_rework;  // [n][stations]
  std::vector<double> st_active;           // [n][stations] seconds in active periods (active-period method)
  std::vector<int64_t> st_periods;         // [n][stations] active periods (one still open at the end counts)
  std::vector<int64_t> produced_by_part;   // [n][parts] parts that reached a sink, by type
  std::vector<int32_t> lead_hist;          // [n][stats::kLeadBins] lead times of produced parts
  std::vector<double> lead_max;            // [n] longest lead time of a produced part (0 if none)
  std::vector<int64_t> buf_max;            // [n][buffers] highest level held
  std::vector<double> pool_busy;           // [n][pools] operator-seconds busy
  std::vector<double> robot_busy;          // [n][robots] seconds moving (to pick, or carrying)
  std::vector<double> stalled_at;          // [n] when the lane deadlocked, or -1
  // Physical conveyors (zeros without them), over the whole run:
  std::vector<int64_t> phys_lost;          // [n] parts lost (fell off, or late)
  std::vector<int64_t> phys_overflow;      // [n] physics steps that dropped contact points
  std::vector<int64_t> phys_steps;         // [n] physics steps taken
};

// Which rigid-body engine steps physical conveyors: the plantwin kernel, or Bullet (the cpu
// reference, for validation and a second opinion).
enum class PhysicsEngine { Kernel, Bullet };

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Runs lanes [first_lane, first_lane + count) of `model` to the end of their horizon.
  virtual void run(const Model& model, int64_t first_lane, int64_t count, ChunkOutput& out) = 0;
  // Bytes of working memory one lane of `model` needs on this backend.
  virtual size_t bytes_per_lane(const Model& model) const = 0;
  // Bytes this backend can give to lane state at most (host RAM or device memory share).
  virtual size_t memory_budget() const = 0;
  // Fewest lanes per launch that keep every thread (or multiprocessor) busy.
  virtual int64_t min_chunk_lanes() const = 0;
  // Chunks are a multiple of this many lanes (but the last): on the cpu, each thread's share
  // then starts on a fresh cache line of every state row, so threads never share a line.
  virtual int64_t lane_granularity() const = 0;
  // One line for the user: which device, how many threads.
  virtual std::string describe() const = 0;
  // The engine that steps physical conveyors: "plantwin" or "bullet".
  virtual std::string physics_engine() const { return "plantwin"; }
};

std::unique_ptr<Backend> make_cpu_backend(PhysicsEngine physics = PhysicsEngine::Kernel);

// True when this build has the cuda backend and a CUDA device is present; otherwise
// `why` says what is missing.
bool cuda_available(std::string* why);
// Throws std::runtime_error when cuda_available() is false.
std::unique_ptr<Backend> make_cuda_backend();

// "auto", "cpu" or "cuda". `auto` picks cuda when available, else cpu. Throws
// std::runtime_error for an unknown name or when cuda is asked for and missing.
std::unique_ptr<Backend> make_backend(const std::string& name);

}  // namespace plantwin
