// Runs every lane of a batch in memory-sized chunks on one backend and gathers the results.
#pragma once
#include <functional>
#include <string>

#include "engine/backend/backend.h"
#include "engine/batch/batch_results.h"
#include "engine/scene/scene.h"

namespace plantwin {

struct BatchOptions {
  int64_t max_chunk_lanes = 0;  // 0: sized from the backend's memory budget
  // Runs replications first_replication .. first_replication + run.replications - 1 (their
  // random streams), so that a batch can be extended by more replications later
  // (append_replications) with the same result as one larger batch.
  int64_t first_replication = 0;
  // Lanes whose physics trajectories are recorded (scenes with physical conveyors only; each is
  // run once more on the cpu, with the same result, to record it). Checked before simulating:
  // a lane out of range, a scene without physical conveyors, or a trajectory that could need
  // more than max_trajectory_bytes throws std::runtime_error.
  std::vector<int64_t> record_lanes;
  size_t max_trajectory_bytes = size_t(4) << 30;
  // Called after each chunk with lanes done so far and the total.
  std::function<void(int64_t done, int64_t total)> progress;
  // Resuming (plantwin run --checkpoint): called once before any lane runs, with the results
  // labelled and sized for the batch; returns n when it filled lanes [0, n) (from a
  // checkpoint of this batch), which are then not run again, or 0.
  std::function<int64_t(BatchResults& so_far)> resume;
  // Called after each chunk with the results so far (lanes [0, done) filled); `stopping` is
  // true when a stop signal ends the batch after this call.
  std::function<void(const BatchResults& so_far, int64_t done, bool stopping)> checkpoint;
  // Runs a plain model (Model::plain) by the general instantiation of the flow kernel: the
  // same results, slower; for benchmarks that measure what the plain one saves.
  bool general_kernel = false;
};

// Simulates `scene` with run settings `run` (scene.run, possibly overridden) on `backend`.
// Results do not depend on the backend, the chunk size or the number of threads.
// Throws BatchStopped (engine/batch/stop_signal.h) between chunks once a stop signal arrived
// (only when install_stop_handlers was called).
BatchResults run_batch(const Scene& scene, const RunSettings& run, Backend& backend,
                       const BatchOptions& options = {});

}  // namespace plantwin
