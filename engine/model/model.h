// The compiled model: the scene turned into flat arrays (flow::FlowModel's storage), plus
// the names and indices the host needs to label results. Built once per batch.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/scene/scene.h"
#include "kernels/flow/flow_model.h"
#include "kernels/flow/flow_state.h"

namespace plantwin::physics {
struct CouplingData;  // engine/physics/coupling_build.h
}

namespace plantwin {

struct Model {
  int32_t n_elements = 0, n_slots = 0, n_servers = 0, n_variants = 1, replications = 1;
  uint64_t seed = 1;
  double warmup_s = 0, horizon_s = 0;
  int32_t inf_slots = 0;  // ring size given to each infinite buffer
  int32_t first_replication = 0;  // the random streams of replication first_replication + r
  int32_t n_parts = 1;    // part types (Scene::parts, at least one)
  int32_t max_modes = 1;  // failure-mode clocks per server
  int32_t n_dists = 0;    // distributions per variant row of `dists`
  int32_t n_travel = 0;   // robot travel times per variant row of `travel_tab`

  // Structure (see flow::FlowModel for the meaning of each array).
  std::vector<uint8_t> kind, routing, mode_calendar, cal_on;
  std::vector<uint32_t> flags;
  std::vector<int32_t> succ, pred_begin, pred, slot_first, slot_end, stat_index, timed, timed_index;
  std::vector<int32_t> succ_begin, succ_list, n_route, part_route, from_robot;
  std::vector<int32_t> out_part, seq_begin, seq;
  std::vector<int32_t> proc_at, setup_at, mode_begin, mode_ttf_at, mode_ttr_at, mode_pool, rework_to;
  std::vector<int32_t> proc_pool, setup_pool, pool_elem, bom, base_input, split_begin, split_seq;
  std::vector<int32_t> shift_of, cal_begin;
  std::vector<double> route_cum, mix_cum, cal_t, cal_period;
  std::vector<int32_t> tr_begin, tr_from, tr_to, tr_from_pt, tr_to_pt, rb_points, rb_travel_at;

  // Parameters per variant.
  std::vector<int64_t> capacity;                 // [V][E]
  std::vector<double> travel, gap;               // [V][E] (robots: grip, release time)
  std::vector<double> scrap_p, rework_p;         // [V][E]
  std::vector<Dist> main_dist;                   // [V][E] source interarrival
  std::vector<Dist> dists;                       // [V][n_dists]
  std::vector<double> travel_tab;                // [V][n_travel]
  std::vector<double> table;

  std::vector<int32_t> stations, buffers, sources;  // element indices, scene order (stations: station-like)
  std::vector<int32_t> pools, robots;               // operators and robot elements, scene order
  std::vector<double> ideal_s;  // [V][E][parts] mean process time of each part type at each station-like
                                // element (the ideal cycle time of OEE's performance); 0 elsewhere

  // Physical conveyors (model: physics): their worlds and the flow kernel's view of them; null
  // when the scene has none.
  std::shared_ptr<const physics::CouplingData> coupling;

  int64_t lanes() const { return static_cast<int64_t>(n_variants) * replications; }
  int32_t n_stations() const { return static_cast<int32_t>(stations.size()); }
  int32_t n_buffers() const { return static_cast<int32_t>(buffers.size()); }
  // Parallel servers of station element e in variant v.
  int64_t servers(int32_t v, int32_t e) const { return capacity[static_cast<size_t>(v) * n_elements + e]; }

  // A plain model (is_plain, flow::kPlainFlags), set by compile_model: its lanes give the same
  // results by either instantiation of the kernel, and the kernels run the faster plain one.
  // False in a model built by hand, or to measure the general one (BatchOptions::general_kernel).
  bool plain = false;

  // Row sizes of one lane's state.
  flow::FlowDims dims() const;

  // The kernel's view of this model, pointing into these vectors (host memory).
  flow::FlowModel view() const;

