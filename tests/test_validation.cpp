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

// ---- Factory objects (docs/scene-format.md, section 12): each key lands in its field. ----

TEST_CASE("element_type_name names the factory objects", "[validation][factory]") {
  CHECK(std::string(element_type_name(ElementType::Assembly)) == "assembly");
  CHECK(std::string(element_type_name(ElementType::Split)) == "split");
  CHECK(std::string(element_type_name(ElementType::Operators)) == "operators");
  CHECK(std::string(element_type_name(ElementType::Robot)) == "robot");
}

TEST_CASE("routing: to lists, the four rules, weights and part routes; sources with a mix or a sequence",
          "[validation][factory]") {
  Scene s = plantwin::test::scene_from_text(
      kHeader + "parts:\n  a: {}\n  b: {size: [0.3, 0.2, 0.1]}\n"
                "elements:\n"
                "  src: {type: source, interarrival: 1min, mix: {a: 3, b: 1}, to: [m1, m2, m3], routing: probability,\n"
                "        weights: [1, 1, 2]}\n"
                "  src2: {type: source, interarrival: 2min, sequence: [b, a, a], to: m1}\n"
                "  m1: {type: station, process: {by_part: {a: 30s, b: {exponential: 40s}}}, to: [b1, b2],\n"
                "       routing: round_robin}\n"
                "  m2: {type: station, process: 20s, to: [b1, b2], routing: shortest_queue}\n"
                "  m3: {type: station, process: 20s, to: [b1, b2], routing: by_part, part_routes: {a: b2, b: b1}}\n"
                "  b1: {type: buffer, capacity: 2, to: done}\n"
                "  b2: {type: buffer, capacity: 2, to: [done], routing: round_robin}\n"
                "  done: {type: sink}\n");
  const int m1 = s.find_element("m1"), m2 = s.find_element("m2"), m3 = s.find_element("m3");
  const int b1 = s.find_element("b1"), b2 = s.find_element("b2"), done = s.find_element("done");
  const Element& src = element(s, "src");
  CHECK(src.to == std::vector<int>{m1, m2, m3});
  CHECK(src.succ == m1);
  CHECK(src.routing == Routing::Probability);
  CHECK(src.weights == std::vector<double>{0.25, 0.25, 0.5});
  CHECK(src.mix == std::vector<double>{0.75, 0.25});
  CHECK(src.part == 0);
  CHECK(src.sequence.empty());
  const Element& src2 = element(s, "src2");
  CHECK(src2.sequence == std::vector<int>{1, 0, 0});
  CHECK(src2.part == 1);  // the first of the sequence
  CHECK(src2.mix.empty());
  CHECK(src2.routing == Routing::Single);
  CHECK(src2.to == std::vector<int>{m1});
  CHECK(element(s, "m1").routing == Routing::RoundRobin);
  REQUIRE(element(s, "m1").process_by_part.size() == 2);
  CHECK(element(s, "m1").process_by_part[0].family == DistFamily::Constant);
  CHECK(element(s, "m1").process_by_part[0].value == 30);
  CHECK(element(s, "m1").process_by_part[1].family == DistFamily::Exponential);
  CHECK(element(s, "m1").process_by_part[1].mean == 40);
  CHECK(element(s, "m2").routing == Routing::ShortestQueue);
  CHECK(element(s, "m2").process_by_part.empty());
  CHECK(element(s, "m3").routing == Routing::ByPart);
  CHECK(element(s, "m3").part_routes == std::vector<int>{b2, b1});
  CHECK(element(s, "b1").routing == Routing::Single);
  CHECK(element(s, "b1").to == std::vector<int>{done});
  CHECK(element(s, "b2").routing == Routing::Single);  // one successor: the routing is moot
  CHECK(element(s, "b2").succ == done);
  CHECK(element(s, "done").succ == -1);
  CHECK(element(s, "done").to.empty());
  // Without calendars every element is always working.
  for (const auto& e : s.elements) CHECK(e.shift == -1);
}

