// Scene validation (shared/spec/scene-format.md, "Errors"): every broken scene under
// tests/broken/ is rejected with exactly the diagnostics its "# expect:" lines state, every
// shipped scene validates, and the unit parsers, did-you-mean and conveyor geometry behave.
#include <catch2/catch.hpp>

#include "tests/support.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/scene/diagnostics.h"
#include "engine/scene/scene_loader.h"
#include "engine/scene/units.h"

using namespace plantwin;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The "# expect: " lines of the comment block a broken scene starts with, in file order.
std::vector<std::string> expected_diagnostics(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  const std::string tag = "# expect: ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#", 0) != 0) break;  // the header ends at the first non-comment line
    if (line.rfind(tag, 0) == 0) out.push_back(line.substr(tag.size()));
  }
  return out;
}

// Error diagnostics sorted by position, formatted without the "FILE:" prefix.
std::vector<std::string> actual_errors(const LoadResult& r, const std::string& path) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.sorted()) {
    if (d.severity != Severity::Error) continue;
    std::string text = d.format();
    const std::string prefix = path + ":";
    if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
    out.push_back(text);
  }
  return out;
}

std::string all_diagnostics(const LoadResult& r) {
  std::string all;
  for (const auto& d : r.diagnostics.sorted()) all += d.format() + "\n";
  return all;
}

Scene load_ok(const std::string& yaml) {
  LoadResult r = load_scene_text(yaml, "test.yaml");
  INFO(all_diagnostics(r));
  REQUIRE(r.scene);
  return *r.scene;
}

const Element& element(const Scene& s, const std::string& name) {
  int i = s.find_element(name);
  REQUIRE(i >= 0);
  return s.elements[static_cast<size_t>(i)];
}

const std::string kHeader = "plantwin: 1\nname: t\nrun:\n  horizon: 1h\n";

}  // namespace

TEST_CASE("every broken scene reports exactly its expected diagnostics", "[validation]") {
  const fs::path dir = fs::path(plantwin::test::source_dir()) / "tests" / "broken";
  const auto files = yaml_files(dir);
  REQUIRE(files.size() >= 20);
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      const std::vector<std::string> expected = expected_diagnostics(file);
      {
        INFO("a broken scene must state at least one '# expect:' line");
        REQUIRE(!expected.empty());
      }
      LoadResult r = load_scene_file(file.string());
      CHECK_FALSE(r.scene.has_value());
      CHECK(r.diagnostics.error_count() == static_cast<int>(expected.size()));
      CHECK(actual_errors(r, file.string()) == expected);
    }
  }
}

TEST_CASE("every shipped scene validates without errors", "[validation]") {
  const auto files = yaml_files(fs::path(plantwin::test::source_dir()) / "scenes");
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      LoadResult r = load_scene_file(file.string());
      INFO(all_diagnostics(r));
      CHECK(r.diagnostics.error_count() == 0);
      CHECK(r.scene.has_value());
    }
  }
}

TEST_CASE("every example's scene validates without errors", "[validation]") {
  const fs::path examples = fs::path(plantwin::test::source_dir()) / "examples";
  int n = 0;
  for (const auto& dir : fs::directory_iterator(examples)) {
    if (!dir.is_directory()) continue;
    for (const auto& file : yaml_files(dir.path())) {
      ++n;
      LoadResult r = load_scene_file(file.string());
      INFO(file.string() << "\n" << all_diagnostics(r));
      CHECK(r.scene.has_value());
    }
  }
  CHECK(n >= 2);
}

TEST_CASE("a missing scene file is reported at line 0, not thrown", "[validation]") {
  LoadResult r = load_scene_file("/nonexistent/plantwin/scene.yaml");
  CHECK_FALSE(r.scene);
  REQUIRE(r.diagnostics.error_count() == 1);
  CHECK(r.diagnostics.items[0].loc.line == 0);
  CHECK(r.diagnostics.items[0].message.find("cannot open") != std::string::npos);
}

TEST_CASE("parse_duration accepts the documented units", "[validation][units]") {
  CHECK(parse_duration("90").value() == 90.0);
  CHECK(parse_duration("90s").value() == 90.0);
  CHECK(parse_duration("2.5min").value() == 150.0);
  CHECK(parse_duration("8h").value() == 8 * 3600.0);
  CHECK(parse_duration("1d").value() == 86400.0);
  CHECK(parse_duration("250ms").value() == Approx(0.25).epsilon(1e-15));
  CHECK(parse_duration("30 s").value() == 30.0);
  CHECK(parse_duration("1.5 h").value() == 5400.0);
  CHECK(parse_duration("-5s").value() == -5.0);  // the sign is judged by the caller
  CHECK(parse_duration("1e3ms").value() == Approx(1.0).epsilon(1e-15));
}

