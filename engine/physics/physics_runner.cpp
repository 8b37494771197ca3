// Host side of the physics kernel: checks a WorldDesc, resolves it into the kernel's model
// (PhysicsParams, StaticBox), lays out and fills the lanes' state, launches the lane kernel
// through Thrust (OpenMP here, CUDA in physics_cuda.cu) and reads poses back.
#include "engine/physics/physics_runner.h"

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/system/omp/execution_policy.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <new>
#include <stdexcept>
#include <string>

#include "engine/physics/kernel_world.h"
#include "kernels/physics/physics_step.h"

namespace plantwin::physics {
namespace {

using phys::Mat3;
using phys::Quat;
using phys::Vec3;

bool finite3(const Vec3d& v) { return std::isfinite(v[0]) && std::isfinite(v[1]) && std::isfinite(v[2]); }
bool positive3(const Vec3d& v) { return v[0] > 0 && v[1] > 0 && v[2] > 0; }
bool unit_like(const Quatd& q) {
  double n = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  return std::isfinite(n) && n > 0.5 && n < 2.0;  // renormalised on the way in
}

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("physics world: " + what); }

template <class V>
Pose read_pose(const V& L, int64_t b) {
  Vec3 p = L.get3(L.s.pos, b);
  Quat q = L.getq(b);
  return Pose{{p.x, p.y, p.z}, {q.w, q.x, q.y, q.z}};
}

struct AlignedDelete {
  void operator()(unsigned char* p) const { ::operator delete(p, std::align_val_t(64)); }
};
using Blob = std::unique_ptr<unsigned char, AlignedDelete>;

Blob alloc_blob(size_t bytes) {
  auto* p = static_cast<unsigned char*>(::operator new(std::max<size_t>(bytes, 64), std::align_val_t(64)));
  std::fill(p, p + bytes, static_cast<unsigned char>(0));
  return Blob(p);
}

int64_t steps_for(const WorldDesc& w, double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) bad("run length must be a finite number of seconds >= 0");
  return static_cast<int64_t>(std::llround(seconds / w.dt));
}

std::vector<int32_t> record_slots(const RunOptions& o) {
  std::vector<int32_t> slot(static_cast<size_t>(o.lanes), -1);
  for (size_t r = 0; r < o.record_lanes.size(); ++r) {
    int64_t l = o.record_lanes[r];
    if (l < 0 || l >= o.lanes) bad("record lane " + std::to_string(l) + " is not in [0, lanes)");
    if (slot[static_cast<size_t>(l)] >= 0) bad("record lane " + std::to_string(l) + " is listed twice");
    slot[static_cast<size_t>(l)] = static_cast<int32_t>(r);
  }
  return slot;
}

// Copies the kernel's trajectory buffer into RunResult::trajectories.
void unpack_trajectories(const std::vector<double>& traj, int64_t n_rec, int64_t steps, int64_t bodies,
                         RunResult& r) {
  r.trajectories.assign(static_cast<size_t>(n_rec), {});
  for (int64_t k = 0; k < n_rec; ++k) {
    auto& t = r.trajectories[static_cast<size_t>(k)];
    t.resize(static_cast<size_t>(steps * bodies));
    const double* src = traj.data() + k * steps * bodies * 7;
    for (int64_t i = 0; i < steps * bodies; ++i, src += 7)
      t[static_cast<size_t>(i)] = Pose{{src[0], src[1], src[2]}, {src[3], src[4], src[5], src[6]}};
  }
}

// What both stand-alone runners take from their arguments, checked: the steps, the recorded
// lanes' slots, and the world as the kernel reads it.
struct RunPlan {
  int64_t steps = 0, n_rec = 0;
  std::vector<int32_t> slot;
  std::vector<phys::StaticBox> statics;
  phys::PhysicsParams params;
};

RunPlan plan_run(const WorldDesc& world, const RunOptions& options) {
  check_world(world);
  if (options.lanes < 1) bad("lanes must be >= 1");
  RunPlan p;
  p.steps = steps_for(world, options.seconds);
  p.slot = record_slots(options);
  p.n_rec = static_cast<int64_t>(options.record_lanes.size());
  p.statics = make_statics(world);
  p.params = make_params(world);
  return p;
}

