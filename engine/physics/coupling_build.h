// The physical conveyors of a batch of variants, built for the flow coupling: the flow
// kernel's view (flow::Coupling, kernels/flow/physical_conveyors.h), one rigid-body world per
// variant for the Bullet reference (WorldDesc), and the same worlds resolved for the plantwin
// physics kernel. Part of the compiled model (Model::coupling) when a scene has a conveyor with
// model: physics.
//
// Layout of every variant's world (identical indices in every variant, so lanes of different
// variants differ only in numbers):
// - statics: for each physical conveyor c in scene order, its belts (drive c), guides and
//   stopper (stopper c) -- engine/physics/conveyor_geometry.h -- then, when a variant's geometry
//   has fewer boxes than another's, inert boxes far below the floor to pad it;
// - bodies: body_first[c] .. body_first[c + 1] - 1 are conveyor c's slots, as many as its
//   largest capacity over the variants, all free at the start;
// - kinds: kind c * parts + p is part type p riding conveyor c (its friction makes the combined
//   coefficient the conveyor's); types that never ride c get the first riding type's kind.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/physics/world_desc.h"
#include "kernels/flow/physical_conveyors.h"
#include "kernels/physics/lane_physics.h"
#include "kernels/physics/physics_state.h"

namespace plantwin {
struct Scene;
struct Model;
}

namespace plantwin::physics {

struct CouplingData {
  int32_t n_conv = 0, n_parts = 1, n_variants = 1;
  double dt = 0;
  std::vector<int32_t> conv_of, conv_elem, body_first;  // see flow::Coupling
  std::vector<flow::PhysConveyor> conv;                 // [V][C]
  std::vector<flow::PhysPart> part;                     // [V][C][parts]
  std::vector<WorldDesc> worlds;                        // [V]
  // The plantwin kernel's form of the worlds.
  phys::PhysicsParams params;                           // the same in every variant
  int32_t n_statics = 0;
  std::vector<phys::StaticBox> statics;                 // [V][n_statics]
  std::vector<phys::BodyKind> kinds;                    // [V][C * parts]

  int64_t bodies() const { return params.bodies; }
  // The flow kernel's view, every array mapped through `place` (host pointer or device copy).
  template <class Place>
  flow::Coupling bind(Place&& place) const {
    flow::Coupling c;
    c.n_conv = n_conv;
    c.n_parts = n_parts;
    c.dt = dt;
    c.conv_of = place(conv_of);
    c.conv_elem = place(conv_elem);
    c.body_first = place(body_first);
    c.conv = place(conv);
    c.part = place(part);
    return c;
  }
  flow::Coupling view() const;
};

// Builds the coupling of `variants` (validated scenes with at least one physical conveyor; the
// baseline first) whose ring capacities `model` holds (slots per conveyor: the largest
// capacity). Throws std::runtime_error when a variant's geometry cannot be built.
CouplingData build_coupling(const std::vector<Scene>& variants, const Model& model);

// The plantwin kernel's state of one lane's world in a block of its own (the cpu backend).
phys::PhysicsStateLayout lane_physics_layout(const CouplingData& c);
// The physics hook of a lane of `variant` whose world lives in `block` (lane_physics_layout()
// bytes), cleared: every body slot free.
phys::LanePhysics lane_physics(const CouplingData& c, int64_t variant, const phys::PhysicsStateLayout& layout,
                               unsigned char* block);

}  // namespace plantwin::physics
