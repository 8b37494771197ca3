// The typed, validated form of a scene file (docs/scene-format.md). Everything here has
// passed validation: downstream code (model compile, kernels) trusts it and re-checks nothing.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/scene/dist_spec.h"
#include "engine/scene/source_loc.h"
#include "engine/variants/variant_spec.h"

namespace plantwin {

enum class ElementType { Source, Station, Buffer, Conveyor, Sink, Assembly, Split, Operators, Robot };
const char* element_type_name(ElementType t);
// Station-like elements: they have servers, a process time, failures, setups, shifts, scrap.
inline bool is_station_like(ElementType t) {
  return t == ElementType::Station || t == ElementType::Assembly || t == ElementType::Split;
}
// Elements that hold and move parts (operators and robots are resources, not in the flow graph).
inline bool is_flow_element(ElementType t) { return t != ElementType::Operators && t != ElementType::Robot; }

// How an element with several successors picks one for each part (docs/scene-format.md).
enum class Routing { Single, RoundRobin, ShortestQueue, Probability, ByPart };

// A repeating shift calendar: the working intervals within one period, breaks already
// subtracted, sorted, disjoint and non-empty, each within [0, period_s].
struct Calendar {
  double period_s = 0;
  std::vector<std::pair<double, double>> work;  // [start, end) seconds into the period
  SourceLoc loc;
};

// One failure mode of a station-like element.
struct FailureMode {
  std::string name;        // "failure" for the single-map form
  DistSpec mtbf, mttr;     // time between failures (operating or calendar time), repair time
  bool calendar = false;   // basis: calendar (ages in every state) or operating (ages while processing)
  int repair_pool = -1;    // element index of the operators pool that repairs it, or -1
  SourceLoc loc;
};

// A robot transfer: the robot carries parts along the flow edge from -> to.
struct RobotTransfer {
  int from = -1, to = -1;  // element indices
  SourceLoc loc;
};

struct PartType {
  std::string name;
  bool has_size = false;
  Vec3 size{0, 0, 0};  // metres
  double mass_kg = 0;
  std::string shape = "box";
};

struct Element {
  std::string name;
  ElementType type = ElementType::Sink;
  SourceLoc loc;
  bool has_at = false;
  Vec3 at{0, 0, 0};
  int succ = -1;         // first successor (to[0]); -1 for sinks, operators and robots
  std::vector<int> to;   // every successor named by `to`, in the order written
  Routing routing = Routing::Single;  // Single when `to` names one element
  std::vector<double> weights;        // probability routing: one per `to` entry, summing to 1
  std::vector<int> part_routes;       // by_part routing: [parts] successor element per part type, -1: none
  int shift = -2;                     // calendar index into Scene::calendars; -1: always working;
                                      // -2: the plant's (Scene::plant_shift) -- resolved by the loader to >= -1

  // source
  int part = 0;                 // index into Scene::parts (also: an assembly's output part type)
  std::vector<double> mix;      // [parts] release probabilities summing to 1; empty: always `part`
  std::vector<int> sequence;    // part types released in this repeating order; empty: none
  bool saturated = true;        // no interarrival given
  DistSpec interarrival;
  int64_t limit = -1;           // -1: unlimited
  bool discard_when_blocked = false;

  // station, assembly, split
  DistSpec process;                       // when process_by_part is empty
  std::vector<DistSpec> process_by_part;  // [parts] when `process: {by_part: ...}`; every part type
                                          // that can reach the element has an entry (others: constant 0)
  int64_t servers = 1;
  std::vector<FailureMode> failures;      // empty: never fails
  bool has_setup = false;
  bool setup_by_pair = false;             // false: `setup` applies to every change of part type
  DistSpec setup;                         // when !setup_by_pair
  std::vector<DistSpec> setup_table;      // [parts * parts] from * parts + to when setup_by_pair (missing: 0)
  double scrap_p = 0;                     // probability a processed part is scrapped
  double rework_p = 0;                    // probability it is sent to rework_to instead of onwards
  int rework_to = -1;
  int process_pool = -1, setup_pool = -1, repair_pool = -1;  // operators pools (element indices) or -1
  std::vector<int64_t> inputs;            // assembly: [parts] bill of materials (0: not an input)
  int base_input = -1;                    // assembly: the first input written (its part gives the lead time)
  std::vector<int> outputs;               // split: part types emitted per part processed, in order