// The result of a run from the lanes' final state (lane(l): lane l's view) and the recorded
// trajectories: the same for both backends.
RunResult sized_result(int64_t lanes, int64_t bodies, int64_t steps, double dt) {
  RunResult r;
  r.steps = steps;
  r.lanes = lanes;
  r.bodies = bodies;
  r.final_pose.resize(static_cast<size_t>(lanes * bodies));
  r.lost.resize(static_cast<size_t>(lanes));
  r.contact_overflow.resize(static_cast<size_t>(lanes));
  for (int64_t i = 0; i < steps; ++i) r.times.push_back(static_cast<double>(i + 1) * dt);
  return r;
}

// Lanes [first, first + n) of r from their final state (lane(i): the view of lane first + i).
template <class LaneOf>
void read_lanes(LaneOf lane, int64_t first, int64_t n, RunResult& r) {
  const int64_t bodies = r.bodies;
  for (int64_t i = 0; i < n; ++i) {
    const auto L = lane(i);
    const int64_t l = first + i;
    for (int64_t b = 0; b < bodies; ++b) r.final_pose[static_cast<size_t>(l * bodies + b)] = read_pose(L, b);
    r.lost[static_cast<size_t>(l)] = L.s.lost_count[L.lane()];
    r.contact_overflow[static_cast<size_t>(l)] = L.s.overflow_count[L.lane()];
  }
}

template <class LaneOf>
RunResult collect_result(LaneOf lane, int64_t lanes, int64_t bodies, int64_t steps, double dt,
                         const std::vector<double>& traj, int64_t n_rec) {
  RunResult r = sized_result(lanes, bodies, steps, dt);
  read_lanes(lane, 0, lanes, r);
  unpack_trajectories(traj, n_rec, steps, bodies, r);
  return r;
}

}  // namespace

void check_world(const WorldDesc& w) {
  if (!(w.dt > 0) || !std::isfinite(w.dt)) bad("dt must be > 0");
  if (w.substeps < 1) bad("substeps must be >= 1");
  if (!std::isfinite(w.gravity)) bad("gravity must be finite");
  if (!(w.floor_friction >= 0)) bad("floor_friction must be >= 0");
  if (w.contact_capacity < 0) bad("contact_capacity must be >= 0");
  if (!std::isfinite(w.lost_below_z)) bad("lost_below_z must be finite");
  if (w.bodies.size() > (1u << 20)) bad("too many bodies");
  // What a body is made of (bodies and kinds alike).
  auto check_material = [](const BodyDesc& b, const std::string& at) {
    if (!(b.mass > 0) || !std::isfinite(b.mass)) bad(at + "mass must be > 0");
    if (b.shape == Shape::Box && !positive3(b.half_extents)) bad(at + "half extents must be > 0");
    if (b.shape == Shape::Cylinder && !(b.radius > 0 && b.half_height > 0)) bad(at + "radius and half height must be > 0");
    if (!(b.friction >= 0) || !(b.restitution >= 0 && b.restitution <= 1)) bad(at + "friction >= 0, restitution in [0, 1]");
  };
  for (size_t i = 0; i < w.bodies.size(); ++i) {
    const BodyDesc& b = w.bodies[i];
    std::string at = "body " + std::to_string(i) + ": ";
    check_material(b, at);
    if (!finite3(b.position) || !finite3(b.velocity) || !finite3(b.angular_velocity)) bad(at + "state must be finite");
    if (!unit_like(b.orientation)) bad(at + "orientation must be a unit quaternion");
  }
  for (size_t i = 0; i < w.statics.size(); ++i) {
    const StaticBoxDesc& s = w.statics[i];
    std::string at = "static box " + std::to_string(i) + ": ";
    if (!positive3(s.half_extents)) bad(at + "half extents must be > 0");
    if (!finite3(s.center) || !finite3(s.surface_velocity) || !finite3(s.kinematic_velocity)) bad(at + "must be finite");
    if (!unit_like(s.orientation)) bad(at + "orientation must be a unit quaternion");
    if (!(s.friction >= 0) || !(s.restitution >= 0 && s.restitution <= 1)) bad(at + "friction >= 0, restitution in [0, 1]");
    if (s.stopper < -1) bad(at + "stopper must be -1 or an index >= 0");
    if (s.drive < -1) bad(at + "drive must be -1 or an index >= 0");
  }
  for (size_t i = 0; i < w.kinds.size(); ++i) check_material(w.kinds[i], "body kind " + std::to_string(i) + ": ");
}

