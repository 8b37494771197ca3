// The cuda backend: the same lane kernel (kernels/flow/lane_sim.h) as the cpu backend,
// launched through Thrust's CUDA system, one GPU thread per lane.
#include <cuda_runtime.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/chunk_extract.h"
#include "engine/physics/coupling_build.h"
#include "engine/physics/kernel_world.h"
#include "engine/backend/cuda_coupled.h"
#include "kernels/flow/lane_sim.h"

namespace plantwin {
namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("cuda backend: ") + what + ": " + cudaGetErrorString(err));
}

// Device copies of the model's arrays, freed with the next upload or the backend.
class DeviceModel {
 public:
  DeviceModel() = default;
  DeviceModel(const DeviceModel&) = delete;
  DeviceModel& operator=(const DeviceModel&) = delete;
  ~DeviceModel() { clear(); }

  // The kernel's view of `model` with every array copied to the device.
  flow::FlowModel upload(const Model& model) {
    clear();
    return model.bind([this](const auto& v) { return copy(v); });
  }
  // The same for the model's physical conveyors (after upload, which frees them with the rest).
  flow::Coupling upload(const physics::CouplingData& c) {
    return c.bind([this](const auto& v) { return copy(v); });
  }

  template <class T>
  const T* copy(const std::vector<T>& v) {
    if (v.empty()) return nullptr;
    void* p = nullptr;
    check(cudaMalloc(&p, v.size() * sizeof(T)), "cudaMalloc (model)");
    ptrs_.push_back(p);
    check(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), "copy model to device");
    return static_cast<const T*>(p);
  }

 private:
  std::vector<void*> ptrs_;

  void clear() {
    for (void* p : ptrs_) cudaFree(p);
    ptrs_.clear();
  }
};

class CudaBackend final : public Backend {
 public:
  CudaBackend() {
    check(cudaSetDevice(0), "cudaSetDevice");
    // The lane kernel keeps a small worklist on the stack.
    check(cudaDeviceSetLimit(cudaLimitStackSize, 4096), "cudaDeviceSetLimit(stack)");
  }
  ~CudaBackend() override {
    if (state_) cudaFree(state_);
    if (pstate_) cudaFree(pstate_);
  }

  std::string name() const override { return "cuda"; }

  size_t bytes_per_lane(const Model& model) const override {
    size_t b = state_layout(model, 1).bytes;
    if (model.coupling) b += physics::lane_physics_layout(*model.coupling).bytes;
    return b;
  }

  size_t memory_budget() const override {
    size_t free_b = 0, total_b = 0;
    if (cudaMemGetInfo(&free_b, &total_b) != cudaSuccess) return size_t(1) << 30;
    return free_b / 2;  // leave room for the model, Thrust's temporaries and other users
  }

  int64_t min_chunk_lanes() const override {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) return 65536;
    return static_cast<int64_t>(p.multiProcessorCount) * 512;
  }

  int64_t lane_granularity() const override { return 32; }  // a warp

  std::string describe() const override {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) return "cuda";
    return std::string("cuda (") + p.name + ", " + std::to_string(p.multiProcessorCount) + " SMs)";
  }

  void run(const Model& model, int64_t first_lane, int64_t count, ChunkOutput& out) override {
    // The model is a few kilobytes: uploading it with every chunk is cheaper than tracking
    // whether the one on the device is still current.
    flow::FlowModel view = device_model_.upload(model);
    flow::FlowStateLayout layout = state_layout(model, count);
    if (state_bytes_ < layout.bytes) {
      if (state_) cudaFree(state_);
      state_ = nullptr;
      check(cudaMalloc(&state_, layout.bytes), "cudaMalloc (lane state)");
      state_bytes_ = layout.bytes;
    }
    flow::FlowState dstate = layout.bind(state_);
    if (model.coupling) {
      run_coupled(model, view, dstate, first_lane, count);
    } else {
      flow::FlowLaneKernel kernel{view, dstate, first_lane};
      thrust::for_each(thrust::cuda::par, thrust::counting_iterator<int64_t>(0),
                       thrust::counting_iterator<int64_t>(count), kernel);
    }
    check(cudaGetLastError(), "flow kernel launch");
    check(cudaDeviceSynchronize(), "flow kernel");

    // Only the result fields travel back.
    host_.resize(layout.bytes);
    for (int f : result_fields()) {
      size_t begin = layout.off[f];
      size_t end = layout.off[f + 1];
      check(cudaMemcpy(host_.data() + begin, state_ + begin, end - begin, cudaMemcpyDeviceToHost),
            "copy results to host");
    }
    extract_chunk(model, layout.bind(host_.data()), count, out);
  }

 private:
  // Lanes with physical conveyors: the same flow kernel with the physics kernel as its hook,
  // each lane's world interleaved with its neighbours' in a second allocation.
  void run_coupled(const Model& model, const flow::FlowModel& view, const flow::FlowState& dstate,
                   int64_t first_lane, int64_t count) {
    const physics::CouplingData& c = *model.coupling;
    flow::CoupledLaneKernel k;
    k.model = view;
    k.state = dstate;
    k.first_lane = first_lane;
    k.coupling = device_model_.upload(c);
    k.physics.p = c.params;
    k.physics.statics = device_model_.copy(c.statics);
    k.n_statics = c.n_statics;
    k.n_kinds = c.n_conv * c.n_parts;
    k.kinds = device_model_.copy(c.kinds);
    k.play.build(count, physics::dims_of<phys::LaneView>(c.params));
    if (pstate_bytes_ < k.play.bytes) {
      if (pstate_) cudaFree(pstate_);
      pstate_ = nullptr;
      check(cudaMalloc(&pstate_, k.play.bytes), "cudaMalloc (physics state)");
      pstate_bytes_ = k.play.bytes;
    }
    k.pbase = pstate_;
    // A lane runs the physics step's collision and solver stages on its own stack.
    check(cudaDeviceSetLimit(cudaLimitStackSize, 32768), "cudaDeviceSetLimit(stack)");
    detail::cuda_run_coupled(k, count);
  }

  DeviceModel device_model_;
  unsigned char* state_ = nullptr;
  size_t state_bytes_ = 0;
  unsigned char* pstate_ = nullptr;
  size_t pstate_bytes_ = 0;
  std::vector<unsigned char> host_;

};

}  // namespace

bool cuda_available(std::string* why) {
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess || n == 0) {
    if (why) {
      if (n == 0 && (err == cudaSuccess || err == cudaErrorNoDevice || err == cudaErrorInsufficientDriver))
        *why = "no CUDA device on this machine";
      else
        *why = std::string("CUDA is not usable here: ") + cudaGetErrorString(err);
    }
    return false;
  }
  return true;
}

std::unique_ptr<Backend> make_cuda_backend() {
  std::string why;
  if (!cuda_available(&why)) throw std::runtime_error("cuda backend unavailable: " + why);
  return std::make_unique<CudaBackend>();
}

}  // namespace plantwin
