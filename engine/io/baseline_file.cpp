#include "engine/io/baseline_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/io/lane_kpis.h"

namespace plantwin {
namespace {

std::string number(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

bool parse_double(const std::string& text, double* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE;
}

bool parse_int(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::stoll(text);
  return true;
}

}  // namespace

Baseline baseline_of(const BatchResults& r) {
  Baseline b;
  b.scene = r.scene_name;
  b.replications = r.replications;
  b.seed = r.seed;
  b.horizon_s = r.horizon_s;
  b.warmup_s = r.warmup_s;
  std::vector<std::vector<double>> columns;  // [KPI][lane], each copied once
  for (const LaneKpi& k : lane_kpis()) columns.push_back(kpi_column(r, k.name));
  for (size_t v = 0; v < r.variant_names.size(); ++v)
    for (size_t k = 0; k < columns.size(); ++k)
      b.rows.push_back({r.variant_names[v], lane_kpis()[k].name,
                        summarize_sample(columns[k].data() + static_cast<int64_t>(v) * r.replications,
                                         r.replications)});
  return b;
}

void write_baseline(const Baseline& b, const std::string& path) {
  std::ostringstream os;
  os << "# plantwin check baseline: mean, sample sd and replications of each variant's KPIs.\n"
     << "# Rewritten by: plantwin check SCENE --baseline DIR --update\n"
     << "plantwin-baseline\t1\n"
     << "scene\t" << b.scene << "\n"
     << "run\treplications=" << b.replications << "\tseed=" << b.seed << "\thorizon_s=" << number(b.horizon_s)
     << "\twarmup_s=" << number(b.warmup_s) << "\n";
  for (const BaselineRow& r : b.rows)
    os << "kpi\t" << r.variant << "\t" << r.kpi << "\t" << number(r.stats.mean) << "\t" << number(r.stats.sd) << "\t"
       << r.stats.n << "\n";
  const std::filesystem::path p(path);
  const std::string temporary =
      (p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(static_cast<long>(getpid()))))
          .string();
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << os.str();
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      throw std::runtime_error(path + ": cannot write baseline file (" + std::strerror(errno) + ")");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": cannot write baseline file (" + std::strerror(error) + ")");
  }
}

Baseline read_baseline(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw BaselineError(path + ": no such baseline file");
  if (std::filesystem::is_directory(path, ec)) throw BaselineError(path + ": is a directory, not a baseline file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BaselineError(path + ": cannot open baseline file");
  Baseline b;
  bool header = false;
  std::string line;
  int64_t number_of_line = 0;
  auto fail = [&](const std::string& why) {
    throw BaselineError(path + ":" + std::to_string(number_of_line) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++number_of_line;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = split_tabs(line);
    if (!header) {
      if (f.size() != 2 || f[0] != "plantwin-baseline") fail("not a plantwin baseline file (expected 'plantwin-baseline<TAB>1' first)");
      if (f[1] != "1") fail("baseline format version " + f[1] + " is not supported (this plantwin reads version 1)");
      header = true;
    } else if (f[0] == "scene" && f.size() == 2) {
      b.scene = f[1];
    } else if (f[0] == "run") {
      for (size_t i = 1; i < f.size(); ++i) {
        const size_t eq = f[i].find('=');
        const std::string key = f[i].substr(0, eq), value = eq == std::string::npos ? "" : f[i].substr(eq + 1);
        int64_t n = 0;
        double x = 0;
        if (key == "replications" && parse_int(value, &n)) b.replications = n;
        else if (key == "seed" && !value.empty() && value.find_first_not_of("0123456789") == std::string::npos &&
                 value.size() <= 20)
          b.seed = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "horizon_s" && parse_double(value, &x)) b.horizon_s = x;
        else if (key == "warmup_s" && parse_double(value, &x)) b.warmup_s = x;
        else fail("cannot read run setting '" + f[i] + "'");
      }
    } else if (f[0] == "kpi") {
      if (f.size() != 6) fail("a kpi line has 6 tab-separated fields: kpi, variant, KPI, mean, sd, n");
      BaselineRow r;
      r.variant = f[1];
      r.kpi = f[2];
      if (!find_lane_kpi(r.kpi)) fail("unknown KPI '" + r.kpi + "'");
      // nan is written for a KPI with no finite value (a lead time with no finished part).
      if (!parse_double(f[3], &r.stats.mean) || !parse_double(f[4], &r.stats.sd) || !parse_int(f[5], &r.stats.n))
        fail("cannot read the numbers of KPI '" + r.kpi + "' of variant '" + r.variant + "'");
      b.rows.push_back(r);
    } else {
      fail("unexpected line starting '" + f[0] + "'");
    }
  }
  if (!header) throw BaselineError(path + ": empty, not a plantwin baseline file");
  return b;
}

std::string baseline_path(const std::string& dir, const std::string& scene_path) {
  std::filesystem::path s(scene_path);
  std::string stem = s.filename().string();
  for (const char* ext : {".yaml", ".yml"}) {
    const std::string e = ext;
    if (stem.size() > e.size() && stem.compare(stem.size() - e.size(), e.size(), e) == 0) {
      stem.resize(stem.size() - e.size());
      break;
    }
  }
  return (std::filesystem::path(dir) / (stem + ".baseline")).string();
}

}  // namespace plantwin
