// The exact discrete-event simulation of one lane (one variant x replication), written
// once for both backends. Semantics: docs/scene-format.md ("Flow rules"); the design:
// docs/engine.md. A lane runs from time 0 to warm-up + horizon without a time step: the
// next event is the earliest next_t over the elements that schedule events (ties: the
// lower element index), and after each event the parts that can move, move, at once.
#pragma once
#include <cstdint>
#include <type_traits>

#include "kernels/common/hd.h"
#include "kernels/flow/flow_model.h"
#include "kernels/flow/flow_state.h"
#include "kernels/rng/distribution.h"
#include "kernels/rng/uniform_stream.h"

namespace plantwin::flow {

class LaneSim {
 public:
  PW_HD LaneSim(const FlowModel& m, const FlowState& s, int64_t local_lane, int64_t global_lane)
      : m_(m), s_(s), l_(local_lane * s.lane_spacing), L_(s.lanes) {
    variant_ = static_cast<int32_t>(global_lane / m.replications);
    rep_ = static_cast<uint32_t>(m.first_replication + global_lane % m.replications);
    prow_ = static_cast<int64_t>(variant_) * m.n_elements;
  }

  // Runs the lane to the end of its horizon and leaves its results in the state.
  PW_HD void run() {
    init();
    for (;;) {
      // Earliest event; scanning in ascending element order keeps the lower index on ties.
      int first = -1;
      double t = kNever;
      const double* next = s_.next_t + l_;
      for (int i = 0; i < m_.n_timed; ++i) {
        // Branch-free (conditional moves): which element is next is unpredictable.
        double tx = next[i * L_];
        bool earlier = tx < t;
        t = earlier ? tx : t;
        first = earlier ? i : first;
      }
      if (first < 0 || t > m_.end) break;
      int e = m_.timed[first];
      set_now(t);
      ++events_;
      handle(e);
      if (overflow_) break;
    }
    finish();
  }

 private:
  const FlowModel& m_;
  const FlowState& s_;
  int64_t l_, L_;  // this lane's position in every state row; the row stride
  int32_t variant_;
  uint32_t rep_;
  int64_t prow_;

  double now_ = 0, stat_now_ = 0;  // simulated time; the same clipped to [warmup, end]
  int64_t wip_ = 0;
  double wip_last_ = 0, wip_area_ = 0, lead_sum_ = 0;
  int64_t produced_ = 0, events_ = 0, released_ = 0;
  bool overflow_ = false;

  // Worklist of elements where room may have appeared; fixed size, with a full sweep as
  // the fallback when it fills (never in lines of ordinary shape).
  static constexpr int kWork = 48;
  int32_t work_[kWork];
  int work_n_ = 0;
  bool sweep_ = false;

  // --- state access: field[i * stride + lane * spacing] (l_ holds lane * spacing)
  template <class T>
  PW_HD PW_FORCEINLINE T& E(T* f, int64_t i) const { return f[i * L_ + l_]; }

  // Next event time of a timed element (sources with interarrival, stations, conveyors).
  PW_HD double& next_t(int e) const { return E(s_.next_t, m_.timed_index[e]); }
  PW_HD int64_t capacity(int e) const { return m_.capacity[prow_ + e]; }
  PW_HD bool flag(int e, uint8_t f) const { return (m_.flags[e] & f) != 0; }
  PW_HD int32_t slots(int e) const { return m_.slot_begin[e + 1] - m_.slot_begin[e]; }

  PW_HD double clip(double t) const { return t < m_.warmup ? m_.warmup : (t > m_.end ? m_.end : t); }
  // Statistics integrate over [warmup, end] only. Times are stored already clipped
  // (clip is monotone), so each event clips once: stat_now_ = clip(now_).
  PW_HD void set_now(double t) {
    now_ = t;
    stat_now_ = clip(t);
  }
  // Counting window for releases, losses and arrivals: (warmup, end], or [0, end] without warm-up.
  PW_HD bool in_horizon() const { return now_ > m_.warmup || m_.warmup <= 0; }

  PW_HD double draw(const Dist* dists, int e, uint32_t what, uint32_t server, uint32_t* counter) {
    UniformStream u = make_stream(static_cast<uint64_t>(m_.seed_hi) << 32 | m_.seed_lo, rep_,
                                  static_cast<uint32_t>(e), stream_purpose(what, server), counter);
    return sample(dists[prow_ + e], m_.table, u);
  }