    // The kernel's view with every array mapped through `place` (a function from a host vector
    // to the pointer the kernel should read it at: its data(), or a device copy).
  template <class Place>
  flow::FlowModel bind(Place&& place) const {
    flow::FlowModel m;
    m.n_elements = n_elements;
    m.n_slots = n_slots;
    m.n_servers = n_servers;
    m.n_stations = n_stations();
    m.n_buffers = n_buffers();
    m.n_timed = static_cast<int32_t>(timed.size());
    m.n_parts = n_parts;
    m.n_pools = static_cast<int32_t>(pools.size());
    m.n_robots = static_cast<int32_t>(robots.size());
    m.max_modes = max_modes;
    m.n_dists = n_dists;
    m.n_travel = n_travel;
    m.replications = replications;
    m.first_replication = first_replication;
    m.seed_lo = static_cast<uint32_t>(seed);
    m.seed_hi = static_cast<uint32_t>(seed >> 32);
    m.warmup = warmup_s;
    m.end = warmup_s + horizon_s;
    m.plain = plain;
    m.kind = place(kind);
    m.flags = place(flags);
    m.succ = place(succ);
    m.pred_begin = place(pred_begin);
    m.pred = place(pred);
    m.slot_first = place(slot_first);
    m.slot_end = place(slot_end);
    m.stat_index = place(stat_index);
    m.timed = place(timed);
    m.timed_index = place(timed_index);
    m.succ_begin = place(succ_begin);
    m.succ_list = place(succ_list);
    m.n_route = place(n_route);
    m.routing = place(routing);
    m.route_cum = place(route_cum);
    m.part_route = place(part_route);
    m.from_robot = place(from_robot);
    m.out_part = place(out_part);
    m.mix_cum = place(mix_cum);
    m.seq_begin = place(seq_begin);
    m.seq = place(seq);
    m.capacity = place(capacity);
    m.travel = place(travel);
    m.gap = place(gap);
    m.scrap_p = place(scrap_p);
    m.rework_p = place(rework_p);
    m.main_dist = place(main_dist);
    m.dists = place(dists);
    m.table = place(table);
    m.proc_at = place(proc_at);
    m.setup_at = place(setup_at);
    m.mode_begin = place(mode_begin);
    m.mode_ttf_at = place(mode_ttf_at);
    m.mode_ttr_at = place(mode_ttr_at);
    m.mode_pool = place(mode_pool);
    m.mode_calendar = place(mode_calendar);
    m.rework_to = place(rework_to);
    m.proc_pool = place(proc_pool);
    m.setup_pool = place(setup_pool);
    m.pool_elem = place(pool_elem);
    m.bom = place(bom);
    m.base_input = place(base_input);
    m.split_begin = place(split_begin);
    m.split_seq = place(split_seq);
    m.shift_of = place(shift_of);
    m.cal_begin = place(cal_begin);
    m.cal_t = place(cal_t);
    m.cal_on = place(cal_on);
    m.cal_period = place(cal_period);
    m.tr_begin = place(tr_begin);
    m.tr_from = place(tr_from);
    m.tr_to = place(tr_to);
    m.tr_from_pt = place(tr_from_pt);
    m.tr_to_pt = place(tr_to_pt);
    m.rb_points = place(rb_points);
    m.rb_travel_at = place(rb_travel_at);
    m.travel_tab = place(travel_tab);
    return m;
  }

};

// A robot's travel time over a straight line of distance_m with a trapezoidal velocity profile:
// accelerate at accel_mps2 to speed_mps, cruise, brake; a triangle when the line is too short
// to reach top speed (distance < v^2 / a): 2 sqrt(d / a).
double trapezoid_time(double distance_m, double speed_mps, double accel_mps2);

// Compiles a validated scene with its run settings (which may differ from scene.run when the
// command line overrides them). `inf_slots` is the ring size of each infinite buffer.
Model compile_model(const Scene& scene, const RunSettings& run, int32_t inf_slots = 1024);

// Whether `m` is plain: only sources, stations, buffers, kinematic conveyors and sinks; each
// routes to one successor; stations with at most operating-time failures (no calendar failures,
// scrap, rework, setups, per-part process times, assembly or split); no shifts, operators or
// robots; every buffer holds at least one part in every variant (engine/model/plain_model.cpp).
bool is_plain(const Model& m);

// Compiles a batch of variants: the structure from variants[0] (the baseline), one parameter
// row per variant. Every variant has the same element graph (the variants block can only
// change numbers, durations and positions).
Model compile_model(const std::vector<Scene>& variants, const RunSettings& run, int32_t inf_slots = 1024);

}  // namespace plantwin
