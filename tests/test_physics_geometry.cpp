// Physical conveyors, scene side (docs/scene-format.md section 13): the loader's physics keys
// and errors, and the rigid-body geometry built from a conveyor (engine/physics/
// conveyor_geometry.h), checked against values computed by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "engine/physics/conveyor_geometry.h"
#include "engine/scene/scene_loader.h"
#include "tests/cli_support.h"

using namespace plantwin;
using namespace plantwin::physics;

namespace {

constexpr double kEps = 1e-12;

std::string all_diagnostics(const LoadResult& r) {
  std::string all;
  for (const auto& d : r.diagnostics.sorted()) all += d.format() + "\n";
  return all;
}

Scene load_ok(const std::string& yaml) {
  LoadResult r = load_scene_text(yaml, "t.yaml");
  INFO(all_diagnostics(r));
  REQUIRE(r.scene);
  return *r.scene;
}

// Errors only, as "LINE:COL: error: MESSAGE", sorted by position.
std::vector<std::string> errors_of(const std::string& yaml) {
  LoadResult r = load_scene_text(yaml, "t.yaml");
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.sorted())
    if (d.severity == Severity::Error) out.push_back(d.format().substr(std::string("t.yaml:").size()));
  return out;
}

std::vector<std::string> warnings_of(const std::string& yaml) {
  LoadResult r = load_scene_text(yaml, "t.yaml");
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.sorted())
    if (d.severity == Severity::Warning) out.push_back(d.format().substr(std::string("t.yaml:").size()));
  return out;
}

const Element& element(const Scene& s, const std::string& name) {
  const int i = s.find_element(name);
  REQUIRE(i >= 0);
  return s.elements[static_cast<size_t>(i)];
}

const std::string kHeader = "plantwin: 1\nname: t\nrun:\n  {horizon: 1h, warmup: 1min}\n";
// Line 5 onwards: parts; the conveyor c1 is on line 9 (with the physics block absent).
const std::string kParts = "parts:\n"
                           "  crate: {size: [0.3, 0.2, 0.15], mass: 1.2}\n";

std::string one_conveyor(const std::string& conveyor_keys, const std::string& parts = kParts) {
  return kHeader + parts +
         "elements:\n"
         "  src: {type: source, to: c1}\n"
         "  c1: {type: conveyor, speed: 0.5, " + conveyor_keys + ", to: done}\n"
         "  done: {type: sink}\n";
}

PartType part(const std::string& name, Vec3d size, const std::string& shape = "box", double mass = 0) {
  PartType p;
  p.name = name;
  p.has_size = true;
  p.size = size;
  p.shape = shape;
  p.mass_kg = mass;
  return p;
}

