#include "engine/backend/cuda_coupled.h"

#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

namespace plantwin::detail {

void cuda_run_coupled(const flow::CoupledLaneKernel& k, int64_t count) {
  thrust::for_each(thrust::cuda::par, thrust::counting_iterator<int64_t>(0),
                   thrust::counting_iterator<int64_t>(count), k);
}

}  // namespace plantwin::detail
