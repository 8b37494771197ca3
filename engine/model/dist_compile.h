// Host side: turns a validated DistSpec into the kernel's Dist, and gives the exact moments of the
// distribution as the kernel samples it (used by tests and by result sanity checks).
#pragma once
#include <vector>

#include "engine/scene/dist_spec.h"
#include "kernels/rng/distribution.h"

namespace plantwin {

// Compiles spec (already validated by the loader). Empirical rows are appended to `table`
// (two doubles per row, see Dist) and the Dist records where they start. Throws nothing.
// Degenerate specs with zero spread (normal/lognormal/gamma with sd or cv 0) compile to Constant.
Dist compile_dist(const DistSpec& spec, std::vector<double>& table);

// Mean of the distribution as sampled. For Normal that is the mean of the normal truncated at 0.
double dist_mean(const DistSpec& spec);

// Variance of the distribution as sampled (Normal: of the truncated normal).
double dist_variance(const DistSpec& spec);

}  // namespace plantwin