struct PhysicsBatch::Impl {
  WorldDesc world;
  int64_t lanes = 0;
  std::vector<phys::StaticBox> statics;
  std::vector<phys::BodyKind> kinds;
  phys::PhysicsModel model;
  phys::PhysicsStateLayout layout;  // one lane's block
  Blob blob;
  int64_t steps = 0;                // by step()
  std::vector<int64_t> lane_steps;  // [lane]: by step() and step_lane()

  phys::LaneBlock lane(int64_t l) const {
    if (l < 0 || l >= lanes) throw std::out_of_range("physics batch: lane " + std::to_string(l) + " out of range");
    return phys::LaneBlock{layout.bind(blob.get() + l * static_cast<int64_t>(layout.bytes)), 1, 0};
  }
  // The lane kernel for n steps; each lane starts it at its own step count (kinematic boxes
  // move on the lane's clock).
  phys::PhysicsLaneKernel kernel(int64_t n) const {
    phys::PhysicsLaneKernel k;
    k.model = model;
    k.layout = layout;
    k.base = blob.get();
    k.block_bytes = static_cast<int64_t>(layout.bytes);
    k.steps = n;
    return k;
  }
  void step_lane(const phys::PhysicsLaneKernel& k, int64_t l) {
    phys::PhysicsLaneKernel own = k;
    own.step0 = lane_steps[static_cast<size_t>(l)];
    own(l);
    lane_steps[static_cast<size_t>(l)] += k.steps;
  }
  void check_body(int64_t b) const {
    if (b < 0 || b >= model.p.bodies) throw std::out_of_range("physics batch: body " + std::to_string(b) + " out of range");
  }
};

PhysicsBatch::PhysicsBatch(const WorldDesc& world, int64_t lanes) : impl_(std::make_unique<Impl>()) {
  check_world(world);
  if (lanes < 1) bad("lanes must be >= 1");
  Impl& m = *impl_;
  m.world = world;
  m.lanes = lanes;
  m.statics = make_statics(world);
  for (const BodyDesc& b : world.kinds) m.kinds.push_back(body_kind(b));
  m.model.p = make_params(world);
  m.model.statics = m.statics.data();
  m.layout.build(1, dims_of<phys::LaneBlock>(m.model.p));
  m.blob = alloc_blob(m.layout.bytes * static_cast<size_t>(lanes));
  m.lane_steps.assign(static_cast<size_t>(lanes), 0);
  for (int64_t l = 0; l < lanes; ++l) init_lane(world, m.lane(l));
}

PhysicsBatch::~PhysicsBatch() = default;

int64_t PhysicsBatch::lanes() const { return impl_->lanes; }
int64_t PhysicsBatch::bodies() const { return impl_->model.p.bodies; }
int32_t PhysicsBatch::stoppers() const { return impl_->model.p.stoppers; }
int64_t PhysicsBatch::steps_done() const { return impl_->steps; }
double PhysicsBatch::time() const { return static_cast<double>(impl_->steps) * impl_->model.p.dt; }

void PhysicsBatch::step(int64_t n) {
  if (n <= 0) return;
  Impl& m = *impl_;
  const phys::PhysicsLaneKernel k = m.kernel(n);
  // A parallel region per call costs more than a few lanes' step, and far more when the
  // machine is busy (idle OpenMP threads spin); a lane's result is the same either way.
  if (m.lanes < 2 * omp_get_max_threads()) {
    for (int64_t l = 0; l < m.lanes; ++l) m.step_lane(k, l);
  } else {
    thrust::for_each(thrust::omp::par, thrust::counting_iterator<int64_t>(0),
                     thrust::counting_iterator<int64_t>(m.lanes), [&](int64_t l) { m.step_lane(k, l); });
  }
  m.steps += n;
}

void PhysicsBatch::step_lane(int64_t lane, int64_t n) {
  impl_->lane(lane);  // range check
  if (n > 0) impl_->step_lane(impl_->kernel(n), lane);
}

int64_t PhysicsBatch::lane_steps(int64_t lane) const {
  impl_->lane(lane);
  return impl_->lane_steps[static_cast<size_t>(lane)];
}

