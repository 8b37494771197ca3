// The flow lint (engine/scene/flow_lint.h): the rates it estimates against the traffic
// equations solved by hand, its conveyor warning against what the engine then simulates, and
// the fill time against the sum of the route's means.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/scene/flow_lint.h"
#include "support.h"

using namespace plantwin;
using plantwin::test::scene_from_text;

namespace {

std::vector<std::string> warnings_of(const std::string& yaml) {
  LoadResult r = load_scene_text(yaml, "t.yaml");
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.sorted()) {
    INFO(d.format());
    REQUIRE(d.severity == Severity::Warning);
    out.push_back(d.format());
  }
  return out;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

double rate_of(const Scene& s, const std::string& element) {
  return arrival_rates(s)[static_cast<size_t>(s.find_element(element))];
}

// A saturated line: m1 (30 s), a belt of 5 m at `speed` m/s with parts 1 m apart unless
// `spacing` says otherwise, m2 (20 s).
std::string belt_line(const std::string& speed, const std::string& spacing, const std::string& warmup) {
  return "plantwin: 1\nname: belt\nrun: {horizon: 200h" + (warmup.empty() ? "" : ", warmup: " + warmup) +
         ", replications: 2}\n"
         "elements:\n"
         "  raw: {type: source, to: m1}\n"
         "  m1: {type: station, process: 30s, to: belt}\n"
         "  belt: {type: conveyor, speed: " + speed + ", length: 5, spacing: " + spacing + ", to: m2}\n"
         "  m2: {type: station, process: 20s, to: done}\n"
         "  done: {type: sink}\n";
}

}  // namespace

TEST_CASE("arrival rates solve the traffic equations of a line with a split and a rework loop", "[lint]") {
  // lambda = 1/10 s into an infinite buffer q; A (4 s) sends 20 % back to q, then 30 % / 70 %
  // to B and C. Traffic equations: a_q = a_A = lambda / (1 - 0.2) = 0.125 /s; A passes 0.1 /s
  // on, of which B gets 0.03 /s and C 0.07 /s; the sink 0.1 /s.
  const Scene s = scene_from_text(
      "plantwin: 1\nname: t\nrun: {horizon: 1h, warmup: 1h}\nelements:\n"
      "  src: {type: source, interarrival: {exponential: 10s}, to: q}\n"
      "  q: {type: buffer, capacity: inf, to: A}\n"
      "  A: {type: station, process: {exponential: 4s}, rework: {p: 0.2, to: q},\n"
      "      to: [B, C], routing: probability, weights: [0.3, 0.7]}\n"
      "  B: {type: station, process: 5s, to: done}\n"
      "  C: {type: station, process: 5s, to: done}\n"
      "  done: {type: sink}\n");
  CHECK(rate_of(s, "q") == Approx(0.125).epsilon(1e-8));
  CHECK(rate_of(s, "A") == Approx(0.125).epsilon(1e-8));
  CHECK(rate_of(s, "B") == Approx(0.03).epsilon(1e-8));
  CHECK(rate_of(s, "C") == Approx(0.07).epsilon(1e-8));
  CHECK(rate_of(s, "done") == Approx(0.1).epsilon(1e-8));
  // The estimate approaches the loop from below: it never claims more flow than there is.
  CHECK(rate_of(s, "A") <= 0.125);
}

TEST_CASE("arrival rates take the slowest station's mean rate, failures, shifts and scrap", "[lint]") {
  // Saturated: m1 does 2 servers / 10 s, up mtbf / (mtbf + mttr) = 0.9 of the time, on shift
  // 6 h of 8: 0.2 * 0.9 * 0.75 = 0.135 /s; 10 % scrap leaves 0.1215 /s for m2 (1 / 5 s = 0.2,
  // not limiting); an assembly needs 3 parts per unit, so 0.0405 units /s reach the sink.
  const Scene s = scene_from_text(
      "plantwin: 1\nname: t\nrun: {horizon: 8h, warmup: 1h}\n"
      "parts: {p: {size: [0.1, 0.1, 0.1]}, kit: {size: [0.2, 0.2, 0.2]}}\n"
      "elements:\n"
      "  src: {type: source, part: p, to: m1}\n"
      "  m1: {type: station, capacity: 2, process: {uniform: [5s, 15s]}, scrap: 0.1,\n"
      "       failures: {mtbf: {exponential: 90s}, mttr: 10s},\n"
      "       shift: {period: 8h, work: [[0h, 6h]]}, to: m2}\n"
      "  m2: {type: station, process: 5s, to: asm}\n"
      "  asm: {type: assembly, inputs: {p: 3}, part: kit, process: 1s, to: done}\n"
      "  done: {type: sink}\n");
  CHECK(rate_of(s, "m2") == Approx(0.1215).epsilon(1e-12));
  CHECK(rate_of(s, "asm") == Approx(0.1215).epsilon(1e-12));
  CHECK(rate_of(s, "done") == Approx(0.0405).epsilon(1e-12));
}