TEST_CASE("station keys: setups, scrap, rework, failure modes, operators and shifts", "[validation][factory]") {
  Scene s = plantwin::test::scene_from_text(
      kHeader + "parts:\n  a: {}\n  b: {}\n"
                "shifts:\n  period: 24h\n  work: [[14h, 22h], [6h, 14h]]\n  breaks: [[10h, 10.5h], [21h, 23h]]\n"
                "elements:\n"
                "  src: {type: source, interarrival: 1min, mix: {a: 1, b: 1}, to: m0}\n"
                "  m0: {type: station, process: 10s, setup: 2min, shift: always, operators: {setup: crew}, to: m1}\n"
                "  m1: {type: station, process: 30s, capacity: 2, setup: {table: {a: {b: 2min}, b: {a: {exponential: 1min}}}},\n"
                "       scrap: 0.02, rework: {p: 0.05, to: m0}, operators: {process: crew, repair: crew},\n"
                "       failures: [{name: jam, mtbf: 2h, mttr: 5min},\n"
                "                  {mtbf: 8h, mttr: 30min, basis: calendar, repair_by: fitters}],\n"
                "       to: m2}\n"
                "  m2: {type: station, process: 20s, failures: {mtbf: 1h, mttr: 2min, basis: calendar},\n"
                "       shift: {period: 8h, work: [[0h, 4h]]}, to: b1}\n"
                "  b1: {type: buffer, capacity: 2, to: done}\n"
                "  done: {type: sink}\n"
                "  crew: {type: operators, count: 3}\n"
                "  fitters: {type: operators, count: 1, at: [1, 2, 3]}\n");
  const int m0 = s.find_element("m0"), crew = s.find_element("crew"), fitters = s.find_element("fitters");
  REQUIRE(s.calendars.size() == 2);
  CHECK(s.plant_shift == 0);
  CHECK(s.calendars[0].period_s == 86400);
  // Work [6h, 22h] (the two shifts joined) less the breaks.
  CHECK(s.calendars[0].work == std::vector<std::pair<double, double>>{{6 * 3600.0, 10 * 3600.0},
                                                                       {10.5 * 3600, 21 * 3600.0}});
  CHECK(s.calendars[1].period_s == 8 * 3600);
  CHECK(s.calendars[1].work == std::vector<std::pair<double, double>>{{0, 4 * 3600.0}});
  CHECK(element(s, "src").shift == -1);
  CHECK(element(s, "m0").shift == -1);  // always
  CHECK(element(s, "m1").shift == 0);   // the plant's
  CHECK(element(s, "m2").shift == 1);   // its own
  CHECK(element(s, "b1").shift == -1);

  const Element& e0 = element(s, "m0");
  CHECK(e0.has_setup);
  CHECK_FALSE(e0.setup_by_pair);
  CHECK(e0.setup.value == 120);
  CHECK(e0.setup_pool == crew);
  CHECK(e0.process_pool == -1);
  CHECK(e0.repair_pool == -1);
  CHECK(e0.failures.empty());

  const Element& e1 = element(s, "m1");
  CHECK(e1.servers == 2);
  CHECK(e1.has_setup);
  CHECK(e1.setup_by_pair);
  REQUIRE(e1.setup_table.size() == 4);
  CHECK(e1.setup_table[0 * 2 + 1].value == 120);                        // a -> b
  CHECK(e1.setup_table[1 * 2 + 0].family == DistFamily::Exponential);  // b -> a
  CHECK(e1.setup_table[1 * 2 + 0].mean == 60);
  CHECK(e1.setup_table[0].family == DistFamily::Constant);
  CHECK(e1.setup_table[0].value == 0);
  CHECK(e1.scrap_p == 0.02);
  CHECK(e1.rework_p == 0.05);
  CHECK(e1.rework_to == m0);
  CHECK(e1.process_pool == crew);
  CHECK(e1.repair_pool == crew);
  REQUIRE(e1.failures.size() == 2);
  CHECK(e1.failures[0].name == "jam");
  CHECK(e1.failures[0].mtbf.value == 7200);
  CHECK(e1.failures[0].mttr.value == 300);
  CHECK_FALSE(e1.failures[0].calendar);
  CHECK(e1.failures[0].repair_pool == crew);  // the station's operators.repair
  CHECK(e1.failures[1].name == "failure2");   // unnamed: by its place in the list
  CHECK(e1.failures[1].calendar);
  CHECK(e1.failures[1].repair_pool == fitters);

  const Element& e2 = element(s, "m2");
  REQUIRE(e2.failures.size() == 1);
  CHECK(e2.failures[0].name == "failure");
  CHECK(e2.failures[0].calendar);
  CHECK(e2.failures[0].repair_pool == -1);
  CHECK(e2.scrap_p == 0);
  CHECK(e2.rework_to == -1);
  CHECK_FALSE(e2.has_setup);

  CHECK(element(s, "crew").type == ElementType::Operators);
  CHECK(element(s, "crew").count == 3);
  CHECK(element(s, "crew").succ == -1);
  CHECK(element(s, "crew").to.empty());
  CHECK(element(s, "fitters").has_at);
  // Operators keep their place in the scene order.
  CHECK(crew == 6);
  CHECK(fitters == 7);
}