// v rotated by the unit quaternion q (w, x, y, z).
Vec3d rotate(const Quatd& q, const Vec3d& v) {
  const double w = q[0], x = q[1], y = q[2], z = q[3];
  const double r[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                          {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                          {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
  return {r[0][0] * v[0] + r[0][1] * v[1] + r[0][2] * v[2], r[1][0] * v[0] + r[1][1] * v[1] + r[1][2] * v[2],
          r[2][0] * v[0] + r[2][1] * v[1] + r[2][2] * v[2]};
}

void check_vec(const Vec3d& a, const Vec3d& b, double eps = 1e-12) {
  INFO("got [" << a[0] << ", " << a[1] << ", " << a[2] << "], expected [" << b[0] << ", " << b[1] << ", " << b[2]
               << "]");
  CHECK(std::fabs(a[0] - b[0]) <= eps);
  CHECK(std::fabs(a[1] - b[1]) <= eps);
  CHECK(std::fabs(a[2] - b[2]) <= eps);
}

double dot(const Vec3d& a, const Vec3d& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// The centre of a box's top face (its local +z face).
Vec3d top_centre(const StaticBoxDesc& b) {
  const Vec3d up = rotate(b.orientation, {0, 0, b.half_extents[2]});
  return {b.center[0] + up[0], b.center[1] + up[1], b.center[2] + up[2]};
}

// A box's extent along a world axis (for axis-aligned or z-rotated boxes): [min, max].
std::pair<double, double> span(const StaticBoxDesc& b, int axis) {
  double r = 0;
  for (int k = 0; k < 3; ++k) {
    Vec3d e{0, 0, 0};
    e[static_cast<size_t>(k)] = b.half_extents[static_cast<size_t>(k)];
    r += std::fabs(rotate(b.orientation, e)[static_cast<size_t>(axis)]);
  }
  return {b.center[static_cast<size_t>(axis)] - r, b.center[static_cast<size_t>(axis)] + r};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Geometry

TEST_CASE("a straight level belt: segment, guides, stopper computed by hand", "[physics-geometry]") {
  // 4 m along +x at z = 1, width 0.5; the crate is 0.3 x 0.2: tail = 0.15 + 0.01, hold = its
  // half diagonal + 0.01 (it may arrive turned).
  const ConveyorGeometry g =
      build_conveyor_geometry({{0, 0, 1}, {4, 0, 1}}, 0.5, 0.4, 0.5, {part("crate", {0.3, 0.2, 0.15})}, 3);
  const double hold = std::hypot(0.3, 0.2) / 2 + 0.01;  // 0.19028
  CHECK(g.length == Approx(4).epsilon(kEps));
  CHECK(g.tail == Approx(0.16).epsilon(kEps));
  CHECK(g.hold == Approx(hold).epsilon(kEps));
  REQUIRE(g.belts.size() == 1);
  const StaticBoxDesc& b = g.belts[0];
  // from x = -0.16 to 4 + hold + 0.02 (under the stopper)
  const double c = (-0.16 + 4 + hold + 0.02) / 2, h = (4 + hold + 0.02 + 0.16) / 2;
  check_vec(b.center, {c, 0, 0.975});
  check_vec(b.half_extents, {h, 0.25, 0.025});
  CHECK(top_centre(b)[2] == Approx(1.0).epsilon(kEps));  // the top face at the path height
  CHECK(b.orientation[0] == Approx(1).epsilon(kEps));
  check_vec(b.surface_velocity, {0.5, 0, 0});
  CHECK(b.friction == 0.4);
  CHECK(b.stopper == -1);

  REQUIRE(g.guides.size() == 2);
  // left (+y) and right: inner faces 0.25 from the centre line, from the belt bottom to 0.1 up
  check_vec(g.guides[0].center, {c, 0.26, 1.025});
  check_vec(g.guides[1].center, {c, -0.26, 1.025});
  check_vec(g.guides[0].half_extents, {h, 0.01, 0.075});
  CHECK(g.guides[0].center[1] - g.guides[0].half_extents[1] == Approx(0.25).epsilon(kEps));
  CHECK(g.guides[0].center[2] + g.guides[0].half_extents[2] == Approx(1.1).epsilon(kEps));
  CHECK(g.guides[0].friction == kGuideFriction);
  check_vec(g.guides[0].surface_velocity, {0, 0, 0});

  // stopper: near face at 4 + hold, 0.02 thick, across both guides
  check_vec(g.stopper.center, {4 + hold + 0.01, 0, 1.025});
  check_vec(g.stopper.half_extents, {0.01, 0.27, 0.075});
  CHECK(g.stopper.stopper == 3);
  check_vec(g.stopper.surface_velocity, {0, 0, 0});

  const std::vector<StaticBoxDesc> all = g.statics();
  REQUIRE(all.size() == 4);
  CHECK(all.back().stopper == 3);

  // the lost rule's numbers
  CHECK(lost_below_z(g) == Approx(0.0).margin(kEps));
  CHECK(lost_after_s(g) == Approx(80).epsilon(kEps));
}

TEST_CASE("a sloped leg: the top face is tilted with the leg, the belt moves along it", "[physics-geometry]") {
  // 4 m along x while rising 3 m: a 3-4-5 leg, along = (0.8, 0, 0.6).
  const ConveyorGeometry g =
      build_conveyor_geometry({{0, 0, 1}, {4, 0, 4}}, 0.5, 0.8, 0.5, {part("crate", {0.3, 0.2, 0.15})}, 0);
  CHECK(g.length == Approx(5).epsilon(kEps));
  const StaticBoxDesc& b = g.belts[0];
  const Vec3d along = rotate(b.orientation, {1, 0, 0});
  const Vec3d across = rotate(b.orientation, {0, 1, 0});
  const Vec3d normal = rotate(b.orientation, {0, 0, 1});
  check_vec(along, {0.8, 0, 0.6});
  check_vec(across, {0, 1, 0});
  check_vec(normal, {-0.6, 0, 0.8});          // perpendicular to the leg, pointing up
  CHECK(dot(normal, {0.8, 0, 0.6}) == Approx(0).margin(kEps));
  check_vec(b.surface_velocity, {0.4, 0, 0.3});  // speed 0.5 along the leg
  CHECK(dot(b.surface_velocity, normal) == Approx(0).margin(kEps));
  // The top face's centre line is the leg: the top-face centre is on it, halfway between
  // -0.16 (the tail) and 5 + hold + 0.02 (under the stopper).
  const double end = 5 + g.hold + kStopperThickness, mid = (-0.16 + end) / 2;
  check_vec(top_centre(b), {0.8 * mid, 0, 1 + 0.6 * mid});
  check_vec(b.half_extents, {(end + 0.16) / 2, 0.25, 0.025});

  // A part spawned on it is tilted with the belt and rests on its surface.
  const PartType crate = part("crate", {0.3, 0.2, 0.15});
  const Pose p = spawn_pose(g, crate);
  check_vec(p.p, {-0.6 * 0.075, 0, 1 + 0.8 * 0.075});
  check_vec(rotate(p.q, {0, 0, 1}), normal);
  check_vec(rotate(p.q, {1, 0, 0}), along);
  // its bottom face lies in the belt's top plane
  const Vec3d bottom = {p.p[0] - normal[0] * 0.075, p.p[1] - normal[1] * 0.075, p.p[2] - normal[2] * 0.075};
  const Vec3d top = top_centre(b);
  CHECK(dot({bottom[0] - top[0], bottom[1] - top[1], bottom[2] - top[2]}, normal) == Approx(0).margin(kEps));
}

TEST_CASE("a 90-degree corner: two segments, the outer guides meet, the inner ones clear the turn",
          "[physics-geometry]") {
  // +x for 4 m, then a left turn, +y for 3 m; width 0.5, guides' centre lines 0.26 out.
  const ConveyorGeometry g = build_conveyor_geometry({{0, 0, 1}, {4, 0, 1}, {4, 3, 1}}, 0.5, 0.5, 0.5,
                                                     {part("crate", {0.3, 0.2, 0.15})}, 0);
  CHECK(g.length == Approx(7).epsilon(kEps));
  REQUIRE(g.belts.size() == 2);
  // Leg 0 stops where the corner square (half size (width / 2) tan 45 = 0.25) begins, plus the
  // overlap: from -0.16 to 3.76; leg 1 runs back over the square and on to the stopper's far
  // face: -0.25 .. 3 + hold + 0.02.
  const double end1 = 3 + g.hold + kStopperThickness;
  check_vec(g.belts[0].center, {1.8, 0, 0.975});
  check_vec(g.belts[0].half_extents, {1.96, 0.25, 0.025});
  check_vec(g.belts[0].surface_velocity, {0.5, 0, 0});
  check_vec(g.belts[1].center, {4, (-0.25 + end1) / 2, 0.975});
  check_vec(g.belts[1].half_extents, {(end1 + 0.25) / 2, 0.25, 0.025});
  check_vec(g.belts[1].surface_velocity, {0, 0.5, 0});
  check_vec(rotate(g.belts[1].orientation, {1, 0, 0}), {0, 1, 0});
  CHECK(span(g.belts[1], 1).first <= -0.25 + kEps);  // the corner square's outside is covered

  REQUIRE(g.guides.size() == 4);
  const StaticBoxDesc &in0 = g.guides[0], &out0 = g.guides[1], &in1 = g.guides[2], &out1 = g.guides[3];
  // left of a left turn = inside: leg 0's inner guide (y = 0.26) ends at x = 4 - 0.26, less the
  // chamfer's length c = width / 3
  const double c = kChamferFraction * 0.5;
  check_vec(in0.center, {(-0.16 + 3.74 - c) / 2, 0.26, 1.025});
  CHECK(span(in0, 0).second == Approx(3.74 - c).epsilon(kEps));
  CHECK(span(in0, 0).second < 4 - 0.25);  // clear of leg 1's lane (x from 3.75 to 4.25)
  // leg 1's inner guide (x = 4 - 0.26) starts at y = 0.26 + c: clear of leg 0's lane (|y| <= 0.25)
  check_vec(in1.center, {3.74, (0.26 + c + end1) / 2, 1.025});
  CHECK(span(in1, 1).first == Approx(0.26 + c).epsilon(kEps));
  // the chamfer: its inner face on the chord from (3.75 - c, 0.25) to (3.75, 0.25 + c)
  REQUIRE(g.chamfers.size() == 1);
  const StaticBoxDesc& ch = g.chamfers[0];
  const Vec3d chord_dir = rotate(ch.orientation, {1, 0, 0});
  check_vec(chord_dir, {std::sqrt(0.5), std::sqrt(0.5), 0});
  // its centre lies half its thickness from the chord's midpoint, away from the belt (towards
  // the inner faces' corner (3.75, 0.25))
  const double mx = 3.75 - c / 2, my = 0.25 + c / 2;
  CHECK(std::hypot(ch.center[0] - mx, ch.center[1] - my) == Approx(kGuideThickness / 2).epsilon(kEps));
  CHECK(std::hypot(ch.center[0] - 3.75, ch.center[1] - 0.25) < std::hypot(mx - 3.75, my - 0.25));
  CHECK(ch.half_extents[0] == Approx(c * std::sqrt(2.0) / 2 + kGuideThickness).epsilon(kEps));
  CHECK(g.statics().size() == 2 + 4 + 1 + 1);
  // outer guides: leg 0's (y = -0.26) runs to x = 4.26, leg 1's (x = 4.26) from y = -0.26
  check_vec(out0.center, {(-0.16 + 4.26) / 2, -0.26, 1.025});
  CHECK(span(out0, 0).second == Approx(4.26).epsilon(kEps));
  check_vec(out1.center, {4.26, (-0.26 + end1) / 2, 1.025});
  CHECK(span(out1, 1).first == Approx(-0.26).epsilon(kEps));
  // the stopper is across the last leg, past its end
  check_vec(g.stopper.center, {4, 3 + g.hold + 0.01, 1.025});
  check_vec(rotate(g.stopper.orientation, {1, 0, 0}), {0, 1, 0});

  // crossing the end is judged on the last leg
  CHECK(crossed_end(g, {4, 3.001, 1.075}));
  CHECK_FALSE(crossed_end(g, {4, 2.999, 1.075}));
  CHECK_FALSE(crossed_end(g, {2, 0, 1.075}));   // on the first leg
  CHECK_FALSE(crossed_end(g, {4.4, 3.2, 1.0}));  // past the end but outside the guides
}

TEST_CASE("a right turn mirrors the left one: the right guide is inside", "[physics-geometry]") {
  const ConveyorGeometry g = build_conveyor_geometry({{0, 0, 1}, {4, 0, 1}, {4, -3, 1}}, 0.5, 0.5, 0.5,
                                                     {part("crate", {0.3, 0.2, 0.15})}, 0);
  REQUIRE(g.guides.size() == 4);
  CHECK(span(g.guides[0], 0).second == Approx(4.26).epsilon(kEps));  // left: outside
  CHECK(span(g.guides[1], 0).second == Approx(3.74 - kChamferFraction * 0.5).epsilon(kEps));  // right: inside
}

TEST_CASE("spawn pose: at rest on the belt surface, longest horizontal side along the belt", "[physics-geometry]") {
  const std::vector<PartType> parts = {part("crate", {0.3, 0.2, 0.15}), part("long_y", {0.2, 0.4, 0.1}),
                                       part("bottle", {0.08, 0.08, 0.25}, "cylinder", 0.4)};
  const ConveyorGeometry g = build_conveyor_geometry({{1, 2, 0.9}, {1, 6, 0.9}}, 0.5, 0.5, 0.5, parts, 0);
  const StaticBoxDesc& belt = g.belts[0];
  const double belt_top = belt.center[2] + belt.half_extents[2];
  CHECK(belt_top == Approx(0.9).epsilon(kEps));
  const Vec3d dir = {0, 1, 0};  // the belt runs along +y
  SECTION("a box longer in x: turned so its x runs along the belt") {
    const Pose p = spawn_pose(g, parts[0]);
    check_vec(p.p, {1, 2, 0.9 + 0.075});
    CHECK(p.p[2] - 0.15 / 2 == Approx(belt_top).epsilon(kEps));  // bottom face on the belt top
    check_vec(rotate(p.q, {1, 0, 0}), dir);
    check_vec(rotate(p.q, {0, 0, 1}), {0, 0, 1});
    const BodyDesc b = part_body(g, parts[0]);
    CHECK(b.shape == Shape::Box);
    check_vec(b.half_extents, {0.15, 0.1, 0.075});
    CHECK(b.mass == kDefaultPartMass);  // no mass given
    CHECK(b.friction == 0.5);
    check_vec(b.velocity, {0, 0, 0});
    check_vec(b.angular_velocity, {0, 0, 0});
    check_vec(b.position, p.p);
  }
  SECTION("a box longer in y: its y runs along the belt") {
    const Pose p = spawn_pose(g, parts[1]);
    check_vec(p.p, {1, 2, 0.95});
    check_vec(rotate(p.q, {0, 1, 0}), dir);
    check_vec(rotate(p.q, {0, 0, 1}), {0, 0, 1});
  }
  SECTION("a cylinder stands upright on its base") {
    const Pose p = spawn_pose(g, parts[2]);
    check_vec(p.p, {1, 2, 0.9 + 0.125});
    check_vec(rotate(p.q, {0, 0, 1}), {0, 0, 1});  // its axis is the belt normal
    const BodyDesc b = part_body(g, parts[2]);
    CHECK(b.shape == Shape::Cylinder);
    CHECK(b.radius == Approx(0.04).epsilon(kEps));
    CHECK(b.half_height == Approx(0.125).epsilon(kEps));
    CHECK(b.mass == 0.4);
  }
  // the longest part along the belt (long_y, 0.4) sets the tail, the widest reach the hold
  CHECK(g.tail == Approx(0.21).epsilon(kEps));
  CHECK(g.hold == Approx(std::hypot(0.2, 0.4) / 2 + 0.01).epsilon(kEps));  // long_y's half diagonal
  CHECK(part_reach(parts[1]) == Approx(std::hypot(0.2, 0.4) / 2).epsilon(kEps));
  CHECK(part_reach(parts[2]) == Approx(0.04).epsilon(kEps));
}

TEST_CASE("crossing the end and the lost rule on a straight belt", "[physics-geometry]") {
  const ConveyorGeometry g =
      build_conveyor_geometry({{0, 0, 1}, {4, 0, 1}}, 0.5, 0.4, 0.5, {part("crate", {0.3, 0.2, 0.15})}, 0);
  CHECK(crossed_end(g, {4.001, 0, 1.075}));
  CHECK(crossed_end(g, {4.17, 0.2, 1.075}));
  CHECK_FALSE(crossed_end(g, {4, 0, 1.075}));  // exactly at the end: not yet past it
  CHECK_FALSE(crossed_end(g, {3.999, 0, 1.075}));
  CHECK_FALSE(crossed_end(g, {4.1, 0.3, 1.075}));
  // A part held by the stopper has its centre past the end.
  const double held = 4 + g.hold - 0.15;
  CHECK(held > 4);
  CHECK(crossed_end(g, {held, 0, 1.075}));
  // lost: more than 1 m below the lowest path point, or late (10 * 4 / 0.5 = 80 s)
  CHECK(lost_state(g, {2, 0, -0.001}, 1) == Lost::Fell);
  CHECK(lost_state(g, {2, 0, 0.001}, 1) == Lost::No);
  CHECK(lost_state(g, {2, 0, 1.075}, 79.9) == Lost::No);
  CHECK(lost_state(g, {2, 0, 1.075}, 80.1) == Lost::TooSlow);
  CHECK(lost_state(g, {4.1, 0, 1.075}, 500) == Lost::No);  // waiting at the end is not late
}

TEST_CASE("an incline's seams: the foot's segment runs back under the level one, the crest's does not",
          "[physics-geometry]") {
  // level, up at 1 in 4, level: the incline's segment starts kValleyRun before its corner (below
  // the level surface), the crest's level segment exactly at its corner
  const ConveyorGeometry g = build_conveyor_geometry({{0, 0, 1}, {3, 0, 1}, {7, 0, 2}, {10, 0, 2}}, 0.5, 0.6, 0.6,
                                                     {part("crate", {0.3, 0.2, 0.15})}, 0);
  REQUIRE(g.belts.size() == 3);
  for (size_t k = 1; k < 3; ++k) {
    const StaticBoxDesc& b = g.belts[k];
    const Vec3d along = rotate(b.orientation, {1, 0, 0});
    const Vec3d top = top_centre(b);
    const double back = k == 1 ? kValleyRun : 0.0;
    // the top face's upstream edge centre: the corner point, less `back` along the leg
    const Vec3d start = {top[0] - along[0] * b.half_extents[0], top[1] - along[1] * b.half_extents[0],
                         top[2] - along[2] * b.half_extents[0]};
    check_vec(start, {g.path[k][0] - along[0] * back, g.path[k][1], g.path[k][2] - along[2] * back}, 1e-12);
    CHECK(start[2] <= g.path[k][2] + 1e-12);  // never above the surface a part arrives on
  }
  // and every upstream segment runs kSeamOverlap past its corner
  const StaticBoxDesc& b0 = g.belts[0];
  CHECK(b0.center[0] + b0.half_extents[0] == Approx(3 + kSeamOverlap).epsilon(kEps));
}

TEST_CASE("geometry from a loaded scene: path, speed, friction, width and riding parts", "[physics-geometry]") {
  const Scene s = load_ok(kHeader +
                          "parts:\n"
                          "  crate: {size: [0.3, 0.2, 0.15], mass: 1.2}\n"
                          "  tote: {size: [0.6, 0.4, 0.3]}\n"
                          "elements:\n"
                          "  src: {type: source, mix: {crate: 0.5, tote: 0.5}, to: c1}\n"
                          "  c1: {type: conveyor, model: physics, speed: 0.5, friction: 0.4, width: 0.5,\n"
                          "       path: [[0, 0, 1], [4, 0, 1.5], [4, 3, 1.5]], to: m1}\n"
                          "  m1: {type: station, process: 30s, to: done}\n"
                          "  done: {type: sink}\n");
  const int c1 = s.find_element("c1");
  const ConveyorGeometry g = build_conveyor_geometry(s, c1, 7);
  CHECK(g.path.size() == 3);
  CHECK(g.speed == 0.5);
  CHECK(g.friction == 0.4);
  CHECK(g.width == 0.5);
  CHECK(g.belts.size() == 2);
  CHECK(g.stopper.stopper == 7);
  CHECK(g.hold == Approx(std::hypot(0.6, 0.4) / 2 + 0.01).epsilon(kEps));  // the tote's half diagonal
  CHECK_THROWS(build_conveyor_geometry(s, s.find_element("m1"), 0));
}

// ---------------------------------------------------------------------------------------------
// Loader

TEST_CASE("physics block: defaults, values, units", "[physics-geometry][validation]") {
  SECTION("absent: defaults") {
    const Scene s = load_ok(one_conveyor("length: 4"));
    CHECK(s.physics.dt_s == 0.002);
    CHECK(s.physics.substeps == 4);
    CHECK(s.physics.gravity == 9.81);
    CHECK_FALSE(s.physics.given);
    CHECK_FALSE(s.has_physical_conveyor());
  }
  SECTION("given") {
    const Scene s = load_ok(kHeader + "physics: {dt: 1ms, substeps: 8, gravity: 9.8}\n" + kParts +
                            "elements:\n"
                            "  src: {type: source, to: c1}\n"
                            "  c1: {type: conveyor, model: physics, speed: 0.5, length: 4, to: done}\n"
                            "  done: {type: sink}\n");
    CHECK(s.physics.dt_s == Approx(0.001).epsilon(kEps));
    CHECK(s.physics.substeps == 8);
    CHECK(s.physics.gravity == 9.8);
    CHECK(s.physics.given);
    CHECK(s.has_physical_conveyor());
  }
  SECTION("plain seconds and the 50 ms limit") {
    const Scene s = load_ok(kHeader + "physics: {dt: 0.05}\n" + kParts +
                            "elements:\n"
                            "  src: {type: source, to: c1}\n"
                            "  c1: {type: conveyor, model: physics, speed: 0.5, length: 4, to: done}\n"
                            "  done: {type: sink}\n");
    CHECK(s.physics.dt_s == 0.05);
  }
  SECTION("without a physical conveyor: a warning that it is unused") {
    const std::string yaml = kHeader + "physics: {dt: 1ms}\n" + "elements:\n"
                             "  src: {type: source, interarrival: 1min, to: done}\n"
                             "  done: {type: sink}\n";
    load_ok(yaml);
    const auto w = warnings_of(yaml);
    REQUIRE(w.size() == 1);
    CHECK(w[0] == "5:10: warning: key 'physics': no conveyor has model: physics, so these settings are not used");
  }
}

TEST_CASE("physics block: every bad value is reported at its key", "[physics-geometry][validation]") {
  const std::string yaml = kHeader +
                           "physics:\n"
                           "  dt: 60ms\n"
                           "  substeps: 65\n"
                           "  gravity: -9.81\n"
                           "  gravty: 9\n" +
                           kParts +
                           "elements:\n"
                           "  src: {type: source, to: c1}\n"
                           "  c1: {type: conveyor, model: physics, speed: 0.5, length: 4, to: done}\n"
                           "  done: {type: sink}\n";
  CHECK(errors_of(yaml) == std::vector<std::string>{
                               "6:7: error: key 'physics.dt': must be positive and at most 50 ms, got 60 ms",
                               "7:13: error: key 'physics.substeps': must be a whole number from 1 to 64, got 65",
                               "8:12: error: key 'physics.gravity': must be positive (m/s^2, pointing along -z), got -9.81",
                               "9:3: error: key 'physics': unknown key 'gravty'; did you mean 'gravity'?"});
  CHECK(errors_of(kHeader + "physics: {dt: 0, substeps: 2.5}\nelements:\n  src: {type: source, limit: 1, to: done}\n"
                            "  done: {type: sink}\n") ==
        std::vector<std::string>{"5:15: error: key 'physics.dt': must be positive and at most 50 ms, got 0 s",
                                 "5:28: error: key 'physics.substeps': expected a whole number, got '2.5'"});
  CHECK(errors_of(kHeader + "physics: 2ms\nelements:\n  src: {type: source, limit: 1, to: done}\n  done: {type: sink}\n") ==
        std::vector<std::string>{"5:10: error: key 'physics': expected a map of keys, got '2ms'"});
}

TEST_CASE("conveyor model, friction and width: defaults and values", "[physics-geometry][validation]") {
  SECTION("kinematic by default") {
    const Scene s = load_ok(one_conveyor("length: 4"));
    const Element& c = element(s, "c1");
    CHECK_FALSE(c.physical);
    CHECK(c.friction == 0.5);
    CHECK(c.width_m == 0.5);
  }
  SECTION("model: kinematic written out") {
    CHECK_FALSE(element(load_ok(one_conveyor("model: kinematic, length: 4")), "c1").physical);
  }
  SECTION("model: physics with defaults") {
    const Scene s = load_ok(one_conveyor("model: physics, length: 4"));
    const Element& c = element(s, "c1");
    CHECK(c.physical);
    CHECK(c.friction == 0.5);
    CHECK(c.width_m == 0.5);
    CHECK(c.physical_parts == std::vector<int>{0});
  }
  SECTION("friction and width given") {
    const Scene s = load_ok(one_conveyor("model: physics, friction: 5, width: 0.21, length: 4"));
    CHECK(element(s, "c1").friction == 5);
    CHECK(element(s, "c1").width_m == 0.21);
  }
}

TEST_CASE("conveyor physics keys: errors at their key", "[physics-geometry][validation]") {
  // c1 is on line 9; its keys start after "  c1: {type: conveyor, speed: 0.5, " (column 36).
  CHECK(errors_of(one_conveyor("friction: 0.4, width: 0.5, length: 4")) ==
        std::vector<std::string>{
            "9:46: error: element 'c1', key 'friction': applies only to model: physics conveyors; add 'model: "
            "physics' or remove it",
            "9:58: error: element 'c1', key 'width': applies only to model: physics conveyors; add 'model: physics' "
            "or remove it"});
  CHECK(errors_of(one_conveyor("model: kinematic, width: 0.5, length: 4")) ==
        std::vector<std::string>{
            "9:61: error: element 'c1', key 'width': applies only to model: physics conveyors; add 'model: physics' "
            "or remove it"});
  CHECK(errors_of(one_conveyor("model: physic, length: 4")) ==
        std::vector<std::string>{
            "9:43: error: element 'c1', key 'model': expected kinematic or physics, got 'physic'; did you mean "
            "'physics'?"});
  CHECK(errors_of(one_conveyor("model: physics, friction: 0, width: -1, length: 4")) ==
        std::vector<std::string>{
            "9:62: error: element 'c1', key 'friction': must be above 0 and at most 5 (a Coulomb coefficient), got 0",
            "9:72: error: element 'c1', key 'width': must be positive (m), got -1"});
  CHECK(errors_of(one_conveyor("model: physics, friction: 5.5, length: 4")) ==
        std::vector<std::string>{
            "9:62: error: element 'c1', key 'friction': must be above 0 and at most 5 (a Coulomb coefficient), got "
            "5.5"});
}

TEST_CASE("parts riding a physical conveyor: size, cylinder size, width", "[physics-geometry][validation]") {
  SECTION("no parts block: the default part has no size") {
    CHECK(errors_of(one_conveyor("model: physics, length: 4", "")) ==
          std::vector<std::string>{
              "7:43: error: element 'c1', key 'model': part type 'part' (the default: the scene has no 'parts' "
              "block) rides this physical conveyor but has no 'size': the physics needs its extents, e.g. parts: "
              "{part: {size: [0.3, 0.2, 0.15]}}"});
  }
  SECTION("a declared part without size") {
    CHECK(errors_of(one_conveyor("model: physics, length: 4", "parts:\n  crate: {mass: 1}\n")) ==
          std::vector<std::string>{
              "9:43: error: element 'c1', key 'model': part type 'crate' rides this physical conveyor but has no "
              "'size': the physics needs its extents, e.g. parts: {crate: {size: [0.3, 0.2, 0.15]}}"});
  }
  SECTION("a part type that never rides it needs no size") {
    load_ok(kHeader +
            "parts:\n"
            "  crate: {size: [0.3, 0.2, 0.15]}\n"
            "  other: {}\n"
            "elements:\n"
            "  src: {type: source, part: crate, to: c1}\n"
            "  c1: {type: conveyor, model: physics, speed: 0.5, length: 4, to: done}\n"
            "  s2: {type: source, part: other, interarrival: 1min, to: done}\n"
            "  done: {type: sink}\n");
  }
  SECTION("a cylinder needs x = y") {
    CHECK(errors_of(one_conveyor("model: physics, length: 4",
                                 "parts:\n  bottle: {size: [0.08, 0.1, 0.25], shape: cylinder}\n")) ==
          std::vector<std::string>{
              "9:43: error: element 'c1', key 'model': part type 'bottle' rides this physical conveyor as a "
              "cylinder, whose size is [diameter, diameter, height]; got x 0.08 and y 0.1, which differ"});
  }
  SECTION("the belt must be wider than the part across it") {
    CHECK(errors_of(one_conveyor("model: physics, width: 0.2, length: 4")) ==
          std::vector<std::string>{
              "9:59: error: element 'c1', key 'width': width 0.2 m is not wider than part type 'crate' (0.2 m across "
              "the belt); give a 'width' above 0.2 m"});
    load_ok(one_conveyor("model: physics, width: 0.2001, length: 4"));
    // the default width, and a part carried with its longer horizontal side along the belt
    CHECK(errors_of(one_conveyor("model: physics, length: 4", "parts:\n  tote: {size: [0.5, 0.6, 0.3]}\n")) ==
          std::vector<std::string>{
              "9:43: error: element 'c1', key 'model': the default width 0.5 m is not wider than part type 'tote' "
              "(0.5 m across the belt); give a 'width' above 0.5 m"});
    CHECK(errors_of(one_conveyor("model: physics, width: 0.07, length: 4",
                                 "parts:\n  bottle: {size: [0.08, 0.08, 0.25], shape: cylinder}\n")) ==
          std::vector<std::string>{
              "9:59: error: element 'c1', key 'width': width 0.07 m is not wider than part type 'bottle' (0.08 m "
              "across the belt, its diameter); give a 'width' above 0.08 m"});
  }
  SECTION("parts that can ride it are found through the flow") {
    const Scene s = load_ok(kHeader +
                            "parts:\n"
                            "  a: {size: [0.3, 0.2, 0.1]}\n"
                            "  b: {}\n"
                            "  c: {size: [0.2, 0.2, 0.2]}\n"
                            "elements:\n"
                            "  src: {type: source, mix: {a: 0.5, b: 0.2, c: 0.3}, to: [c1, k1], routing: by_part,\n"
                            "        part_routes: {a: c1, b: k1, c: c1}}\n"
                            "  c1: {type: conveyor, model: physics, speed: 0.5, length: 4, to: done}\n"
                            "  k1: {type: conveyor, speed: 0.5, length: 4, to: done}\n"
                            "  done: {type: sink}\n");
    CHECK(element(s, "c1").physical_parts == std::vector<int>{0, 2});
    CHECK(element(s, "k1").physical_parts.empty());
  }
}

TEST_CASE("conveyor path points: written, from positions, or a straight line of the length",
          "[physics-geometry][validation]") {
  SECTION("path as written") {
    const Scene s = load_ok(one_conveyor("model: physics, path: [[0, 0, 1], [4, 0, 1.5], [4, 3, 1.5]]"));
    const Element& c = element(s, "c1");
    CHECK(c.path_given);
    CHECK(c.path_points == std::vector<Vec3>{{0, 0, 1}, {4, 0, 1.5}, {4, 3, 1.5}});
    CHECK(conveyor_path_points(s, c) == c.path_points);
  }
  SECTION("from positions: [at, the successor's at]") {
    const Scene s = load_ok(kHeader + kParts +
                            "elements:\n"
                            "  src: {type: source, to: c1}\n"
                            "  c1: {type: conveyor, model: physics, speed: 0.5, at: [1, 2, 0.8], to: done}\n"
                            "  done: {type: sink, at: [4, 6, 0.8]}\n");
    const Element& c = element(s, "c1");
    CHECK_FALSE(c.path_given);
    CHECK(c.length_m == Approx(5).epsilon(kEps));
    CHECK(c.path_points == std::vector<Vec3>{{1, 2, 0.8}, {4, 6, 0.8}});
    // a variant that moves the successor moves the path's end
    Scene moved = s;
    moved.elements[static_cast<size_t>(moved.find_element("done"))].at = {1, 9, 0.8};
    CHECK(conveyor_path_points(moved, element(moved, "c1")) == std::vector<Vec3>{{1, 2, 0.8}, {1, 9, 0.8}});
  }
  SECTION("only a length: along +x from 'at', or from the origin") {
    const Scene s = load_ok(kHeader + kParts +
                            "elements:\n"
                            "  src: {type: source, to: c1}\n"
                            "  c1: {type: conveyor, model: physics, speed: 0.5, length: 4, at: [1, 1, 1], to: c2}\n"
                            "  c2: {type: conveyor, speed: 0.5, length: 2.5, to: done}\n"
                            "  done: {type: sink}\n");
    CHECK(element(s, "c1").path_points == std::vector<Vec3>{{1, 1, 1}, {5, 1, 1}});
    CHECK(element(s, "c2").path_points == std::vector<Vec3>{{0, 0, 0}, {2.5, 0, 0}});  // kinematic too
  }
}

TEST_CASE("physical conveyor paths: legs and turns the belt can be built on", "[physics-geometry][validation]") {
  CHECK(errors_of(one_conveyor("model: physics, path: [[0, 0, 1], [4, 0, 1], [4, 0, 1], [4, 3, 1]]")) ==
        std::vector<std::string>{
            "9:81: error: element 'c1', key 'path': point 3 repeats point 2: a physical belt needs legs of positive "
            "length"});
  CHECK(errors_of(one_conveyor("model: physics, path: [[0, 0, 1], [0, 0, 2]]")) ==
        std::vector<std::string>{
            "9:70: error: element 'c1', key 'path': point 2 is straight above or below point 1: a physical belt "
            "cannot run vertically"});
  CHECK(errors_of(one_conveyor("model: physics, path: [[0, 0, 1], [4, 0, 1], [3, 1, 1]]")) ==
        std::vector<std::string>{
            "9:70: error: element 'c1', key 'path': the path turns by 135 degrees at point 2; a physical belt turns at "
            "most 120 degrees at one point (add a point to turn in two steps)"});
  // A 5 m wide belt: the corner at point 2 takes (5 / 2) tan 45 deg = 2.5 m of the first leg's
  // 2 m (plus the 0.16 m it starts before point 1): nothing left to build a segment on.
  // (Found by the fuzzer: the world check refused it only when the run began.)
  CHECK(errors_of(one_conveyor("model: physics, width: 5, path: [[0, 0, 1], [2, 0, 1], [2, 4, 1]]")) ==
        std::vector<std::string>{
            "9:80: error: element 'c1', key 'path': the leg to point 2 is too short for a belt 5 m wide: the corners "
            "at its ends take more than its length; make the belt narrower or the leg longer"});
  load_ok(one_conveyor("model: physics, width: 3, path: [[0, 0, 1], [2, 0, 1], [2, 4, 1]]"));
  // the same path is fine for a kinematic conveyor
  load_ok(one_conveyor("path: [[0, 0, 1], [4, 0, 1], [4, 0, 1], [3, 1, 1]]"));
  // 120 degrees is allowed
  load_ok(one_conveyor("model: physics, path: [[0, 0, 1], [4, 0, 1], [3, 1.7320508075688772, 1]]"));
  SECTION("positions straight above each other") {
    CHECK(errors_of(kHeader + kParts +
                    "elements:\n"
                    "  src: {type: source, to: c1}\n"
                    "  c1: {type: conveyor, model: physics, speed: 0.5, at: [1, 2, 0], to: done}\n"
                    "  done: {type: sink, at: [1, 2, 3]}\n") ==
          std::vector<std::string>{
              "9:3: error: element 'c1': the 'at' it runs to is straight above or below its 'at': a physical belt "
              "cannot run vertically"});
  }
  SECTION("a slope steeper than the friction allows: a warning") {
    const std::string yaml = one_conveyor("model: physics, friction: 0.3, path: [[0, 0, 1], [2, 0, 2]]");
    load_ok(yaml);
    CHECK(warnings_of(yaml) ==
          std::vector<std::string>{
              "9:85: warning: element 'c1', key 'path': the leg to point 2 rises at 26.6 degrees; with friction 0.3 "
              "parts slide back (a belt carries a part up only when tan(slope) < friction)"});
    CHECK(warnings_of(one_conveyor("model: physics, friction: 0.6, path: [[0, 0, 1], [2, 0, 2]]")).empty());
    CHECK(warnings_of(one_conveyor("model: physics, friction: 0.3, path: [[2, 0, 2], [0, 0, 1]]")).empty());
  }
}

TEST_CASE("the physics scenes validate and their conveyors build", "[physics-geometry][cli]") {
  using plantwin::test::TempDir;
  const std::string root = plantwin::test::source_dir();
  for (const char* name : {"parcel-line.yaml", "bottle-line.yaml"}) {
    const std::string path = root + "/scenes/physics/" + name;
    DYNAMIC_SECTION(name) {
      LoadResult r = load_scene_file(path);
      INFO(all_diagnostics(r));
      REQUIRE(r.scene);
      CHECK(r.diagnostics.items.empty());  // no warnings either
      CHECK(r.scene->has_physical_conveyor());
      // every physical conveyor builds
      int stopper = 0;
      for (size_t i = 0; i < r.scene->elements.size(); ++i)
        if (r.scene->elements[i].physical) {
          const ConveyorGeometry g = build_conveyor_geometry(*r.scene, static_cast<int>(i), stopper++);
          CHECK(g.belts.size() + 1 == g.path.size());
          CHECK(g.guides.size() == 2 * g.belts.size());
        }
      TempDir dir;
      auto v = plantwin::test::run_plantwin(dir, {"validate", path});
      CHECK(v.status == 0);
    }
  }
}