TEST_CASE("parse_duration rejects what is not a finite duration", "[validation][units]") {
  for (const char* bad : {"nan", "inf", "-inf", ".nan", ".inf", "1e999", "1e999s", "5 parsecs", "", "s", "ms",
                          "min", "h", "5 m", "5sec", "5 hours", "5h30min", "abc", "0x10", " 30s", "nans", "infs"}) {
    INFO("text: '" << bad << "'");
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("parse_number accepts plain finite decimals only", "[validation][units]") {
  CHECK(parse_number("12").value() == 12.0);
  CHECK(parse_number("-0.5").value() == -0.5);
  CHECK(parse_number("+3").value() == 3.0);
  CHECK(parse_number("1e3").value() == 1000.0);
  CHECK(parse_number("2.5E-1").value() == 0.25);
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity", ".nan", ".inf", "1e999", "-1e999", "", "0x10",
                          "12abc", "12 ", " 12", "1,5", "e", ".", "-"}) {
    INFO("text: '" << bad << "'");
    CHECK_FALSE(parse_number(bad).has_value());
  }
}

TEST_CASE("parse_integer accepts whole numbers in range only", "[validation][units]") {
  CHECK(parse_integer("42").value() == 42);
  CHECK(parse_integer("-7").value() == -7);
  CHECK(parse_integer("+3").value() == 3);
  CHECK(parse_integer("0").value() == 0);
  CHECK(parse_integer("9223372036854775807").value() == 9223372036854775807LL);
  CHECK(parse_integer("-9223372036854775808").value() == (-9223372036854775807LL - 1));
  for (const char* bad : {"3.0", "2.5", "1e3", "", "-", "+", "nan", "inf", "9223372036854775808",
                          "-9223372036854775809", "12 ", " 12", "0x10", "5 parts"}) {
    INFO("text: '" << bad << "'");
    CHECK_FALSE(parse_integer(bad).has_value());
  }
}

TEST_CASE("did_you_mean suggests close words and nothing for unrelated ones", "[validation]") {
  const std::vector<std::string> top = {"plantwin", "name", "description", "run", "parts", "elements", "variants",
                                        "physics"};
  const std::vector<std::string> types = {"source", "station", "buffer", "conveyor", "sink"};
  CHECK(did_you_mean("elemnts", top) == "elements");
  CHECK(did_you_mean("descripton", top) == "description");
  CHECK(did_you_mean("varients", top) == "variants");
  CHECK(did_you_mean("staton", types) == "station");
  CHECK(did_you_mean("conveyer", types) == "conveyor");
  CHECK(did_you_mean("buffer", types) == "buffer");
  CHECK(did_you_mean("robot", types) == "");
  CHECK(did_you_mean("zzzzzzzz", top) == "");
  CHECK(did_you_mean("anything", {}) == "");
}

TEST_CASE("conveyor length comes from length, path, or positions", "[validation][conveyor]") {
  SECTION("length given") {
    Scene s = load_ok(kHeader + "elements:\n"
                                "  src: {type: source, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, length: 4.5, to: done, at: [0, 0, 0]}\n"
                                "  done: {type: sink, at: [3, 4, 0]}\n");
    CHECK(element(s, "c1").length_m == 4.5);  // 'length' wins over positions
  }
  SECTION("path: the sum of its segments") {
    Scene s = load_ok(kHeader + "elements:\n"
                                "  src: {type: source, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, path: [[0, 0, 1], [3, 0, 1], [3, 4, 1]],\n"
                                "       to: done}\n"
                                "  done: {type: sink}\n");
    CHECK(element(s, "c1").length_m == Approx(7.0).epsilon(1e-12));
  }
  SECTION("path: a 3-4-5 diagonal, then a 3-4-12-13 slope") {
    Scene s = load_ok(kHeader + "elements:\n"
                                "  src: {type: source, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, path: [[1, 1, 0], [4, 5, 0], [7, 9, 12]],\n"
                                "       to: done}\n"
                                "  done: {type: sink}\n");
    CHECK(element(s, "c1").length_m == Approx(18.0).epsilon(1e-12));
  }
  SECTION("positions: the distance from its own 'at' to the 'at' of its 'to'") {
    Scene s = load_ok(kHeader + "elements:\n"
                                "  src: {type: source, to: c1, at: [-9, -9, 0]}\n"
                                "  c1: {type: conveyor, speed: 0.5, to: m1, at: [1, 2, 0.5]}\n"
                                "  m1: {type: station, process: 30s, to: c2, at: [4, 6, 0.5]}\n"
                                "  c2: {type: conveyor, speed: 0.5, to: done, at: [0, 0, 0]}\n"
                                "  done: {type: sink, at: [2, 3, 6]}\n");
    CHECK(element(s, "c1").length_m == Approx(5.0).epsilon(1e-12));  // 3-4-5 in the plane
    CHECK(element(s, "c2").length_m == Approx(7.0).epsilon(1e-12));  // 2-3-6-7 in space
  }
  SECTION("positions that coincide are an error") {
    LoadResult r = load_scene_text(kHeader + "elements:\n"
                                             "  src: {type: source, to: c1}\n"
                                             "  c1: {type: conveyor, speed: 0.5, to: done, at: [1, 1, 0]}\n"
                                             "  done: {type: sink, at: [1, 1, 0]}\n",
                                   "t.yaml");
    CHECK_FALSE(r.scene);
    REQUIRE(r.diagnostics.error_count() == 1);
    CHECK(r.diagnostics.items[0].message.find("zero") != std::string::npos);
  }
  SECTION("no 'at' on the element it feeds is an error") {
    LoadResult r = load_scene_text(kHeader + "elements:\n"
                                             "  src: {type: source, to: c1}\n"
                                             "  c1: {type: conveyor, speed: 0.5, to: done, at: [1, 1, 0]}\n"
                                             "  done: {type: sink}\n",
                                   "t.yaml");
    CHECK_FALSE(r.scene);
    REQUIRE(r.diagnostics.error_count() == 1);
    CHECK(r.diagnostics.items[0].message.find("no length") != std::string::npos);
  }
}

