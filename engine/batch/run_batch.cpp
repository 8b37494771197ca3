#include "engine/batch/run_batch.h"

#include <csignal>

#include "engine/batch/stop_signal.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "engine/model/model.h"
#include "engine/physics/trajectory_record.h"
#include "engine/scene/sha256.h"
#include "engine/stats/oee.h"
#include "engine/stats/percentile.h"
#include "engine/variants/variant_set.h"
#include "kernels/flow/flow_state.h"
#include "kernels/stats/lead_histogram.h"

namespace plantwin {
namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// /variants/params/<path>: each varied parameter's value in every variant.
std::vector<VariantParam> variant_params(const VariantSet& set) {
  std::vector<VariantParam> out;
  for (size_t p = 0; p < set.params.size(); ++p) {
    VariantParam vp;
    vp.name = set.params[p].text;
    vp.unit = set.params[p].unit;
    vp.components = set.params[p].kind == ParamKind::Position ? 3 : 1;
    for (size_t v = 0; v < set.size(); ++v) {
      const ParamValue& x = set.values[v][p];
      if (vp.components == 3) vp.values.insert(vp.values.end(), x.position.begin(), x.position.end());
      else vp.values.push_back(x.value);
    }
    out.push_back(std::move(vp));
  }
  return out;
}

void label(const Scene& scene, const Model& model, const RunSettings& run, BatchResults& r) {
  r.scene_name = scene.name;
  r.scene_text = scene.text;
  r.scene_sha256 = sha256_hex(scene.text);
  r.seed = run.seed;
  r.horizon_s = run.horizon_s;
  r.warmup_s = run.warmup_s;
  r.replications = static_cast<int32_t>(run.replications);
  r.created_utc = utc_now();
  for (const auto& e : scene.elements) {
    r.element_names.push_back(e.name);
    r.element_types.push_back(element_type_name(e.type));
  }
  for (int32_t e : model.stations) r.station_names.push_back(scene.elements[e].name);
  for (int32_t e : model.buffers) r.buffer_names.push_back(scene.elements[e].name);
  for (int32_t e : model.sources) r.source_names.push_back(scene.elements[e].name);
  r.state_names = {"working", "blocked", "starved", "failed", "setup", "waiting_operator", "off_shift"};
  static_assert(flow::kStationStates == 7, "state_names must list every flow::ServerState");
  for (int32_t p = 0; p < model.n_parts; ++p)
    r.part_names.push_back(p < static_cast<int32_t>(scene.parts.size()) ? scene.parts[p].name
                                                                        : "part" + std::to_string(p));
  for (int32_t e : model.pools) r.pool_names.push_back(scene.elements[e].name);
  for (int32_t e : model.robots) r.robot_names.push_back(scene.elements[e].name);
  r.lanes = model.lanes();
}

// Sizes every per-lane vector of `r` for L lanes of `m`.
void size_results(const Model& m, BatchResults& r) {
  const size_t L = static_cast<size_t>(m.lanes());
  const size_t St = static_cast<size_t>(m.n_stations()), B = static_cast<size_t>(m.n_buffers());
  const size_t Q = m.sources.size(), P = static_cast<size_t>(m.n_parts);
  const size_t O = m.pools.size(), R = m.robots.size();
  r.produced.resize(L);
  r.events.resize(L);
  r.deadlock_at_s.resize(L);
  r.throughput_per_h.resize(L);
  r.wip_mean.resize(L);
  r.lead_time_mean_s.resize(L);
  r.state_fraction.resize(L * St * flow::kStationStates);
  r.buffer_mean_level.resize(L * B);
  r.source_released.resize(L * Q);
  r.source_lost.resize(L * Q);
  r.produced_by_part.resize(L * P);
  r.throughput_by_part_per_h.resize(L * P);
  for (auto* v : {&r.lead_time_p50_s, &r.lead_time_p90_s, &r.lead_time_p95_s, &r.lead_time_max_s}) v->resize(L);
  for (auto* v : {&r.station_oee, &r.station_availability, &r.station_performance, &r.station_quality,
                  &r.station_mean_active_period_s, &r.station_active_fraction})
    v->resize(L * St);
  r.station_scrapped.resize(L * St);
  r.station_reworked.resize(L * St);
  r.bottleneck.resize(L);
  r.buffer_max_level.resize(L * B);
  r.operator_utilisation.resize(L * O);
  r.robot_utilisation.resize(L * R);
  if (m.coupling) {
    r.physics_lost.resize(L);
    r.physics_contact_overflow.resize(L);
    r.physics_steps.resize(L);
  }
}

// Turns one chunk's sums into the per-lane KPIs of the results contract.
void store_chunk(const Model& m, int64_t first, const ChunkOutput& c, BatchResults& r) {
  const double H = m.horizon_s;
  const int64_t St = m.n_stations(), B = m.n_buffers(), Q = static_cast<int64_t>(m.sources.size());
  const int64_t E = m.n_elements, K = flow::kStationStates;
  const int64_t P = m.n_parts, O = static_cast<int64_t>(m.pools.size()), R = static_cast<int64_t>(m.robots.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // The ideal cycle times [V][E][P] (OEE's performance); without them performance and OEE are NaN.
  const bool have_ideal = m.ideal_s.size() == static_cast<size_t>(m.n_variants) * E * P;
  for (int64_t i = 0; i < c.lanes; ++i) {
    const int64_t l = first + i;
    const int32_t v = static_cast<int32_t>(l / m.replications);
    r.produced[l] = c.produced[i];
    r.events[l] = c.events[i];
    r.deadlock_at_s[l] = c.stalled_at[i] >= 0 ? c.stalled_at[i] : std::numeric_limits<double>::quiet_NaN();
    r.throughput_per_h[l] = static_cast<double>(c.produced[i]) / H * 3600.0;
    r.wip_mean[l] = c.wip_area[i] / H;
    r.lead_time_mean_s[l] = c.produced[i] > 0 ? c.lead_sum[i] / static_cast<double>(c.produced[i])
                                              : std::numeric_limits<double>::quiet_NaN();
    for (int64_t s = 0; s < St; ++s) {
      double denom = static_cast<double>(m.servers(v, m.stations[s])) * H;
      for (int64_t k = 0; k < K; ++k)
        r.state_fraction[(l * St + s) * K + k] = c.st_acc[(i * St + s) * K + k] / denom;
    }
    for (int64_t b = 0; b < B; ++b) r.buffer_mean_level[l * B + b] = c.buf_area[i * B + b] / H;
    for (int64_t q = 0; q < Q; ++q) {
      r.source_released[l * Q + q] = c.src_released[i * E + m.sources[q]];
      r.source_lost[l * Q + q] = c.src_lost[i * E + m.sources[q]];
    }

    // Factory KPIs.
    for (int64_t p = 0; p < P; ++p) {
      const int64_t n = c.produced_by_part[i * P + p];
      r.produced_by_part[l * P + p] = n;
      r.throughput_by_part_per_h[l * P + p] = static_cast<double>(n) / H * 3600.0;
    }
    const int32_t* hist = c.lead_hist.data() + i * stats::kLeadBins;
    int64_t in_hist = 0;
    for (int b = 0; b < stats::kLeadBins; ++b) in_hist += hist[b];
    const bool any = in_hist > 0;
    r.lead_time_p50_s[l] = lead_time_quantile(hist, 0.50, c.lead_max[i]);
    r.lead_time_p90_s[l] = lead_time_quantile(hist, 0.90, c.lead_max[i]);
    r.lead_time_p95_s[l] = lead_time_quantile(hist, 0.95, c.lead_max[i]);
    r.lead_time_max_s[l] = any ? c.lead_max[i] : nan;
    for (int64_t s = 0; s < St; ++s) {
      const int32_t e = m.stations[s];
      int64_t done = 0;
      double ideal = have_ideal ? 0.0 : nan;
      for (int64_t p = 0; p < P; ++p) {
        const int64_t d = c.st_done[(i * St + s) * P + p];
        done += d;
        if (have_ideal) ideal += static_cast<double>(d) * m.ideal_s[(static_cast<size_t>(v) * E + e) * P + p];
      }
      const int64_t scrap = c.st_scrap[i * St + s], rework = c.st_rework[i * St + s];
      const Oee o = station_oee(&c.st_acc[(i * St + s) * K], static_cast<int>(K), ideal, done, scrap, rework);
      const int64_t ls = l * St + s;
      r.station_oee[ls] = o.oee;
      r.station_availability[ls] = o.availability;
      r.station_performance[ls] = o.performance;
      r.station_quality[ls] = o.quality;
      r.station_scrapped[ls] = scrap;
      r.station_reworked[ls] = rework;
      const int64_t periods = c.st_periods[i * St + s];
      r.station_mean_active_period_s[ls] = periods > 0 ? c.st_active[i * St + s] / static_cast<double>(periods) : nan;
      r.station_active_fraction[ls] = c.st_active[i * St + s] / H;
    }
    r.bottleneck[l] = active_period_bottleneck(c.st_active.data() + i * St, c.st_periods.data() + i * St, St);
    for (int64_t b = 0; b < B; ++b) r.buffer_max_level[l * B + b] = c.buf_max[i * B + b];
    for (int64_t o = 0; o < O; ++o) {
      const double workers = static_cast<double>(m.servers(v, m.pools[o]));
      r.operator_utilisation[l * O + o] = workers > 0 ? c.pool_busy[i * O + o] / (workers * H) : nan;
    }
    for (int64_t k = 0; k < R; ++k) r.robot_utilisation[l * R + k] = c.robot_busy[i * R + k] / H;
    if (m.coupling) {
      r.physics_lost[l] = c.phys_lost[i];
      r.physics_contact_overflow[l] = c.phys_overflow[i];
      r.physics_steps[l] = c.phys_steps[i];
    }
  }
}

// Refuses, before anything runs, trajectories that cannot be recorded.
void check_record_lanes(const Model& m, const BatchOptions& o) {
  if (o.record_lanes.empty()) return;
  if (!m.coupling) throw std::runtime_error("--record-lanes: the scene has no physical conveyor (model: physics) to record");
  for (size_t i = 0; i < o.record_lanes.size(); ++i) {
    const int64_t l = o.record_lanes[i];
    if (l < 0 || l >= m.lanes())
      throw std::runtime_error("--record-lanes: lane " + std::to_string(l) + " is not in this batch (lanes 0.." +
                               std::to_string(m.lanes() - 1) + ")");
    for (size_t j = 0; j < i; ++j)
      if (o.record_lanes[j] == l) throw std::runtime_error("--record-lanes: lane " + std::to_string(l) + " is listed twice");
  }
  const size_t each = physics::trajectory_bytes_bound(m);
  const double total = static_cast<double>(each) * static_cast<double>(o.record_lanes.size());
  if (total > static_cast<double>(o.max_trajectory_bytes))
    throw std::runtime_error("--record-lanes: the trajectories could need " + std::to_string(total / (1 << 20)) +
                             " MiB (a pose per body slot every physics step up to the end of the horizon), more than " +
                             std::to_string(o.max_trajectory_bytes >> 20) +
                             " MiB; record fewer lanes or a shorter --horizon");
}

}  // namespace

BatchResults run_batch(const Scene& scene, const RunSettings& run, Backend& backend, const BatchOptions& options) {
  const VariantSet set = expand_variants(scene);
  const std::vector<Scene> variants = variant_scenes(scene, set);
  int32_t inf_slots = 1024;
  const auto compile = [&] {
    Model m = compile_model(variants, run, inf_slots);
    m.first_replication = static_cast<int32_t>(options.first_replication);
    if (options.general_kernel) m.plain = false;
    return m;
  };
  Model model = compile();
  BatchResults r;
  label(scene, model, run, r);
  r.variant_names = set.names;
  r.variant_params = variant_params(set);
  r.backend = backend.name();
  const int64_t L = model.lanes();
  size_results(model, r);
  if (model.coupling) r.physics_engine = backend.physics_engine();
  check_record_lanes(model, options);

  int64_t done = options.resume ? options.resume(r) : 0;
  if (done < 0 || done > L)
    throw std::runtime_error("resume: " + std::to_string(done) + " lanes done is not within the batch's " +
                             std::to_string(L));
  if (done > 0 && options.progress) options.progress(done, L);
  ChunkOutput out;
  while (done < L) {
    int64_t per_lane = static_cast<int64_t>(std::max<size_t>(1, backend.bytes_per_lane(model)));
    int64_t chunk = std::max<int64_t>(1, static_cast<int64_t>(backend.memory_budget()) / per_lane);
    // Several chunks give progress reports; each is large enough to keep every thread busy.
    chunk = std::min(chunk, std::max<int64_t>(backend.min_chunk_lanes(), (L + 19) / 20));
    if (options.max_chunk_lanes > 0) chunk = std::min(chunk, options.max_chunk_lanes);
    const int64_t g = backend.lane_granularity();
    if (chunk > g) chunk -= chunk % g;
    chunk = std::min(chunk, L - done);
    backend.run(model, done, chunk, out);
    if (std::any_of(out.overflow.begin(), out.overflow.end(), [](uint8_t f) { return f != 0; })) {
      // An infinite buffer held more parts than its ring: give every infinite buffer a larger
      // ring and run this chunk again (the random streams make the rerun identical but for it).
      if (inf_slots >= (1 << 20))
        throw std::runtime_error(
            "an infinite buffer came to hold more than 1048576 parts in one lane: the line is unstable "
            "(parts arrive faster than they are served); give the buffer a finite capacity or slow the source");
      inf_slots *= 4;
      model = compile();
      continue;
    }
    store_chunk(model, done, out, r);
    done += chunk;
    if (options.progress) options.progress(done, L);
    const bool stopping = done < L && stop_signal() != 0;
    if (options.checkpoint) options.checkpoint(r, done, stopping);
    if (stopping)
      throw BatchStopped("stopped by " + std::string(stop_signal() == SIGINT ? "SIGINT" : "SIGTERM") + " after " +
                         std::to_string(done) + " of " + std::to_string(L) + " lanes");
  }
  const PhysicsEngine engine = backend.physics_engine() == "bullet" ? PhysicsEngine::Bullet : PhysicsEngine::Kernel;
  for (int64_t lane : options.record_lanes) r.trajectories.push_back(physics::record_trajectory(model, lane, engine));
  r.bottleneck_share = bottleneck_shares(r.bottleneck, model.n_variants, model.replications, model.n_stations());
  return r;
}

}  // namespace plantwin
