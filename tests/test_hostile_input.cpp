// Hostile and broken input gets a clear error, never a crash, a hang or an exhausted machine:
// deep nesting, YAML alias bombs, a million elements, NaN and infinite numbers, negative or
// absurd durations, huge horizons, binary garbage, empty files, directories and devices. Each
// case runs the real binary (exit status 2, FILE:LINE:COLUMN on stderr, nothing written).
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "engine/scene/scene_loader.h"
#include "tests/cli_support.h"

namespace fs = std::filesystem;
using plantwin::test::run_plantwin;
using plantwin::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A valid line to which the cases add their poison.
const char* kLine = R"(plantwin: 1
name: hostile
run:
  horizon: 1h
  warmup: 5min
  replications: 2
elements:
  raw:  {type: source, to: m1}
  m1:   {type: station, process: {exponential: 50s}, to: done}
  done: {type: sink}
)";

std::string with(const std::string& from, const std::string& to) {
  std::string s = kLine;
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
  return s;
}

// validate and run on `text` saved as FILE: both exit 2 with `expect` in a FILE:LINE:COLUMN
// message, and run writes nothing.
void refused(const std::string& text, const std::string& expect) {
  TempDir dir;
  { std::ofstream(dir.path / "s.yaml", std::ios::binary) << text; }
  const auto v = run_plantwin(dir, {"validate", "s.yaml"});
  INFO("validate stderr:\n" << v.err.substr(0, 2000));
  CHECK(v.status == 2);
  CHECK(contains(v.err, "s.yaml:"));
  CHECK(contains(v.err, expect));
  const auto r = run_plantwin(dir, {"run", "s.yaml", "-o", "out.h5", "--backend", "cpu", "-q"});
  INFO("run stderr:\n" << r.err.substr(0, 2000));
  CHECK(r.status == 2);
  CHECK(dir.entries() == std::vector<std::string>{"s.yaml"});
}

}  // namespace

TEST_CASE("hostile: deep nesting of sequences and maps", "[hostile]") {
  refused(std::string("plantwin: ") + std::string(100000, '[') + std::string(100000, ']') + "\n",
          "YAML syntax: lists and maps nested");
  std::string maps = "plantwin: 1\nname: x\nrun: ";
  for (int i = 0; i < 20000; ++i) maps += "{a: ";
  maps += "1";
  for (int i = 0; i < 20000; ++i) maps += "}";
  refused(maps + "\n", "YAML syntax: lists and maps nested");
  // Nesting where a number belongs: rejected at the key, however deep.
  refused(with("replications: 2", "replications: " + std::string(50, '[') + "2" + std::string(50, ']')),
          "key 'run.replications'");
}

TEST_CASE("hostile: YAML alias bombs", "[hostile]") {
  // Nine levels of nine aliases: 9^9 = 387 million leaves if anything expanded them.
  std::string bomb = "x-lol: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n";
  const char* names = "abcdefghi";
  for (int level = 1; level < 9; ++level) {
    bomb += std::string("x-") + names[level] + ": &" + names[level] + " [";
    for (int k = 0; k < 9; ++k) bomb += std::string(k ? ", " : "") + "*" + names[level - 1];
    bomb += "]\n";
  }
  // Where the loader looks: an unknown top-level key, a list of swept values, an element's
  // key, and the elements map itself.
  refused(bomb + kLine, "unknown key 'x-lol'");
  refused(bomb + kLine + "variants:\n  sweep:\n    m1.process.mean: *i\n", "m1.process.mean");
  refused(bomb + with("to: done}", "to: done, extra: *i}"), "unknown key 'extra'");
  refused(bomb + "plantwin: 1\nname: b\nrun: {horizon: 1h}\nelements: *i\n", "key 'elements'");
}

