// Running the real plantwin program from tests: a temporary folder and a captured run.
#pragma once
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support.h"

namespace plantwin::test {

// A fresh folder under the system temp dir, removed with everything in it at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "plantwin-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CliResult {
  int status = -1;
  std::string out, err;
};

// Runs `plantwin ARGS` in `dir`; stdout and stderr are captured separately (in files kept
// outside `dir`, so that they do not count as files the command created).
inline CliResult run_plantwin(const TempDir& dir, const std::vector<std::string>& args) {
  static TempDir capture;
  std::string cmd = "cd " + shell_quote(dir.path.string()) + " && " + shell_quote(plantwin_binary());
  for (const auto& a : args) cmd += " " + shell_quote(a);
  const auto out = capture.path / "stdout.txt", err = capture.path / "stderr.txt";
  cmd += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

struct Stopped {
  int status = -1;
  std::string err;
};

// Runs `plantwin ARGS` (a shell-quoted argument string) in `dir` in the background, sends
// `signals` (e.g. "INT" or "TERM TERM", back to back) after `delay` seconds, and returns the
// exit status and stderr.
inline Stopped signal_plantwin(const TempDir& dir, const std::string& args, const std::string& signals,
                               const std::string& delay = "1.5") {
  const std::string script = "cd " + shell_quote(dir.path.string()) + " && { " + shell_quote(plantwin_binary()) +
                             " " + args + " 2> err.txt & } ; pid=$!; sleep " + delay + "; for s in " + signals +
                             "; do kill -$s $pid; done; wait $pid; echo $? > status.txt";
  const std::string cmd = "bash -c " + shell_quote(script);
  REQUIRE(std::system(cmd.c_str()) == 0);
  Stopped s;
  s.status = std::stoi(slurp(dir.path / "status.txt"));
  s.err = slurp(dir.path / "err.txt");
  std::filesystem::remove(dir.path / "status.txt");
  std::filesystem::remove(dir.path / "err.txt");
  return s;
}

// A run far longer than the test (400,000 replications of the two-station line, 20 chunks)
// with `extra` arguments, signalled as signal_plantwin does.
inline Stopped run_and_signal(const TempDir& dir, const std::string& signals, const std::string& extra = "") {
  const std::string scene = (std::filesystem::path(source_dir()) / "scenes" / "two-station-line.yaml").string();
  return signal_plantwin(dir, "run " + shell_quote(scene) + " --replications 400000 --backend cpu -q -o r.h5 " + extra,
                         signals);
}

}  // namespace plantwin::test
