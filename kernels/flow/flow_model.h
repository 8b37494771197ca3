// The compiled flow model as kernels see it: flat arrays only (indices, never pointers
// between elements), immutable during a run. Built by engine/model/compile.cpp; the same
// struct is filled with host pointers (cpu backend) or device pointers (cuda backend).
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/rng/distribution.h"

namespace plantwin::flow {

// Station-like elements (station, assembly, split) are all kStation; flags tell them apart.
enum ElemKind : uint8_t {
  kSource = 0, kStation = 1, kBuffer = 2, kConveyor = 3, kSink = 4, kOperators = 5, kRobot = 6
};

enum ElemFlag : uint32_t {
  kSaturated = 1,       // source without interarrival
  kDiscard = 2,         // source: when_blocked: discard
  kAccumulating = 4,    // conveyor
  kFailures = 8,        // station has at least one failure mode
  kInfinite = 16,       // buffer of capacity inf (its ring may overflow: see FlowLaneOut::overflow)
  kAssembly = 32,       // station consumes a kit (bom) per part
  kSplit = 64,          // station emits split_seq parts per part
  kByPart = 128,        // station: process dist per part type (proc_at + type)
  kSetups = 256,        // station has setups
  kSetupTable = 512,    // ... from a from->to table (setup_at + from * parts + to)
  kQuality = 1024,      // station draws scrap / rework
  kShift = 2048,        // station follows a shift calendar
  kRouted = 4096,       // the successor of a part is not simply succ[e] (routing or rework)
  kMix = 8192,          // source draws part types from mix_cum
  kSequence = 16384,    // source releases part types in seq order
  kPooled = 32768,      // station needs operators for something (process, setup or a repair)
  kPhysical = 65536     // conveyor with model: physics (kernels/flow/physical_conveyors.h)
};

// The flags a plain model's elements may carry: a line of sources, single-routed stations with
// operating-time failures, buffers of capacity >= 1, kinematic conveyors and sinks. Everything
// else (routing, rework, assembly, split, setups, shifts, operators, robots, part mixes,
// physics, calendar failures, zero-capacity buffers) makes a model general. Plain models run
// LaneSim<..., kPlain = true>, which compiles that code out (engine/model/plain_model.cpp decides).
constexpr uint32_t kPlainFlags = kSaturated | kDiscard | kAccumulating | kFailures | kInfinite;

enum RoutingRule : uint8_t { kRouteSingle = 0, kRouteRoundRobin = 1, kRouteShortestQueue = 2,
                             kRouteProbability = 3, kRouteByPart = 4 };

// Destinations of a part: an element index, or one of these.
constexpr int32_t kDestUndecided = -2;  // not chosen yet (chosen when first offered)
constexpr int32_t kDestAny = -1;        // shortest queue: chosen at the moment it moves

// "No event": larger than any horizon, small enough to add to without overflow.
constexpr double kNever = 1e300;
constexpr int64_t kUnlimited = INT64_MAX;

struct FlowModel {
  int32_t n_elements = 0;
  int32_t n_slots = 0;     // part slots per lane, over all elements; servers first
  int32_t n_servers = 0;   // slots [0, n_servers) are the servers of station-like elements
  int32_t n_stations = 0;
  int32_t n_buffers = 0;
  int32_t n_timed = 0;     // elements that schedule events: sources, stations, conveyors, robots
  int32_t n_parts = 1;
  int32_t n_pools = 0;     // operators elements
  int32_t n_robots = 0;
  int32_t max_modes = 1;   // failure-mode clocks per server (at least 1)
  int32_t n_dists = 0;     // distributions per variant row of `dists`
  int32_t n_travel = 0;    // robot travel times per variant row of `travel_tab`
  int32_t replications = 1;       // replications per variant in this batch
  int32_t first_replication = 0;  // replication index of the batch's first (adding replications later)
  uint32_t seed_lo = 0, seed_hi = 0;
  double warmup = 0;       // statistics start here [s]
  double end = 0;          // warmup + horizon [s]
  bool plain = false;      // see kPlainFlags: the kernels may run the plain instantiation

  // Structure [E].
  const uint8_t* kind = nullptr;
  const uint32_t* flags = nullptr;
  const int32_t* succ = nullptr;        // first successor; -1 for sinks and resources
  const int32_t* pred_begin = nullptr;  // [E+1]; predecessors (every flow edge) sorted by element index
  const int32_t* pred = nullptr;
  const int32_t* slot_first = nullptr;  // [E] slot range [slot_first, slot_end): station: one per server;
  const int32_t* slot_end = nullptr;    //     source: one; buffer, conveyor: a ring
  const int32_t* stat_index = nullptr;  // station, buffer, operators or robot index within its kind, else -1
  const int32_t* timed = nullptr;       // [n_timed] element indices in ascending order
  const int32_t* timed_index = nullptr; // [E] position in `timed`, or -1

