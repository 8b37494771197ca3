#include "engine/io/scene_check.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "engine/io/lane_kpis.h"
#include "engine/io/text_format.h"

namespace plantwin {
namespace {

std::string change(const CheckRow& r) {
  if (!std::isfinite(r.base.mean) || !std::isfinite(r.now.mean)) return "-";
  const double d = r.now.mean - r.base.mean;
  std::string s = (d > 0 ? "+" : "") + format4(d);
  if (r.base.mean != 0) s += " (" + std::string(d > 0 ? "+" : "") + fixed(100.0 * d / std::fabs(r.base.mean), 2) + " %)";
  return s;
}

const char* verdict(const CheckRow& r) {
  switch (r.status) {
    case CheckStatus::kHeld: return "held";
    case CheckStatus::kNew: return "new (not in the baseline)";
    case CheckStatus::kMissing: return "missing (in the baseline only)";
    case CheckStatus::kMoved: break;
  }
  const double d = r.now.mean - r.base.mean;
  if (!std::isfinite(d)) return "moved";
  return (d > 0) == r.higher_is_better ? "moved (better)" : "moved (worse)";
}

std::string xml(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += ' ';  // not allowed in XML 1.0
        else out += static_cast<char>(c);
    }
  }
  return out;
}

std::string failure_message(const CheckRow& r, const CheckOptions& o) {
  std::string m = r.kpi + " of variant '" + r.variant + "' ";
  if (r.status == CheckStatus::kNew) return m + "is not in the baseline (plantwin check --update accepts it)";
  if (r.status == CheckStatus::kMissing) return m + "is in the baseline but not in the run";
  m += verdict(r);
  m += ": baseline " + format4(r.base.mean) + " +- " + format4(r.base.sd) + " (n " + std::to_string(r.base.n) + "), now " +
       format4(r.now.mean) + " +- " + format4(r.now.sd) + " (n " + std::to_string(r.now.n) + ") " + r.unit + ", change " +
       change(r);
  if (r.test.tested) m += ", Welch p " + format_p(r.test.p) + " < alpha " + format_setting(o.alpha);
  if (o.tolerance > 0) m += ", beyond the tolerance of " + format_setting(100 * o.tolerance) + " %";
  return m;
}

}  // namespace

SceneCheck check_against(const std::string& scene_path, const BatchResults& now, const Baseline& base,
                         const CheckOptions& options) {
  SceneCheck c;
  c.scene_path = scene_path;
  c.scene_name = now.scene_name;
  if (base.replications != now.replications || base.seed != now.seed || base.horizon_s != now.horizon_s ||
      base.warmup_s != now.warmup_s)
    c.notes.push_back("the run settings differ from the baseline's (replications " + std::to_string(base.replications) +
                      " -> " + std::to_string(now.replications) + ", seed " + std::to_string(base.seed) + " -> " +
                      std::to_string(now.seed) + ", horizon " + format4(base.horizon_s) + " s -> " + format4(now.horizon_s) +
                      " s, warm-up " + format4(base.warmup_s) + " s -> " + format4(now.warmup_s) + " s)");
  const Baseline fresh = baseline_of(now);
  // (variant, KPI) -> row, so that a sweep of thousands of variants is not quadratic.
  using Key = std::pair<std::string, std::string>;
  auto index = [](const Baseline& b) {
    std::map<Key, const BaselineRow*> m;
    for (const BaselineRow& r : b.rows) m.emplace(Key{r.variant, r.kpi}, &r);
    return m;
  };
  const std::map<Key, const BaselineRow*> in_base = index(base), in_run = index(fresh);
  for (const BaselineRow& n : fresh.rows) {
    const LaneKpi* k = find_lane_kpi(n.kpi);
    CheckRow row;
    row.variant = n.variant;
    row.kpi = n.kpi;
    row.unit = k->unit;
    row.higher_is_better = k->higher_is_better;
    row.now = n.stats;
    const auto found = in_base.find(Key{n.variant, n.kpi});
    const BaselineRow* b = found == in_base.end() ? nullptr : found->second;
    if (!b) {
      row.base.mean = row.base.sd = std::nan("");
      row.status = CheckStatus::kNew;
    } else {
      row.base = b->stats;
      row.test = welch_test(row.base, row.now);
      const bool fa = std::isfinite(row.base.mean), fb = std::isfinite(row.now.mean);
      bool moved;
      if (!fa || !fb) {
        moved = fa != fb;
      } else {
        const bool beyond = std::fabs(row.now.mean - row.base.mean) > options.tolerance * std::fabs(row.base.mean);
        moved = beyond && (row.test.tested ? row.test.p < options.alpha : true);
      }
      row.status = moved ? CheckStatus::kMoved : CheckStatus::kHeld;
    }
    c.rows.push_back(row);
  }
  for (const BaselineRow& b : base.rows) {
    if (in_run.count(Key{b.variant, b.kpi})) continue;
    CheckRow row;
    row.variant = b.variant;
    row.kpi = b.kpi;
    const LaneKpi* k = find_lane_kpi(b.kpi);
    row.unit = k ? k->unit : "";
    row.base = b.stats;
    row.now.mean = row.now.sd = std::nan("");
    row.status = CheckStatus::kMissing;
    c.rows.push_back(row);
  }
  for (const CheckRow& r : c.rows) c.failures += r.status != CheckStatus::kHeld;
  return c;
}

