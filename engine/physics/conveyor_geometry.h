// A physical conveyor (`model: physics`, docs/scene-format.md section 13) as rigid-body
// geometry for the physics backends (engine/physics/world_desc.h): belt segments, side guides,
// a stopper, and the rules that place a part on the belt, tell when it has reached the end and
// when it is lost. Pure geometry: nothing here steps a world or touches the flow model.
//
// Frames. Each leg of the path (from point k to point k+1) has an orthonormal frame:
//   along  = the unit vector from point k to point k+1 (slopes included),
//   across = the horizontal unit vector to the left of `along`: (-along.y, along.x, 0) / |..|,
//   normal = along x across: perpendicular to the leg, pointing up (positive z).
// A box built on a leg has its local x along `along`, y along `across`, z along `normal`.
// Path points lie on the belt surface, the centre line of the belt.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/physics/world_desc.h"
#include "engine/scene/scene.h"

namespace plantwin::physics {

// Fixed dimensions and coefficients of the belt hardware (metres; docs/scene-format.md 13.3).
constexpr double kBeltThickness = 0.05;     // belt segment boxes, below the surface
constexpr double kGuideHeight = 0.1;        // side guides and stopper, above the surface
constexpr double kGuideThickness = 0.02;    // side guides, across the belt
constexpr double kStopperThickness = 0.02;  // the stopper, along the belt
constexpr double kSeamOverlap = 0.01;       // each segment runs on this far past its leg's end
constexpr double kChamferFraction = 1.0 / 3;  // inner-corner chamfer legs, as a share of the width
constexpr double kValleyRun = 0.1;          // ... and this far back under the one before at a valley
constexpr double kEndMargin = 0.01;         // a part held by the stopper has its centre this far past the end
constexpr double kGuideFriction = 0.1;      // side guides and stopper: low-friction rails
constexpr double kLostDrop = 1.0;           // lost: centre more than this below the lowest path point
constexpr double kLostTimeFactor = 10.0;    // lost: not at the end after this * length / speed on the belt
constexpr double kDefaultPartMass = 1.0;    // kg, for a part type without `mass`

// The statics of one physical conveyor and what the rules below need.
struct ConveyorGeometry {
  std::vector<Vec3d> path;           // the belt's centre line on its surface, >= 2 points
  double speed = 0;                  // m/s
  double friction = 0.5;             // belt and part (Coulomb)
  double width = 0.5;                // between the guides' inner faces, m
  double length = 0;                 // along the path, m
  double tail = 0;                   // the first segment starts this far before the path start
  double hold = 0;                   // the stopper's near face is this far past the path end
  std::vector<StaticBoxDesc> belts;  // one per leg, in path order
  // Two per leg, in path order: [2k] on the left (+across), [2k+1] on the right -- unless a leg
  // is so short between two corners that a guide is trimmed away entirely; that one is left out.
  std::vector<StaticBoxDesc> guides;
  // One per corner (horizontal turn), in path order: a guide across the inner corner.
  std::vector<StaticBoxDesc> chamfers;
  StaticBoxDesc stopper;             // across the belt just past the end; stopper = its index
  // Every static box in one list: belts, then guides, then chamfers, then the stopper.
  std::vector<StaticBoxDesc> statics() const;
};

// The frame of leg k of `path` (along, across, normal as above) and the quaternion (w, x, y, z)
// that turns the box axes x, y, z onto it. Requires a leg of positive horizontal length.
struct LegFrame {
  Vec3d along, across, normal;
  Quatd q;
};
LegFrame leg_frame(const std::vector<Vec3d>& path, size_t k);

// Builds the geometry of a belt along `path` (>= 2 points, legs of positive horizontal length,
// no turn over 120 degrees: what the loader checks) moving at `speed`, with `friction` and
// guides `width` apart, for the part types in `riding` (each with a size). Promises:
// - belts[k]: a box kBeltThickness thick whose top face contains leg k, centred on it across
//   the belt (half width = width / 2), surface_velocity = speed * along_k, friction = friction.
//   Along the leg it covers [-tail, L_k] on the first leg and [0, L_k] on the others, plus
//   kSeamOverlap at the downstream end; the last leg runs on to the stopper's far face. At a
//   point where the path turns horizontally by `turn`, c = (width / 2) * tan(|turn| / 2) (the
//   corner square's half size): the downstream segment runs back c (over the corner square)
//   and the upstream one stops c short of the point (+ kSeamOverlap), so a part entering the
//   square is carried round by the new leg's belt -- except at a crest (the next leg falls
//   more steeply), where the upstream segment runs on c + kSeamOverlap instead and the
//   downstream one does not run back. At a valley (the next leg rises more steeply: the foot
//   of an incline) the downstream segment runs back at least kValleyRun, below the upstream
//   surface, so that a part arriving meets its top face and not its upstream end face (a
//   wall). So at a crest the seam a part meets is the end of the upstream segment: at worst a
//   ramp of kSeamOverlap * tan(slope) it rides over, never a step it runs into.
// - tail = the largest half-length along the belt of the riding parts (a part spawns with its
//   centre on the path start, so its rear half needs belt), plus kEndMargin.
// - guides: boxes kGuideThickness thick whose inner faces are width / 2 from the centre line,
//   from the belt's bottom face to kGuideHeight above the surface; at a corner each guide is
//   mitred (the inner one trimmed, the outer one extended) so the two legs' guides meet and
//   neither blocks the turn; at the ends they run from -tail to the stopper's far face.
// - chamfers: at a corner the inner guides stop a further c = kChamferFraction * width short of
//   the corner (along each leg), and a guide of the same thickness and height runs straight
//   across the inner corner between the two inner faces' points c before and c after their
//   intersection (its inner face on that chord): a part that starts turning early slides along
//   it instead of catching on the end of the downstream inner guide.
// - stopper: a box kStopperThickness along the belt, across the belt over both guides, from the
//   belt's bottom to kGuideHeight above the surface, its near face `hold` past the end point
//   along the last leg, with hold = the largest part_reach of the riding parts + kEndMargin: a
//   part resting against it has its centre past the end however it has turned. stopper.stopper =
//   stopper_index; friction of guides and stopper: kGuideFriction.
ConveyorGeometry build_conveyor_geometry(const std::vector<Vec3d>& path, double speed, double friction,
                                         double width, const std::vector<PartType>& riding,
                                         int32_t stopper_index);

// Which leg of `path` cannot carry a belt of `width`: the index k of the first leg (from point k
// to point k + 1) whose belt segment has no length left once the corners at its ends take
// their share ((width / 2) tan(turn / 2) each), or -1 when every leg can. `riding` as above.
// The loader calls it so that such a scene is refused where it is written, not by the world
// check when a run starts.
int leg_too_short(const std::vector<Vec3d>& path, double width, const std::vector<PartType>& riding);

// The same for conveyor `element` of a validated scene (baseline or variant): its current path
// (conveyor_path_points), speed, friction, width and the part types that ride it.
ConveyorGeometry build_conveyor_geometry(const Scene& scene, int element, int32_t stopper_index);

// A part's extent along the belt when carried: its longer horizontal side (x or y of `size`;
// a cylinder's diameter). Requires a size.
double part_length_along(const PartType& part);

// The farthest a part's outline reaches horizontally from its centre, whatever way it has
// turned on the belt: half its horizontal diagonal (a cylinder: its radius).
double part_reach(const PartType& part);

// The pose a part type enters with: at rest, centred on the path start (across the belt too),
// its bottom face on the belt surface (centre = start + normal * size.z / 2), z of its size
// along the belt normal, its longer horizontal side along the first leg: its +x along the leg,
// or, when y > x, its +y (turned -90 degrees about the normal). A cylinder stands upright on its
// base (its axis = the normal).
Pose spawn_pose(const ConveyorGeometry& g, const PartType& part);

// The body of one part at its spawn pose: shape, half extents (box) or radius and half height
// (cylinder) from `size`, mass (kDefaultPartMass when the part type gives none), friction =
// the belt's, so that the combined coefficient sqrt(belt * part) is exactly `friction`.
BodyDesc part_body(const ConveyorGeometry& g, const PartType& part);

// True when a body's centre has crossed the end of the path: its projection on the last leg's
// direction lies past the end point, and it is within the belt's corridor there (horizontal
// distance from the last leg's line at most width / 2), so that a looping path cannot count a
// part on an earlier leg.
bool crossed_end(const ConveyorGeometry& g, const Vec3d& centre);

// The lost rule: a part is lost when its centre is more than kLostDrop below the lowest point
// of the path (it fell off the line), or when it has been on the belt for longer than
// kLostTimeFactor * length / speed without crossing the end.
enum class Lost { No, Fell, TooSlow };
double lost_below_z(const ConveyorGeometry& g);  // the height under which it has fallen off
double lost_after_s(const ConveyorGeometry& g);  // the time on the belt after which it is late
Lost lost_state(const ConveyorGeometry& g, const Vec3d& centre, double seconds_on_belt);

}  // namespace plantwin::physics
