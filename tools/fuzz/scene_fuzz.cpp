// libFuzzer target over scene files: a scene is the one input plantwin takes from people, so
// no text at all may crash, hang or leak the loader. Each input goes the way `plantwin validate`
// takes a file (parse, check, every variant applied and checked, diagnostics sorted and
// formatted) and, when it loads cleanly, the way `plantwin run` goes before it simulates
// (variants expanded and applied, the batch's model compiled). Nothing is simulated, so each
// input stays fast. Built and run by tools/fuzz-scenes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/model/model.h"
#include "engine/scene/scene_loader.h"
#include "engine/scene/units.h"
#include "engine/variants/variant_set.h"

namespace {

// The variants compiled into one model per input: enough to reach every per-variant column,
// few enough that compiling stays a small part of an input's time.
constexpr size_t kMaxCompiledVariants = 64;

// A valid scene may ask for up to a million variants, and the loader checks every one: seconds
// of honest work, which libFuzzer would call a hang (-timeout). Such inputs are skipped: the
// variants block's own size (cases + sweep product + sample count, read as the loader reads
// it) above this, measured before loading. Fewer variants than this load in a second or two here.
constexpr double kMaxVariantsPerInput = 10000;

// The number a scalar holds (e.g. "1000", "1e6"), or `otherwise`.
double number_in(const YAML::Node& n, double otherwise) {
  if (!n || !n.IsScalar()) return otherwise;
  const std::string& t = n.Scalar();
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  return end != t.c_str() ? v : otherwise;
}

// How many variants the `variants:` block of `text` asks for, at most (0 when it cannot tell:
// then the loader will refuse the block or the file without expanding it).
double variants_asked(const std::string& text) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap() || !root["variants"] || !root["variants"].IsMap()) return 0;
    const YAML::Node v = root["variants"];
    double n = 1;
    if (v["cases"] && v["cases"].IsSequence()) n += static_cast<double>(v["cases"].size());
    if (v["sweep"] && v["sweep"].IsMap()) {
      double product = 1;
      for (const auto& axis : v["sweep"]) {
        const YAML::Node values = axis.second;
        if (values.IsSequence()) product *= static_cast<double>(values.size());
        if (values.IsMap()) product *= std::max(1.0, number_in(values["steps"], 1));
      }
      n += product;
    }
    if (v["sample"] && v["sample"].IsMap()) n += std::max(0.0, number_in(v["sample"]["count"], 0));
    return n;
  } catch (...) {  // not YAML at all, too deep, ...: the loader says so, with nothing to expand
    return 0;
  }
}

// A broken promise of the loader's contract is a finding too: abort, so libFuzzer keeps the input.
void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "scene_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace pw = plantwin;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (variants_asked(text) > kMaxVariantsPerInput) return -1;  // not kept in the corpus either
  pw::LoadResult lr = pw::load_scene_text(text, "fuzz.yaml");

  // What validate prints.
  size_t printed = 0;
  for (const auto& d : lr.diagnostics.sorted()) printed += d.format().size();
  require(lr.scene.has_value() != lr.diagnostics.has_errors(), "a scene is kept exactly when it has no errors");
  if (!lr.scene) {
    require(printed > 0, "a refused scene says why");
    return 0;
  }
  const pw::Scene& scene = *lr.scene;
  printed += pw::format_duration(scene.run.horizon_s).size();
  if (!pw::run_length_problem(scene.run).empty()) return 0;

  // What run does before simulating: the scene of every variant, then one model for the batch.
  const std::vector<pw::Scene> variants = pw::variant_scenes(scene, pw::expand_variants(scene), kMaxCompiledVariants);
  pw::RunSettings one = scene.run;
  one.replications = 1;
  const pw::Model model = pw::compile_model(variants, one);
  require(model.lanes() == static_cast<int64_t>(variants.size()), "one lane per variant and replication");
  return 0;
}