TEST_CASE("assembly, split and robot", "[validation][factory]") {
  Scene s = plantwin::test::scene_from_text(
      kHeader + "parts:\n  housing: {}\n  screw: {}\n  unit: {}\n  panel: {}\n  frame: {}\n"
                "elements:\n"
                "  s1: {type: source, part: housing, to: asm}\n"
                "  s2: {type: source, part: screw, to: asm}\n"
                "  asm: {type: assembly, inputs: {housing: 1, screw: 4}, part: unit, process: 30s, to: cut}\n"
                "  cut: {type: split, outputs: {panel: 2, frame: 1}, process: 10s, to: [l1, l2], routing: by_part,\n"
                "        part_routes: {panel: l1, frame: l2}}\n"
                "  l1: {type: station, process: {by_part: {panel: 5s}}, to: done, at: [0, -1, 0]}\n"
                "  l2: {type: station, process: 6s, to: done, at: [1, 1, 0.5]}\n"
                "  done: {type: sink, at: [0, 0, 1]}\n"
                "  r1: {type: robot, at: [0, 0, 0], reach: 2, speed: 1.5, acceleration: 3, grip: 1s, release: 500ms,\n"
                "       transfers: [{from: l1, to: done}, {from: l2, to: done}]}\n"
                "  asm2: {type: assembly, inputs: {screw: 2, housing: 1}, process: 30s, to: done}\n"
                "  s3: {type: source, part: screw, to: asm2}\n"
                "  s4: {type: source, part: housing, to: asm2}\n");
  const Element& a = element(s, "asm");
  CHECK(a.type == ElementType::Assembly);
  CHECK(a.inputs == std::vector<int64_t>{1, 4, 0, 0, 0});
  CHECK(a.base_input == 0);
  CHECK(a.part == 2);  // unit
  const Element& a2 = element(s, "asm2");
  CHECK(a2.inputs == std::vector<int64_t>{1, 2, 0, 0, 0});
  CHECK(a2.base_input == 1);  // the first input written
  CHECK(a2.part == 1);        // no `part`: the first input's type
  const Element& c = element(s, "cut");
  CHECK(c.type == ElementType::Split);
  CHECK(c.outputs == std::vector<int>{3, 3, 4});
  CHECK(c.part_routes == std::vector<int>{-1, -1, -1, s.find_element("l1"), s.find_element("l2")});
  const Element& r = element(s, "r1");
  CHECK(r.type == ElementType::Robot);
  CHECK(r.at == Vec3{0, 0, 0});
  CHECK(r.reach_m == 2);
  CHECK(r.speed_mps_robot == 1.5);
  CHECK(r.accel_mps2 == 3);
  CHECK(r.grip_s == 1);
  CHECK(r.release_s == 0.5);
  CHECK(r.succ == -1);
  CHECK(r.to.empty());
  REQUIRE(r.transfers.size() == 2);
  CHECK(r.transfers[0].from == s.find_element("l1"));
  CHECK(r.transfers[0].to == s.find_element("done"));
  CHECK(r.transfers[1].from == s.find_element("l2"));
  CHECK(r.transfers[1].loc.line == 21);
}