TEST_CASE("conveyor spacing defaults to the longest side of the part, else 0.5 m", "[validation][conveyor]") {
  SECTION("no part sizes: 0.5 m") {
    Scene s = load_ok(kHeader + "elements:\n"
                                "  src: {type: source, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, length: 4, to: done}\n"
                                "  done: {type: sink}\n");
    CHECK(element(s, "c1").spacing_m == 0.5);
  }
  SECTION("a declared part without size: 0.5 m") {
    Scene s = load_ok(kHeader + "parts:\n  blob: {mass: 2}\n"
                                "elements:\n"
                                "  src: {type: source, part: blob, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, length: 4, to: done}\n"
                                "  done: {type: sink}\n");
    CHECK(element(s, "c1").spacing_m == 0.5);
  }
  SECTION("the longest side of the part that travels on it, also downstream of a station") {
    Scene s = load_ok(kHeader + "parts:\n  bottle: {size: [0.08, 0.08, 0.25], mass: 0.4}\n"
                                "elements:\n"
                                "  src: {type: source, part: bottle, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, length: 4, to: m1}\n"
                                "  m1: {type: station, process: 30s, to: c2}\n"
                                "  c2: {type: conveyor, speed: 0.5, length: 2, to: done}\n"
                                "  done: {type: sink}\n");
    CHECK(element(s, "c1").spacing_m == 0.25);
    CHECK(element(s, "c2").spacing_m == 0.25);
  }
  SECTION("several parts meeting on one conveyor: the longest side of any") {
    Scene s = load_ok(kHeader + "parts:\n"
                                "  bottle: {size: [0.08, 0.08, 0.25]}\n"
                                "  crate: {size: [0.3, 0.2, 0.15]}\n"
                                "elements:\n"
                                "  s1: {type: source, part: bottle, to: b1}\n"
                                "  s2: {type: source, part: crate, to: c1}\n"
                                "  b1: {type: buffer, capacity: 2, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, length: 4, to: done}\n"
                                "  done: {type: sink}\n");
    CHECK(element(s, "c1").spacing_m == 0.3);
  }
  SECTION("an explicit spacing is kept") {
    Scene s = load_ok(kHeader + "parts:\n  bottle: {size: [0.08, 0.08, 0.25]}\n"
                                "elements:\n"
                                "  src: {type: source, part: bottle, to: c1}\n"
                                "  c1: {type: conveyor, speed: 0.5, length: 4, spacing: 0.4, to: done}\n"
                                "  done: {type: sink}\n");
    CHECK(element(s, "c1").spacing_m == 0.4);
  }
}

TEST_CASE("elements keep the order of the YAML map", "[validation]") {
  Scene s = load_ok(kHeader + "elements:\n"
                              "  zeta: {type: source, to: mid}\n"
                              "  done: {type: sink}\n"
                              "  mid: {type: station, process: 30s, to: alpha}\n"
                              "  alpha: {type: buffer, capacity: 2, to: b}\n"
                              "  b: {type: station, process: 20s, to: done}\n");
  std::vector<std::string> names;
  for (const auto& e : s.elements) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"zeta", "done", "mid", "alpha", "b"});
  CHECK(s.elements[0].succ == 2);
  CHECK(s.elements[2].succ == 3);
  CHECK(s.elements[3].succ == 4);
  CHECK(s.elements[4].succ == 1);
  CHECK(s.elements[1].succ == -1);
}

TEST_CASE("a rejected element does not cascade into errors where it is named", "[validation]") {
  // m1 is declared but rejected (no type): src's 'to: m1' must not be reported as well.
  LoadResult r = load_scene_text(kHeader + "elements:\n"
                                           "  src: {type: source, to: m1}\n"
                                           "  m1: {process: 30s, to: done}\n"
                                           "  done: {type: sink}\n",
                                 "t.yaml");
  CHECK_FALSE(r.scene);
  INFO(all_diagnostics(r));
  REQUIRE(r.diagnostics.error_count() == 1);
  CHECK(r.diagnostics.items[0].message.find("'type' is missing") != std::string::npos);
}
