// The cpu backend: the shared lane kernel over OpenMP threads, launched through Thrust's
// OpenMP system (one lane per iteration; lanes cost about the same, so a static split is fair).
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/system/omp/execution_policy.h>
#include <omp.h>
#include <unistd.h>

#include <memory>

#include "engine/backend/backend.h"
#include "engine/backend/chunk_extract.h"
#include "engine/backend/cpu_coupled.h"
#include "engine/physics/coupling_build.h"
#include "kernels/flow/lane_sim.h"

namespace plantwin {
namespace {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(PhysicsEngine physics) : physics_(physics) {}

  std::string name() const override { return "cpu"; }
  std::string physics_engine() const override { return physics_ == PhysicsEngine::Bullet ? "bullet" : "plantwin"; }

  size_t bytes_per_lane(const Model& model) const override {
    size_t b = state_layout(model, 1).bytes;
    // Bullet's worlds live on the heap; about 1 KB per body and static box is a fair guess.
    if (model.coupling)
      b += physics_ == PhysicsEngine::Bullet
               ? 1024 * static_cast<size_t>(model.coupling->params.bodies + model.coupling->n_statics + 16)
               : physics::lane_physics_layout(*model.coupling).bytes;
    return b;
  }

  size_t memory_budget() const override {
    // A quarter of physical memory: leaves room for results and the rest of the machine.
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return size_t(1) << 30;
    return static_cast<size_t>(pages) * static_cast<size_t>(page) / 4;
  }

  int64_t min_chunk_lanes() const override { return 16 * omp_get_max_threads(); }
  int64_t lane_granularity() const override { return 8 * omp_get_max_threads(); }  // 8 doubles a line

  std::string describe() const override {
    int t = omp_get_max_threads();
    return "cpu (" + std::to_string(t) + (t == 1 ? " thread)" : " threads)");
  }

  void run(const Model& model, int64_t first_lane, int64_t count, ChunkOutput& out) override {
    // Each lane gets its own block of the state (see FlowLaneBlockKernel): blocks are whole
    // cache lines, so threads never share one either.
    flow::FlowStateLayout one = state_layout(model, 1);
    const size_t bytes = one.bytes * static_cast<size_t>(count);
    if (blob_bytes_ < bytes) {
      blob_.reset(static_cast<unsigned char*>(::operator new(bytes, std::align_val_t(64))));
      blob_bytes_ = bytes;
    }
    if (!model.coupling) {
      flow::FlowLaneBlockKernel kernel{model.view(), one, blob_.get(), first_lane};
      thrust::for_each(thrust::omp::par, thrust::counting_iterator<int64_t>(0),
                       thrust::counting_iterator<int64_t>(count), kernel);
    } else {
      cpu_run_coupled(model, one, blob_.get(), first_lane, count, physics_);
    }
    flow::FlowState lane0 = one.bind(blob_.get());
    lane0.lane_bytes = static_cast<int64_t>(one.bytes);
    extract_chunk(model, lane0, count, out);
  }

 private:
  PhysicsEngine physics_;
  struct AlignedDelete {
    void operator()(unsigned char* p) const { ::operator delete(p, std::align_val_t(64)); }
  };
  std::unique_ptr<unsigned char, AlignedDelete> blob_;
  size_t blob_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(PhysicsEngine physics) { return std::make_unique<CpuBackend>(physics); }

}  // namespace plantwin