TEST_CASE("a robot may serve a rework edge; an element's edges all go by the same robot", "[validation][factory]") {
  const std::string scene = kHeader + "elements:\n"
                                      "  src: {type: source, to: m1}\n"
                                      "  m0: {type: station, process: 10s, to: m1, at: [0, 1, 0]}\n"
                                      "  m1: {type: station, process: 30s, rework: {p: 0.1, to: m0}, to: done,"
                                      " at: [1, 0, 0]}\n"
                                      "  done: {type: sink, at: [0, -1, 0]}\n";
  Scene s = plantwin::test::scene_from_text(
      scene + "  r1: {type: robot, at: [0, 0, 0], reach: 2, speed: 1, acceleration: 1,"
              " transfers: [{from: m1, to: done}, {from: m1, to: m0}]}\n");
  CHECK(element(s, "r1").transfers.size() == 2);
  LoadResult r = load_scene_text(scene + "  r1: {type: robot, at: [0, 0, 0], reach: 2, speed: 1, acceleration: 1,"
                                         " transfers: [{from: m1, to: done}]}\n"
                                         "  r2: {type: robot, at: [0, 0, 0], reach: 2, speed: 1, acceleration: 1,"
                                         " transfers: [{from: m1, to: m0}, {from: m1, to: done}]}\n",
                                 "t.yaml");
  CHECK(actual_errors(r, "t.yaml") ==
        std::vector<std::string>{
            "11:85: error: element 'r2', key 'transfers': 'm1' -> 'm0' is served by robot 'r2' but 'm1' -> 'done' by "
            "robot 'r1': one robot serves all out-edges of an element",
            "11:105: error: element 'r2', key 'transfers': the edge 'm1' -> 'done' is already served by robot 'r1'"});
}

