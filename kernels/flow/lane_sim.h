// The exact discrete-event simulation of one lane (one variant x replication), written
// once for both backends. Semantics: docs/scene-format.md ("Flow rules" and "Factory
// objects"); the design: docs/engine.md. A lane runs from time 0 to warm-up + horizon without
// a time step: the next event is the earliest next_t over the elements that schedule events
// (ties: the lower element index), and after each event the parts that can move, move, at once.
#pragma once
#include <cstdint>
#include <type_traits>

#include "kernels/common/hd.h"
#include "kernels/flow/flow_model.h"
#include "kernels/flow/flow_state.h"
#include "kernels/flow/physical_conveyors.h"
#include "kernels/rng/distribution.h"
#include "kernels/rng/uniform_stream.h"
#include "kernels/stats/lead_histogram.h"

namespace plantwin::flow {

// kBlocked: the lane owns a block of the layout (bound for one lane: rows of stride 1, lane 0),
// so that an access is a plain index (the cpu backend); otherwise rows are interleaved.
// Phys: the physics hook of a lane with physical conveyors (kernels/flow/physical_conveyors.h),
// given with the coupling data; NoPhysics otherwise.
// kPlain: the model is plain (FlowModel::plain, kPlainFlags; is_plain decides): the factory
// objects' code is compiled out. The same code as the general instantiation with the branches a
// plain model cannot take removed, so a plain model's results are the same bits either way.
template <bool kBlocked, class Phys = NoPhysics, bool kPlain = false>
class LaneSim {
 public:
  PW_HD LaneSim(const FlowModel& m, const FlowState& s, int64_t local_lane, int64_t global_lane,
                Phys* phys = nullptr, const Coupling* coupling = nullptr)
      : m_(m), s_(s), l_(local_lane * s.lane_spacing), L_(s.lanes), phys_(phys), cp_(coupling) {
    variant_ = static_cast<int32_t>(global_lane / m.replications);
    rep_ = static_cast<uint32_t>(m.first_replication + global_lane % m.replications);
    prow_ = static_cast<int64_t>(variant_) * m.n_elements;
    P_ = m.n_parts;
  }