  // Routing. Successor lists: the `to` entries in order, then a rework target not among them.
  const int32_t* succ_begin = nullptr;  // [E+1]
  const int32_t* succ_list = nullptr;
  const int32_t* n_route = nullptr;     // [E] how many of the list are `to` entries
  const uint8_t* routing = nullptr;     // [E] RoutingRule
  const double* route_cum = nullptr;    // [succ entries] cumulative probabilities (probability routing)
  const int32_t* part_route = nullptr;  // [E * parts] by_part successor, -1 none
  const int32_t* from_robot = nullptr;  // [E] the robot carrying every part out of e, or -1

  // Part types.
  const int32_t* out_part = nullptr;    // [E] source: its part; assembly: its output part
  const double* mix_cum = nullptr;      // [E * parts] cumulative mix (sources with kMix)
  const int32_t* seq_begin = nullptr;   // [E+1] sources with kSequence: their repeating order
  const int32_t* seq = nullptr;

  // Parameters per variant, [V][E] row-major (lanes of variant v read row v).
  const int64_t* capacity = nullptr;  // station servers, buffer capacity (kUnlimited: inf), conveyor capacity,
                                      // source limit (kUnlimited: none), operators: workers
  const double* travel = nullptr;     // conveyor length / speed [s]; robot: grip time [s]
  const double* gap = nullptr;        // conveyor spacing / speed [s]; robot: release time [s]
  const double* scrap_p = nullptr;    // station: scrap probability
  const double* rework_p = nullptr;   // station: rework probability
  const Dist* main_dist = nullptr;    // source interarrival
  const Dist* dists = nullptr;        // [V][n_dists]: process, setup and failure distributions
  const double* table = nullptr;      // rows of empirical distributions

  // Stations (indices into a dists row).
  const int32_t* proc_at = nullptr;     // [E] process distribution (+ part type with kByPart)
  const int32_t* setup_at = nullptr;    // [E] setup distribution (+ from * parts + to with kSetupTable)
  const int32_t* mode_begin = nullptr;  // [E+1] failure modes of e: global mode indices
  const int32_t* mode_ttf_at = nullptr; // [modes] time between failures
  const int32_t* mode_ttr_at = nullptr; // [modes] repair time
  const int32_t* mode_pool = nullptr;   // [modes] pool index that repairs, or -1
  const uint8_t* mode_calendar = nullptr;  // [modes] 1: ages in calendar time
  const int32_t* rework_to = nullptr;   // [E] rework element or -1
  const int32_t* proc_pool = nullptr;   // [E] pool for processing, or -1
  const int32_t* setup_pool = nullptr;  // [E] pool for setups, or -1
  const int32_t* pool_elem = nullptr;   // [pools] element of each pool
  const int32_t* bom = nullptr;         // [E * parts] assembly kit quantities
  const int32_t* base_input = nullptr;  // [E] assembly: part type whose release the output keeps
  const int32_t* split_begin = nullptr; // [E+1] split: part types emitted per part
  const int32_t* split_seq = nullptr;

  // Shift calendars: transitions within one period.
  const int32_t* shift_of = nullptr;      // [E] calendar or -1
  const int32_t* cal_begin = nullptr;     // [calendars + 1] into cal_t / cal_on
  const double* cal_t = nullptr;          // transition times in [0, period), ascending
  const uint8_t* cal_on = nullptr;        // working after the transition?
  const double* cal_period = nullptr;     // [calendars]

  // Robots (robot index r = stat_index of the robot element).
  const int32_t* tr_begin = nullptr;      // [robots + 1] transfers of robot r, in priority order
  const int32_t* tr_from = nullptr;       // [transfers] elements
  const int32_t* tr_to = nullptr;
  const int32_t* tr_from_pt = nullptr;    // [transfers] point of `from` / `to` among robot r's points
  const int32_t* tr_to_pt = nullptr;      //   (point 0: the robot's base, where the gripper starts)
  const int32_t* rb_points = nullptr;     // [robots] points of robot r
  const int32_t* rb_travel_at = nullptr;  // [robots] offset of r's points x points travel times
  const double* travel_tab = nullptr;     // [V][n_travel] travel time between points [s]
};

// Purposes of random streams (the `purpose` word of the Philox counter): the low byte says
// what is drawn, the upper bytes which server of a station draws it. Failure mode m draws its
// times between failures as 1 + 2m and its repairs as 2 + 2m (mode 0: 1 and 2, as before modes).
enum StreamPurpose : uint32_t {
  kDrawMain = 0, kDrawTimeToFailure = 1, kDrawRepair = 2,
  kDrawSetup = 200, kDrawQuality = 201, kDrawRoute = 202, kDrawMix = 203
};
PW_HD inline uint32_t stream_purpose(uint32_t what, uint32_t server) { return (server << 8) | what; }

}  // namespace plantwin::flow
