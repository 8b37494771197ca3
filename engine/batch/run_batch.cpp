#include "engine/batch/run_batch.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "engine/model/model.h"
#include "engine/scene/sha256.h"
#include "engine/variants/variant_set.h"
#include "kernels/flow/flow_state.h"

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
  r.state_names = {"working", "blocked", "starved", "failed"};
  r.lanes = model.lanes();
}

// Turns one chunk's sums into the per-lane KPIs of the results contract.
void store_chunk(const Model& m, int64_t first, const ChunkOutput& c, BatchResults& r) {
  const double H = m.horizon_s;
  const int64_t St = m.n_stations(), B = m.n_buffers(), Q = static_cast<int64_t>(m.sources.size());
  const int64_t E = m.n_elements, K = flow::kStationStates;
  for (int64_t i = 0; i < c.lanes; ++i) {
    const int64_t l = first + i;
    const int32_t v = static_cast<int32_t>(l / m.replications);
    r.produced[l] = c.produced[i];
    r.events[l] = c.events[i];
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
  }
}

}  // namespace

BatchResults run_batch(const Scene& scene, const RunSettings& run, Backend& backend, const BatchOptions& options) {
  // The loader has checked every variant (apply_variant reports nothing new here).
  const VariantSet set = expand_variants(scene);
  std::vector<Scene> variants;
  Diagnostics unused;
  for (size_t v = 0; v < set.size(); ++v) variants.push_back(apply_variant(scene, set, v, unused));
  int32_t inf_slots = 1024;
  Model model = compile_model(variants, run, inf_slots);
  model.first_replication = static_cast<int32_t>(options.first_replication);
  BatchResults r;
  label(scene, model, run, r);
  r.variant_names = set.names;
  r.variant_params = variant_params(set);
  r.backend = backend.name();
  const int64_t L = model.lanes();
  const int64_t St = model.n_stations(), B = model.n_buffers(), Q = static_cast<int64_t>(model.sources.size());
  r.produced.resize(L);
  r.events.resize(L);
  r.throughput_per_h.resize(L);
  r.wip_mean.resize(L);
  r.lead_time_mean_s.resize(L);
  r.state_fraction.resize(static_cast<size_t>(L * St * flow::kStationStates));
  r.buffer_mean_level.resize(static_cast<size_t>(L * B));
  r.source_released.resize(static_cast<size_t>(L * Q));
  r.source_lost.resize(static_cast<size_t>(L * Q));

  ChunkOutput out;
  int64_t done = 0;
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
      model = compile_model(variants, run, inf_slots);
      model.first_replication = static_cast<int32_t>(options.first_replication);
      continue;
    }
    store_chunk(model, done, out, r);
    done += chunk;
    if (options.progress) options.progress(done, L);
  }
  return r;
}

}  // namespace plantwin