  // Runs the lane to the end of its horizon and leaves its results in the state.
  PW_HD void run() {
    init();
    for (;;) {
      // Earliest event; scanning in ascending element order keeps the lower index on ties.
      int first = -1;
      double t = kNever;
      const double* next = s_.next_t + l_;
      const int64_t stride = kBlocked ? 1 : L_;
      for (int i = 0; i < m_.n_timed; ++i) {
        // Branch-free (conditional moves): which element is next is unpredictable.
        double tx = next[i * stride];
        bool earlier = tx < t;
        t = earlier ? tx : t;
        first = earlier ? i : first;
      }
      if constexpr (Phys::kOn) {
        // The world steps on its own grid while it holds a part; a step that ends no later
        // than the next flow event comes first.
        if (phys_n_ > 0) {
          double tp = static_cast<double>(pk_ + 1) * cp_->dt;
          if (tp <= t) {
            if (tp > m_.end) break;
            set_now(tp);
            physics_event();
            if (overflow_) break;
            continue;
          }
        }
      }
      if (first < 0) {  // nothing will ever happen again: with parts inside, a deadlock
        if (wip_ > 0) stalled_at_ = now_;
        break;
      }
      if (t > m_.end) break;
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
  int32_t P_;

  double now_ = 0, stat_now_ = 0;  // simulated time; the same clipped to [warmup, end]
  int64_t wip_ = 0;
  double wip_last_ = 0, wip_area_ = 0, lead_sum_ = 0, lead_max_ = 0, stalled_at_ = -1;
  int64_t produced_ = 0, events_ = 0, released_ = 0;
  int32_t taken_type_ = 0;  // part type of the part take_ready() returned
  bool overflow_ = false;
  int32_t exits_ = 0;  // conveyor exits traced so far (FlowState::exit_trace)

  // Physics (lanes with physical conveyors only).
  Phys* phys_;
  const Coupling* cp_;
  int64_t pk_ = 0;        // the world's next step: from pk_ * dt to (pk_ + 1) * dt
  int32_t phys_n_ = 0;    // bodies in the world; none: the world rests and costs nothing
  int64_t phys_lost_ = 0, phys_steps_ = 0;

  // Worklist of elements where room may have appeared; fixed size, with a full sweep as
  // the fallback when it fills (never in lines of ordinary shape).
  static constexpr int kWork = 48;
  int32_t work_[kWork];
  int work_n_ = 0;
  bool sweep_ = false;

  // --- state access: field[i * stride + lane * spacing] (l_ holds lane * spacing)
  template <class T>
  PW_HD PW_FORCEINLINE T& E(T* f, int64_t i) const {
    if constexpr (kBlocked) return f[i];
    else return f[i * L_ + l_];
  }

  // Next event time of a timed element (sources with interarrival, stations, conveyors, robots).
  PW_HD double& next_t(int e) const { return E(s_.next_t, m_.timed_index[e]); }
  PW_HD int64_t capacity(int e) const { return m_.capacity[prow_ + e]; }
  PW_HD PW_FORCEINLINE bool flag(int e, uint32_t f) const {
    if (kPlain && (f & kPlainFlags) == 0) return false;  // folds: f is a constant at every call
    return (m_.flags[e] & f) != 0;
  }
  // What the factory objects change, constant in a plain model: always on shift, never waiting
  // for an operator, no room kept for robots, no calendar failure modes.
  PW_HD PW_FORCEINLINE int32_t on_shift(int e) const { return kPlain ? 1 : E(s_.on_shift, e); }
  PW_HD PW_FORCEINLINE int32_t waits(int slot) const { return kPlain ? -1 : E(s_.srv_wait, slot); }
  PW_HD PW_FORCEINLINE int64_t reserved(int e) const { return kPlain ? 0 : E(s_.reserved, e); }
  PW_HD PW_FORCEINLINE bool calendar(int g) const { return !kPlain && m_.mode_calendar[g] != 0; }
  PW_HD int32_t slots(int e) const { return m_.slot_end[e] - m_.slot_first[e]; }
  PW_HD const Dist& dist(int32_t at) const { return m_.dists[static_cast<int64_t>(variant_) * m_.n_dists + at]; }
  PW_HD int stat(int e) const { return m_.stat_index[e]; }

  PW_HD double clip(double t) const { return t < m_.warmup ? m_.warmup : (t > m_.end ? m_.end : t); }
  // Statistics integrate over [warmup, end] only. Times are stored already clipped
  // (clip is monotone), so each event clips once: stat_now_ = clip(now_).
  PW_HD void set_now(double t) {
    now_ = t;
    stat_now_ = clip(t);
  }
  // Counting window for releases, losses and arrivals: (warmup, end], or [0, end] without warm-up.
  PW_HD bool in_horizon() const { return now_ > m_.warmup || m_.warmup <= 0; }

  PW_HD double draw(const Dist& d, int e, uint32_t what, uint32_t server, uint32_t* counter) {
    UniformStream u = make_stream(static_cast<uint64_t>(m_.seed_hi) << 32 | m_.seed_lo, rep_,
                                  static_cast<uint32_t>(e), stream_purpose(what, server), counter);
    return sample(d, m_.table, u);
  }
  PW_HD double uniform(int e, uint32_t what, uint32_t* counter) {
    UniformStream u = make_stream(static_cast<uint64_t>(m_.seed_hi) << 32 | m_.seed_lo, rep_,
                                  static_cast<uint32_t>(e), stream_purpose(what, 0), counter);
    return u.next();
  }

  // --- statistics (integrated over [warmup, end] only)
  PW_HD void wip_change(int64_t delta) {
    wip_area_ += static_cast<double>(wip_) * (stat_now_ - wip_last_);
    wip_last_ = stat_now_;
    wip_ += delta;
  }
  // Books the time server `slot` of station element e spent in its current state.
  PW_HD void server_close(int e, int slot) {
    int row = stat(e) * kStationStates + E(s_.srv_state, slot);
    E(s_.st_acc, row) += stat_now_ - E(s_.srv_entered, slot);
    E(s_.srv_entered, slot) = stat_now_;
  }
  PW_HD void set_state(int e, int slot, int32_t to) {
    int32_t from = E(s_.srv_state, slot);
    if (from == to) return;
    server_close(e, slot);
    E(s_.srv_state, slot) = to;
    bool was = state_active(from), is = state_active(to);
    if (was != is) active_change(e, is ? 1 : -1);
  }
  // Active-period bottleneck method: a station is active while any server is. A period that
  // ends and starts again at the same instant (a part leaves, the next is taken) is one period:
  // its end is only booked once time has moved on.
  PW_HD void active_change(int e, int delta) {
    int st = stat(e);
    int32_t n = E(s_.st_active_n, st);
    if (n == 0 && delta > 0) {
      double end = E(s_.st_active_end, st);
      if (end < 0 || end < stat_now_) {
        if (end >= 0) close_active(st, end);
        E(s_.st_active_since, st) = stat_now_;
      }
      E(s_.st_active_end, st) = -1;
    }
    n += delta;
    E(s_.st_active_n, st) = n;
    if (n == 0) E(s_.st_active_end, st) = stat_now_;
  }
  PW_HD void close_active(int st, double end) {
    double since = E(s_.st_active_since, st);
    if (end > since) {  // the period overlaps the horizon
      E(s_.st_active, st) += end - since;
      E(s_.st_periods, st) += 1;
    }
  }
  PW_HD void buffer_level_change(int e, int64_t delta) {
    int b = stat(e);
    int64_t n = E(s_.count, e);
    E(s_.buf_area, b) += static_cast<double>(n) * (stat_now_ - E(s_.buf_last, b));
    E(s_.buf_last, b) = stat_now_;
    if (now_ >= m_.warmup && n > E(s_.buf_max, b)) E(s_.buf_max, b) = n;  // held until now
    n += delta;
    E(s_.count, e) = n;
    if (now_ >= m_.warmup && now_ <= m_.end && n > E(s_.buf_max, b)) E(s_.buf_max, b) = n;
  }
  // Operators and robots: books busy time up to now.
  PW_HD void book_pool(int pe) {
    double busy = static_cast<double>(capacity(pe) - E(s_.pool_free, pe));
    E(s_.pool_busy, stat(pe)) += busy * (stat_now_ - E(s_.res_last, pe));
    E(s_.res_last, pe) = stat_now_;
  }
  PW_HD void book_robot(int r) {
    if (E(s_.rb_phase, r) != 0) E(s_.robot_busy, stat(r)) += stat_now_ - E(s_.res_last, r);
    E(s_.res_last, r) = stat_now_;
  }

  // --- initial state
  PW_HD void init() {
    for (int e = 0; e < m_.n_elements; ++e) {
      E(s_.ready_t, e) = kNever;
      E(s_.count, e) = 0;
      E(s_.head, e) = 0;
      E(s_.draw_main, e) = 0;
      E(s_.draw_route, e) = 0;
      E(s_.draw_quality, e) = 0;
      E(s_.draw_mix, e) = 0;
      E(s_.draw_setup, e) = 0;
      E(s_.src_made, e) = 0;
      E(s_.src_released, e) = 0;
      E(s_.src_lost, e) = 0;
      E(s_.src_seq, e) = 0;
      E(s_.rr_next, e) = 0;
      E(s_.reserved, e) = 0;
      E(s_.on_shift, e) = 1;
      E(s_.shift_next, e) = kNever;
      E(s_.conv_last_entry, e) = -kNever;
      E(s_.conv_last_depart, e) = -kNever;
      E(s_.conv_stop_total, e) = 0;
      E(s_.conv_stop_since, e) = -1;
      E(s_.conv_head_exit, e) = kNever;
      E(s_.conv_wanted, e) = 0;
      E(s_.rb_phase, e) = 0;
      E(s_.rb_pt, e) = 0;
      E(s_.res_last, e) = m_.warmup;  // = clip(0)
      E(s_.pool_free, e) = m_.kind[e] == kOperators ? capacity(e) : 0;
    }
    for (int k = 0; k < m_.n_elements * P_; ++k) E(s_.kit_have, k) = 0;
    for (int i = 0; i < m_.n_timed; ++i) E(s_.next_t, i) = kNever;
    for (int k = 0; k < m_.n_stations * kStationStates; ++k) E(s_.st_acc, k) = 0;
    for (int k = 0; k < m_.n_stations * P_; ++k) E(s_.st_done, k) = 0;
    for (int st = 0; st < m_.n_stations; ++st) {
      E(s_.st_scrap, st) = 0;
      E(s_.st_rework, st) = 0;
      E(s_.st_active, st) = 0;
      E(s_.st_periods, st) = 0;
      E(s_.st_active_n, st) = 0;
      E(s_.st_active_since, st) = m_.warmup;
      E(s_.st_active_end, st) = -1;
    }
    for (int b = 0; b < m_.n_buffers; ++b) {
      E(s_.buf_area, b) = 0;
      E(s_.buf_last, b) = m_.warmup;  // = clip(0)
      E(s_.buf_max, b) = 0;
    }
    for (int o = 0; o < m_.n_pools; ++o) E(s_.pool_busy, o) = 0;
    for (int r = 0; r < m_.n_robots; ++r) E(s_.robot_busy, r) = 0;
    for (int p = 0; p < P_; ++p) E(s_.produced_by_part, p) = 0;
    for (int b = 0; b < stats::kLeadBins; ++b) E(s_.lead_hist, b) = 0;
    set_now(0);
    wip_last_ = stat_now_;
    for (int e = 0; e < m_.n_elements; ++e) {
      switch (m_.kind[e]) {
        case kSource:
          if (flag(e, kSaturated)) {
            if (capacity(e) > 0) {  // the first part is ready at once
              new_source_part(e);
              E(s_.src_made, e) = 1;
            }
          } else {
            next_t(e) = draw(m_.main_dist[prow_ + e], e, kDrawMain, 0, &E(s_.draw_main, e));
          }
          break;
        case kStation: init_station(e); break;
        default: break;
      }
    }
    // Saturated sources fill the line at time 0.
    for (int e = 0; e < m_.n_elements; ++e) push_work(e);
    settle();
  }

  PW_HD void init_station(int e) {
    if (flag(e, kShift)) {
      int c = m_.shift_of[e];
      int b = m_.cal_begin[c], n = m_.cal_begin[c + 1] - b;
      // Working at 0: the state after a change at 0, else the state the period ends in.
      E(s_.on_shift, e) = m_.cal_t[b] == 0 ? m_.cal_on[b] : m_.cal_on[b + n - 1];
      E(s_.shift_next, e) = next_shift_change(c, 0);
    }
    const int M = m_.max_modes;
    const int cap = static_cast<int>(capacity(e));
    for (int slot = m_.slot_first[e]; slot < m_.slot_end[e]; ++slot) {
      int j = slot - m_.slot_first[e];
      E(s_.srv_state, slot) = kStarved;
      E(s_.srv_phase, slot) = kIdle;
      E(s_.srv_entered, slot) = m_.warmup;  // = clip(0)
      E(s_.srv_t, slot) = kNever;
      E(s_.srv_rem, slot) = 0;
      E(s_.srv_proc, slot) = 0;
      E(s_.srv_since, slot) = 0;
      E(s_.srv_req_t, slot) = 0;
      E(s_.srv_dur, slot) = -1;
      E(s_.srv_down, slot) = -1;
      E(s_.srv_wait, slot) = -1;
      E(s_.srv_why, slot) = -3;
      E(s_.srv_last_type, slot) = -1;
      E(s_.srv_out, slot) = 0;
      E(s_.srv_hold, slot) = -1;
      for (int k = 0; k < M; ++k) {
        E(s_.srv_draw_ttf, slot * M + k) = 0;
        E(s_.srv_draw_ttr, slot * M + k) = 0;
        E(s_.srv_clock, slot * M + k) = kNever;
      }
      if (j >= cap) continue;  // a server this variant does not have
      for (int g = m_.mode_begin[e]; g < m_.mode_begin[e + 1]; ++g) {
        int k = g - m_.mode_begin[e];
        // Calendar clocks hold the time of the failure, operating clocks the operating time left.
        E(s_.srv_clock, slot * M + k) =
            draw(dist(m_.mode_ttf_at[g]), e, kDrawTimeToFailure + 2 * k, j, &E(s_.srv_draw_ttf, slot * M + k));
      }
      refresh(e, slot);
      server_schedule(e, slot);
    }
    station_schedule(e);
  }

  PW_HD void finish() {
    set_now(m_.end);
    wip_change(0);
    for (int e = 0; e < m_.n_elements; ++e) {
      switch (m_.kind[e]) {
        case kStation:
          for (int slot = m_.slot_first[e]; slot < m_.slot_first[e] + capacity(e); ++slot) server_close(e, slot);
          if (E(s_.st_active_n, stat(e)) > 0) close_active(stat(e), stat_now_);
          else if (E(s_.st_active_end, stat(e)) >= 0) close_active(stat(e), E(s_.st_active_end, stat(e)));
          break;
        case kBuffer: buffer_level_change(e, 0); break;
        case kOperators: book_pool(e); break;
        case kRobot: book_robot(e); break;
        default: break;
      }
    }
    E(s_.produced, 0) = produced_;
    E(s_.lead_sum, 0) = lead_sum_;
    E(s_.lead_max, 0) = lead_max_;
    E(s_.wip_area, 0) = wip_area_;
    E(s_.events, 0) = events_;
    E(s_.stalled_at, 0) = stalled_at_;
    E(s_.overflow, 0) = overflow_ ? 1 : 0;
    E(s_.phys_lost, 0) = phys_lost_;
    int64_t dropped = 0;
    if constexpr (Phys::kOn) dropped = phys_->contact_overflow();
    E(s_.phys_overflow, 0) = dropped;
    E(s_.phys_steps, 0) = phys_steps_;
  }

  // --- events
  PW_HD void handle(int e) {
    switch (m_.kind[e]) {
      case kSource: source_arrival(e); break;
      case kStation: station_event(e); break;
      case kConveyor: conveyor_event(e); break;
      case kRobot:
        if (!kPlain) robot_event(e);
        break;
      default: break;
    }
  }

  // The part type of a source's next part, in its slot; its successor is not chosen yet.
  PW_HD void new_source_part(int e) {
    int32_t type = m_.out_part[e];
    if (flag(e, kMix)) {
      double u = uniform(e, kDrawMix, &E(s_.draw_mix, e));
      const double* cum = m_.mix_cum + static_cast<int64_t>(e) * P_;
      type = P_ - 1;
      for (int p = 0; p < P_; ++p)
        if (u < cum[p]) {
          type = p;
          break;
        }
    } else if (flag(e, kSequence)) {
      int b = m_.seq_begin[e], n = m_.seq_begin[e + 1] - b;
      int32_t k = E(s_.src_seq, e);
      type = m_.seq[b + k];
      E(s_.src_seq, e) = k + 1 == n ? 0 : k + 1;
    }
    int slot = m_.slot_first[e];
    E(s_.slot_type, slot) = type;
    E(s_.slot_dest, slot) = kDestUndecided;
    E(s_.count, e) = 1;
    E(s_.ready_t, e) = now_;
  }

  PW_HD void source_arrival(int e) {
    int64_t made = ++E(s_.src_made, e);
    new_source_part(e);
    bool discard = flag(e, kDiscard);
    // wait: the next interarrival starts when this part has left (take_ready);
    // discard: it starts now, whatever becomes of this part.
    next_t(e) = (discard && made < capacity(e))
                          ? now_ + draw(m_.main_dist[prow_ + e], e, kDrawMain, 0, &E(s_.draw_main, e))
                          : kNever;
    push_succ(e);
    settle();
    if (discard && E(s_.count, e) == 1) {
      E(s_.count, e) = 0;
      E(s_.ready_t, e) = kNever;
      if (in_horizon()) E(s_.src_lost, e) += 1;
    }
  }

  // ---------------------------------------------------------------- stations
  // A server's reported state follows from its phase, failure, operator wait and the shift.
  PW_HD void refresh(int e, int slot) {
    int32_t st;
    if (E(s_.srv_down, slot) >= 0) {
      st = waits(slot) >= 0 ? kWaitingOperator : kFailed;
    } else if (!on_shift(e)) {
      st = kOffShift;
    } else if (waits(slot) >= 0) {
      st = kWaitingOperator;
    } else {
      switch (E(s_.srv_phase, slot)) {
        case kSetupPhase: st = kSetup; break;
        case kProcess: st = kWorking; break;
        case kDone: st = kBlocked; break;
        default: st = kStarved; break;
      }
    }
    set_state(e, slot, st);
  }

  PW_HD bool runs(int e, int slot) const {
    int32_t ph = E(s_.srv_phase, slot);
    return (ph == kSetupPhase || ph == kProcess) && E(s_.srv_down, slot) < 0 && waits(slot) < 0 &&
           on_shift(e) != 0;
  }

  // Sets the server's next event: the end of its running span (phase end, or an operating-time
  // failure, whichever comes first), a calendar failure, or a repair end (set by start_repair).
  PW_HD void server_schedule(int e, int slot) {
    if (E(s_.srv_down, slot) >= 0) {
      if (waits(slot) >= 0) E(s_.srv_t, slot) = kNever;  // no repair yet
      return;
    }
    const int M = m_.max_modes;
    const int g0 = m_.mode_begin[e], nm = m_.mode_begin[e + 1] - g0;
    double t = kNever;
    int32_t why = -3;
    E(s_.srv_dur, slot) = -1;
    if (runs(e, slot)) {
      double best = E(s_.srv_rem, slot);
      why = -1;
      if (E(s_.srv_phase, slot) == kProcess) {
        for (int k = 0; k < nm; ++k) {
          if (calendar(g0 + k)) continue;
          double c = E(s_.srv_clock, slot * M + k);
          // A failure due at the same instant as the part's end comes first (as before modes).
          if (c < best || (c == best && why == -1)) {
            best = c;
            why = k;
          }
        }
      }
      E(s_.srv_dur, slot) = best;
      E(s_.srv_since, slot) = now_;
      t = now_ + best;
    }
    for (int k = 0; k < nm && !kPlain; ++k) {
      if (!calendar(g0 + k)) continue;
      double c = E(s_.srv_clock, slot * M + k);
      if (c < t) {
        t = c;
        why = k;
      }
    }
    E(s_.srv_t, slot) = t;
    E(s_.srv_why, slot) = why;
  }

  // A running server stops at now (a calendar failure, a shift end): books the work done.
  PW_HD void pause(int e, int slot) {
    double dur = E(s_.srv_dur, slot);
    if (dur < 0) return;
    double done = now_ - E(s_.srv_since, slot);
    age(e, slot, done < dur ? done : dur, -1);
  }
  // Work of `done` seconds: the phase's time left and (while processing) operating clocks.
  PW_HD void age(int e, int slot, double done, int exact_mode) {
    const int M = m_.max_modes;
    const int g0 = m_.mode_begin[e], nm = m_.mode_begin[e + 1] - g0;
    double rem = E(s_.srv_rem, slot) - done;
    E(s_.srv_rem, slot) = rem > 0 ? rem : 0;
    if (E(s_.srv_phase, slot) == kProcess)
      for (int k = 0; k < nm; ++k) {
        if (calendar(g0 + k)) continue;
        double c = E(s_.srv_clock, slot * M + k) - done;
        E(s_.srv_clock, slot * M + k) = (k == exact_mode || c < 0) ? 0 : c;
      }
    E(s_.srv_dur, slot) = -1;
  }

  PW_HD void station_schedule(int e) {
    double t = flag(e, kShift) ? E(s_.shift_next, e) : kNever;
    for (int slot = m_.slot_first[e]; slot < m_.slot_end[e]; ++slot) {
      double ts = E(s_.srv_t, slot);
      t = ts < t ? ts : t;
    }
    next_t(e) = t;
  }

  PW_HD void station_event(int e) {
    int slot = -1;
    double t = kNever;
    for (int k = m_.slot_first[e]; k < m_.slot_end[e]; ++k)
      if (E(s_.srv_t, k) < t) {
        t = E(s_.srv_t, k);
        slot = k;
      }
    // A server's event at the instant of a shift change comes first (a part that ends with the
    // shift is finished). next_t may be stale-early after a server's event moved later.
    if (slot >= 0 && t <= now_) server_event(e, slot);
    else if (flag(e, kShift) && E(s_.shift_next, e) <= now_) shift_change(e);
    station_schedule(e);
    settle();
  }

  PW_HD void server_event(int e, int slot) {
    int32_t why = E(s_.srv_why, slot);
    if (why == -2) {
      repair_done(e, slot);
      return;
    }
    if (why >= 0) {
      if (calendar(m_.mode_begin[e] + why)) pause(e, slot);
      else age(e, slot, E(s_.srv_dur, slot), why);  // exactly its clock: no rounding
      fail(e, slot, why);
      return;
    }
    // The phase ended.
    double dur = E(s_.srv_dur, slot);
    age(e, slot, dur, -1);
    E(s_.srv_rem, slot) = 0;
    release_operator(slot);
    if (E(s_.srv_phase, slot) == kSetupPhase) {
      E(s_.srv_phase, slot) = kProcess;
      E(s_.srv_rem, slot) = E(s_.srv_proc, slot);
      begin_activity(e, slot);
      return;
    }
    complete(e, slot);
  }

  // Processing ended at now: quality, split, then the part waits to leave.
  PW_HD void complete(int e, int slot) {
    int32_t type = E(s_.slot_type, slot);
    bool counted = in_horizon();
    if (counted) E(s_.st_done, stat(e) * P_ + type) += 1;
    int32_t dest = kDestUndecided;
    if (flag(e, kQuality)) {
      double u = uniform(e, kDrawQuality, &E(s_.draw_quality, e));
      double scrap = m_.scrap_p[prow_ + e];
      if (u < scrap) {  // the part leaves the system here
        if (counted) E(s_.st_scrap, stat(e)) += 1;
        wip_change(-1);
        E(s_.srv_phase, slot) = kIdle;
        E(s_.count, e) -= 1;
        refresh(e, slot);
        server_schedule(e, slot);
        after_server_freed(e);
        return;
      }
      if (u < scrap + m_.rework_p[prow_ + e]) {
        if (counted) E(s_.st_rework, stat(e)) += 1;
        dest = m_.rework_to[e];
      }
    }
    if (flag(e, kSplit)) {
      int b = m_.split_begin[e], n = m_.split_begin[e + 1] - b;
      wip_change(n - 1);
      E(s_.srv_out, slot) = 0;
      E(s_.slot_type, slot) = m_.split_seq[b];
    }
    E(s_.slot_dest, slot) = dest;
    E(s_.srv_phase, slot) = kDone;
    E(s_.srv_since, slot) = now_;  // ready since: orders it among waiting parts
    refresh(e, slot);
    server_schedule(e, slot);
    if (now_ < E(s_.ready_t, e)) E(s_.ready_t, e) = now_;
    push_succ(e);
  }

  // A server became free: room for a part (an assembly may start its next kit).
  PW_HD void after_server_freed(int e) {
    push_work(e);
    if (flag(e, kAssembly)) try_assemble(e);
  }

  // Starts (or resumes) the server's current phase: takes an operator if the phase needs one.
  PW_HD void begin_activity(int e, int slot) {
    if (!kPlain && E(s_.srv_down, slot) < 0 && E(s_.on_shift, e)) {
      int32_t pool = E(s_.srv_phase, slot) == kSetupPhase ? m_.setup_pool[e] : m_.proc_pool[e];
      if (pool >= 0 && E(s_.srv_hold, slot) != pool) {
        release_operator(slot);
        if (take_operator(pool)) {
          E(s_.srv_hold, slot) = pool;
        } else {
          E(s_.srv_wait, slot) = pool;
          E(s_.srv_req_t, slot) = now_;
        }
      }
    }
    refresh(e, slot);
    server_schedule(e, slot);
  }

  PW_HD void fail(int e, int slot, int k) {
    release_operator(slot);        // the operator of the interrupted activity
    E(s_.srv_wait, slot) = -1;     // a wait for that activity's operator ends
    E(s_.srv_down, slot) = k;
    int32_t pool = kPlain ? -1 : m_.mode_pool[m_.mode_begin[e] + k];
    if (pool >= 0 && !take_operator(pool)) {
      E(s_.srv_wait, slot) = pool;
      E(s_.srv_req_t, slot) = now_;
      refresh(e, slot);
      server_schedule(e, slot);
      return;
    }
    if (pool >= 0) E(s_.srv_hold, slot) = pool;
    start_repair(e, slot);
  }

  PW_HD void start_repair(int e, int slot) {
    const int M = m_.max_modes;
    int k = E(s_.srv_down, slot);
    int j = slot - m_.slot_first[e];
    E(s_.srv_t, slot) = now_ + draw(dist(m_.mode_ttr_at[m_.mode_begin[e] + k]), e, kDrawRepair + 2 * k, j,
                                    &E(s_.srv_draw_ttr, slot * M + k));
    E(s_.srv_why, slot) = -2;
    E(s_.srv_dur, slot) = -1;
    refresh(e, slot);
  }

  PW_HD void repair_done(int e, int slot) {
    const int M = m_.max_modes;
    const int g0 = m_.mode_begin[e], nm = m_.mode_begin[e + 1] - g0;
    int k = E(s_.srv_down, slot);
    int j = slot - m_.slot_first[e];
    release_operator(slot);
    double ttf = draw(dist(m_.mode_ttf_at[g0 + k]), e, kDrawTimeToFailure + 2 * k, j, &E(s_.srv_draw_ttf, slot * M + k));
    E(s_.srv_clock, slot * M + k) = calendar(g0 + k) ? now_ + ttf : ttf;
    E(s_.srv_down, slot) = -1;
    // One failure at a time: a calendar failure that fell due during the repair strikes now.
    for (int q = 0; q < nm && !kPlain; ++q)
      if (calendar(g0 + q) && E(s_.srv_clock, slot * M + q) <= now_) {
        fail(e, slot, q);
        return;
      }
    int32_t ph = E(s_.srv_phase, slot);
    if (ph == kSetupPhase || ph == kProcess) {
      begin_activity(e, slot);
    } else {
      refresh(e, slot);
      server_schedule(e, slot);
      if (ph == kIdle) after_server_freed(e);
    }
  }

  // --- operators
  PW_HD bool take_operator(int32_t pool) {
    int pe = m_.pool_elem[pool];
    if (E(s_.pool_free, pe) <= 0) return false;
    book_pool(pe);
    E(s_.pool_free, pe) -= 1;
    return true;
  }
  PW_HD void release_operator(int slot) {
    if (kPlain) return;  // nobody holds an operator
    int32_t pool = E(s_.srv_hold, slot);
    if (pool < 0) return;
    E(s_.srv_hold, slot) = -1;
    int pe = m_.pool_elem[pool];
    book_pool(pe);
    E(s_.pool_free, pe) += 1;
    dispatch_operators(pool);
  }
  // Free operators go to the longest-waiting requests (ties: lower element, lower server).
  PW_HD void dispatch_operators(int32_t pool) {
    int pe = m_.pool_elem[pool];
    while (E(s_.pool_free, pe) > 0) {
      int best_e = -1, best = -1;
      double t = kNever;
      for (int e = 0; e < m_.n_elements; ++e) {
        if (m_.kind[e] != kStation || !flag(e, kPooled)) continue;
        for (int slot = m_.slot_first[e]; slot < m_.slot_end[e]; ++slot)
          if (E(s_.srv_wait, slot) == pool && E(s_.srv_req_t, slot) < t) {
            t = E(s_.srv_req_t, slot);
            best = slot;
            best_e = e;
          }
      }
      if (best < 0) return;
      book_pool(pe);
      E(s_.pool_free, pe) -= 1;
      E(s_.srv_wait, best) = -1;
      E(s_.srv_hold, best) = pool;
      if (E(s_.srv_down, best) >= 0) {
        start_repair(best_e, best);
      } else {
        refresh(best_e, best);
        server_schedule(best_e, best);
      }
      station_schedule(best_e);
    }
  }

  // --- shifts
  // The first change of calendar c after t.
  PW_HD double next_shift_change(int c, double t) const {
    const double period = m_.cal_period[c];
    const int b = m_.cal_begin[c], n = m_.cal_begin[c + 1] - b;
    double k = static_cast<double>(static_cast<int64_t>(t / period));  // t >= 0: truncation is floor
    for (;;) {
      for (int i = 0; i < n; ++i) {
        double x = k * period + m_.cal_t[b + i];
        if (x > t) return x;
      }
      k += 1;
    }
  }

  // Working and off periods alternate (compile merges equal neighbours), so each change flips.
  PW_HD void shift_change(int e) {
    const int32_t now_on = E(s_.on_shift, e) ? 0 : 1;
    E(s_.on_shift, e) = now_on;
    E(s_.shift_next, e) = next_shift_change(m_.shift_of[e], now_);
    const int cap = static_cast<int>(capacity(e));
    for (int slot = m_.slot_first[e]; slot < m_.slot_first[e] + cap; ++slot) {
      const int32_t ph = E(s_.srv_phase, slot);
      const bool up = E(s_.srv_down, slot) < 0;
      if (now_on && up && (ph == kSetupPhase || ph == kProcess)) {  // interrupted work resumes
        begin_activity(e, slot);
        continue;
      }
      if (!now_on) {
        pause(e, slot);
        if (up && E(s_.srv_wait, slot) >= 0) E(s_.srv_wait, slot) = -1;  // asks again at the next shift
      }
      refresh(e, slot);
      if (up) server_schedule(e, slot);  // a repair keeps its own end
    }
    if (now_on) after_server_freed(e);
  }

  // --- assembly
  PW_HD bool kit_complete(int e) const {
    for (int p = 0; p < P_; ++p)
      if (E(s_.kit_have, e * P_ + p) < m_.bom[e * P_ + p]) return false;
    return true;
  }
  // A complete kit and a free server: the kit becomes one part of the output type.
  PW_HD void try_assemble(int e) {
    if (!E(s_.on_shift, e) || !kit_complete(e)) return;
    int slot = free_server(e);
    if (slot < 0) return;
    int64_t n = 0;
    for (int p = 0; p < P_; ++p) {
      n += E(s_.kit_have, e * P_ + p);
      E(s_.kit_have, e * P_ + p) = 0;
    }
    wip_change(-(n - 1));
    start_part(e, slot, E(s_.kit_release, e), m_.out_part[e]);
    push_work(e);  // the kit has room again
  }

  // Lowest idle server in service and not down; else the lowest idle one; -1 if none.
  PW_HD int free_server(int e) const {
    int any = -1;
    int end = m_.slot_first[e] + static_cast<int>(capacity(e));
    for (int slot = m_.slot_first[e]; slot < end; ++slot)
      if (E(s_.srv_phase, slot) == kIdle) {
        if (E(s_.srv_down, slot) < 0) return slot;
        if (any < 0) any = slot;
      }
    return any;
  }

  // Server `slot` of e takes a part: draws its process time, and a setup if its type changes.
  PW_HD void start_part(int e, int slot, double release, int32_t type) {
    E(s_.slot_release, slot) = release;
    E(s_.slot_type, slot) = type;
    E(s_.slot_dest, slot) = kDestUndecided;
    E(s_.count, e) += 1;
    int32_t proc_at = m_.proc_at[e] + (flag(e, kByPart) ? type : 0);
    double proc = draw(dist(proc_at), e, kDrawMain, 0, &E(s_.draw_main, e));
    E(s_.srv_proc, slot) = proc;
    E(s_.srv_phase, slot) = kProcess;
    E(s_.srv_rem, slot) = proc;
    int32_t last = E(s_.srv_last_type, slot);
    if (flag(e, kSetups) && last >= 0 && last != type) {
      int32_t at = m_.setup_at[e] + (flag(e, kSetupTable) ? last * P_ + type : 0);
      double d = draw(dist(at), e, kDrawSetup, 0, &E(s_.draw_setup, e));
      if (d > 0) {
        E(s_.srv_phase, slot) = kSetupPhase;
        E(s_.srv_rem, slot) = d;
      }
    }
    E(s_.srv_last_type, slot) = type;
    begin_activity(e, slot);
    if (E(s_.srv_t, slot) < next_t(e)) next_t(e) = E(s_.srv_t, slot);
  }

  // ---------------------------------------------------------------- conveyors
  // Belt time of a conveyor: real time less the time its belt stood still.
  // A physical conveyor's belt runs in real time (its parts' positions say where they are);
  // its stop fields count the time its head part is held at the end instead (held_time).
  PW_HD double belt_time(int e) const {
    if (flag(e, kAccumulating) || (Phys::kOn && flag(e, kPhysical))) return now_;
    return held_time(e);
  }
  // Real time less the time the conveyor's belt stood still (kinematic, non-accumulating) or
  // its head part was held at the end (physical).
  PW_HD double held_time(int e) const {
    double since = E(s_.conv_stop_since, e);
    return (since >= 0 ? since : now_) - E(s_.conv_stop_total, e);
  }
  PW_HD void trace_exit() {
    if (s_.exit_trace && exits_ < s_.exit_trace_len) E(s_.exit_trace, exits_) = now_;
    ++exits_;
  }

  PW_HD void conveyor_schedule(int e) {
    double t = kNever;
    double exit = kNever;
    int64_t n = E(s_.count, e);
    const bool timed_exit = !(Phys::kOn && flag(e, kPhysical));  // physics says when a part arrives
    if (timed_exit && n > 0 && E(s_.ready_t, e) >= kNever) {
      int slot = m_.slot_first[e] + E(s_.head, e);
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
    if (E(s_.conv_wanted, e) && n < capacity(e) && (E(s_.conv_stop_since, e) < 0 || !timed_exit)) {
      double free_at = now_ + (E(s_.conv_last_entry, e) + m_.gap[prow_ + e] - belt_time(e));
      // A physical entrance that waits for room on the belt, not for time, is looked at after
      // every physics step instead.
      if (timed_exit || free_at > now_) t = free_at < t ? free_at : t;
    }
    next_t(e) = t;
  }

  PW_HD void conveyor_event(int e) {
    if (E(s_.count, e) > 0 && E(s_.ready_t, e) >= kNever && E(s_.conv_head_exit, e) <= now_) {
      E(s_.ready_t, e) = now_;  // the head part has reached the exit
      trace_exit();
    }
    E(s_.conv_wanted, e) = 0;
    push_work(e);
    if (E(s_.ready_t, e) < kNever) push_succ(e);
    settle();
    // A non-accumulating belt stops while its exit part cannot leave.
    if (!flag(e, kAccumulating) && E(s_.ready_t, e) < kNever && E(s_.conv_stop_since, e) < 0)
      E(s_.conv_stop_since, e) = now_;
    conveyor_schedule(e);
  }

  // ---------------------------------------------------------------- physical conveyors
  PW_HD const PhysConveyor& pconv(int c) const { return cp_->conv[static_cast<int64_t>(variant_) * cp_->n_conv + c]; }
  PW_HD const PhysPart& ppart(int c, int32_t type) const {
    return cp_->part[(static_cast<int64_t>(variant_) * cp_->n_conv + c) * P_ + type];
  }
  // The slot of the part i places behind the head of ring element e.
  PW_HD int ring_slot(int e, int64_t i) const {
    int64_t pos = E(s_.head, e) + i, n = slots(e);
    return m_.slot_first[e] + static_cast<int>(pos >= n ? pos - n : pos);
  }

  // May a part enter physical conveyor x now without spawning into a part already on it?
  PW_HD bool spawn_clear(int x) {
    const int c = cp_->conv_of[x];
    const phys::Vec3 at = pconv(c).start;  // every part spawns centred above the path's start
    const double reach = pconv(c).max_half_along + kSpawnClearance;
    for (int64_t i = 0; i < E(s_.count, x); ++i) {
      int slot = ring_slot(x, i);
      double need = reach + ppart(c, E(s_.slot_type, slot)).half_along;
      phys::Vec3 d = phys_->centre(E(s_.slot_body, slot)) - at;
      if (phys::dot(d, d) < need * need) return false;
    }
    return true;
  }

  // Puts a part of `type` entering physical conveyor x into a free body slot of x; returns it.
  PW_HD int32_t add_body(int x, int32_t type) {
    const int c = cp_->conv_of[x];
    int32_t b = cp_->body_first[c];
    while (b + 1 < cp_->body_first[c + 1] && phys_->active(b)) ++b;  // there is one: slots >= capacity
    if (phys_n_ == 0) {  // the world wakes on the step grid: this step began at or before now
      pk_ = static_cast<int64_t>(now_ / cp_->dt);
      if (static_cast<double>(pk_ + 1) * cp_->dt <= now_) ++pk_;
    }
    const PhysPart& pp = ppart(c, type);
    phys_->spawn(b, pp.kind, pp.spawn_p, pp.spawn_q);
    ++phys_n_;
    return b;
  }
  PW_HD void remove_body(int32_t b) {
    phys_->despawn(b);
    --phys_n_;
  }

  // One step of the lane's world, then what it means for the flow: parts that fell off or are
  // late are lost, a head part whose centre crossed the path's end has arrived, entrances that
  // were blocked by a part may be clear now.
  PW_HD void physics_event() {
    phys_->step(pk_);
    ++pk_;
    ++phys_steps_;
    for (int c = 0; c < cp_->n_conv; ++c) {
      const int e = cp_->conv_elem[c];
      const PhysConveyor& pc = pconv(c);
      for (int64_t i = 0; i < E(s_.count, e);) {
        int slot = ring_slot(e, i);
        int32_t b = E(s_.slot_body, slot);
        bool fell = phys_->fell(b) || phys_->centre(b).z < pc.lost_z;
        bool late = held_time(e) - E(s_.slot_t, slot) > pc.lost_after;
        if (fell || late) lose_part(e, c, i);
        else ++i;
      }
      if (E(s_.count, e) > 0 && E(s_.ready_t, e) >= kNever) {
        // The first part to cross the end leaves first, even if it overtook (parts side by
        // side on a wide belt): it becomes the ring's head.
        for (int64_t i = 0; i < E(s_.count, e); ++i) {
          if (!crossed_end(pc, phys_->centre(E(s_.slot_body, ring_slot(e, i))))) continue;
          if (i > 0) move_to_head(e, i);
          E(s_.ready_t, e) = now_;
          trace_exit();
          push_succ(e);
          break;
        }
      }
      if (E(s_.conv_wanted, e)) {
        E(s_.conv_wanted, e) = 0;
        push_work(e);
      }
    }
    settle();
    // A head part that arrived and could not leave is held: by the stopper, or (non-accumulating)
    // with the belt stopped.
    for (int c = 0; c < cp_->n_conv; ++c) {
      const int e = cp_->conv_elem[c];
      if (E(s_.ready_t, e) < kNever && E(s_.conv_stop_since, e) < 0) {
        E(s_.conv_stop_since, e) = now_;
        if (!flag(e, kAccumulating)) phys_->drive(c, false);
      }
    }
  }

  // Copies ring entry `from` of a conveyor over entry `to` (slot indices).
  PW_HD void copy_entry(int to, int from) {
    E(s_.slot_release, to) = E(s_.slot_release, from);
    E(s_.slot_t, to) = E(s_.slot_t, from);
    E(s_.slot_type, to) = E(s_.slot_type, from);
    E(s_.slot_dest, to) = E(s_.slot_dest, from);
    E(s_.slot_body, to) = E(s_.slot_body, from);
  }
  // Part i (from the head) of conveyor e moves to the head; the parts before it move back one.
  PW_HD void move_to_head(int e, int64_t i) {
    const int at = ring_slot(e, i);
    const double release = E(s_.slot_release, at), t = E(s_.slot_t, at);
    const int32_t type = E(s_.slot_type, at), dest = E(s_.slot_dest, at), body = E(s_.slot_body, at);
    for (int64_t j = i; j > 0; --j) copy_entry(ring_slot(e, j), ring_slot(e, j - 1));
    const int head = ring_slot(e, 0);
    E(s_.slot_release, head) = release;
    E(s_.slot_t, head) = t;
    E(s_.slot_type, head) = type;
    E(s_.slot_dest, head) = dest;
    E(s_.slot_body, head) = body;
  }

  // Part i (from the head) of physical conveyor e is lost: it leaves the world and the line.
  PW_HD void lose_part(int e, int c, int64_t i) {
    remove_body(E(s_.slot_body, ring_slot(e, i)));
    const int64_t n = E(s_.count, e);
    for (int64_t j = i; j + 1 < n; ++j) copy_entry(ring_slot(e, j), ring_slot(e, j + 1));  // close the gap
    E(s_.count, e) = n - 1;
    if (i == 0 && E(s_.ready_t, e) < kNever) {  // the held head itself (it can only have fallen)
      E(s_.ready_t, e) = kNever;
      double since = E(s_.conv_stop_since, e);
      if (since >= 0) {
        E(s_.conv_stop_total, e) += now_ - since;
        E(s_.conv_stop_since, e) = -1;
      }
      if (!flag(e, kAccumulating)) phys_->drive(c, true);
    }
    wip_change(-1);
    ++phys_lost_;
    push_work(e);  // room on the belt
  }

  // ---------------------------------------------------------------- robots
  PW_HD double robot_travel(int r, int32_t from_pt, int32_t to_pt) const {
    int ri = stat(r);
    int n = m_.rb_points[ri];
    return m_.travel_tab[static_cast<int64_t>(variant_) * m_.n_travel + m_.rb_travel_at[ri] + from_pt * n + to_pt];
  }

  // An idle robot takes the transfer whose part has waited longest (ties: transfer order)
  // among those whose part is ready, headed for the transfer's target, with room there.
  PW_HD void robot_dispatch(int r) {
    if (E(s_.rb_phase, r) != 0) return;
    int ri = stat(r);
    int best = -1;
    double t = kNever;
    for (int k = m_.tr_begin[ri]; k < m_.tr_begin[ri + 1]; ++k) {
      int p = m_.tr_from[k], x = m_.tr_to[k];
      double tp = E(s_.ready_t, p);
      if (tp >= t) continue;
      int slot = ready_slot(p);
      int32_t type = E(s_.slot_type, slot);
      if (heads_for(p, slot, type) != x || !can_take(x, type)) continue;
      t = tp;
      best = k;
    }
    if (best < 0) return;
    int p = m_.tr_from[best], x = m_.tr_to[best];
    E(s_.slot_dest, ready_slot(p)) = x;  // a shortest-queue choice is fixed now
    E(s_.reserved, x) += 1;
    book_robot(r);
    E(s_.rb_phase, r) = 1;
    E(s_.rb_tr, r) = best;
    next_t(r) = now_ + robot_travel(r, E(s_.rb_pt, r), m_.tr_from_pt[best]) + m_.travel[prow_ + r];
  }

  PW_HD void robot_event(int r) {
    int k = E(s_.rb_tr, r);
    if (E(s_.rb_phase, r) == 1) {  // gripped: the part leaves `from`
      int p = m_.tr_from[k];
      E(s_.rb_release, r) = take_ready(p);
      E(s_.rb_type, r) = taken_type_;
      push_work(p);
      E(s_.rb_pt, r) = m_.tr_from_pt[k];
      E(s_.rb_phase, r) = 2;
      next_t(r) = now_ + robot_travel(r, m_.tr_from_pt[k], m_.tr_to_pt[k]) + m_.gap[prow_ + r];
    } else {  // released: the part enters `to`
      int x = m_.tr_to[k];
      E(s_.reserved, x) -= 1;
      accept(x, E(s_.rb_release, r), E(s_.rb_type, r));
      E(s_.rb_pt, r) = m_.tr_to_pt[k];
      book_robot(r);
      E(s_.rb_phase, r) = 0;
      next_t(r) = kNever;
      robot_dispatch(r);
    }
    settle();
  }

  // ---------------------------------------------------------------- moving parts
  PW_HD void push_work(int e) {
    if (e < 0) return;
    if (work_n_ < kWork) work_[work_n_++] = e;
    else sweep_ = true;
  }
  // A part became ready at e: every element it may go to can pull.
  PW_HD void push_succ(int e) {
    for (int k = m_.succ_begin[e]; k < m_.succ_begin[e + 1]; ++k) push_work(m_.succ_list[k]);
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

  // The slot of the part element p would hand on next (its longest-waiting ready part).
  PW_HD int ready_slot(int p) const {
    switch (m_.kind[p]) {
      case kStation: {
        int slot = -1;
        double since = kNever;
        for (int k = m_.slot_first[p]; k < m_.slot_end[p]; ++k)
          if (E(s_.srv_phase, k) == kDone && E(s_.srv_since, k) < since) {
            since = E(s_.srv_since, k);
            slot = k;
          }
        return slot;
      }
      case kBuffer:
      case kConveyor: return m_.slot_first[p] + E(s_.head, p);
      default: return m_.slot_first[p];
    }
  }

  // The successor chosen for the part in `slot` of p (chosen now if not yet): an element, or
  // kDestAny for shortest queue.
  PW_HD int32_t dest_of(int p, int slot) {
    int32_t d = E(s_.slot_dest, slot);
    if (d != kDestUndecided) return d;
    const int b = m_.succ_begin[p], n = m_.n_route[p];
    switch (m_.routing[p]) {
      case kRouteRoundRobin: {
        int32_t k = E(s_.rr_next, p);
        d = m_.succ_list[b + k];
        E(s_.rr_next, p) = k + 1 == n ? 0 : k + 1;
        break;
      }
      case kRouteProbability: {
        double u = uniform(p, kDrawRoute, &E(s_.draw_route, p));
        d = m_.succ_list[b + n - 1];
        for (int k = 0; k < n; ++k)
          if (u < m_.route_cum[b + k]) {
            d = m_.succ_list[b + k];
            break;
          }
        break;
      }
      case kRouteByPart: d = m_.part_route[p * P_ + E(s_.slot_type, slot)]; break;
      case kRouteShortestQueue: d = kDestAny; break;
      default: d = m_.succ[p]; break;
    }
    E(s_.slot_dest, slot) = d;
    if (d >= 0) push_work(d);  // its successor may be waiting for it
    return d;
  }

  // Where the part in `slot` of p goes if it moves now: its chosen successor, or for shortest
  // queue the successor that can take it holding fewest parts (ties: order of `to`); -1: none.
  PW_HD int32_t heads_for(int p, int slot, int32_t type) {
    int32_t d = dest_of(p, slot);
    if (d != kDestAny) return d;
    const int b = m_.succ_begin[p], n = m_.n_route[p];
    int64_t fewest = kUnlimited;
    for (int k = 0; k < n; ++k) {
      int y = m_.succ_list[b + k];
      if (!can_take(y, type)) continue;
      int64_t q = E(s_.count, y) + E(s_.reserved, y);
      if (q < fewest) {
        fewest = q;
        d = y;
      }
    }
    return d;
  }

  // Fills room at x from its predecessors, the longest-waiting part first.
  PW_HD void pull(int x) {
    const bool typed = flag(x, kAssembly);  // room depends on the part type
    for (;;) {
      if (!typed && !can_take(x, 0)) return;
      int best = -1;
      double t = kNever;
      for (int k = m_.pred_begin[x]; k < m_.pred_begin[x + 1]; ++k) {
        int p = m_.pred[k];
        double tp = E(s_.ready_t, p);
        if (tp >= t) continue;
        if (!kPlain && m_.from_robot[p] >= 0) {  // only its robot takes parts from p
          robot_dispatch(m_.from_robot[p]);
          continue;
        }
        if (typed || flag(p, kRouted)) {
          int slot = ready_slot(p);
          int32_t type = E(s_.slot_type, slot);
          if (heads_for(p, slot, type) != x) continue;
          if (typed && !can_take(x, type)) continue;
        }
        t = tp;
        best = p;
      }
      if (best < 0) {
        if constexpr (!kPlain) {  // a plain model has no zero-capacity buffers
          // Room here is also room behind an empty zero-capacity buffer in front of x.
          for (int k = m_.pred_begin[x]; k < m_.pred_begin[x + 1]; ++k) {
            int p = m_.pred[k];
            if (m_.kind[p] == kBuffer && capacity(p) == 0 && E(s_.count, p) == 0) push_work(p);
          }
        }
        return;
      }
      double release = take_ready(best);
      accept(x, release, taken_type_);
      push_work(best);  // room appeared there
      if (overflow_) return;
    }
  }

  // Has x room for a part of `type` (type matters only for assemblies)?
  PW_HD bool can_take(int x, int32_t type) {
    for (;;) {
      switch (m_.kind[x]) {
        case kStation: {
          if (!on_shift(x)) return false;
          if (flag(x, kAssembly))
            return E(s_.kit_have, x * P_ + type) < m_.bom[x * P_ + type];
          int64_t busy = E(s_.count, x) + reserved(x), cap = capacity(x);
          if (busy >= cap) return false;
          if (!flag(x, kFailures)) return true;
          // Idle servers may be down (calendar failures strike idle servers too).
          int64_t up = 0;
          for (int slot = m_.slot_first[x]; slot < m_.slot_first[x] + cap; ++slot)
            up += E(s_.srv_phase, slot) == kIdle && E(s_.srv_down, slot) < 0;
          return up > reserved(x);
        }
        case kSink: return true;
        case kBuffer: {
          int64_t n = E(s_.count, x) + reserved(x), cap = capacity(x);
          if (n < cap) return true;
          if (kPlain || cap != 0 || n != 0) return false;
          x = m_.succ[x];  // capacity 0 holds nothing: it takes a part only to hand it straight on
          continue;
        }
        case kConveyor: {
          if (E(s_.count, x) + reserved(x) >= capacity(x)) return false;
          if (now_ + (E(s_.conv_last_entry, x) + m_.gap[prow_ + x] - belt_time(x)) <= now_) {
            if constexpr (Phys::kOn) {
              if (flag(x, kPhysical) && !spawn_clear(x)) {
                E(s_.conv_wanted, x) = 1;  // looked at again after every physics step
                return false;
              }
            }
            return true;
          }
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

  // After a part left p, p's next ready part may head for another successor than the one
  // pulling now: let them all look. (With one successor the puller's own loop takes it.)
  PW_HD void offer_next(int p) {
    if (flag(p, kRouted)) push_succ(p);
  }

  // Removes the ready part of element p (the longest-waiting one) and returns its release
  // time; its type goes to taken_type_.
  PW_HD double take_ready(int p) {
    switch (m_.kind[p]) {
      case kSource: {
        if (s_.release_trace && released_ < s_.trace_len) E(s_.release_trace, released_) = now_;
        ++released_;
        wip_change(+1);
        taken_type_ = E(s_.slot_type, m_.slot_first[p]);
        if (in_horizon()) E(s_.src_released, p) += 1;
        if (flag(p, kSaturated)) {
          if (E(s_.src_made, p) < capacity(p)) {  // the next part is ready the instant this one left
            E(s_.src_made, p) += 1;
            new_source_part(p);
            offer_next(p);
          } else {
            E(s_.count, p) = 0;
            E(s_.ready_t, p) = kNever;
          }
        } else {
          E(s_.count, p) = 0;
          E(s_.ready_t, p) = kNever;
          if (!flag(p, kDiscard) && E(s_.src_made, p) < capacity(p))
            next_t(p) = now_ + draw(m_.main_dist[prow_ + p], p, kDrawMain, 0, &E(s_.draw_main, p));
        }
        return now_;
      }
      case kStation: {
        int slot = ready_slot(p);
        double release = E(s_.slot_release, slot);
        taken_type_ = E(s_.slot_type, slot);
        if (flag(p, kSplit)) {
          int b = m_.split_begin[p], n = m_.split_begin[p + 1] - b;
          int32_t k = E(s_.srv_out, slot) + 1;
          if (k < n) {  // the next output of the same part is ready at once
            E(s_.srv_out, slot) = k;
            E(s_.slot_type, slot) = m_.split_seq[b + k];
            E(s_.slot_dest, slot) = kDestUndecided;
            offer_next(p);
            return release;
          }
        }
        // Done -> idle: neither runs, so the server's next event (a calendar failure) stays.
        E(s_.srv_phase, slot) = kIdle;
        E(s_.count, p) -= 1;
        refresh(p, slot);
        int next = ready_slot(p);
        E(s_.ready_t, p) = next >= 0 ? E(s_.srv_since, next) : kNever;
        if (next >= 0) offer_next(p);
        if (flag(p, kAssembly)) try_assemble(p);
        return release;
      }
      case kBuffer: {
        int32_t n = slots(p);
        int32_t h = E(s_.head, p);
        double release = E(s_.slot_release, m_.slot_first[p] + h);
        taken_type_ = E(s_.slot_type, m_.slot_first[p] + h);
        h = h + 1 == n ? 0 : h + 1;
        E(s_.head, p) = h;
        buffer_level_change(p, -1);
        E(s_.ready_t, p) = E(s_.count, p) > 0 ? E(s_.slot_t, m_.slot_first[p] + h) : kNever;
        if (E(s_.count, p) > 0) offer_next(p);
        return release;
      }
      case kConveyor: {
        int32_t n = slots(p);
        int32_t h = E(s_.head, p);
        double release = E(s_.slot_release, m_.slot_first[p] + h);
        taken_type_ = E(s_.slot_type, m_.slot_first[p] + h);
        if constexpr (Phys::kOn) {
          if (flag(p, kPhysical)) {  // the part leaves the world; a stopped belt runs again
            remove_body(E(s_.slot_body, m_.slot_first[p] + h));
            if (!flag(p, kAccumulating)) phys_->drive(cp_->conv_of[p], true);
          }
        }
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

  // Puts a part at the end of a buffer's or conveyor's ring; returns its slot, or -1 when an
  // infinite buffer's ring is full.
  PW_HD int ring_push(int x, double release, int32_t type) {
    int32_t n = slots(x);
    if (E(s_.count, x) >= n) return -1;  // only an infinite buffer's ring can fill up
    int64_t pos = E(s_.head, x) + E(s_.count, x);
    if (pos >= n) pos -= n;
    int slot = m_.slot_first[x] + static_cast<int>(pos);
    E(s_.slot_release, slot) = release;
    E(s_.slot_type, slot) = type;
    E(s_.slot_dest, slot) = kDestUndecided;
    return slot;
  }

  // Element x receives a part of `type` released at `release`.
  PW_HD void accept(int x, double release, int32_t type) {
    switch (m_.kind[x]) {
      case kStation: {
        if (flag(x, kAssembly)) {
          int32_t& have = E(s_.kit_have, x * P_ + type);
          have += 1;
          if (type == m_.base_input[x] && have == 1) E(s_.kit_release, x) = release;
          try_assemble(x);
          break;
        }
        start_part(x, free_server(x), release, type);
        break;
      }
      case kBuffer: {
        int slot = ring_push(x, release, type);
        if (slot < 0) {
          overflow_ = true;
          return;
        }
        E(s_.slot_t, slot) = now_;
        buffer_level_change(x, +1);
        if (E(s_.count, x) == 1) E(s_.ready_t, x) = now_;
        push_succ(x);
        break;
      }
      case kConveyor: {
        int slot = ring_push(x, release, type);
        double entry = belt_time(x);
        E(s_.slot_t, slot) = entry;
        E(s_.conv_last_entry, x) = entry;
        E(s_.count, x) += 1;
        if constexpr (Phys::kOn) {
          if (flag(x, kPhysical)) {
            E(s_.slot_t, slot) = held_time(x);  // the lateness clock (lost after lost_after)
            E(s_.slot_body, slot) = add_body(x, type);
          }
        }
        conveyor_schedule(x);
        break;
      }
      case kSink: {
        wip_change(-1);
        if (in_horizon()) {
          double lead = now_ - release;
          produced_ += 1;
          lead_sum_ += lead;
          lead_max_ = lead > lead_max_ ? lead : lead_max_;
          E(s_.produced_by_part, type) += 1;
          E(s_.lead_hist, stats::lead_bin(lead)) += 1;
        }
        break;
      }
      default:
        break;
    }
  }
};

// Runs one lane by the plain instantiation when the model is plain, else by the general one.
template <bool kBlocked>
PW_HD void run_flow_lane(const FlowModel& m, const FlowState& s, int64_t local_lane, int64_t global_lane) {
  if (m.plain) LaneSim<kBlocked, NoPhysics, true>(m, s, local_lane, global_lane).run();
  else LaneSim<kBlocked>(m, s, local_lane, global_lane).run();
}

// The functor both backends launch through Thrust, one call per lane of a chunk.
struct FlowLaneKernel {
  FlowModel model;
  FlowState state;
  int64_t first_lane;  // global index of the chunk's lane 0

  PW_HD void operator()(int64_t local_lane) const {
    run_flow_lane<false>(model, state, local_lane, first_lane + local_lane);
  }
};

// The same for lanes that each own a block of `layout` (bound for one lane): on a CPU, one
// lane's whole state then sits in a few kilobytes of consecutive memory that stays in cache
// while the lane runs, instead of being spread over rows as wide as the chunk.
struct FlowLaneBlockKernel {
  FlowModel model;
  FlowStateLayout layout;  // built for one lane
  unsigned char* base;     // lane l's block: base + l * layout.bytes
  int64_t first_lane;

  PW_HD void operator()(int64_t local_lane) const {
    FlowState state = layout.bind(base + local_lane * static_cast<int64_t>(layout.bytes));
    run_flow_lane<true>(model, state, 0, first_lane + local_lane);
  }
};

}  // namespace plantwin::flow