TEST_CASE("hostile: a million elements, and a file far beyond any scene", "[hostile]") {
  // 1e6 elements are 52 MB of YAML: refused by size before the parser sees a byte.
  TempDir dir;
  {
    std::ofstream out(dir.path / "s.yaml");
    out << "plantwin: 1\nname: big\nrun: {horizon: 1h}\nelements:\n  src: {type: source, to: e0}\n";
    for (int i = 0; i < 999999; ++i) out << "  e" << i << ": {type: buffer, capacity: 1, to: e" << i + 1 << "}\n";
    out << "  e999999: {type: sink}\n";
  }
  const auto v = run_plantwin(dir, {"validate", "s.yaml"});
  INFO(v.err);
  CHECK(v.status == 2);
  CHECK(contains(v.err, "s.yaml:0:0: error: the file is"));
  CHECK(contains(v.err, "up to 16 MB"));
  // The same limit holds for text handed to the loader directly.
  const auto r = plantwin::load_scene_text(std::string(plantwin::kMaxSceneBytes + 1, ' '), "big.yaml");
  CHECK_FALSE(r.scene);
  CHECK(r.diagnostics.error_count() == 1);
}

TEST_CASE("hostile: a hundred thousand elements validate (no quadratic lookups)", "[hostile]") {
  std::string s = "plantwin: 1\nname: long\nrun: {horizon: 1h}\nelements:\n"
                  "  src: {type: source, interarrival: {exponential: 10s}, to: e0}\n";
  for (int i = 0; i < 99999; ++i) s += "  e" + std::to_string(i) + ": {type: buffer, capacity: 1, to: e" + std::to_string(i + 1) + "}\n";
  s += "  e99999: {type: sink}\n";
  const auto r = plantwin::load_scene_text(s, "long.yaml");
  for (const auto& d : r.diagnostics.sorted()) INFO(d.format());
  REQUIRE(r.scene);
  CHECK(r.scene->elements.size() == 100001);
}

TEST_CASE("hostile: NaN and infinite numbers", "[hostile]") {
  refused(with("horizon: 1h", "horizon: .nan"), "key 'run.horizon'");
  refused(with("horizon: 1h", "horizon: .inf"), "key 'run.horizon'");
  refused(with("replications: 2", "replications: .nan"), "key 'run.replications'");
  refused(with("exponential: 50s", "exponential: .inf"), "element 'm1', key 'process.exponential'");
  refused(with("exponential: 50s", "exponential: nan"), "element 'm1', key 'process.exponential'");
  refused(with("exponential: 50s", "exponential: 1e999"), "element 'm1', key 'process.exponential'");
}

TEST_CASE("hostile: negative, absurd and huge durations", "[hostile]") {
  refused(with("horizon: 1h", "horizon: -1h"), "must be positive");
  refused(with("warmup: 5min", "warmup: -5min"), "must not be negative");
  refused(with("exponential: 50s", "exponential: -3s"), "element 'm1', key 'process");
  refused(with("horizon: 1h", "horizon: 1e15s"), "plantwin simulates at most 1e9 s");
  refused(with("warmup: 5min", "warmup: 1e9s"), "plantwin simulates at most 1e9 s");
  // On the command line too, before anything runs.
  TempDir dir;
  { std::ofstream(dir.path / "s.yaml") << kLine; }
  const auto r = run_plantwin(dir, {"run", "s.yaml", "--horizon", "1e12", "-o", "out.h5", "--backend", "cpu", "-q"});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "plantwin simulates at most 1e9 s"));
  CHECK(dir.entries() == std::vector<std::string>{"s.yaml"});
}

TEST_CASE("hostile: binary garbage, empty files, directories and devices", "[hostile]") {
  std::mt19937 gen(42);
  std::string garbage(65536, '\0');
  for (char& c : garbage) c = static_cast<char>(gen() & 0xFF);
  refused(garbage, "error");
  refused(std::string(1000, '\0'), "error");
  refused(std::string(kLine).substr(0, 120) + std::string("\xff\xfe\x00\x01", 4) + "\n", "error");
  refused("", "holds no YAML");
  refused("   \n\n\t\n", "holds no YAML");
  refused("# only a comment\n", "holds no YAML");
  TempDir dir;
  fs::create_directory(dir.path / "d.yaml");
  const auto d = run_plantwin(dir, {"validate", "d.yaml"});
  CHECK(d.status == 2);
  CHECK(contains(d.err, "is a directory"));
  const auto zero = run_plantwin(dir, {"validate", "/dev/zero"});
  CHECK(zero.status == 2);
  CHECK(contains(zero.err, "not a regular file"));
  const auto missing = run_plantwin(dir, {"validate", "missing.yaml"});
  CHECK(missing.status == 2);
  CHECK(contains(missing.err, "missing.yaml"));
}
