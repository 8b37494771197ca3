// Enough replications, automatically: `plantwin run --target-ci PCT`.
#pragma once
#include <cstdint>
#include <string>

#include "engine/backend/backend.h"
#include "engine/batch/batch_results.h"
#include "engine/batch/run_batch.h"
#include "engine/scene/scene.h"

namespace plantwin {

struct TargetCi {
  double percent = 5;                 // every variant's 95 % half-width <= percent % of its mean
  std::string kpi = "throughput_per_h";
  int64_t max_replications = 1000;
};

struct TargetCiOutcome {
  bool reached = false;
  int64_t replications = 0;           // replications per variant in the final batch
  int rounds = 0;                     // batches run
  std::string worst_variant;          // the variant with the widest relative interval
  double worst_percent = 0;           // its half-width in % of its mean
};

// The widest 95 % half-width relative to its mean over the variants of `r`, in percent
// (infinite when a mean is 0 with a non-zero half-width; NaN means are skipped).
double worst_relative_ci(const BatchResults& r, const std::string& kpi, std::string* variant);

// Runs `run.replications` replications of every variant, then, while some variant's interval
// is wider than the target and fewer than max_replications ran, runs more replications of all
// variants together (doubling, capped at the maximum) and appends them. The result equals
// one batch of the final number of replications.
BatchResults run_to_target(const Scene& scene, RunSettings run, Backend& backend, const TargetCi& target,
                           const BatchOptions& options, TargetCiOutcome* outcome);

}  // namespace plantwin
