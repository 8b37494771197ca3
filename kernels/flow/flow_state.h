// Mutable per-lane state of the flow simulation, struct-of-arrays over the lanes of one
// chunk: field f of element (or slot, station, buffer) i for lane l is at f[i * lanes + l],
// so that neighbouring lanes (neighbouring GPU threads) touch neighbouring words.
// The whole state lives in one allocation whose layout FlowStateLayout computes.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/common/hd.h"

namespace plantwin::flow {

constexpr int kStationStates = 4;  // working, blocked, starved, failed (results contract order)
enum ServerState : uint8_t { kWorking = 0, kBlocked = 1, kStarved = 2, kFailed = 3 };

struct FlowState {
  int64_t lanes = 0;  // stride

  // [E]
  double* next_t;        // next event of the element
  double* ready_t;       // when its longest-waiting part became ready to leave; kNever if none
  int64_t* count;        // parts held
  int32_t* head;         // ring head (buffer, conveyor)
  uint32_t* draw_main;   // draws of the element's main stream
  double* conv_last_entry;   // conveyor: entry time of the newest part (belt time when non-accumulating)
  double* conv_last_depart;  // conveyor: departure time of the last part to leave
  double* conv_stop_total;   // non-accumulating conveyor: time the belt has stood still
  double* conv_stop_since;   // non-accumulating conveyor: when it stopped, or -1 while running
  double* conv_head_exit;    // conveyor: when the head part reaches the exit (scheduled)
  uint8_t* conv_wanted;      // conveyor: a predecessor waits for the entrance spacing to clear
  int64_t* src_made;         // source: parts created so far (for limit)
  int64_t* src_released;     // source: parts released during the horizon
  int64_t* src_lost;         // source: parts discarded during the horizon

  // [slot]
  double* slot_release;  // release time of the part in the slot
  double* slot_t;        // buffer/conveyor: entry time; station server: next event time
  double* slot_rem;      // station server: process time still to do
  double* slot_ttf;      // station server: operating time left before the next failure
  double* slot_since;    // station server: start of the current working period, or blocked-since
  uint8_t* slot_state;   // station server: ServerState
  uint32_t* slot_draw_ttf;
  uint32_t* slot_draw_ttr;

  // [station * 4 + state]
  int32_t* st_n;         // servers in each state
  double* st_acc;        // server-seconds in each state during the horizon
  // [station]
  double* st_last;       // time of the last integration
  // [buffer]
  double* buf_area;      // part-seconds held during the horizon
  double* buf_last;

  // [1] per lane: results
  int64_t* produced;
  double* lead_sum;      // sum of lead times of parts produced during the horizon [s]
  double* wip_area;      // part-seconds in the system during the horizon
  int64_t* events;
  uint8_t* overflow;     // an infinite buffer outgrew its ring: rerun the chunk with larger rings
};

// Byte offsets of every field inside one allocation; the same on host and device.
struct FlowStateLayout {
  int64_t lanes = 0;
  size_t bytes = 0;
  size_t off[41] = {};
  int n = 0;

  PW_HD static size_t align(size_t x) { return (x + 63) & ~size_t(63); }

  PW_HD void build(int64_t L, int32_t E, int32_t S, int32_t St, int32_t B) {
    lanes = L;
    n = 0;
    bytes = 0;
    auto add = [&](size_t elem_size, int64_t rows) {
      off[n++] = bytes;
      bytes = align(bytes + elem_size * static_cast<size_t>(rows) * static_cast<size_t>(L));
    };
    // order must match bind()
    add(8, E); add(8, E); add(8, E); add(4, E); add(4, E);
    add(8, E); add(8, E); add(8, E); add(8, E); add(8, E); add(1, E);
    add(8, E); add(8, E); add(8, E);
    add(8, S); add(8, S); add(8, S); add(8, S); add(8, S); add(1, S); add(4, S); add(4, S);
    add(4, int64_t(St) * kStationStates); add(8, int64_t(St) * kStationStates); add(8, St);
    add(8, B); add(8, B);
    add(8, 1); add(8, 1); add(8, 1); add(8, 1); add(1, 1);
  }

  PW_HD FlowState bind(unsigned char* base) const {
    FlowState s;
    s.lanes = lanes;
    int i = 0;
    auto at = [&](auto*& p) { p = reinterpret_cast<std::remove_reference_t<decltype(p)>>(base + off[i++]); };
    at(s.next_t); at(s.ready_t); at(s.count); at(s.head); at(s.draw_main);
    at(s.conv_last_entry); at(s.conv_last_depart); at(s.conv_stop_total); at(s.conv_stop_since);
    at(s.conv_head_exit); at(s.conv_wanted);
    at(s.src_made); at(s.src_released); at(s.src_lost);
    at(s.slot_release); at(s.slot_t); at(s.slot_rem); at(s.slot_ttf); at(s.slot_since); at(s.slot_state);
    at(s.slot_draw_ttf); at(s.slot_draw_ttr);
    at(s.st_n); at(s.st_acc); at(s.st_last);
    at(s.buf_area); at(s.buf_last);
    at(s.produced); at(s.lead_sum); at(s.wip_area); at(s.events); at(s.overflow);
    return s;
  }
};

}  // namespace plantwin::flow