  // buffer
  int64_t capacity = 0;
  bool infinite = false;

  // conveyor (lengths resolved by the loader)
  double speed_mps = 0;
  double length_m = 0;
  bool length_given = false;           // the scene writes `length` (only then may a variant set it)
  bool length_from_positions = false;  // derived from `at` here and at `to` (recomputed per variant)
  double spacing_m = 0;
  bool accumulating = true;
  // physical conveyors (`model: physics`, docs/scene-format.md section 13); defaults otherwise
  bool physical = false;               // model: physics
  double friction = 0.5;               // Coulomb coefficient between belt and part, (0, 5]
  double width_m = 0.5;                // between the side guides' inner faces, m
  bool path_given = false;             // the scene writes `path` (then path_points is it, verbatim)
  // The belt's centre line in world coordinates, on the belt surface, at least two points:
  // `path` as written; else [at, first successor's at] when the length comes from positions;
  // else a straight line of `length` along +x from `at` (or from the origin without `at`).
  // Resolved by the loader for every conveyor (baseline values); a variant that moves `at` or
  // changes `length` changes it too: use conveyor_path_points(scene, element) for a variant.
  std::vector<Vec3> path_points;
  std::vector<int> physical_parts;     // physical conveyor: the part types that can ride it, ascending

  // operators
  int64_t count = 0;  // workers in the pool

  // robot
  double reach_m = 0, speed_mps_robot = 0, accel_mps2 = 0, grip_s = 0, release_s = 0;
  std::vector<RobotTransfer> transfers;  // in priority order for ties
};

struct RunSettings {
  double horizon_s = 0;
  double warmup_s = 0;
  int64_t replications = 1;
  uint64_t seed = 1;
  bool warmup_given = false;  // the scene writes `warmup` (0 then means: from empty, on purpose)
  SourceLoc warmup_loc;       // the `warmup` value, else the `run` block: where warnings about it point
};

// The longest run, warm-up + horizon: 1e9 s, 31.7 years of plant time. The simulation clock
// counts seconds in double precision, whose resolution there is still 1.2e-7 s; far beyond,
// a run would also take longer than anyone waits (a 1e15 s horizon was a typo of 1e5).
constexpr double kMaxRunSeconds = 1e9;

// "" when warm-up + horizon is within kMaxRunSeconds, else the reason, for an error message.
std::string run_length_problem(const RunSettings& run);

// The top-level `physics:` block (docs/scene-format.md section 13); defaults when absent.
struct PhysicsSettings {
  double dt_s = 0.002;     // time step, (0, 0.05]
  int substeps = 4;        // solver substeps per step, 1..64
  double gravity = 9.81;   // m/s^2 along -z, > 0
  bool given = false;      // the scene has a `physics:` block
};

struct Scene {
  std::string path;  // as given by the user
  std::string text;  // the file's bytes
  std::string name;
  std::string description;
  RunSettings run;
  std::vector<PartType> parts;
  std::vector<Element> elements;  // scene order
  std::vector<Calendar> calendars;  // every `shifts:` / `shift:` block
  int plant_shift = -1;             // the top-level `shifts:` calendar, or -1
  VariantsSpec variants;          // empty: the baseline alone
  PhysicsSettings physics;        // used when any conveyor is physical

  int find_element(const std::string& n) const;
  bool has_physical_conveyor() const;
};

// The elements `e` passes parts to: its `to` list in order, then its rework target (once).
std::vector<int> flow_successors(const Element& e);

// A conveyor's centre line as the scene stands now (baseline or a variant): the written path,
// else recomputed from the current `at` values or `length` by the rule of Element::path_points.
std::vector<Vec3> conveyor_path_points(const Scene& scene, const Element& conveyor);

}  // namespace plantwin