  // --- statistics (integrated over [warmup, end] only)
  PW_HD void wip_change(int64_t delta) {
    wip_area_ += static_cast<double>(wip_) * (stat_now_ - wip_last_);
    wip_last_ = stat_now_;
    wip_ += delta;
  }
  // Books the time server `slot` of station element e spent in its current state.
  PW_HD void server_close(int e, int slot) {
    int row = m_.stat_index[e] * kStationStates + E(s_.slot_state, slot);
    E(s_.st_acc, row) += stat_now_ - E(s_.slot_entered, slot);
    E(s_.slot_entered, slot) = stat_now_;
  }
  PW_HD void server_state(int e, int slot, int32_t to) {
    server_close(e, slot);
    E(s_.slot_state, slot) = to;
  }
  PW_HD void buffer_level_change(int e, int64_t delta) {
    int b = m_.stat_index[e];
    E(s_.buf_area, b) += static_cast<double>(E(s_.count, e)) * (stat_now_ - E(s_.buf_last, b));
    E(s_.buf_last, b) = stat_now_;
    E(s_.count, e) += delta;
  }

  // --- initial state
  PW_HD void init() {
    for (int e = 0; e < m_.n_elements; ++e) {
      E(s_.ready_t, e) = kNever;
      E(s_.count, e) = 0;
      E(s_.head, e) = 0;
      E(s_.draw_main, e) = 0;
      E(s_.src_made, e) = 0;
      E(s_.src_released, e) = 0;
      E(s_.src_lost, e) = 0;
      E(s_.conv_last_entry, e) = -kNever;
      E(s_.conv_last_depart, e) = -kNever;
      E(s_.conv_stop_total, e) = 0;
      E(s_.conv_stop_since, e) = -1;
      E(s_.conv_head_exit, e) = kNever;
      E(s_.conv_wanted, e) = 0;
    }
    for (int i = 0; i < m_.n_timed; ++i) E(s_.next_t, i) = kNever;
    for (int k = 0; k < m_.n_stations * kStationStates; ++k) E(s_.st_acc, k) = 0;
    for (int b = 0; b < m_.n_buffers; ++b) {
      E(s_.buf_area, b) = 0;
      E(s_.buf_last, b) = m_.warmup;  // = clip(0)
    }
    for (int e = 0; e < m_.n_elements; ++e) {
      switch (m_.kind[e]) {
        case kSource:
          if (flag(e, kSaturated)) {
            if (capacity(e) > 0) {  // the first part is ready at once
              E(s_.count, e) = 1;
              E(s_.ready_t, e) = 0;
              E(s_.src_made, e) = 1;
            }
          } else {
            next_t(e) = draw(m_.main_dist, e, kDrawMain, 0, &E(s_.draw_main, e));
          }
          break;
        case kStation: {
          // Every slot starts idle; only the first `capacity` ever take parts (accept() fills the
          // lowest idle slot), so a variant with fewer servers than slots leaves the rest unused.
          for (int j = 0; j < slots(e); ++j) {
            int slot = m_.slot_begin[e] + j;
            E(s_.slot_state, slot) = kStarved;
            E(s_.slot_entered, slot) = m_.warmup;  // = clip(0)
            E(s_.slot_t, slot) = kNever;
            E(s_.slot_rem, slot) = 0;
            E(s_.slot_since, slot) = 0;
            E(s_.slot_draw_ttf, slot) = 0;
            E(s_.slot_draw_ttr, slot) = 0;
            E(s_.slot_ttf, slot) = flag(e, kFailures)
                                       ? draw(m_.ttf_dist, e, kDrawTimeToFailure, j, &E(s_.slot_draw_ttf, slot))
                                       : kNever;
          }
          break;
        }
        default:
          break;
      }
    }
    set_now(0);
    wip_last_ = stat_now_;
    // Saturated sources fill the line at time 0.
    for (int e = 0; e < m_.n_elements; ++e) push_work(e);
    settle();
  }

  PW_HD void finish() {
    set_now(m_.end);
    wip_change(0);
    for (int e = 0; e < m_.n_elements; ++e)
      if (m_.kind[e] == kStation)
        for (int slot = m_.slot_begin[e]; slot < m_.slot_begin[e] + capacity(e); ++slot) server_close(e, slot);
    for (int e = 0; e < m_.n_elements; ++e)
      if (m_.kind[e] == kBuffer) buffer_level_change(e, 0);
    E(s_.produced, 0) = produced_;
    E(s_.lead_sum, 0) = lead_sum_;
    E(s_.wip_area, 0) = wip_area_;
    E(s_.events, 0) = events_;
    E(s_.overflow, 0) = overflow_ ? 1 : 0;
  }

