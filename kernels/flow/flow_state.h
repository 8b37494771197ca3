// Mutable per-lane state of the flow simulation, struct-of-arrays over the lanes of one
// chunk: field f of element (or slot, station, buffer) i for lane l is at f[i * lanes + l],
// so that neighbouring lanes (neighbouring GPU threads) touch neighbouring words.
// The whole state lives in one allocation whose layout FlowStateLayout computes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/common/hd.h"

namespace plantwin::flow {

constexpr int kStationStates = 4;  // working, blocked, starved, failed (results contract order)
enum ServerState : uint8_t { kWorking = 0, kBlocked = 1, kStarved = 2, kFailed = 3 };

struct FlowState {
  int64_t lanes = 0;         // row stride (allocated lane positions)
  int64_t lane_spacing = 1;  // lane l sits at position l * lane_spacing of every row

  // [timed element] (FlowModel::timed_index)
  double* next_t;        // next event of the element

  // [E]
  double* ready_t;       // when its longest-waiting part became ready to leave; kNever if none
  int64_t* count;        // parts held
  int32_t* head;         // ring head (buffer, conveyor)
  uint32_t* draw_main;   // draws of the element's main stream
  double* conv_last_entry;   // conveyor: entry time of the newest part (belt time when non-accumulating)
  double* conv_last_depart;  // conveyor: departure time of the last part to leave
  double* conv_stop_total;   // non-accumulating conveyor: time the belt has stood still
  double* conv_stop_since;   // non-accumulating conveyor: when it stopped, or -1 while running
  double* conv_head_exit;    // conveyor: when the head part reaches the exit (scheduled)
  int32_t* conv_wanted;      // conveyor: a predecessor waits for the entrance spacing to clear
  int64_t* src_made;         // source: parts created so far (for limit)
  int64_t* src_released;     // source: parts released during the horizon
  int64_t* src_lost;         // source: parts discarded during the horizon

  // [slot]
  double* slot_release;  // release time of the part in the slot
  double* slot_t;        // buffer/conveyor: entry time; station server: next event time
  double* slot_rem;      // station server: process time still to do
  double* slot_ttf;      // station server: operating time left before the next failure
  double* slot_since;    // station server: start of the current working period, or blocked-since
  double* slot_entered;  // station server: when it entered its current state (statistics)
  int32_t* slot_state;   // station server: ServerState (32-bit: byte stores would alias everything)
  uint32_t* slot_draw_ttf;
  uint32_t* slot_draw_ttr;

  // [station * 4 + state]
  double* st_acc;        // server-seconds in each state during the horizon
  // [buffer]
  double* buf_area;      // part-seconds held during the horizon
  double* buf_last;

  // [1] per lane: results
  int64_t* produced;
  double* lead_sum;      // sum of lead times of parts produced during the horizon [s]
  double* wip_area;      // part-seconds in the system during the horizon
  int64_t* events;
  int32_t* overflow;     // an infinite buffer outgrew its ring: rerun the chunk with larger rings

  // Optional, not part of the layout (tests and diagnostics): the release times of the first
  // trace_len parts released by any source, [k][lane]. Null in production runs.
  double* release_trace = nullptr;
  int32_t trace_len = 0;
};

// The fields of FlowState in layout order.
enum FlowField : int {
  kFNextT, kFReadyT, kFCount, kFHead, kFDrawMain,
  kFConvLastEntry, kFConvLastDepart, kFConvStopTotal, kFConvStopSince, kFConvHeadExit, kFConvWanted,
  kFSrcMade, kFSrcReleased, kFSrcLost,
  kFSlotRelease, kFSlotT, kFSlotRem, kFSlotTtf, kFSlotSince, kFSlotEntered, kFSlotState, kFSlotDrawTtf, kFSlotDrawTtr,
  kFStAcc, kFBufArea, kFBufLast,
  kFProduced, kFLeadSum, kFWipArea, kFEvents, kFOverflow,
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
  PW_HD void build(int64_t run_lanes, int32_t E, int32_t S, int32_t St, int32_t B, int32_t T, int64_t spacing_ = 1) {
    spacing = spacing_;
    lanes = run_lanes * spacing_;
    const int64_t L = lanes;
    // Element size and rows per lane of each field, in FlowField order.
    const int64_t K = kStationStates;
    const int64_t spec[kFlowFieldCount][2] = {
        {8, T}, {8, E}, {8, E}, {4, E}, {4, E},
        {8, E}, {8, E}, {8, E}, {8, E}, {8, E}, {4, E},
        {8, E}, {8, E}, {8, E},
        {8, S}, {8, S}, {8, S}, {8, S}, {8, S}, {8, S}, {4, S}, {4, S}, {4, S},
        {8, St * K}, {8, B}, {8, B},
        {8, 1}, {8, 1}, {8, 1}, {8, 1}, {4, 1}};
    bytes = 0;
    for (int f = 0; f < kFlowFieldCount; ++f) {
      off[f] = bytes;
      bytes = align(bytes + static_cast<size_t>(spec[f][0] * spec[f][1] * L));
    }
    off[kFlowFieldCount] = bytes;
  }

  PW_HD FlowState bind(unsigned char* base) const {
    FlowState s;
    s.lanes = lanes;
    s.lane_spacing = spacing;
    auto at = [&](auto*& p, int f) { p = reinterpret_cast<std::remove_reference_t<decltype(p)>>(base + off[f]); };
    at(s.next_t, kFNextT); at(s.ready_t, kFReadyT); at(s.count, kFCount); at(s.head, kFHead);
    at(s.draw_main, kFDrawMain);
    at(s.conv_last_entry, kFConvLastEntry); at(s.conv_last_depart, kFConvLastDepart);
    at(s.conv_stop_total, kFConvStopTotal); at(s.conv_stop_since, kFConvStopSince);
    at(s.conv_head_exit, kFConvHeadExit); at(s.conv_wanted, kFConvWanted);
    at(s.src_made, kFSrcMade); at(s.src_released, kFSrcReleased); at(s.src_lost, kFSrcLost);
    at(s.slot_release, kFSlotRelease); at(s.slot_t, kFSlotT); at(s.slot_rem, kFSlotRem); at(s.slot_ttf, kFSlotTtf);
    at(s.slot_since, kFSlotSince); at(s.slot_entered, kFSlotEntered); at(s.slot_state, kFSlotState);
    at(s.slot_draw_ttf, kFSlotDrawTtf); at(s.slot_draw_ttr, kFSlotDrawTtr);
    at(s.st_acc, kFStAcc); at(s.buf_area, kFBufArea); at(s.buf_last, kFBufLast);
    at(s.produced, kFProduced); at(s.lead_sum, kFLeadSum); at(s.wip_area, kFWipArea); at(s.events, kFEvents);
    at(s.overflow, kFOverflow);
    return s;
  }
};

}  // namespace plantwin::flow