Pose PhysicsBatch::pose(int64_t lane, int64_t body) const {
  impl_->check_body(body);
  return read_pose(impl_->lane(lane), body);
}

BodyVelocity PhysicsBatch::velocity(int64_t lane, int64_t body) const {
  impl_->check_body(body);
  const phys::LaneBlock L = impl_->lane(lane);
  Vec3 v = L.get3(L.s.vel, body), w = L.get3(L.s.angvel, body);
  return BodyVelocity{{v.x, v.y, v.z}, {w.x, w.y, w.z}};
}

bool PhysicsBatch::lost(int64_t lane, int64_t body) const {
  impl_->check_body(body);
  const phys::LaneBlock L = impl_->lane(lane);
  return L.s.lost[L.at(body)] != 0;
}

int64_t PhysicsBatch::lost_count(int64_t lane) const {
  const phys::LaneBlock L = impl_->lane(lane);
  return L.s.lost_count[L.lane()];
}

int64_t PhysicsBatch::contact_overflow(int64_t lane) const {
  const phys::LaneBlock L = impl_->lane(lane);
  return L.s.overflow_count[L.lane()];
}

int32_t PhysicsBatch::contact_count(int64_t lane) const {
  const phys::LaneBlock L = impl_->lane(lane);
  return L.s.ct_count[L.lane()];
}

bool PhysicsBatch::active(int64_t lane, int64_t body) const {
  impl_->check_body(body);
  const phys::LaneBlock L = impl_->lane(lane);
  return L.s.active[L.at(body)] != 0;
}

void PhysicsBatch::spawn(int64_t lane, int64_t body, const Pose& pose, int32_t kind) {
  impl_->check_body(body);
  if (kind < -1 || kind >= static_cast<int32_t>(impl_->kinds.size()))
    throw std::out_of_range("physics batch: no body kind " + std::to_string(kind));
  const phys::LaneBlock L = impl_->lane(lane);
  const std::string at = "physics batch: lane " + std::to_string(lane) + " body " + std::to_string(body);
  if (L.s.active[L.at(body)]) throw std::logic_error(at + " is active: despawn it before spawning");
  if (L.s.lost[L.at(body)]) throw std::logic_error(at + " is lost: despawn it to free the slot");
  if (!finite3(pose.p) || !unit_like(pose.q)) throw std::invalid_argument(at + ": spawn pose must be finite, q a unit quaternion");
  if (kind < 0) phys::spawn_body(L, static_cast<int32_t>(body), to_vec(pose.p), to_quat(pose.q));
  else phys::spawn_body_as(L, static_cast<int32_t>(body), impl_->kinds[static_cast<size_t>(kind)], to_vec(pose.p), to_quat(pose.q));
}

void PhysicsBatch::despawn(int64_t lane, int64_t body) {
  impl_->check_body(body);
  const phys::LaneBlock L = impl_->lane(lane);
  if (!L.s.active[L.at(body)] && !L.s.lost[L.at(body)])
    throw std::logic_error("physics batch: lane " + std::to_string(lane) + " body " + std::to_string(body) +
                           " is already free");
  phys::despawn_body(L, static_cast<int32_t>(body));
}

void PhysicsBatch::set_stopper(int64_t lane, int32_t k, bool up) {
  if (k < 0 || k >= impl_->model.p.stoppers) throw std::out_of_range("physics batch: no stopper " + std::to_string(k));
  const phys::LaneBlock L = impl_->lane(lane);
  L.s.stopper_up[L.at(k)] = up ? 1 : 0;
}

void PhysicsBatch::set_drive(int64_t lane, int32_t k, bool on) {
  if (k < 0 || k >= impl_->model.p.drives) throw std::out_of_range("physics batch: no drive " + std::to_string(k));
  const phys::LaneBlock L = impl_->lane(lane);
  L.s.drive_on[L.at(k)] = on ? 1 : 0;
}

bool PhysicsBatch::drive(int64_t lane, int32_t k) const {
  if (k < 0 || k >= impl_->model.p.drives) throw std::out_of_range("physics batch: no drive " + std::to_string(k));
  const phys::LaneBlock L = impl_->lane(lane);
  return L.s.drive_on[L.at(k)] != 0;
}

int32_t PhysicsBatch::drives() const { return impl_->model.p.drives; }

