// The plain instantiation of the flow kernel (LaneSim<..., kPlain = true>, chosen by is_plain)
// against the general one: on every plain scene shipped, and on variants, every byte of every
// lane's state after the run is the same. The general instantiation is the
// reference the rest of the suite checks against closed forms and SimPy; the plain one only
// leaves out code that a plain model never reaches, and this is where that claim is tested.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "engine/backend/chunk_extract.h"
#include "engine/model/model.h"
#include "engine/scene/scene_loader.h"
#include "engine/variants/variant_set.h"
#include "kernels/flow/lane_sim.h"
#include "tests/support.h"

using namespace plantwin;
using plantwin::test::scene_from_text;

namespace {

Model compile_all(const Scene& scene, int64_t replications) {
  RunSettings run = scene.run;
  run.replications = replications;
  return compile_model(variant_scenes(scene, expand_variants(scene)), run);
}

struct Free {
  void operator()(unsigned char* p) const { ::operator delete(p, std::align_val_t(64)); }
};
using Blob = std::unique_ptr<unsigned char, Free>;

// Every lane's whole state after the run, with the plain instantiation or the general one, by
// the kernel the cpu backend launches (blocked: a block per lane) or the cuda backend's
// (FlowLaneKernel: rows interleaved over the lanes).
std::vector<unsigned char> run_state(const Model& model, bool plain, bool blocked) {
  const int64_t L = model.lanes();
  flow::FlowStateLayout layout = state_layout(model, blocked ? 1 : L);
  const size_t bytes = layout.bytes * static_cast<size_t>(blocked ? L : 1);
  Blob blob(static_cast<unsigned char*>(::operator new(bytes, std::align_val_t(64))));
  std::memset(blob.get(), 0, bytes);  // padding compares equal too
  flow::FlowModel view = model.view();
  view.plain = plain;
  for (int64_t l = 0; l < L; ++l) {
    if (blocked) flow::FlowLaneBlockKernel{view, layout, blob.get(), 0}(l);
    else flow::FlowLaneKernel{view, layout.bind(blob.get()), 0}(l);
  }
  return std::vector<unsigned char>(blob.get(), blob.get() + bytes);
}

const std::string kLine =
    "plantwin: 1\nname: plain-test\n"
    "run: {horizon: 4h, warmup: 10min, replications: 4, seed: 7}\n"
    "elements:\n"
    "  src: {type: source, to: m1}\n"
    "  m1: {type: station, process: {exponential: 50s}, failures: {mtbf: {exponential: 1h}, mttr: {exponential: 5min}}, to: b1}\n"
    "  b1: {type: buffer, capacity: 2, to: m2}\n"
    "  m2: {type: station, process: {lognormal: {mean: 55s, cv: 0.3}}, capacity: 2, to: done}\n"
    "  done: {type: sink}\n";

}  // namespace

TEST_CASE("plain kernel: every byte of every lane equals the general kernel's on the shipped plain scenes", "[plain]") {
  namespace fs = std::filesystem;
  int plain = 0, general = 0;
  std::vector<fs::path> files;
  for (const char* dir : {"scenes", "examples"})
    for (const auto& f : fs::recursive_directory_iterator(fs::path(test::source_dir()) / dir))
      if (f.path().extension() == ".yaml" && f.path().string().find("physics") == std::string::npos)
        files.push_back(f.path());
  for (const auto& path : files) {
    LoadResult r = load_scene_file(path.string());
    if (!r.scene) continue;  // the examples' deliberately broken scenes, if any
    INFO(path.string());
    Model model = compile_all(*r.scene, 3);
    if (!model.plain) {
      ++general;
      continue;
    }
    ++plain;
    std::vector<unsigned char> a = run_state(model, true, true), b = run_state(model, false, true);
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size()) == 0);
  }
  INFO(plain << " plain scenes, " << general << " general");
  // ten-station-line, two-station-line and the examples' lines are plain; the factory scenes not.
  CHECK(plain >= 4);
  CHECK(general >= 2);
}

TEST_CASE("plain kernel: the same bytes with variants, and in the cuda backend's interleaved layout", "[plain]") {
  Scene scene = scene_from_text(kLine +
                                "variants:\n  cases:\n    - {name: big, set: {b1.capacity: 6, m2.capacity: 1}}\n"
                                "    - {name: slow, set: {m1.process.mean: 70s, m1.failures.mttr.mean: 9min}}\n");
  Model model = compile_all(scene, 5);
  REQUIRE(model.plain);
  REQUIRE(model.lanes() == 15);
  CHECK(run_state(model, true, true) == run_state(model, false, true));
  CHECK(run_state(model, true, false) == run_state(model, false, false));
  // And the run did something: parts were produced in every lane.
  BatchResults r = test::run_cpu(scene);
  for (int64_t l = 0; l < r.lanes; ++l) CHECK(r.produced[l] > 100);
}

TEST_CASE("plain kernel: any factory object makes a model general", "[plain]") {
  auto with = [](const std::string& from, const std::string& to) {
    std::string t = kLine;
    size_t at = t.find(from);
    REQUIRE(at != std::string::npos);
    return t.replace(at, from.size(), to);
  };
  CHECK(compile_all(scene_from_text(kLine), 1).plain);
  struct Case { const char* what; std::string text; };
  const Case cases[] = {
      {"a shift calendar", "shifts: {period: 24h, work: [[6h, 14h]]}\n" + kLine},
      {"a zero-capacity buffer", with("capacity: 2, to: m2", "capacity: 0, to: m2")},
      {"a zero-capacity buffer in one variant only", kLine + "variants:\n  cases:\n    - {name: none, set: {b1.capacity: 0}}\n"},
      {"calendar failures", with("mttr: {exponential: 5min}}", "mttr: {exponential: 5min}, basis: calendar}")},
      {"routing", with("  src: {type: source, to: m1}", "  src: {type: source, to: [m1, b1], routing: round_robin}")},
      {"scrap", with("to: b1}", "scrap: 0.1, to: b1}")},
      {"a setup", with("to: b1}", "setup: 5s, to: b1}")},
      {"operators", with("to: b1}", "operators: {process: crew}, to: b1}") + "  crew: {type: operators, count: 1}\n"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK_FALSE(compile_all(scene_from_text(c.text), 1).plain);
  }
}
