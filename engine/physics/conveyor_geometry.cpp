// A physical conveyor as rigid-body geometry (engine/physics/conveyor_geometry.h).
#include "engine/physics/conveyor_geometry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace plantwin::physics {

namespace {

Vec3d add(const Vec3d& a, const Vec3d& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
Vec3d sub(const Vec3d& a, const Vec3d& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3d scale(const Vec3d& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
double dot(const Vec3d& a, const Vec3d& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3d& a) { return std::sqrt(dot(a, a)); }

// The unit quaternion (w, x, y, z) of the rotation whose matrix has columns c0, c1, c2.
Quatd quat_from_columns(const Vec3d& c0, const Vec3d& c1, const Vec3d& c2) {
  const double m00 = c0[0], m10 = c0[1], m20 = c0[2];
  const double m01 = c1[0], m11 = c1[1], m21 = c1[2];
  const double m02 = c2[0], m12 = c2[1], m22 = c2[2];
  const double tr = m00 + m11 + m22;
  Quatd q;
  if (tr > 0) {
    const double s = 2 * std::sqrt(tr + 1);
    q = {s / 4, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s};
  } else if (m00 > m11 && m00 > m22) {
    const double s = 2 * std::sqrt(1 + m00 - m11 - m22);
    q = {(m21 - m12) / s, s / 4, (m01 + m10) / s, (m02 + m20) / s};
  } else if (m11 > m22) {
    const double s = 2 * std::sqrt(1 + m11 - m00 - m22);
    q = {(m02 - m20) / s, (m01 + m10) / s, s / 4, (m12 + m21) / s};
  } else {
    const double s = 2 * std::sqrt(1 + m22 - m00 - m11);
    q = {(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, s / 4};
  }
  if (q[0] < 0) q = {-q[0], -q[1], -q[2], -q[3]};
  const double n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  return {q[0] / n, q[1] / n, q[2] / n, q[3] / n};
}

Quatd quat_mul(const Quatd& a, const Quatd& b) {
  return {a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
          a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
          a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
          a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0]};
}

// A box on leg frame `f`: along the leg over [s0, s1] from `origin`, centred `offset_across`
// to the left, over [n0, n1] along the normal (0 = the belt surface), half width `half_across`.
StaticBoxDesc leg_box(const LegFrame& f, const Vec3d& origin, double s0, double s1, double offset_across,
                      double half_across, double n0, double n1) {
  StaticBoxDesc b;
  b.center = add(add(add(origin, scale(f.along, (s0 + s1) / 2)), scale(f.across, offset_across)),
                 scale(f.normal, (n0 + n1) / 2));
  b.orientation = f.q;
  b.half_extents = {(s1 - s0) / 2, half_across, (n1 - n0) / 2};
  return b;
}

// The signed horizontal turn at interior point k (from leg k-1 to leg k): left is positive.
double turn_at(const std::vector<Vec3d>& path, size_t k) {
  const Vec3d a = sub(path[k], path[k - 1]), b = sub(path[k + 1], path[k]);
  double t = std::atan2(b[1], b[0]) - std::atan2(a[1], a[0]);
  constexpr double kPi = 3.14159265358979323846;
  while (t > kPi) t -= 2 * kPi;
  while (t <= -kPi) t += 2 * kPi;
  return t;
}

}  // namespace

std::vector<StaticBoxDesc> ConveyorGeometry::statics() const {
  std::vector<StaticBoxDesc> all = belts;
  all.insert(all.end(), guides.begin(), guides.end());
  all.insert(all.end(), chamfers.begin(), chamfers.end());
  all.push_back(stopper);
  return all;
}

LegFrame leg_frame(const std::vector<Vec3d>& path, size_t k) {
  const Vec3d d = sub(path[k + 1], path[k]);
  const double len = norm(d);
  const double h = std::sqrt(d[0] * d[0] + d[1] * d[1]);
  if (!(len > 0) || !(h > 0)) throw std::invalid_argument("conveyor leg without horizontal length");
  LegFrame f;
  f.along = scale(d, 1 / len);
  f.across = {-d[1] / h, d[0] / h, 0};
  // along x across: perpendicular to the leg, pointing up
  f.normal = {f.along[1] * f.across[2] - f.along[2] * f.across[1], f.along[2] * f.across[0] - f.along[0] * f.across[2],
              f.along[0] * f.across[1] - f.along[1] * f.across[0]};
  f.q = quat_from_columns(f.along, f.across, f.normal);
  return f;
}

double part_length_along(const PartType& part) { return std::max(part.size[0], part.size[1]); }

double part_reach(const PartType& part) {
  if (part.shape == "cylinder") return part.size[0] / 2;
  return std::hypot(part.size[0], part.size[1]) / 2;
}

ConveyorGeometry build_conveyor_geometry(const std::vector<Vec3d>& path, double speed, double friction,
                                         double width, const std::vector<PartType>& riding,
                                         int32_t stopper_index) {
  if (path.size() < 2) throw std::invalid_argument("a conveyor path needs at least two points");
  ConveyorGeometry g;
  g.path = path;
  g.speed = speed;
  g.friction = friction;
  g.width = width;
  double half_part = 0, reach = 0;
  for (const PartType& p : riding) {
    half_part = std::max(half_part, part_length_along(p) / 2);
    reach = std::max(reach, part_reach(p));
  }
  g.tail = half_part + kEndMargin;
  g.hold = reach + kEndMargin;

  const size_t legs = path.size() - 1;
  std::vector<LegFrame> frames;
  std::vector<double> len(legs), horiz(legs);  // length, horizontal share of a unit along the leg
  for (size_t k = 0; k < legs; ++k) {
    frames.push_back(leg_frame(path, k));
    len[k] = norm(sub(path[k + 1], path[k]));
    horiz[k] = std::sqrt(frames[k].along[0] * frames[k].along[0] + frames[k].along[1] * frames[k].along[1]);
    g.length += len[k];
  }
  // turn[k]: the signed horizontal turn at point k (0 at both ends)
  std::vector<double> turn(path.size(), 0.0);
  for (size_t k = 1; k + 1 < path.size(); ++k) turn[k] = turn_at(path, k);

  const double end_run = g.hold + kStopperThickness;  // past the end point, along the last leg
  const double o = width / 2 + kGuideThickness / 2;    // the guides' centre lines from the belt's
  for (size_t k = 0; k < legs; ++k) {
    const LegFrame& f = frames[k];
    const bool first = k == 0, last = k + 1 == legs;
    // Belt: the downstream end runs on past the corner (horizontal distances / horiz[k] along the leg).
    // At a valley (the belt turns upward here) the segment also runs back under the one before:
    // otherwise a part's front edge meets the segment's upstream end face, a wall, not its top.
    // At a horizontal corner the downstream segment owns the corner square (it runs back over
    // it and the upstream one stops where the square begins): a part that enters the square is
    // carried round. Not at a crest, where running back would raise a step above the upstream
    // surface: there the upstream segment runs on over the square.
    auto crest = [&](size_t j) { return frames[j].along[2] < frames[j - 1].along[2] - 1e-9; };  // at point j
    auto corner = [&](size_t j) { return (width / 2) * std::tan(std::fabs(turn[j]) / 2); };     // horizontal
    const bool valley = !first && frames[k].along[2] > frames[k - 1].along[2] + 1e-9;
    const double s0 = first ? -g.tail
                      : crest(k) ? 0.0
                                 : -std::max(valley ? kValleyRun : 0.0, corner(k) / horiz[k]);
    const double s1 = last             ? len[k] + end_run
                      : crest(k + 1)   ? len[k] + kSeamOverlap + corner(k + 1) / horiz[k]
                                       : len[k] + kSeamOverlap - corner(k + 1) / horiz[k];
    StaticBoxDesc belt = leg_box(f, path[k], s0, s1, 0, width / 2, -kBeltThickness, 0);
    belt.friction = friction;
    belt.surface_velocity = scale(f.along, speed);
    g.belts.push_back(belt);
    // Guides, mitred at corners: side s = +1 left, -1 right; a left turn trims the left one, and
    // trims the inner one a further chamfer length, where the chamfer takes over.
    auto chamfer_at = [&](size_t j, int s) { return s * turn[j] > 0 ? kChamferFraction * width : 0.0; };
    for (int s : {+1, -1}) {
      const double g0 = first ? -g.tail : (s * o * std::tan(turn[k] / 2) + chamfer_at(k, s)) / horiz[k];
      const double g1 = last ? len[k] + end_run
                             : len[k] - (s * o * std::tan(turn[k + 1] / 2) + chamfer_at(k + 1, s)) / horiz[k];
      if (!(g1 > g0)) continue;  // trimmed away between two tight corners
      StaticBoxDesc guide =
          leg_box(f, path[k], g0, g1, s * o, kGuideThickness / 2, -kBeltThickness, kGuideHeight);
      guide.friction = kGuideFriction;
      g.guides.push_back(guide);
    }
  }
  // Chamfers: at each corner a guide across the inner corner, from the upstream inner face
  // kChamferFraction * width before the corner to the downstream one as far after it, so that
  // a part turning early is pushed outward instead of catching on the end of the inner guide.
  for (size_t k = 1; k + 1 < path.size(); ++k) {
    if (turn[k] == 0) continue;
    const double sgn = turn[k] > 0 ? 1.0 : -1.0, c = kChamferFraction * width;
    auto horizontal = [](const Vec3d& v) { const double h = std::hypot(v[0], v[1]); return Vec3d{v[0] / h, v[1] / h, 0}; };
    const Vec3d h0 = horizontal(frames[k - 1].along), h1 = horizontal(frames[k].along);
    const Vec3d left0 = {-h0[1], h0[0], 0};
    // the inner faces' intersection
    const double back = (width / 2) * std::tan(std::fabs(turn[k]) / 2);
    const Vec3d in = add(add(path[k], scale(left0, sgn * width / 2)), scale(h0, -back));
    const Vec3d a = add(in, scale(h0, -c)), b = add(in, scale(h1, c));
    Vec3d dir = sub(b, a);
    const double chord = norm(dir);
    dir = scale(dir, 1 / chord);
    Vec3d side = {-dir[1], dir[0], 0};
    const Vec3d mid = scale(add(a, b), 0.5);
    const Vec3d out = dot(side, sub(in, mid)) > 0 ? side : scale(side, -1);  // away from the belt
    StaticBoxDesc ch;
    ch.center = add(mid, scale(out, kGuideThickness / 2));
    ch.center[2] = path[k][2] + (kGuideHeight - kBeltThickness) / 2;
    ch.orientation = quat_from_columns(dir, side, {0, 0, 1});
    ch.half_extents = {chord / 2 + kGuideThickness, kGuideThickness / 2, (kGuideHeight + kBeltThickness) / 2};
    ch.friction = kGuideFriction;
    g.chamfers.push_back(ch);
  }
  const LegFrame& f = frames.back();
  g.stopper = leg_box(f, path.back(), g.hold, g.hold + kStopperThickness, 0, width / 2 + kGuideThickness,
                      -kBeltThickness, kGuideHeight);
  g.stopper.friction = kGuideFriction;
  g.stopper.stopper = stopper_index;
  return g;
}

int leg_too_short(const std::vector<Vec3d>& path, double width, const std::vector<PartType>& riding) {
  const ConveyorGeometry g = build_conveyor_geometry(path, 1.0, 0.5, width, riding, -1);
  for (size_t k = 0; k < g.belts.size(); ++k)
    if (!(g.belts[k].half_extents[0] > 0)) return static_cast<int>(k);
  return -1;
}

ConveyorGeometry build_conveyor_geometry(const Scene& scene, int element, int32_t stopper_index) {
  const Element& e = scene.elements.at(static_cast<size_t>(element));
  if (e.type != ElementType::Conveyor || !e.physical)
    throw std::invalid_argument("element '" + e.name + "' is not a physical conveyor");
  std::vector<PartType> riding;
  for (int p : e.physical_parts) riding.push_back(scene.parts.at(static_cast<size_t>(p)));
  return build_conveyor_geometry(conveyor_path_points(scene, e), e.speed_mps, e.friction, e.width_m, riding,
                                 stopper_index);
}

Pose spawn_pose(const ConveyorGeometry& g, const PartType& part) {
  const LegFrame f = leg_frame(g.path, 0);
  Pose pose;
  pose.p = add(g.path[0], scale(f.normal, part.size[2] / 2));
  pose.q = f.q;
  if (part.shape != "cylinder" && part.size[1] > part.size[0]) {
    const double h = std::sqrt(0.5);  // -90 degrees about the local z axis: the part's +y along the belt
    pose.q = quat_mul(f.q, Quatd{h, 0, 0, -h});
  }
  return pose;
}

BodyDesc part_body(const ConveyorGeometry& g, const PartType& part) {
  BodyDesc b;
  b.shape = part.shape == "cylinder" ? Shape::Cylinder : Shape::Box;
  b.half_extents = {part.size[0] / 2, part.size[1] / 2, part.size[2] / 2};
  b.radius = part.size[0] / 2;
  b.half_height = part.size[2] / 2;
  b.mass = part.mass_kg > 0 ? part.mass_kg : kDefaultPartMass;
  const Pose p = spawn_pose(g, part);
  b.position = p.p;
  b.orientation = p.q;
  b.friction = g.friction;
  return b;
}

bool crossed_end(const ConveyorGeometry& g, const Vec3d& centre) {
  const LegFrame f = leg_frame(g.path, g.path.size() - 2);
  const Vec3d r = sub(centre, g.path.back());
  return dot(r, f.along) > 0 && std::fabs(dot(r, f.across)) <= g.width / 2;
}

double lost_below_z(const ConveyorGeometry& g) {
  double lowest = g.path[0][2];
  for (const Vec3d& p : g.path) lowest = std::min(lowest, p[2]);
  return lowest - kLostDrop;
}

double lost_after_s(const ConveyorGeometry& g) { return kLostTimeFactor * g.length / g.speed; }

Lost lost_state(const ConveyorGeometry& g, const Vec3d& centre, double seconds_on_belt) {
  if (centre[2] < lost_below_z(g)) return Lost::Fell;
  if (seconds_on_belt > lost_after_s(g) && !crossed_end(g, centre)) return Lost::TooSlow;
  return Lost::No;
}

}  // namespace plantwin::physics
