#include "engine/physics/kernel_world.h"

#include <algorithm>

#include "kernels/physics/hull.h"

namespace plantwin::physics {

phys::Vec3 to_vec(const Vec3d& v) { return phys::Vec3{v[0], v[1], v[2]}; }
phys::Quat to_quat(const Quatd& q) { return phys::qnormalize(phys::Quat{q[0], q[1], q[2], q[3]}); }

phys::PhysicsParams make_params(const WorldDesc& w) {
  phys::PhysicsParams p;
  p.dt = w.dt;
  p.substeps = w.substeps;
  p.gravity = w.gravity;
  p.floor = w.floor ? 1 : 0;
  p.floor_friction = w.floor_friction;
  p.lost_below_z = w.lost_below_z;
  p.bodies = static_cast<int32_t>(w.bodies.size());
  p.statics = static_cast<int32_t>(w.statics.size());
  for (const auto& s : w.statics) {
    p.stoppers = std::max(p.stoppers, s.stopper + 1);
    p.drives = std::max(p.drives, s.drive + 1);
  }
  p.capacity = w.contact_capacity > 0 ? w.contact_capacity : 16 * p.bodies;
  return p;
}

std::vector<phys::StaticBox> make_statics(const WorldDesc& w) {
  std::vector<phys::StaticBox> out;
  for (const auto& d : w.statics) {
    phys::StaticBox s{};
    s.center = to_vec(d.center);
    s.q = to_quat(d.orientation);
    s.R = phys::rotation(s.q);
    s.half = to_vec(d.half_extents);
    s.extent = phys::hull_extent(s.R, s.half);
    s.friction = d.friction;
    s.restitution = d.restitution;
    s.surface_velocity = to_vec(d.surface_velocity);
    s.stopper = d.stopper;
    s.drive = d.drive;
    s.kinematic = d.kinematic ? 1 : 0;
    s.kin_velocity = to_vec(d.kinematic_velocity);
    s.kin_start = d.kinematic_start;
    s.kin_end = d.kinematic_end;
    out.push_back(s);
  }
  return out;
}

phys::BodyKind body_kind(const BodyDesc& b) {
  phys::BodyKind k;
  const double m = b.mass;
  phys::Vec3 inertia;
  if (b.shape == Shape::Box) {
    const double x = b.half_extents[0], y = b.half_extents[1], z = b.half_extents[2];
    inertia = phys::Vec3{m * (y * y + z * z) / 3, m * (x * x + z * z) / 3, m * (x * x + y * y) / 3};
    k.half = phys::Vec3{x, y, z};
    k.shape = phys::kShapeBox;
  } else {  // the true cylinder's inertia; the collision shape is its 16-gon prism
    const double r = b.radius, hh = b.half_height;
    const double side = m * (3 * r * r + 4 * hh * hh) / 12;
    inertia = phys::Vec3{side, side, m * r * r / 2};
    k.half = phys::Vec3{r, r, hh};
    k.shape = phys::kShapePrism;
  }
  k.inv_mass = 1.0 / m;
  k.inv_inertia = phys::Vec3{1 / inertia.x, 1 / inertia.y, 1 / inertia.z};
  k.friction = b.friction;
  k.restitution = b.restitution;
  return k;
}

template <class V>
void init_lane(const WorldDesc& w, const V& L) {
  const phys::PhysicsState& s = L.s;
  const phys::PhysicsParams p = make_params(w);
  for (size_t i = 0; i < w.bodies.size(); ++i) {
    const BodyDesc& b = w.bodies[i];
    const int64_t k = static_cast<int64_t>(i);
    const phys::BodyKind kind = body_kind(b);
    L.set3(s.pos, k, to_vec(b.position));
    L.setq(k, to_quat(b.orientation));
    L.set3(s.vel, k, to_vec(b.velocity));
    L.set3(s.angvel, k, to_vec(b.angular_velocity));
    s.inv_mass[L.at(k)] = kind.inv_mass;
    L.set3(s.inv_inertia, k, kind.inv_inertia);
    L.set3(s.half, k, kind.half);
    s.shape[L.at(k)] = kind.shape;
    s.friction[L.at(k)] = kind.friction;
    s.restitution[L.at(k)] = kind.restitution;
    s.active[L.at(k)] = b.active ? 1 : 0;
    s.lost[L.at(k)] = 0;
    s.order[L.at(k)] = static_cast<int32_t>(k);
  }
  for (int32_t k = 0; k < p.stoppers; ++k) s.stopper_up[L.at(k)] = 1;
  for (int32_t k = 0; k < p.drives; ++k) s.drive_on[L.at(k)] = 1;
  s.ct_count[L.lane()] = 0;
  s.pv_count[L.lane()] = 0;
  s.lost_count[L.lane()] = 0;
  s.overflow_count[L.lane()] = 0;
}

template void init_lane(const WorldDesc&, const phys::LaneView&);
template void init_lane(const WorldDesc&, const phys::LaneBlock&);

}  // namespace plantwin::physics
