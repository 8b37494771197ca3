// The cuda backend's launch of the coupled flow + physics kernel (kernels/flow/
// coupled_lane_kernel.h) for lanes of a scene with physical conveyors, in a translation unit
// of its own: ptxas takes minutes over each of the two lane kernels, and the build can then
// compile them in parallel. Every pointer in `k` is a device pointer; cuda builds only.
#pragma once
#include <cstdint>

#include "kernels/flow/coupled_lane_kernel.h"

namespace plantwin::detail {

// Runs k's lanes [0, count) to the end of their horizon (asynchronously: the caller
// synchronises and checks for errors).
void cuda_run_coupled(const flow::CoupledLaneKernel& k, int64_t count);

}  // namespace plantwin::detail
