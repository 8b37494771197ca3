// Mutable per-lane state of the flow simulation, struct-of-arrays over the lanes of one
// chunk: field f of element (or slot, server, station, buffer, ...) i for lane l is at
// f[i * lanes + l * spacing], so that neighbouring lanes (neighbouring GPU threads) touch
// neighbouring words. The whole state lives in one allocation whose layout FlowStateLayout
// computes; the field list below (PW_FLOW_FIELDS) is the single place that names them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/common/hd.h"
#include "kernels/stats/lead_histogram.h"

namespace plantwin::flow {

// Reported server states: the results contract's first four, then this engine's extensions.
constexpr int kStationStates = 7;
enum ServerState : uint8_t {
  kWorking = 0, kBlocked = 1, kStarved = 2, kFailed = 3, kSetup = 4, kWaitingOperator = 5, kOffShift = 6
};
// Active-period bottleneck method: a server is active unless it is blocked, starved or off shift.
PW_HD inline bool state_active(int32_t s) { return s == kWorking || s == kFailed || s == kSetup || s == kWaitingOperator; }

// What a server is doing with its part, independent of failures, operators and shifts.
enum ServerPhase : int32_t { kIdle = 0, kSetupPhase = 1, kProcess = 2, kDone = 3 };

// Sizes of the rows a lane has of each kind.
struct FlowDims {
  int64_t E = 0, T = 0, S = 0, N = 0, M = 1, St = 0, B = 0, O = 0, R = 0, P = 1;
};

// X(name, type, rows): every field of the state, in layout order. Rows are per lane.
#define PW_FLOW_FIELDS(X)                                                                     \
  /* [timed element] (FlowModel::timed_index) */                                              \
  X(next_t, double, d.T)                                                                      \
  /* [E] */                                                                                   \
  X(ready_t, double, d.E)          /* when its longest-waiting part became ready; kNever if none */ \
  X(count, int64_t, d.E)           /* parts held (station: servers busy with a part) */      \
  X(head, int32_t, d.E)            /* ring head (buffer, conveyor) */                         \
  X(draw_main, uint32_t, d.E)      /* draw counters of the element's streams */               \
  X(draw_route, uint32_t, d.E)                                                                \
  X(draw_quality, uint32_t, d.E)                                                              \
  X(draw_mix, uint32_t, d.E)                                                                  \
  X(draw_setup, uint32_t, d.E)                                                                \
  X(conv_last_entry, double, d.E)  /* conveyor: entry (belt) time of the newest part */      \
  X(conv_last_depart, double, d.E) /* conveyor: departure time of the last part to leave */  \
  X(conv_stop_total, double, d.E)  /* non-accumulating conveyor: time the belt stood still */ \
  X(conv_stop_since, double, d.E)  /* ... when it stopped, or -1 while running */            \
  X(conv_head_exit, double, d.E)   /* conveyor: when the head part reaches the exit */       \
  X(conv_wanted, int32_t, d.E)     /* conveyor: a predecessor waits for the entrance spacing */ \
  X(src_made, int64_t, d.E)        /* source: parts created so far (for limit) */            \
  X(src_released, int64_t, d.E)    /* source: parts released during the horizon */           \
  X(src_lost, int64_t, d.E)        /* source: parts discarded during the horizon */          \
  X(src_seq, int32_t, d.E)         /* source: position in its part sequence */                \
  X(rr_next, int32_t, d.E)         /* round robin: the successor whose turn it is */          \
  X(reserved, int32_t, d.E)        /* parts a robot is bringing (room kept for them) */       \
  X(on_shift, int32_t, d.E)        /* station with a calendar: working time now? */           \
  X(shift_next, double, d.E)       /* ... its next shift change */                            \
  X(kit_release, double, d.E)      /* assembly: release time of the kit's base part */        \
  X(rb_phase, int32_t, d.E)        /* robot: 0 idle, 1 moving to pick, 2 carrying */           \
  X(rb_tr, int32_t, d.E)           /* robot: its transfer */                                  \
  X(rb_pt, int32_t, d.E)           /* robot: point where the gripper is (or goes) */          \
  X(rb_type, int32_t, d.E)         /* robot: part type carried */                             \
  X(rb_release, double, d.E)       /* robot: release time of the part carried */              \
  X(res_last, double, d.E)         /* operators, robot: last time busy time was booked */     \
  X(pool_free, int64_t, d.E)       /* operators: workers free */                              \
  /* [E * parts] */                                                                           \
  X(kit_have, int32_t, d.E * d.P)  /* assembly: parts of each type in the kit */              \
  /* [slot] */                                                                                \
  X(slot_release, double, d.S)     /* release time of the part in the slot */                 \
  X(slot_t, double, d.S)           /* buffer / conveyor: entry time */                        \
  X(slot_type, int32_t, d.S)       /* part type */                                            \
  X(slot_dest, int32_t, d.S)       /* chosen successor, kDestUndecided or kDestAny */         \
  X(slot_body, int32_t, d.S)       /* physical conveyor: the part's body slot */              \
  /* [server] (slots [0, N)) */                                                               \
  X(srv_t, double, d.N)            /* next event of the server */                             \
  X(srv_rem, double, d.N)          /* time still to do in the current phase (setup, process) */ \
  X(srv_proc, double, d.N)         /* process time drawn for the part (used after a setup) */ \
  X(srv_since, double, d.N)        /* running: start of the current span; done: ready since */ \
  X(srv_entered, double, d.N)      /* when it entered its reported state (statistics) */      \
  X(srv_req_t, double, d.N)        /* waiting for an operator since */                        \
  X(srv_dur, double, d.N)          /* length of the span that ends at srv_t */                \
  X(srv_state, int32_t, d.N)       /* ServerState (32-bit: byte stores would alias everything) */ \
  X(srv_phase, int32_t, d.N)       /* ServerPhase */                                          \
  X(srv_down, int32_t, d.N)        /* failure mode (local) it is down with, or -1 */          \
  X(srv_wait, int32_t, d.N)        /* waits for an operator of this pool, or -1 */             \
  X(srv_why, int32_t, d.N)         /* what srv_t is: -1 phase end, m >= 0 mode m fails, -2 repair end */ \
  X(srv_last_type, int32_t, d.N)   /* part type of the last part taken, -1 none */            \
  X(srv_out, int32_t, d.N)         /* split: outputs handed on so far */                      \
  X(srv_hold, int32_t, d.N)        /* pool of the operator it holds, or -1 */                 \
  /* [server * modes] */                                                                      \
  X(srv_clock, double, d.N * d.M)  /* operating: time left to failure; calendar: when it fails */ \
  X(srv_draw_ttf, uint32_t, d.N * d.M)                                                        \
  X(srv_draw_ttr, uint32_t, d.N * d.M)                                                        \
  /* [station * states] and [station] */                                                      \
  X(st_acc, double, d.St * kStationStates) /* server-seconds in each state (horizon) */       \
  X(st_done, int64_t, d.St * d.P)  /* parts finished processing, by part type (horizon) */    \
  X(st_scrap, int64_t, d.St)                                                                  \
  X(st_rework, int64_t, d.St)                                                                 \
  X(st_active, double, d.St)       /* seconds in active periods (horizon) */                  \
  X(st_periods, int64_t, d.St)     /* active periods (horizon) */                             \
  X(st_active_n, int32_t, d.St)    /* servers active now */                                   \
  X(st_active_since, double, d.St) /* start of the current active period (clipped) */         \
  X(st_active_end, double, d.St)   /* when the last period went idle, or -1 (it may resume) */ \
  /* [buffer] */                                                                              \
  X(buf_area, double, d.B)         /* part-seconds held (horizon) */                          \
  X(buf_last, double, d.B)                                                                    \
  X(buf_max, int64_t, d.B)         /* highest level held (horizon) */                         \
  /* [pool], [robot] */                                                                       \
  X(pool_busy, double, d.O)        /* operator-seconds busy (horizon) */                      \
  X(robot_busy, double, d.R)       /* seconds moving (horizon) */                             \
  /* [part type], [histogram bin] */                                                          \
  X(produced_by_part, int64_t, d.P)                                                           \
  X(lead_hist, int32_t, stats::kLeadBins)                                                     \
  /* [1] per lane: results */                                                                 \
  X(produced, int64_t, 1)                                                                     \
  X(lead_sum, double, 1)           /* sum of lead times of parts produced (horizon) [s] */    \
  X(lead_max, double, 1)                                                                      \
  X(wip_area, double, 1)           /* part-seconds in the system (horizon) */                 \
  X(events, int64_t, 1)                                                                       \
  X(stalled_at, double, 1)         /* deadlock: parts in the system, nothing scheduled; else -1 */ \
  X(overflow, int32_t, 1)          /* an infinite buffer outgrew its ring: rerun the chunk */  \
  X(phys_lost, int64_t, 1)         /* parts lost from physical conveyors (whole run) */       \
  X(phys_overflow, int64_t, 1)     /* physics steps that dropped contact points */            \
  X(phys_steps, int64_t, 1)        /* physics steps taken (the world rests while empty) */

struct FlowState {
  int64_t lanes = 0;         // row stride (allocated lane positions)
  int64_t lane_spacing = 1;  // lane l sits at position l * lane_spacing of every row
  // Host only, for reading results: when > 0, each lane has its own block of the layout
  // (bound with lanes = 1) and lane l's block starts lane_bytes * l after lane 0's.
  int64_t lane_bytes = 0;
#define PW_DECLARE_FIELD(name, type, rows) type* name = nullptr;
  PW_FLOW_FIELDS(PW_DECLARE_FIELD)
#undef PW_DECLARE_FIELD

