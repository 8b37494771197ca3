#include "engine/io/results_diff.h"

#include <cmath>
#include <cstdio>

#include "engine/io/lane_kpis.h"
#include "engine/io/text_format.h"

namespace plantwin {

ResultsDiff diff_results(const BatchResults& a, const BatchResults& b, const DiffOptions& options) {
  if (!(options.alpha > 0 && options.alpha < 1))
    throw DiffError("alpha must be between 0 and 1 (exclusive), e.g. 0.05, got " + format_setting(options.alpha));
  std::vector<const LaneKpi*> kpis;
  if (options.kpis.empty()) {
    for (const LaneKpi& k : lane_kpis()) kpis.push_back(&k);
  } else {
    for (const std::string& name : options.kpis) {
      const LaneKpi* k = find_lane_kpi(name);
      if (!k) {
        std::string names;
        for (const LaneKpi& l : lane_kpis()) names += std::string(names.empty() ? "" : ", ") + l.name;
        throw DiffError("unknown KPI '" + name + "'; the KPIs are " + names);
      }
      kpis.push_back(k);
    }
  }
  ResultsDiff d;
  d.alpha = options.alpha;
  if (a.scene_sha256 != b.scene_sha256)
    d.notes.push_back("the files come from different scene files (or different versions of one)");
  if (a.horizon_s != b.horizon_s || a.warmup_s != b.warmup_s)
    d.notes.push_back("the horizons or warm-ups differ: " + format4(a.horizon_s) + " s after " + format4(a.warmup_s) +
                      " s vs " + format4(b.horizon_s) + " s after " + format4(b.warmup_s) + " s");
  if (a.seed == b.seed)
    d.notes.push_back("both runs used seed " + std::to_string(a.seed) +
                      ": their replications share random numbers; Welch's test treats them as independent, which "
                      "makes it conservative");
  if (a.replications < 2 || b.replications < 2)
    d.notes.push_back("a file has fewer than 2 replications per variant: no difference can be tested");

  auto index_of = [](const BatchResults& r, const std::string& name) -> int64_t {
    for (size_t v = 0; v < r.variant_names.size(); ++v)
      if (r.variant_names[v] == name) return static_cast<int64_t>(v);
    return -1;
  };
  for (const std::string& name : b.variant_names)
    if (index_of(a, name) < 0) d.only_b.push_back(name);
  std::vector<std::vector<double>> col_a, col_b;  // [KPI][lane], each copied once
  for (const LaneKpi* k : kpis) {
    col_a.push_back(kpi_column(a, k->name));
    col_b.push_back(kpi_column(b, k->name));
  }
  for (size_t va = 0; va < a.variant_names.size(); ++va) {
    const std::string& name = a.variant_names[va];
    const int64_t vb = index_of(b, name);
    if (vb < 0) {
      d.only_a.push_back(name);
      continue;
    }
    for (size_t q = 0; q < kpis.size(); ++q) {
      const LaneKpi* k = kpis[q];
      const std::vector<double>&xa = col_a[q], &xb = col_b[q];
      KpiDiffRow row;
      row.variant = name;
      row.kpi = k->name;
      row.unit = k->unit;
      row.a = summarize_sample(xa.data() + static_cast<int64_t>(va) * a.replications, a.replications);
      row.b = summarize_sample(xb.data() + vb * b.replications, b.replications);
      row.test = welch_test(row.a, row.b);
      row.significant = row.test.tested && row.test.p < options.alpha;
      d.significant += row.significant;
      d.rows.push_back(row);
    }
  }
  return d;
}

void write_diff(std::ostream& os, const ResultsDiff& d, const std::string& label_a, const std::string& label_b,
                DiffFormat format) {
  if (format == DiffFormat::kCsv) {
    os << "variant,kpi,unit,n_a,mean_a,sd_a,n_b,mean_b,sd_b,diff,relative,t,dof,p,significant\n";
    for (const KpiDiffRow& r : d.rows) {
      const double rel = r.a.mean != 0 ? r.test.diff / std::fabs(r.a.mean) : std::nan("");
      os << csv_field(r.variant) << ',' << r.kpi << ',' << r.unit << ',' << r.a.n << ',' << plain(r.a.mean) << ','
         << plain(r.a.sd) << ',' << r.b.n << ',' << plain(r.b.mean) << ',' << plain(r.b.sd) << ','
         << plain(r.test.diff) << ',' << plain(rel) << ',' << plain(r.test.t) << ','
         << plain(r.test.dof) << ',' << plain(r.test.p) << ',' << (r.significant ? 1 : 0) << '\n';
    }
    return;
  }
  os << "A: " << label_a << "\nB: " << label_b << "\n"
     << "Welch's t test per variant and KPI, two-sided, alpha " << format_setting(d.alpha) << "; mean +- sd over replications\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const KpiDiffRow& r : d.rows) {
    const double rel = r.a.mean != 0 ? 100.0 * r.test.diff / std::fabs(r.a.mean) : std::nan("");
    std::string change = std::isfinite(rel) ? (rel > 0 ? "+" : "") + fixed(rel, 2) + " %" : "-";
    rows.push_back({r.variant, r.kpi + " [" + r.unit + "]", format4(r.a.mean) + " ± " + format4(r.a.sd),
                    format4(r.b.mean) + " ± " + format4(r.b.sd), (r.test.diff > 0 ? "+" : "") + format4(r.test.diff), change,
                    format_p(r.test.p), !r.test.tested ? "untested" : (r.significant ? "differs" : "same")});
  }
  print_table(os, {"variant", "KPI", "A", "B", "B - A", "change", "p", "verdict"},
              {true, true, false, false, false, false, false, true}, rows);
  os << "\n" << d.significant << " of " << d.rows.size() << " differ at alpha " << format_setting(d.alpha) << "\n";
  for (const std::string& v : d.only_a) os << "only in A: variant '" << v << "'\n";
  for (const std::string& v : d.only_b) os << "only in B: variant '" << v << "'\n";
  for (const std::string& n : d.notes) os << "note: " << n << "\n";
}

}  // namespace plantwin