void write_check_table(std::ostream& os, const std::vector<SceneCheck>& checks, const CheckOptions& options,
                       bool all_rows) {
  for (const SceneCheck& c : checks) {
    os << c.scene_path << " (" << c.scene_name << "): " << (c.rows.size() - c.failures) << " of " << c.rows.size()
       << " KPIs held" << (c.failures ? ", " + std::to_string(c.failures) + " did not" : std::string()) << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const CheckRow& r : c.rows) {
      if (!all_rows && r.status == CheckStatus::kHeld) continue;
      rows.push_back({r.variant, r.kpi + " [" + r.unit + "]", format4(r.base.mean) + " ± " + format4(r.base.sd),
                      format4(r.now.mean) + " ± " + format4(r.now.sd), change(r), format_p(r.test.p), verdict(r)});
    }
    if (!rows.empty())
      print_table(os, {"variant", "KPI", "baseline", "now", "change", "p", "verdict"},
                  {true, true, false, false, false, false, true}, rows);
    for (const std::string& n : c.notes) os << "  note: " << n << "\n";
  }
  int64_t failures = 0;
  for (const SceneCheck& c : checks) failures += c.failures;
  os << (failures ? "FAILED: " : "passed: ") << failures << " KPI(s) moved, new or missing in " << checks.size()
     << " scene(s) (Welch's t test, alpha " << format_setting(options.alpha)
     << (options.tolerance > 0 ? ", tolerance " + format_setting(100 * options.tolerance) + " %" : std::string()) << ")\n";
}

void write_junit(std::ostream& os, const std::vector<SceneCheck>& checks, const CheckOptions& options,
                 double seconds) {
  size_t tests = 0;
  int64_t failures = 0;
  for (const SceneCheck& c : checks) {
    tests += c.rows.size();
    failures += c.failures;
  }
  char time[32];
  std::snprintf(time, sizeof time, "%.3f", seconds);
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<testsuites name=\"plantwin check\" tests=\"" << tests << "\" failures=\"" << failures << "\" time=\"" << time
     << "\">\n";
  for (const SceneCheck& c : checks) {
    os << "  <testsuite name=\"" << xml(c.scene_path) << "\" tests=\"" << c.rows.size() << "\" failures=\""
       << c.failures << "\" errors=\"0\">\n";
    for (const std::string& n : c.notes)
      os << "    <properties><property name=\"note\" value=\"" << xml(n) << "\"/></properties>\n";
    for (const CheckRow& r : c.rows) {
      os << "    <testcase classname=\"" << xml(c.scene_name) << "\" name=\"" << xml(r.variant + ": " + r.kpi) << "\"";
      if (r.status == CheckStatus::kHeld) {
        os << "/>\n";
      } else {
        const std::string m = failure_message(r, options);
        os << ">\n      <failure message=\"" << xml(m) << "\" type=\"" << verdict(r) << "\">" << xml(m)
           << "</failure>\n    </testcase>\n";
      }
    }
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
}

}  // namespace plantwin
