// expand_variants: the variant list of a batch (docs/scene-format.md, "Variants").
//
// Order: baseline, cases (as listed), the sweep's cartesian product (the first listed axis
// varies slowest, like nested loops written in listing order), samples. Names: the case name;
// "path=value,path=value" for sweep points (format_param_value); "sample-1".."sample-N".
//
// Sample designs are reproducible: the draws for sample range r come from the Philox stream
// keyed by run.seed with rep = 0xFFFFFFFF (no replication uses it), element = r (the range's
// index in `sample.ranges`, so adding a case or a sweep axis does not change the design) and
// purpose = 0x5A; one stream per range, read sequentially from draw 0. uniform: N draws, one
// per sample. lhs: N-1 draws shuffle the strata (Fisher-Yates, last index first), then N
// draws place each sample within its stratum.
#include <cmath>

#include "engine/variants/param_access.h"
#include "engine/variants/variant_set.h"
#include "kernels/rng/uniform_stream.h"

namespace plantwin {

namespace {

constexpr uint32_t kDesignRep = 0xFFFFFFFFu;
constexpr uint32_t kDesignPurpose = 0x5A;

// The sample values of one range: count values in [lo, hi].
std::vector<double> sample_range(const SampleSpec& s, size_t r, uint64_t seed) {
  const SampleRange& rg = s.ranges[r];
  const size_t n = static_cast<size_t>(s.count);
  uint32_t draw = 0;
  UniformStream u = make_stream(seed, kDesignRep, static_cast<uint32_t>(r), kDesignPurpose, &draw);
  std::vector<double> out(n);
  if (!s.lhs) {
    for (auto& x : out) x = rg.lo + (rg.hi - rg.lo) * u.next();
  } else {
    std::vector<size_t> stratum(n);
    for (size_t i = 0; i < n; ++i) stratum[i] = i;
    for (size_t i = n; i-- > 1;) {
      size_t j = static_cast<size_t>(u.next() * static_cast<double>(i + 1));
      std::swap(stratum[i], stratum[j < i ? j : i]);
    }
    for (size_t i = 0; i < n; ++i)
      out[i] = rg.lo + (rg.hi - rg.lo) * ((static_cast<double>(stratum[i]) + u.next()) / static_cast<double>(n));
  }
  if (rg.path.kind == ParamKind::Count)
    for (auto& x : out) x = std::round(x);
  return out;
}

}  // namespace

VariantSet expand_variants(const Scene& scene) {
  VariantSet set;
  const VariantsSpec& vs = scene.variants;
  auto index_of = [&](const ParamPath& p) -> size_t {
    for (size_t i = 0; i < set.params.size(); ++i)
      if (same_param(set.params[i], p)) return i;
    set.params.push_back(p);
    return set.params.size() - 1;
  };
  for (const auto& c : vs.cases)
    for (const auto& kv : c.set) index_of(kv.first);
  for (const auto& ax : vs.sweep) index_of(ax.path);
  if (vs.sample)
    for (const auto& r : vs.sample->ranges) index_of(r.path);

  std::vector<ParamValue> base;
  for (const auto& p : set.params) base.push_back(read_param(scene, p));
  auto add = [&](std::string name) -> std::vector<ParamValue>& {
    set.names.push_back(std::move(name));
    set.values.push_back(base);
    return set.values.back();
  };
  add("baseline");

  for (const auto& c : vs.cases) {
    auto& row = add(c.name);
    for (const auto& kv : c.set) row[index_of(kv.first)] = kv.second;
  }

  if (!vs.sweep.empty()) {
    size_t total = 1;
    for (const auto& ax : vs.sweep) total *= ax.values.size();
    std::vector<size_t> at(vs.sweep.size(), 0);  // the current point, last axis fastest
    for (size_t k = 0; k < total; ++k) {
      std::string name;
      std::vector<ParamValue> row = base;
      for (size_t a = 0; a < vs.sweep.size(); ++a) {
        const SweepAxis& ax = vs.sweep[a];
        const ParamValue& v = ax.values[at[a]];
        row[index_of(ax.path)] = v;
        name += (a ? "," : "") + ax.path.text + "=" + format_param_value(ax.path, v);
      }
      add(name) = std::move(row);
      for (size_t a = vs.sweep.size(); a-- > 0;) {
        if (++at[a] < vs.sweep[a].values.size()) break;
        at[a] = 0;
      }
    }
  }

  if (vs.sample) {
    const SampleSpec& s = *vs.sample;
    std::vector<std::vector<double>> cols;
    for (size_t r = 0; r < s.ranges.size(); ++r) cols.push_back(sample_range(s, r, scene.run.seed));
    for (int64_t i = 0; i < s.count; ++i) {
      auto& row = add("sample-" + std::to_string(i + 1));
      for (size_t r = 0; r < s.ranges.size(); ++r) {
        ParamValue& v = row[index_of(s.ranges[r].path)];
        v.value = cols[r][static_cast<size_t>(i)];
        v.loc = s.ranges[r].path.loc;
      }
    }
  }
  return set;
}

}  // namespace plantwin