  // --- events
  PW_HD void handle(int e) {
    switch (m_.kind[e]) {
      case kSource: source_arrival(e); break;
      case kStation: station_event(e); break;
      case kConveyor: conveyor_event(e); break;
      default: break;
    }
  }

  PW_HD void source_arrival(int e) {
    int64_t made = ++E(s_.src_made, e);
    E(s_.count, e) = 1;
    E(s_.ready_t, e) = now_;
    bool discard = flag(e, kDiscard);
    // wait: the next interarrival starts when this part has left (take_ready);
    // discard: it starts now, whatever becomes of this part.
    next_t(e) = (discard && made < capacity(e))
                          ? now_ + draw(m_.main_dist, e, kDrawMain, 0, &E(s_.draw_main, e))
                          : kNever;
    push_work(m_.succ[e]);
    settle();
    if (discard && E(s_.count, e) == 1) {
      E(s_.count, e) = 0;
      E(s_.ready_t, e) = kNever;
      if (in_horizon()) E(s_.src_lost, e) += 1;
    }
  }

  PW_HD void station_schedule(int e) {
    double t = kNever;
    for (int slot = m_.slot_begin[e]; slot < m_.slot_begin[e + 1]; ++slot) {
      double ts = E(s_.slot_t, slot);
      t = ts < t ? ts : t;
    }
    next_t(e) = t;
  }

  PW_HD void start_working(int slot) {
    double rem = E(s_.slot_rem, slot), ttf = E(s_.slot_ttf, slot);
    E(s_.slot_since, slot) = now_;
    E(s_.slot_t, slot) = now_ + (ttf < rem ? ttf : rem);
  }

  PW_HD void station_event(int e) {
    int slot = -1;
    double t = kNever;
    for (int k = m_.slot_begin[e]; k < m_.slot_begin[e + 1]; ++k)
      if (E(s_.slot_t, k) < t) {
        t = E(s_.slot_t, k);
        slot = k;
      }
    int server = slot - m_.slot_begin[e];
    if (E(s_.slot_state, slot) == kFailed) {  // repair done: resume the interrupted part
      E(s_.slot_ttf, slot) = draw(m_.ttf_dist, e, kDrawTimeToFailure, server, &E(s_.slot_draw_ttf, slot));
      server_state(e, slot, kWorking);
      start_working(slot);
      station_schedule(e);
      return;
    }
    // Working: the event is a failure when the operating time left ran out first
    // (failures age only while processing), else the part is done.
    double rem = E(s_.slot_rem, slot), ttf = E(s_.slot_ttf, slot);
    if (flag(e, kFailures) && ttf <= rem) {
      E(s_.slot_rem, slot) = rem - ttf;
      E(s_.slot_ttf, slot) = 0;
      server_state(e, slot, kFailed);
      E(s_.slot_t, slot) = now_ + draw(m_.ttr_dist, e, kDrawRepair, server, &E(s_.slot_draw_ttr, slot));
      station_schedule(e);
      return;
    }
    if (flag(e, kFailures)) E(s_.slot_ttf, slot) = ttf - rem;
    E(s_.slot_rem, slot) = 0;
    E(s_.slot_t, slot) = kNever;
    E(s_.slot_since, slot) = now_;  // blocked since: orders it among waiting parts
    server_state(e, slot, kBlocked);
    if (now_ < E(s_.ready_t, e)) E(s_.ready_t, e) = now_;
    station_schedule(e);
    push_work(m_.succ[e]);
    settle();
  }

  // Belt time of a conveyor: real time less the time its belt stood still.
  PW_HD double belt_time(int e) const {
    if (flag(e, kAccumulating)) return now_;
    double since = E(s_.conv_stop_since, e);
    return (since >= 0 ? since : now_) - E(s_.conv_stop_total, e);
  }

  PW_HD void conveyor_schedule(int e) {
    double t = kNever;
    double exit = kNever;
    int64_t n = E(s_.count, e);
    if (n > 0 && E(s_.ready_t, e) >= kNever) {
      int slot = m_.slot_begin[e] + E(s_.head, e);
      double travel = m_.travel[prow_ + e];
      if (flag(e, kAccumulating)) {
        double a = E(s_.slot_t, slot) + travel;
        double b = E(s_.conv_last_depart, e) + m_.gap[prow_ + e];
        exit = a > b ? a : b;
      } else {
        exit = now_ + (E(s_.slot_t, slot) + travel - belt_time(e));
      }
      t = exit;
    }
    E(s_.conv_head_exit, e) = exit;
    if (E(s_.conv_wanted, e) && n < capacity(e) && E(s_.conv_stop_since, e) < 0) {
      double free_at = now_ + (E(s_.conv_last_entry, e) + m_.gap[prow_ + e] - belt_time(e));
      t = free_at < t ? free_at : t;
    }
    next_t(e) = t;
  }

