// The compiled flow model as kernels see it: flat arrays only (indices, never pointers
// between elements), immutable during a run. Built by engine/model/compile.cpp; the same
// struct is filled with host pointers (cpu backend) or device pointers (cuda backend).
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/rng/distribution.h"

namespace plantwin::flow {

enum ElemKind : uint8_t { kSource = 0, kStation = 1, kBuffer = 2, kConveyor = 3, kSink = 4 };

enum ElemFlag : uint8_t {
  kSaturated = 1,     // source without interarrival
  kDiscard = 2,       // source: when_blocked: discard
  kAccumulating = 4,  // conveyor
  kFailures = 8,      // station has failures
  kInfinite = 16      // buffer of capacity inf (its ring may overflow: see FlowLaneOut::overflow)
};

// "No event": larger than any horizon, small enough to add to without overflow.
constexpr double kNever = 1e300;
constexpr int64_t kUnlimited = INT64_MAX;

struct FlowModel {
  int32_t n_elements = 0;
  int32_t n_slots = 0;     // part slots per lane, over all elements
  int32_t n_stations = 0;
  int32_t n_buffers = 0;
  int32_t n_timed = 0;     // elements that schedule events: sources, stations, conveyors
  int32_t replications = 1;       // replications per variant in this batch
  int32_t first_replication = 0;  // replication index of the batch's first (adding replications later)
  uint32_t seed_lo = 0, seed_hi = 0;
  double warmup = 0;       // statistics start here [s]
  double end = 0;          // warmup + horizon [s]

  // Structure [E] (and CSR lists).
  const uint8_t* kind = nullptr;
  const uint8_t* flags = nullptr;
  const int32_t* succ = nullptr;        // -1 for sinks
  const int32_t* pred_begin = nullptr;  // [E+1]; predecessors sorted by element index
  const int32_t* pred = nullptr;
  const int32_t* slot_begin = nullptr;  // [E+1] station: one slot per server; buffer, conveyor: a ring
  const int32_t* stat_index = nullptr;  // station index or buffer index, else -1
  const int32_t* timed = nullptr;       // [n_timed] element indices in ascending order
  const int32_t* timed_index = nullptr; // [E] position in `timed`, or -1

  // Parameters per variant, [V][E] row-major (lanes of variant v read row v).
  const int64_t* capacity = nullptr;  // station servers, buffer capacity (kUnlimited: inf), conveyor capacity,
                                      // source limit (kUnlimited: none)
  const double* travel = nullptr;     // conveyor length / speed [s]
  const double* gap = nullptr;        // conveyor spacing / speed [s]
  const Dist* main_dist = nullptr;    // source interarrival, station process time
  const Dist* ttf_dist = nullptr;     // station operating time between failures
  const Dist* ttr_dist = nullptr;     // station repair time
  const double* table = nullptr;      // rows of empirical distributions
};

// Purposes of random streams (the `purpose` word of the Philox counter): the low byte says
// what is drawn, the upper bytes which server of a station draws it.
enum StreamPurpose : uint32_t { kDrawMain = 0, kDrawTimeToFailure = 1, kDrawRepair = 2 };
PW_HD inline uint32_t stream_purpose(uint32_t what, uint32_t server) { return (server << 8) | what; }

}  // namespace plantwin::flow
