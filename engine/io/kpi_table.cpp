#include "engine/io/kpi_table.h"

#include "engine/io/text_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/stats/summary.h"

namespace plantwin {
namespace {

enum class Align { kLeft, kRight };

struct Table {
  std::vector<std::string> header;
  std::vector<Align> align;
  std::vector<std::vector<std::string>> rows;

  void print(std::ostream& os) const {
    std::vector<bool> left;
    for (Align a : align) left.push_back(a == Align::kLeft);
    print_table(os, header, left, rows);
  }
};

// "mean ± ci95": the mean to 4 significant digits, or finer when that is needed to show
// the interval's half-width to 2 (a mean is only as precise as its interval).
std::string mean_ci_text(const MeanCI& s, bool with_ci) {
  if (!std::isfinite(s.mean)) return "n/a";
  int decimals = decimals_for(std::fabs(s.mean), 4);
  if (!with_ci) return fixed(s.mean, decimals);
  decimals = std::max(decimals, decimals_for(s.ci95, 2));
  return fixed(s.mean, decimals) + " ± " + fixed(s.ci95, decimals);
}

// Seconds as given, plus hours or minutes for reading at a glance.
std::string duration_text(double seconds) {
  char text[96];
  if (std::fabs(seconds) >= 3600)
    std::snprintf(text, sizeof text, "%g s (%g h)", seconds, seconds / 3600);
  else if (std::fabs(seconds) >= 60)
    std::snprintf(text, sizeof text, "%g s (%g min)", seconds, seconds / 60);
  else
    std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

void check_sizes(const BatchResults& r) {
  const int64_t L = r.lanes;
  const int64_t S = static_cast<int64_t>(r.station_names.size());
  const int64_t K = static_cast<int64_t>(r.state_names.size());
  const int64_t B = static_cast<int64_t>(r.buffer_names.size());
  if (r.replications < 1 || L != r.variants() * r.replications ||
      static_cast<int64_t>(r.state_fraction.size()) != L * S * K ||
      static_cast<int64_t>(r.buffer_mean_level.size()) != L * B)
    throw std::invalid_argument("print_kpi_table: results' sizes do not match their counts");
  if (r.has_factory_kpis() &&
      (static_cast<int64_t>(r.lead_time_p50_s.size()) != L || static_cast<int64_t>(r.lead_time_p90_s.size()) != L ||
       static_cast<int64_t>(r.lead_time_p95_s.size()) != L || static_cast<int64_t>(r.lead_time_max_s.size()) != L ||
       static_cast<int64_t>(r.station_oee.size()) != L * S ||
       static_cast<int64_t>(r.bottleneck_share.size()) != r.variants() * S))
    throw std::invalid_argument("print_kpi_table: results' factory KPI sizes do not match their counts");
  if (r.has_physics() &&
      (static_cast<int64_t>(r.physics_lost.size()) != L ||
       static_cast<int64_t>(r.physics_contact_overflow.size()) != L ||
       static_cast<int64_t>(r.physics_steps.size()) != L))
    throw std::invalid_argument("print_kpi_table: results' physics sizes do not match their counts");
}

void print_header(std::ostream& os, const BatchResults& r) {
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"scene", r.scene_name},
      {"backend", r.backend},
      {"lanes", std::to_string(r.lanes) + " (" + std::to_string(r.variants()) + " variant" +
                    (r.variants() == 1 ? "" : "s") + " × " + std::to_string(r.replications) +
                    " replication" + (r.replications == 1 ? "" : "s") + ")"},
      {"replications", std::to_string(r.replications)},
      {"horizon", duration_text(r.horizon_s)},
      {"warm-up", duration_text(r.warmup_s)},
      {"seed", std::to_string(r.seed)},
  };
  for (const auto& [key, value] : lines)
    os << key << std::string(14 - key.size(), ' ') << value << '\n';
  if (!r.created_utc.empty()) os << "created       " << r.created_utc << '\n';
}

void print_variants(std::ostream& os, const BatchResults& r) {
  const int64_t V = r.variants(), R = r.replications;
  const bool with_ci = R > 1;
  const std::vector<double> produced(r.produced.begin(), r.produced.end());
  const std::vector<MeanCI> columns[] = {
      summarize_by_variant(produced, V, R),
      summarize_by_variant(r.throughput_per_h, V, R),
      summarize_by_variant(r.wip_mean, V, R),
      summarize_by_variant(r.lead_time_mean_s, V, R),
  };
  Table table;
  table.header = {"variant", "produced [parts]", "throughput [parts/h]", "WIP [parts]",
                  "lead time [s]"};
  table.align = {Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight};
  for (int64_t v = 0; v < V; ++v) {
    std::vector<std::string> row = {r.variant_names[v]};
    for (const auto& column : columns) row.push_back(mean_ci_text(column[v], with_ci));
    table.rows.push_back(row);
  }
  os << "\nKPIs per variant" << (with_ci ? ", mean ± 95 % confidence half-width over " +
                                               std::to_string(R) + " replications"
                                         : "")
     << ":\n";
  table.print(os);
  if (!r.has_factory_kpis()) return;

  const std::vector<MeanCI> lead[] = {
      summarize_by_variant(r.lead_time_p50_s, V, R),
      summarize_by_variant(r.lead_time_p90_s, V, R),
      summarize_by_variant(r.lead_time_p95_s, V, R),
      summarize_by_variant(r.lead_time_max_s, V, R),
  };
  Table percentiles;
  percentiles.header = {"variant", "p50 [s]", "p90 [s]", "p95 [s]", "max [s]"};
  percentiles.align = {Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight};
  for (int64_t v = 0; v < V; ++v) {
    std::vector<std::string> row = {r.variant_names[v]};
    for (const auto& column : lead) row.push_back(mean_ci_text(column[v], with_ci));
    percentiles.rows.push_back(row);
  }
  os << "\nLead time percentiles per variant (within 6.25 %; max exact):\n";
  percentiles.print(os);
}

// Baseline lanes are 0 .. R-1 (variant-major order).
void print_baseline_elements(std::ostream& os, const BatchResults& r) {
  const int64_t R = r.replications;
  const int64_t S = static_cast<int64_t>(r.station_names.size());
  const int64_t K = static_cast<int64_t>(r.state_names.size());
  const int64_t B = static_cast<int64_t>(r.buffer_names.size());
  const std::string over =
      " (" + r.variant_names[0] + ", mean over " + std::to_string(R) + " replication" +
      (R == 1 ? "" : "s") + ")";
  if (S > 0) {
    // The contract's four states always; the extensions (setup, waiting_operator, off_shift)
    // only when some station spent time in them.
    std::vector<int64_t> shown;
    for (int64_t k = 0; k < K; ++k) {
      bool used = k < 4;
      for (int64_t i = 0; !used && i < R * S; ++i) used = r.state_fraction[i * K + k] != 0;
      if (used) shown.push_back(k);
    }
    Table table;
    table.header = {"station"};
    table.align = {Align::kLeft};
    for (int64_t k : shown) {
      table.header.push_back(r.state_names[k] + " [%]");
      table.align.push_back(Align::kRight);
    }
    for (int64_t s = 0; s < S; ++s) {
      std::vector<std::string> row = {r.station_names[s]};
      for (int64_t k : shown) {
        const MeanCI share = mean_ci95(r.state_fraction.data() + s * K + k, R, S * K);
        row.push_back(std::isfinite(share.mean) ? fixed(100 * share.mean, 1) : "n/a");
      }
      table.rows.push_back(row);
    }
    os << "\nStation states, share of the horizon" << over << ":\n";
    table.print(os);
  }
  if (S > 0 && r.has_factory_kpis()) {
    Table table;
    table.header = {"station", "OEE [%]", "bottleneck [% of replications]"};
    table.align = {Align::kLeft, Align::kRight, Align::kRight};
    for (int64_t s = 0; s < S; ++s) {
      const MeanCI oee = mean_ci95(r.station_oee.data() + s, R, S);
      table.rows.push_back({r.station_names[s], std::isfinite(oee.mean) ? fixed(100 * oee.mean, 1) : "n/a",
                            fixed(100 * r.bottleneck_share[s], 0)});
    }
    os << "\nOEE and active-period bottleneck" << over << ":\n";
    table.print(os);
  }
  if (B > 0) {
    const bool with_max = r.has_factory_kpis();
    Table table;
    table.header = {"buffer", "mean level [parts]"};
    table.align = {Align::kLeft, Align::kRight};
    if (with_max) {
      table.header.push_back("max level [parts]");
      table.align.push_back(Align::kRight);
    }
    for (int64_t b = 0; b < B; ++b) {
      std::vector<std::string> row = {r.buffer_names[b],
                                      mean_ci_text(mean_ci95(r.buffer_mean_level.data() + b, R, B), R > 1)};
      if (with_max) {  // the highest over the replications
        int64_t most = 0;
        for (int64_t l = 0; l < R; ++l) most = std::max(most, r.buffer_max_level[l * B + b]);
        row.push_back(std::to_string(most));
      }
      table.rows.push_back(row);
    }
    os << "\nBuffers" << over << ":\n";
    table.print(os);
  }
  if (r.has_factory_kpis() && r.part_names.size() > 1) {
    const int64_t P = static_cast<int64_t>(r.part_names.size());
    Table table;
    table.header = {"part type", "throughput [parts/h]"};
    table.align = {Align::kLeft, Align::kRight};
    for (int64_t p = 0; p < P; ++p) {
      const MeanCI t = mean_ci95(r.throughput_by_part_per_h.data() + p, R, P);
      if (t.mean == 0) continue;  // components consumed on the way (housings, screws)
      table.rows.push_back({r.part_names[p], mean_ci_text(t, R > 1)});
    }
    os << "\nThroughput by part type" << over << ":\n";
    table.print(os);
  }
  const int64_t O = static_cast<int64_t>(r.pool_names.size()), Rb = static_cast<int64_t>(r.robot_names.size());
  if (r.has_factory_kpis() && O + Rb > 0) {
    Table table;
    table.header = {"resource", "type", "utilisation [%]"};
    table.align = {Align::kLeft, Align::kLeft, Align::kRight};
    for (int64_t o = 0; o < O; ++o) {
      const MeanCI u = mean_ci95(r.operator_utilisation.data() + o, R, O);
      table.rows.push_back({r.pool_names[o], "operators", fixed(100 * u.mean, 1)});
    }
    for (int64_t k = 0; k < Rb; ++k) {
      const MeanCI u = mean_ci95(r.robot_utilisation.data() + k, R, Rb);
      table.rows.push_back({r.robot_names[k], "robot", fixed(100 * u.mean, 1)});
    }
    os << "\nOperators and robots" << over << ":\n";
    table.print(os);
  }
}

// Physical conveyors, over every lane (all variants) and the whole run, warm-up included.
void print_physics(std::ostream& os, const BatchResults& r) {
  const int64_t L = r.lanes;
  int64_t lost = 0, lost_lanes = 0, overflow = 0, overflow_lanes = 0;
  double steps = 0;
  for (int64_t l = 0; l < L; ++l) {
    lost += r.physics_lost[l];
    lost_lanes += r.physics_lost[l] > 0;
    overflow += r.physics_contact_overflow[l];
    overflow_lanes += r.physics_contact_overflow[l] > 0;
    steps += static_cast<double>(r.physics_steps[l]);
  }
  const std::string of_lanes = " of " + std::to_string(L) + " lane" + (L == 1 ? "" : "s");
  os << "\nPhysics (physical conveyors; all lanes, whole run including warm-up):\n";
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"engine", r.physics_engine},
      {"parts lost", std::to_string(lost) + " (in " + std::to_string(lost_lanes) + of_lanes + ")"},
      {"contact overflow", std::to_string(overflow) + " step" + (overflow == 1 ? "" : "s") + " (in " +
                               std::to_string(overflow_lanes) + of_lanes + ")"},
      {"physics steps", (L > 0 ? fixed(steps / static_cast<double>(L), 0) : std::string("n/a")) +
                            " per lane (mean)"},
  };
  for (const auto& [key, value] : lines) os << "  " << key << std::string(18 - key.size(), ' ') << value << '\n';
  if (overflow_lanes > 0)
    os << "warning: contact points were dropped in " << overflow_lanes << of_lanes
       << " (/physics/contact_overflow): the physics of those lanes, and their results, are not "
          "trustworthy; check the scene (parts piling up), or compare with --physics bullet\n";
}

}  // namespace

void print_kpi_table(std::ostream& os, const BatchResults& r) {
  check_sizes(r);
  print_header(os, r);
  if (r.variants() == 0) return;
  print_variants(os, r);
  print_baseline_elements(os, r);
  if (r.has_physics()) print_physics(os, r);
}

}  // namespace plantwin
