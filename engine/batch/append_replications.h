// Extends a batch by more replications of every variant: the lanes of `more` (replications
// R .. R + R' - 1, run with BatchOptions::first_replication = R) are merged into `batch`,
// keeping lanes variant-major. The result equals one batch of R + R' replications.
#pragma once
#include "engine/batch/batch_results.h"

namespace plantwin {

// Throws std::invalid_argument when the two batches are not of the same scene and variants.
void append_replications(BatchResults& batch, const BatchResults& more);

}  // namespace plantwin
