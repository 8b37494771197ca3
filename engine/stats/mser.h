// MSER-5 (White 1997; White, Cobb & Spratt 2000): a warm-up (truncation) rule for one output
// time series. Pure: no simulation, no I/O.
//
// The series is cut into batches of `batch` consecutive observations (5 for MSER-5; a trailing
// partial batch is dropped) and replaced by the batch means z_0 .. z_{n-1}. For each candidate
// truncation d (in batches) the statistic is
//     MSER(d) = sum_{i=d}^{n-1} (z_i - mean(z_d..z_{n-1}))^2 / (n - d)^2,
// and the truncation is the d that minimizes it over the first half of the batches only
// (d < n/2, ties to the smaller d), because the statistic is unreliable on short tails.
#pragma once
#include <cstdint>
#include <vector>

namespace plantwin {

struct MserResult {
  int64_t batch = 5;                 // observations per batch
  std::vector<double> batch_means;   // [n] z_i
  std::vector<double> statistic;     // [n] MSER(d); NaN where fewer than 2 batches remain
  int64_t searched = 0;              // candidates d = 0 .. searched-1 were searched (searched = ceil(n/2))
  int64_t best_batches = 0;          // d*: batches to delete
  int64_t truncation = 0;            // d* * batch: observations to delete
  int64_t global_best_batches = 0;   // argmin of MSER(d) over every d that leaves >= 5 batches
  // Cautions: the searched minimum is the last candidate of the first half (the transient may
  // be longer than the search allows), or the statistic is smaller still in the second half.
  bool at_boundary = false;
  bool min_in_second_half = false;
  bool usable() const { return batch_means.size() >= 4; }
};

// Throws std::invalid_argument when batch < 1 or the series gives fewer than 4 batches.
MserResult mser(const std::vector<double>& series, int64_t batch = 5);

}  // namespace plantwin