  PW_HD void conveyor_event(int e) {
    if (E(s_.count, e) > 0 && E(s_.ready_t, e) >= kNever && E(s_.conv_head_exit, e) <= now_)
      E(s_.ready_t, e) = now_;  // the head part has reached the exit
    E(s_.conv_wanted, e) = 0;
    push_work(e);
    if (E(s_.ready_t, e) < kNever) push_work(m_.succ[e]);
    settle();
    // A non-accumulating belt stops while its exit part cannot leave.
    if (!flag(e, kAccumulating) && E(s_.ready_t, e) < kNever && E(s_.conv_stop_since, e) < 0)
      E(s_.conv_stop_since, e) = now_;
    conveyor_schedule(e);
  }

  // --- moving parts
  PW_HD void push_work(int e) {
    if (e < 0) return;
    if (work_n_ < kWork) work_[work_n_++] = e;
    else sweep_ = true;
  }

  // Moves parts until nothing more can move at this instant.
  PW_HD void settle() {
    for (;;) {
      while (work_n_ > 0) {
        int x = work_[--work_n_];
        pull(x);
        if (overflow_) return;
      }
      if (!sweep_) return;
      sweep_ = false;
      for (int x = 0; x < m_.n_elements; ++x) push_work(x);
    }
  }

  // Fills room at x from its predecessors, the longest-waiting part first.
  PW_HD void pull(int x) {
    while (can_take(x)) {
      int best = -1;
      double t = kNever;
      for (int k = m_.pred_begin[x]; k < m_.pred_begin[x + 1]; ++k) {
        int p = m_.pred[k];
        double tp = E(s_.ready_t, p);
        if (tp < t) {
          t = tp;
          best = p;
        }
      }
      if (best < 0) {
        // Room here is also room behind an empty zero-capacity buffer in front of x.
        for (int k = m_.pred_begin[x]; k < m_.pred_begin[x + 1]; ++k) {
          int p = m_.pred[k];
          if (m_.kind[p] == kBuffer && capacity(p) == 0 && E(s_.count, p) == 0) push_work(p);
        }
        return;
      }
      double release = take_ready(best);
      accept(x, release);
      push_work(best);  // room appeared there
      if (overflow_) return;
    }
  }

  PW_HD bool can_take(int x) {
    for (;;) {
      switch (m_.kind[x]) {
        case kStation: return E(s_.count, x) < capacity(x);
        case kSink: return true;
        case kBuffer: {
          int64_t n = E(s_.count, x), cap = capacity(x);
          if (n < cap) return true;
          if (cap != 0 || n != 0) return false;
          x = m_.succ[x];  // capacity 0 holds nothing: it takes a part only to hand it straight on
          continue;
        }
        case kConveyor: {
          if (E(s_.count, x) >= capacity(x)) return false;
          if (now_ + (E(s_.conv_last_entry, x) + m_.gap[prow_ + x] - belt_time(x)) <= now_) return true;
          if (!E(s_.conv_wanted, x)) {  // wake up when the entrance spacing has cleared
            E(s_.conv_wanted, x) = 1;
            conveyor_schedule(x);
          }
          return false;
        }
        default: return false;
      }
    }
  }

