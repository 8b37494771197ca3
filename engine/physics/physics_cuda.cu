// The device half of run_physics_cuda (engine/physics/physics_runner.cpp): the same lane
// kernel as the cpu (kernels/physics/physics_step.h), launched through Thrust's CUDA system,
// one GPU thread per lane over the interleaved state.
#include <cuda_runtime.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/physics/physics_runner.h"
#include "kernels/physics/physics_step.h"

namespace plantwin::physics::detail {
namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("physics cuda: ") + what + ": " + cudaGetErrorString(err));
}

// A device allocation freed when it goes out of scope.
struct DeviceBuffer {
  void* p = nullptr;
  explicit DeviceBuffer(size_t bytes) {
    if (bytes) check(cudaMalloc(&p, bytes), "cudaMalloc");
  }
  ~DeviceBuffer() {
    if (p) cudaFree(p);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

}  // namespace

void cuda_run_physics(const phys::PhysicsParams& params, const std::vector<phys::StaticBox>& statics,
                      const phys::PhysicsStateLayout& layout, unsigned char* blob, int64_t steps,
                      const std::vector<int32_t>& rec_slot, int64_t n_rec, double* traj) {
  check(cudaSetDevice(0), "cudaSetDevice");
  // The narrow phase keeps two hulls and two clip buffers (a few kilobytes) on the stack.
  check(cudaDeviceSetLimit(cudaLimitStackSize, 16384), "cudaDeviceSetLimit(stack)");
  const int64_t lanes = layout.lanes;
  DeviceBuffer d_state(layout.bytes), d_statics(statics.size() * sizeof(phys::StaticBox));
  DeviceBuffer d_slot(n_rec > 0 ? rec_slot.size() * sizeof(int32_t) : 0);
  const size_t traj_bytes = static_cast<size_t>(n_rec * steps * params.bodies * 7) * sizeof(double);
  DeviceBuffer d_traj(traj_bytes);
  check(cudaMemcpy(d_state.p, blob, layout.bytes, cudaMemcpyHostToDevice), "copy state to device");
  if (!statics.empty())
    check(cudaMemcpy(d_statics.p, statics.data(), statics.size() * sizeof(phys::StaticBox), cudaMemcpyHostToDevice),
          "copy statics to device");
  if (n_rec > 0)
    check(cudaMemcpy(d_slot.p, rec_slot.data(), rec_slot.size() * sizeof(int32_t), cudaMemcpyHostToDevice),
          "copy record slots to device");

  phys::PhysicsLaneKernel k;
  k.model.p = params;
  k.model.statics = static_cast<const phys::StaticBox*>(d_statics.p);
  k.layout = layout;
  k.base = static_cast<unsigned char*>(d_state.p);
  k.block_bytes = 0;
  k.step0 = 0;
  k.steps = steps;
  if (n_rec > 0) {
    k.traj = static_cast<double*>(d_traj.p);
    k.rec_slot = static_cast<const int32_t*>(d_slot.p);
    k.traj_steps = steps;
  }
  thrust::for_each(thrust::cuda::par, thrust::counting_iterator<int64_t>(0),
                   thrust::counting_iterator<int64_t>(lanes), k);
  check(cudaGetLastError(), "physics kernel launch");
  check(cudaDeviceSynchronize(), "physics kernel");
  check(cudaMemcpy(blob, d_state.p, layout.bytes, cudaMemcpyDeviceToHost), "copy state to host");
  if (traj_bytes) check(cudaMemcpy(traj, d_traj.p, traj_bytes, cudaMemcpyDeviceToHost), "copy trajectories to host");
}

}  // namespace plantwin::physics::detail
