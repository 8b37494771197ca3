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

 private:
  std::vector<void*> ptrs_;

  void clear() {
    for (void* p : ptrs_) cudaFree(p);
    ptrs_.clear();
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
};

class CudaBackend final : public Backend {
 public:
  CudaBackend() {
    check(cudaSetDevice(0), "cudaSetDevice");
    // The lane kernel keeps a small worklist on the stack.
    check(cudaDeviceSetLimit(cudaLimitStackSize, 4096), "cudaDeviceSetLimit(stack)");
  }
  ~CudaBackend() override { if (state_) cudaFree(state_); }

  std::string name() const override { return "cuda"; }

  size_t bytes_per_lane(const Model& model) const override { return state_layout(model, 1).bytes; }

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
    // The flow kernel here has no physics hook: it would run a physical conveyor as a timed one.
    if (model.coupling)
      throw std::runtime_error("physical conveyors (model: physics) run on the cpu backend in this version; use --backend cpu");
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
    flow::FlowLaneKernel kernel{view, dstate, first_lane};
    thrust::for_each(thrust::cuda::par, thrust::counting_iterator<int64_t>(0),
                     thrust::counting_iterator<int64_t>(count), kernel);
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
  DeviceModel device_model_;
  unsigned char* state_ = nullptr;
  size_t state_bytes_ = 0;
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