  // Optional, not part of the layout (tests and diagnostics): the release times of the first
  // trace_len parts released by any source, [k][lane]. Null in production runs.
  double* release_trace = nullptr;
  int32_t trace_len = 0;
  // The same for the moments the first exit_trace_len parts reached the exit of any conveyor
  // (kinematic: the timed exit; physical: the step its centre crossed the path's end).
  double* exit_trace = nullptr;
  int32_t exit_trace_len = 0;
};

// The fields of FlowState in layout order: kF<name>.
enum FlowField : int {
#define PW_ENUM_FIELD(name, type, rows) kF_##name,
  PW_FLOW_FIELDS(PW_ENUM_FIELD)
#undef PW_ENUM_FIELD
  kFlowFieldCount
};

// Byte offsets of every field inside one allocation; the same on host and device.
struct FlowStateLayout {
  int64_t lanes = 0;    // row stride = lanes run x spacing
  int64_t spacing = 1;
  size_t bytes = 0;
  size_t off[kFlowFieldCount + 1] = {};  // off[f]..off[f+1]: field f

  PW_HD static size_t align(size_t x) { return (x + 63) & ~size_t(63); }

  // `spacing` > 1 spreads lanes apart (8: one cache line of doubles each), so that threads
  // running a handful of lanes never write the same cache line.
  PW_HD void build(int64_t run_lanes, const FlowDims& d, int64_t spacing_ = 1) {
    spacing = spacing_;
    lanes = run_lanes * spacing_;
    bytes = 0;
    int f = 0;
#define PW_LAYOUT_FIELD(name, type, rows)                                         \
  off[f++] = bytes;                                                               \
  bytes = align(bytes + static_cast<size_t>(sizeof(type) * (rows) * lanes));
    PW_FLOW_FIELDS(PW_LAYOUT_FIELD)
#undef PW_LAYOUT_FIELD
    off[kFlowFieldCount] = bytes;
  }

  PW_HD FlowState bind(unsigned char* base) const {
    FlowState s;
    s.lanes = lanes;
    s.lane_spacing = spacing;
#define PW_BIND_FIELD(name, type, rows) s.name = reinterpret_cast<type*>(base + off[kF_##name]);
    PW_FLOW_FIELDS(PW_BIND_FIELD)
#undef PW_BIND_FIELD
    return s;
  }
};

}  // namespace plantwin::flow