TEST_CASE("factory keys: errors at their line and column", "[validation][factory]") {
  auto errors = [](const std::string& yaml) { return actual_errors(load_scene_text(yaml, "t.yaml"), "t.yaml"); };
  // Lines 1-5 are the header and "elements:".
  CHECK(errors(kHeader + "elements:\n"
                         "  src: {type: source, to: [m1, m2], routing: probability, weights: [1, -1]}\n"
                         "  m1: {type: station, process: 30s, to: done, weights: [1]}\n"
                         "  m2: {type: station, process: 30s, to: [done, m1], routing: by_part}\n"
                         "  done: {type: sink}\n") ==
        std::vector<std::string>{
            "6:72: error: element 'src', key 'weights': must not be negative, got -1",
            "7:56: error: element 'm1', key 'weights': applies only to routing: probability",
            "8:7: error: element 'm2': required key 'part_routes' is missing"});
  CHECK(errors(kHeader + "elements:\n"
                         "  src: {type: source, to: b0}\n"
                         "  b0: {type: buffer, capacity: 0, to: [m1, m2], routing: round_robin}\n"
                         "  m1: {type: station, process: 30s, to: crew}\n"
                         "  m2: {type: station, process: 30s, to: done, operators: {process: crew}, rework: {p: 0.1, to: src}}\n"
                         "  done: {type: sink}\n"
                         "  crew: {type: operators, count: 1}\n") ==
        std::vector<std::string>{
            "7:39: error: element 'b0', key 'to': a buffer of capacity 0 passes each part straight on and needs exactly "
            "one successor",
            "8:41: error: element 'm1', key 'to': 'crew' is a pool of operators, not an element that receives parts",
            "9:96: error: element 'm2', key 'rework.to': names source 'src'; a source receives no parts"});
  CHECK(errors(kHeader + "shifts: {period: 8h, work: [[0h, 4h]], breaks: [[0h, 8h]]}\n"
                         "elements:\n"
                         "  src: {type: source, to: m1}\n"
                         "  m1: {type: station, process: 30s, to: done, shift: {period: 8h, work: [[0h, 9h]]}}\n"
                         "  m2: {type: station, process: 30s, to: done, shift: allways}\n"
                         "  done: {type: sink}\n") ==
        std::vector<std::string>{
            "5:9: error: key 'shifts': no working time is left once the breaks are taken out",
            "8:74: error: element 'm1', key 'shift.work': must lie within the period [0, 8 h], got [0 s, 9 h]",
            "9:54: error: element 'm2', key 'shift': expected a calendar {period, work, breaks} or always, got "
            "'allways'; did you mean 'always'?"});
  CHECK(errors(kHeader + "parts:\n  a: {}\n  b: {}\n"
                         "elements:\n"
                         "  s1: {type: source, part: a, to: asm}\n"
                         "  s2: {type: source, part: b, to: asm}\n"
                         "  asm: {type: assembly, inputs: {a: 2}, process: 30s, to: done}\n"
                         "  done: {type: sink}\n") ==
        std::vector<std::string>{"11:33: error: element 'asm', key 'inputs': part type 'b' can reach this assembly "
                                 "but is not one of its inputs: it would never be taken"});
  CHECK(errors(kHeader + "elements:\n"
                         "  src: {type: source, to: m1, at: [0, 0, 0]}\n"
                         "  m1: {type: station, process: 30s, to: done}\n"
                         "  done: {type: sink, at: [0, 0, 0]}\n"
                         "  r1: {type: robot, at: [0, 0, 0], reach: 1, speed: 1, acceleration: 1, to: m1,\n"
                         "       transfers: [{from: src, to: m1}, {from: m1, to: done}, {from: done, to: m1}]}\n") ==
        std::vector<std::string>{
            "9:77: error: element 'r1', key 'to': a robot moves parts along the edges listed in 'transfers'; remove 'to'",
            "10:20: error: element 'r1', key 'transfers': 'm1' has no 'at': a robot needs the position of every "
            "element it serves",
            "10:70: error: element 'r1', key 'transfers.from': a robot takes parts only from a source, station, split, "
            "buffer or conveyor, not from a sink ('done')"});
}

TEST_CASE("a cycle through several successors is reported as such", "[validation][factory]") {
  LoadResult r = load_scene_text(kHeader + "elements:\n"
                                           "  src: {type: source, to: m1}\n"
                                           "  m1: {type: station, process: 30s, to: [m2, m3], routing: round_robin}\n"
                                           "  m2: {type: station, process: 30s, to: m1}\n"
                                           "  m3: {type: station, process: 30s, to: m1, rework: {p: 0.1, to: m2}}\n"
                                           "  done: {type: sink}\n"
                                           "  m4: {type: station, process: 30s, to: done, rework: {p: 0.1, to: m1}}\n",
                                 "t.yaml");
  // m4 reaches the sink by its `to`, though its rework edge leads into the circle: no error.
  CHECK(actual_errors(r, "t.yaml") ==
        std::vector<std::string>{
            "6:3: error: element 'src': no sink can be reached from it: every way from it ends in a circle, such as "
            "(m1 -> m2 -> m1)",
            "7:3: error: element 'm1': no sink can be reached from it: every way from it ends in a circle, such as "
            "(m1 -> m2 -> m1)",
            "8:3: error: element 'm2': no sink can be reached from it: every way from it ends in a circle, such as "
            "(m2 -> m1 -> m2)",
            "9:3: error: element 'm3': no sink can be reached from it: every way from it ends in a circle, such as "
            "(m1 -> m2 -> m1)"});
}