bool PhysicsBatch::stopper(int64_t lane, int32_t k) const {
  if (k < 0 || k >= impl_->model.p.stoppers) throw std::out_of_range("physics batch: no stopper " + std::to_string(k));
  const phys::LaneBlock L = impl_->lane(lane);
  return L.s.stopper_up[L.at(k)] != 0;
}

RunResult run_physics_cpu(const WorldDesc& world, const RunOptions& options) {
  RunPlan plan = plan_run(world, options);
  const int64_t steps = plan.steps, n_rec = plan.n_rec;
  std::vector<int32_t>& slot = plan.slot;
  phys::PhysicsModel model;
  model.p = plan.params;
  model.statics = plan.statics.data();
  phys::PhysicsStateLayout layout;
  layout.build(1, dims_of<phys::LaneBlock>(model.p));
  // Lanes run in chunks of a few per thread, each to the end, in one block of memory reused
  // from chunk to chunk: a lane's world takes megabytes, and memory then stays bounded however
  // many lanes are asked for. Lanes are independent, so the chunking changes no result.
  const int64_t chunk = std::min<int64_t>(options.lanes, std::max<int64_t>(16, 8 * omp_get_max_threads()));
  const int64_t block = static_cast<int64_t>(layout.bytes);
  Blob blob = alloc_blob(layout.bytes * static_cast<size_t>(chunk));
  auto lane = [&](int64_t i) { return phys::LaneBlock{layout.bind(blob.get() + i * block), 1, 0}; };

  const int64_t nb = model.p.bodies;
  std::vector<double> traj(static_cast<size_t>(n_rec * steps * nb * 7));
  phys::PhysicsLaneKernel k;
  k.model = model;
  k.layout = layout;
  k.base = blob.get();
  k.block_bytes = static_cast<int64_t>(layout.bytes);
  k.step0 = 0;
  k.steps = steps;
  if (n_rec > 0) {
    k.traj = traj.data();
    k.traj_steps = steps;
  }
  RunResult r = sized_result(options.lanes, nb, steps, world.dt);
  for (int64_t first = 0; first < options.lanes; first += chunk) {
    const int64_t n = std::min(chunk, options.lanes - first);
    thrust::for_each(thrust::omp::par, thrust::counting_iterator<int64_t>(0), thrust::counting_iterator<int64_t>(n),
                     [&](int64_t i) {
                       std::fill(blob.get() + i * block, blob.get() + (i + 1) * block, static_cast<unsigned char>(0));
                       init_lane(world, lane(i));
                     });
    if (n_rec > 0) k.rec_slot = slot.data() + first;  // the kernel indexes it by the chunk's lane
    thrust::for_each(thrust::omp::par, thrust::counting_iterator<int64_t>(0), thrust::counting_iterator<int64_t>(n), k);
    read_lanes(lane, first, n, r);
  }
  unpack_trajectories(traj, n_rec, steps, nb, r);
  return r;
}

bool physics_cuda_built() {
#ifdef PLANTWIN_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

RunResult run_physics_cuda(const WorldDesc& world, const RunOptions& options) {
#ifdef PLANTWIN_HAVE_CUDA
  RunPlan plan = plan_run(world, options);
  const int64_t steps = plan.steps, n_rec = plan.n_rec;
  const phys::PhysicsParams& params = plan.params;
  // Interleaved lanes: neighbouring GPU threads touch neighbouring words.
  phys::PhysicsStateLayout layout;
  layout.build(options.lanes, dims_of<phys::LaneView>(params));
  Blob blob = alloc_blob(layout.bytes);
  phys::PhysicsState s = layout.bind(blob.get());
  for (int64_t l = 0; l < options.lanes; ++l) init_lane(world, phys::LaneView{s, options.lanes, l});

  const int64_t nb = params.bodies;
  std::vector<double> traj(static_cast<size_t>(n_rec * steps * nb * 7));
  detail::cuda_run_physics(params, plan.statics, layout, blob.get(), steps, plan.slot, n_rec, traj.data());

  return collect_result([&](int64_t l) { return phys::LaneView{s, options.lanes, l}; }, options.lanes, nb, steps,
                        world.dt, traj, n_rec);
#else
  (void)world;
  (void)options;
  throw std::runtime_error("run_physics_cuda: this build has no CUDA backend");
#endif
}

}  // namespace plantwin::physics