  // Removes the ready part of element p (the longest-waiting one) and returns its release time.
  PW_HD double take_ready(int p) {
    switch (m_.kind[p]) {
      case kSource: {
        if (s_.release_trace && released_ < s_.trace_len) E(s_.release_trace, released_) = now_;
        ++released_;
        wip_change(+1);
        if (in_horizon()) E(s_.src_released, p) += 1;
        if (flag(p, kSaturated)) {
          if (E(s_.src_made, p) < capacity(p)) {  // the next part is ready the instant this one left
            E(s_.src_made, p) += 1;
            E(s_.ready_t, p) = now_;
          } else {
            E(s_.count, p) = 0;
            E(s_.ready_t, p) = kNever;
          }
        } else {
          E(s_.count, p) = 0;
          E(s_.ready_t, p) = kNever;
          if (!flag(p, kDiscard) && E(s_.src_made, p) < capacity(p))
            next_t(p) = now_ + draw(m_.main_dist, p, kDrawMain, 0, &E(s_.draw_main, p));
        }
        return now_;
      }
      case kStation: {
        int slot = -1;
        double since = kNever, next_ready = kNever;
        for (int k = m_.slot_begin[p]; k < m_.slot_begin[p + 1]; ++k) {
          if (E(s_.slot_state, k) != kBlocked) continue;
          double t = E(s_.slot_since, k);
          if (t < since) {
            next_ready = since;
            since = t;
            slot = k;
          } else if (t < next_ready) {
            next_ready = t;
          }
        }
        server_state(p, slot, kStarved);
        E(s_.count, p) -= 1;
        E(s_.ready_t, p) = next_ready;
        return E(s_.slot_release, slot);
      }
      case kBuffer: {
        int32_t n = slots(p);
        int32_t h = E(s_.head, p);
        double release = E(s_.slot_release, m_.slot_begin[p] + h);
        h = h + 1 == n ? 0 : h + 1;
        E(s_.head, p) = h;
        buffer_level_change(p, -1);
        E(s_.ready_t, p) = E(s_.count, p) > 0 ? E(s_.slot_t, m_.slot_begin[p] + h) : kNever;
        return release;
      }
      case kConveyor: {
        int32_t n = slots(p);
        int32_t h = E(s_.head, p);
        double release = E(s_.slot_release, m_.slot_begin[p] + h);
        E(s_.head, p) = h + 1 == n ? 0 : h + 1;
        E(s_.count, p) -= 1;
        E(s_.conv_last_depart, p) = now_;
        double since = E(s_.conv_stop_since, p);
        if (since >= 0) {  // the belt runs again
          E(s_.conv_stop_total, p) += now_ - since;
          E(s_.conv_stop_since, p) = -1;
        }
        E(s_.ready_t, p) = kNever;
        conveyor_schedule(p);
        return release;
      }
      default:
        return now_;
    }
  }

  // Element x receives a part released at `release`.
  PW_HD void accept(int x, double release) {
    switch (m_.kind[x]) {
      case kStation: {
        int slot = m_.slot_begin[x];
        while (E(s_.slot_state, slot) != kStarved) ++slot;
        E(s_.slot_release, slot) = release;
        E(s_.slot_rem, slot) = draw(m_.main_dist, x, kDrawMain, 0, &E(s_.draw_main, x));
        E(s_.count, x) += 1;
        server_state(x, slot, kWorking);
        start_working(slot);
        if (E(s_.slot_t, slot) < next_t(x)) next_t(x) = E(s_.slot_t, slot);
        break;
      }
      case kBuffer: {
        int32_t n = slots(x);
        if (E(s_.count, x) >= n) {  // only an infinite buffer's ring can fill up
          overflow_ = true;
          return;
        }
        int64_t pos = E(s_.head, x) + E(s_.count, x);
        if (pos >= n) pos -= n;
        int slot = m_.slot_begin[x] + static_cast<int>(pos);
        E(s_.slot_release, slot) = release;
        E(s_.slot_t, slot) = now_;
        buffer_level_change(x, +1);
        if (E(s_.count, x) == 1) E(s_.ready_t, x) = now_;
        push_work(m_.succ[x]);
        break;
      }
      case kConveyor: {
        int32_t n = slots(x);
        int64_t pos = E(s_.head, x) + E(s_.count, x);
        if (pos >= n) pos -= n;
        int slot = m_.slot_begin[x] + static_cast<int>(pos);
        double entry = belt_time(x);
        E(s_.slot_release, slot) = release;
        E(s_.slot_t, slot) = entry;
        E(s_.conv_last_entry, x) = entry;
        E(s_.count, x) += 1;
        conveyor_schedule(x);
        break;
      }
      case kSink: {
        wip_change(-1);
        if (in_horizon()) {
          produced_ += 1;
          lead_sum_ += now_ - release;
        }
        break;
      }
      default:
        break;
    }
  }
};

// The functor both backends launch through Thrust, one call per lane of a chunk.
struct FlowLaneKernel {
  FlowModel model;
  FlowState state;
  int64_t first_lane;  // global index of the chunk's lane 0

  PW_HD void operator()(int64_t local_lane) const {
    LaneSim sim(model, state, local_lane, first_lane + local_lane);
    sim.run();
  }
};

}  // namespace plantwin::flow
