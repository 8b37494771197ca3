// Host side of the plantwin rigid-body kernel (kernels/physics/): a batch of lanes, each its own
// copy of one WorldDesc, stepped on the cpu (Thrust's OpenMP system, one lane per iteration)
// or, when the build has CUDA, on the GPU (run_physics_cuda). Lanes never interact, and a
// lane's result does not depend on the thread count.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/physics/world_desc.h"
#include "kernels/physics/physics_state.h"

namespace plantwin::physics {

struct RunOptions {
  int64_t lanes = 1;
  double seconds = 1;                 // simulated; rounded to whole steps of WorldDesc::dt
  std::vector<int64_t> record_lanes;  // lanes whose pose after every step is kept
};

struct RunResult {
  int64_t steps = 0;
  int64_t lanes = 0, bodies = 0;
  std::vector<Pose> final_pose;                // [lane * bodies + body]
  std::vector<int64_t> lost, contact_overflow; // [lane]: bodies lost; steps that dropped contacts
  std::vector<std::vector<Pose>> trajectories; // [record lane][step * bodies + body], after each step
  std::vector<double> times;                   // [step]: the time after it
};

struct BodyVelocity {
  Vec3d linear{0, 0, 0};
  Vec3d angular{0, 0, 0};  // world frame
};

// Throws std::invalid_argument when `world` cannot be simulated (dt or substeps not positive,
// a mass, size or friction out of range, a stopper index < -1, ...). Every runner calls it.
void check_world(const WorldDesc& world);

// A batch stepped one call at a time on the cpu: what tests and the flow coupling drive.
class PhysicsBatch {
 public:
  PhysicsBatch(const WorldDesc& world, int64_t lanes);
  ~PhysicsBatch();
  PhysicsBatch(const PhysicsBatch&) = delete;
  PhysicsBatch& operator=(const PhysicsBatch&) = delete;

  int64_t lanes() const;
  int64_t bodies() const;
  int32_t stoppers() const;      // 1 + the highest StaticBoxDesc::stopper index
  int64_t steps_done() const;    // calls of step() so far, in steps (step_lane not counted)
  double time() const;           // steps_done() * dt

  // Advances every lane by n steps (one kernel launch over the lanes), each from its own
  // lane_steps (they differ once step_lane has been used).
  void step(int64_t n = 1);
  // Advances only `lane` by n steps. Calls for different lanes may run at the same time on
  // different threads (each touches only its lane's state and step count); not concurrently
  // with step() or with any other call for the same lane.
  void step_lane(int64_t lane, int64_t n = 1);
  // Steps lane `lane` has taken, by step() and step_lane(); its time is lane_steps * dt.
  int64_t lane_steps(int64_t lane) const;

  Pose pose(int64_t lane, int64_t body) const;
  BodyVelocity velocity(int64_t lane, int64_t body) const;
  bool lost(int64_t lane, int64_t body) const;
  int64_t lost_count(int64_t lane) const;
  int64_t contact_overflow(int64_t lane) const;  // steps in which contact points were dropped
  // Contact points of the last step (a body despawned since still counts until the next).
  int32_t contact_count(int64_t lane) const;
  // Raises (true) or lowers stopper k in one lane; all stoppers start raised.
  void set_stopper(int64_t lane, int32_t k, bool up);
  bool stopper(int64_t lane, int32_t k) const;
  // Switches belt drive k of one lane on or off (StaticBoxDesc::drive); all start on. A belt
  // whose drive is off stands still: its parts keep only the friction of a still surface.
  int32_t drives() const;        // 1 + the highest StaticBoxDesc::drive index
  void set_drive(int64_t lane, int32_t k, bool on);
  bool drive(int64_t lane, int32_t k) const;

  // Body slots, per lane (BulletBatch keeps the same contract). A slot is active (simulated),
  // lost (fell below lost_below_z: no longer simulated) or free (dormant: BodyDesc::active
  // false, or despawned); only an active body collides or moves. A free slot's pose and
  // velocity are meaningless.
  bool active(int64_t lane, int64_t body) const;
  // Puts a part into free slot `body` of `lane` at `pose`, at rest, with the slot's shape,
  // mass and materials -- or, when kind >= 0, with those of WorldDesc::kinds[kind], which the
  // slot keeps from then on; it is simulated from the next step on, with no memory of the slot's
  // earlier occupant. Throws std::logic_error when the slot is active or lost (despawn
  // first), std::out_of_range for a bad lane, body or kind, std::invalid_argument for a pose that
  // is not finite or whose quaternion is not (about) unit.
  void spawn(int64_t lane, int64_t body, const Pose& pose, int32_t kind = -1);
  // Frees an active or lost slot: the part leaves the world now. Freeing a lost slot clears
  // its lost mark; lost_count keeps counting it. Throws std::logic_error when the slot is
  // already free, std::out_of_range for a bad lane or body.
  void despawn(int64_t lane, int64_t body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

RunResult run_physics_cpu(const WorldDesc& world, const RunOptions& options);

// The same on the GPU; throws std::runtime_error in a build without CUDA.
RunResult run_physics_cuda(const WorldDesc& world, const RunOptions& options);
bool physics_cuda_built();

namespace detail {
// The device half of run_physics_cuda (engine/physics/physics_cuda.cu): runs `steps` steps on
// the interleaved lane state `blob` (layout.bytes bytes; read and written back) and, when
// n_rec > 0, writes the recorded lanes' poses to traj (host, n_rec * steps * bodies * 7).
void cuda_run_physics(const phys::PhysicsParams& params, const std::vector<phys::StaticBox>& statics,
                      const phys::PhysicsStateLayout& layout, unsigned char* blob, int64_t steps,
                      const std::vector<int32_t>& rec_slot, int64_t n_rec, double* traj);
}  // namespace detail

}  // namespace plantwin::physics
