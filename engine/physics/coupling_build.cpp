#include "engine/physics/coupling_build.h"

#include <algorithm>
#include <stdexcept>

#include "engine/model/model.h"
#include "engine/physics/conveyor_geometry.h"
#include "engine/physics/kernel_world.h"
#include "engine/physics/physics_runner.h"
#include "engine/scene/scene.h"

namespace plantwin::physics {
namespace {

// An inert static box: far below the floor, where no part ever is (pads a variant's list).
StaticBoxDesc inert_box() {
  StaticBoxDesc b;
  b.center = {0, 0, -1000};
  b.half_extents = {0.01, 0.01, 0.01};
  return b;
}

}  // namespace

flow::Coupling CouplingData::view() const {
  return bind([](const auto& v) { return v.data(); });
}

CouplingData build_coupling(const std::vector<Scene>& variants, const Model& model) {
  CouplingData d;
  const Scene& base = variants.front();
  const int32_t E = static_cast<int32_t>(base.elements.size());
  const int32_t P = model.n_parts;
  const int32_t V = static_cast<int32_t>(variants.size());
  d.n_parts = P;
  d.n_variants = V;
  d.dt = base.physics.dt_s;
  d.conv_of.assign(static_cast<size_t>(E), -1);
  d.body_first.push_back(0);
  for (int32_t e = 0; e < E; ++e) {
    const Element& el = base.elements[static_cast<size_t>(e)];
    if (el.type != ElementType::Conveyor || !el.physical) continue;
    d.conv_of[static_cast<size_t>(e)] = d.n_conv++;
    d.conv_elem.push_back(e);
    d.body_first.push_back(d.body_first.back() + model.slot_end[static_cast<size_t>(e)] - model.slot_first[static_cast<size_t>(e)]);
  }
  const int32_t C = d.n_conv;

  size_t most_statics = 0;
  for (int32_t v = 0; v < V; ++v) {
    const Scene& sc = variants[static_cast<size_t>(v)];
    WorldDesc w;
    w.dt = sc.physics.dt_s;
    w.substeps = sc.physics.substeps;
    w.gravity = sc.physics.gravity;
    w.kinds.resize(static_cast<size_t>(C) * P);
    double lowest = 1e300;
    for (int32_t c = 0; c < C; ++c) {
      const int32_t e = d.conv_elem[static_cast<size_t>(c)];
      const Element& el = sc.elements[static_cast<size_t>(e)];
      ConveyorGeometry g;
      try {
        g = build_conveyor_geometry(sc, e, c);
      } catch (const std::exception& ex) {
        throw std::runtime_error("conveyor '" + el.name + "': " + ex.what());
      }
      for (StaticBoxDesc& b : g.belts) b.drive = c;
      for (const StaticBoxDesc& b : g.statics()) w.statics.push_back(b);
      lowest = std::min(lowest, lost_below_z(g));

      const LegFrame last = leg_frame(g.path, g.path.size() - 2);
      flow::PhysConveyor pc;
      pc.start = to_vec(g.path.front());
      pc.end = to_vec(g.path.back());
      pc.along = to_vec(last.along);
      pc.across = to_vec(last.across);
      pc.half_width = g.width / 2;
      pc.lost_z = lost_below_z(g);
      pc.lost_after = lost_after_s(g);
      const int first = el.physical_parts.empty() ? 0 : el.physical_parts.front();
      for (int p : el.physical_parts)
        pc.max_half_along = std::max(pc.max_half_along, part_length_along(sc.parts[static_cast<size_t>(p)]) / 2);
      d.conv.push_back(pc);
      for (int32_t p = 0; p < P; ++p) {
        const bool rides = std::find(el.physical_parts.begin(), el.physical_parts.end(), p) != el.physical_parts.end();
        const PartType& part = sc.parts[static_cast<size_t>(rides ? p : first)];
        const Pose pose = spawn_pose(g, part);
        flow::PhysPart pp;
        pp.spawn_p = to_vec(pose.p);
        pp.spawn_q = to_quat(pose.q);
        pp.half_along = part_length_along(part) / 2;
        pp.kind = c * P + p;
        d.part.push_back(pp);
        BodyDesc body = part_body(g, part);
        body.active = false;
        w.kinds[static_cast<size_t>(c * P + p)] = body;
      }
      for (int32_t b = d.body_first[static_cast<size_t>(c)]; b < d.body_first[static_cast<size_t>(c) + 1]; ++b)
        w.bodies.push_back(w.kinds[static_cast<size_t>(c * P + first)]);
    }
    w.lost_below_z = lowest;
    most_statics = std::max(most_statics, w.statics.size());
    d.worlds.push_back(std::move(w));
  }
  for (WorldDesc& w : d.worlds) {
    w.statics.resize(most_statics, inert_box());
    check_world(w);
  }
  d.params = make_params(d.worlds.front());
  for (const WorldDesc& w : d.worlds) d.params.lost_below_z = std::min(d.params.lost_below_z, w.lost_below_z);
  d.n_statics = d.params.statics;
  for (const WorldDesc& w : d.worlds) {
    const std::vector<phys::StaticBox> s = make_statics(w);
    d.statics.insert(d.statics.end(), s.begin(), s.end());
    for (const BodyDesc& k : w.kinds) d.kinds.push_back(body_kind(k));
  }
  return d;
}

phys::PhysicsStateLayout lane_physics_layout(const CouplingData& c) {
  phys::PhysicsStateLayout l;
  l.build(1, dims_of<phys::LaneBlock>(c.params));
  return l;
}

phys::LanePhysics lane_physics(const CouplingData& c, int64_t variant, const phys::PhysicsStateLayout& layout,
                               unsigned char* block) {
  return phys::make_lane_physics(c.params, c.statics.data(), c.n_statics, c.kinds.data(), c.n_conv * c.n_parts,
                                 variant, phys::LaneBlock{layout.bind(block), 1, 0});
}

}  // namespace plantwin::physics