TEST_CASE("a conveyor slower than what reaches it and what follows it is reported, with the speed it needs",
          "[lint]") {
  // m1 passes 1/30 s = 120 parts/h, m2 takes 1/20 s = 180 parts/h; a belt at 0.005 m/s with
  // parts 1 m apart carries 18 parts/h. It would need 120 / 3600 m/s = 0.0333 m/s.
  const auto slow = warnings_of(belt_line("0.005", "1", "2h"));
  REQUIRE(slow.size() == 1);
  CHECK(any_contains(slow, "t.yaml:7:3: warning: element 'belt': this conveyor carries at most 18 parts/h"));
  CHECK(any_contains(slow, "but 120 parts/h reach it and 'm2' can take 180 parts/h"));
  CHECK(any_contains(slow, "a speed of 0.0333 m/s"));
  // The engine agrees that the belt paces the line: over 200 h the sink gets 18 parts/h.
  const BatchResults r = plantwin::test::run_cpu(belt_line("0.005", "1", "2h"));
  for (double tp : r.throughput_per_h) CHECK(tp == Approx(18.0).margin(0.05));

  // Fast enough (0.05 m/s: 180 parts/h), or a belt whose supply is slower than it: no warning.
  CHECK(warnings_of(belt_line("0.05", "1", "2h")).empty());
  const std::string fed_slowly = "plantwin: 1\nname: belt\nrun: {horizon: 1h, warmup: 2h}\nelements:\n"
                                 "  raw: {type: source, interarrival: 10min, to: belt}\n"
                                 "  belt: {type: conveyor, speed: 0.005, length: 5, spacing: 1, to: m2}\n"
                                 "  m2: {type: station, process: 20s, to: done}\n"
                                 "  done: {type: sink}\n";
  CHECK(warnings_of(fed_slowly).empty());
  // A belt straight into a sink simply is the line's pace; nothing to starve.
  const std::string to_sink = "plantwin: 1\nname: belt\nrun: {horizon: 1h, warmup: 2h}\nelements:\n"
                              "  raw: {type: source, to: belt}\n"
                              "  belt: {type: conveyor, speed: 0.005, length: 5, spacing: 1, to: done}\n"
                              "  done: {type: sink}\n";
  CHECK(warnings_of(to_sink).empty());
}

TEST_CASE("a warm-up shorter than the line's fill time is reported where it is written", "[lint]") {
  // The first part: m1 30 s + the belt 5 m / 0.05 m/s = 100 s + m2 20 s = 150 s.
  const Scene s = scene_from_text(belt_line("0.05", "1", "3min"));
  const FillTime fill = fill_time(s);
  CHECK(fill.seconds == Approx(150.0));
  REQUIRE(fill.route.size() == 5);
  CHECK(s.elements[static_cast<size_t>(fill.route.front())].name == "raw");
  CHECK(s.elements[static_cast<size_t>(fill.route.back())].name == "done");

  const auto short_warmup = warnings_of(belt_line("0.05", "1", "2min"));
  REQUIRE(short_warmup.size() == 1);
  CHECK(any_contains(short_warmup, "t.yaml:3:30: warning: key 'run.warmup': 2 min is shorter than the line's fill "
                                   "time, 2.5 min: the first part needs that long from 'raw' to 'done'"));
  CHECK(warnings_of(belt_line("0.05", "1", "150s")).empty());
  // No warm-up at all: the warning points at the run block. An explicit 0 is a study of the
  // start from empty, on purpose: no warning.
  CHECK(any_contains(warnings_of(belt_line("0.05", "1", "")), "t.yaml:3:6: warning: key 'run.warmup': 0 s"));
  CHECK(warnings_of(belt_line("0.05", "1", "0s")).empty());
}

TEST_CASE("the fill time follows the longest route and ignores rework loops", "[lint]") {
  // Two branches: A (10 s) then B (100 s), or C (50 s); rework from B back to A's buffer.
  const Scene s = scene_from_text(
      "plantwin: 1\nname: t\nrun: {horizon: 1h, warmup: 1h}\nelements:\n"
      "  src: {type: source, interarrival: 5min, to: [q, C], routing: round_robin}\n"
      "  q: {type: buffer, capacity: 3, to: A}\n"
      "  A: {type: station, process: {exponential: 10s}, to: B}\n"
      "  B: {type: station, process: 100s, rework: {p: 0.1, to: q}, to: done}\n"
      "  C: {type: station, process: 50s, to: done}\n"
      "  done: {type: sink}\n");
  const FillTime fill = fill_time(s);
  CHECK(fill.seconds == Approx(110.0));
  REQUIRE(fill.route.size() == 5);
  CHECK(s.elements[static_cast<size_t>(fill.route[2])].name == "A");
}
