// A WorldDesc resolved into what the plantwin physics kernel reads (kernels/physics/): its
// parameters, static boxes, body kinds and a lane's starting state. Shared by PhysicsBatch,
// the stand-alone runners and the flow coupling (engine/physics/coupling_build.h). The
// WorldDesc has passed check_world.
#pragma once
#include <vector>

#include "engine/physics/world_desc.h"
#include "kernels/physics/physics_state.h"

namespace plantwin::physics {

phys::Vec3 to_vec(const Vec3d& v);
phys::Quat to_quat(const Quatd& q);  // normalised

// dt, substeps, gravity, floor, counts (bodies, statics, stoppers and drives: 1 + the highest
// index used), contact capacity (WorldDesc::contact_capacity, or 16 per body).
phys::PhysicsParams make_params(const WorldDesc& w);
std::vector<phys::StaticBox> make_statics(const WorldDesc& w);
// The rows of a lane for the view V that will read them (its contact solver's width).
template <class V>
phys::PhysDims dims_of(const phys::PhysicsParams& p) {
  phys::PhysDims d;
  d.B = p.bodies;
  d.C = p.capacity;
  d.K = p.stoppers;
  d.D = p.drives;
  d.W = V::kSolverWidth;
  return d;
}

// Shape, size, inverse mass and inertia (a cylinder gets the true cylinder's inertia; it
// collides as a 16-gon prism) and materials of a body.
phys::BodyKind body_kind(const BodyDesc& b);

// Writes the world's starting state into lane L: its bodies (active or dormant), every
// stopper raised, every drive on, no contacts, no losses. V: phys::LaneView or phys::LaneBlock.
template <class V>
void init_lane(const WorldDesc& w, const V& L);

}  // namespace plantwin::physics
