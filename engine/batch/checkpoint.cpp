#include "engine/batch/checkpoint.h"

#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "engine/io/results_writer.h"
#include "engine/scene/sha256.h"

namespace plantwin {
namespace {

constexpr const char* kMagic = "plantwin-checkpoint/1";

// FNV-1a, 64 bits, over everything before it: catches a damaged or truncated file (the key,
// a SHA-256, says which batch it is; this only has to be fast over gigabytes).
struct Fnv1a {
  uint64_t h = 14695981039346656037ull;
  void add(const void* data, size_t n) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  }
};

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

struct Writer {
  std::FILE* f;
  Fnv1a sum;
  bool ok = true;
  void put(const void* data, size_t n) {
    if (n == 0) return;
    sum.add(data, n);
    ok = ok && std::fwrite(data, 1, n, f) == n;
  }
};

struct Reader {
  std::FILE* f;
  Fnv1a sum;
  bool get(void* data, size_t n) {
    if (n == 0) return true;
    if (std::fread(data, 1, n, f) != n) return false;
    sum.add(data, n);
    return true;
  }
  bool line(std::string& out) {
    out.clear();
    for (int c; (c = std::fgetc(f)) != EOF;) {
      const char ch = static_cast<char>(c);
      sum.add(&ch, 1);
      if (ch == '\n') return true;
      out += ch;
      if (out.size() > 4096) return false;
    }
    return false;
  }
};

std::string hex_bits(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%a", v);
  return text;
}

}  // namespace

std::string checkpoint_key(const BatchResults& r, const std::vector<std::string>& overrides,
                           const std::string& plantwin_version) {
  std::string text = std::string(kMagic) + "\nversion " + plantwin_version + "\nscene " + r.scene_sha256 +
                     "\nseed " + std::to_string(r.seed) + "\nhorizon " + hex_bits(r.horizon_s) + "\nwarmup " +
                     hex_bits(r.warmup_s) + "\nreplications " + std::to_string(r.replications) + "\nlanes " +
                     std::to_string(r.lanes) + "\nbackend " + r.backend + "\nphysics " + r.physics_engine + "\n";
  for (const std::string& v : r.variant_names) text += "variant " + v + "\n";
  for (const std::string& s : overrides) text += "set " + s + "\n";
  return sha256_hex(text);
}

void write_checkpoint(const std::string& path, const std::string& key, const BatchResults& r, int64_t lanes_done) {
  const std::string temporary = results_temporary_path(path);
  auto fail = [&](const std::string& what) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    return std::runtime_error(path + ": cannot write checkpoint (" + what + ": " + why + ")");
  };
  File file(std::fopen(temporary.c_str(), "wb"), std::fclose);
  if (!file) throw fail("creating " + temporary);
  Writer w{file.get(), {}};
  int vectors = 0;
  for_each_lane_vector([&](const auto&) { ++vectors; }, r);
  char header[256];
  const int n = std::snprintf(header, sizeof header, "%s\nkey %s\nlanes %" PRId64 " done %" PRId64 " vectors %d\n", kMagic,
                              key.c_str(), r.lanes, lanes_done, vectors);
  w.put(header, static_cast<size_t>(n));
  for_each_lane_vector(
      [&](const auto& v) {
        const uint64_t elem = sizeof(v[0]);
        const uint64_t width = r.lanes > 0 ? v.size() / static_cast<uint64_t>(r.lanes) : 0;
        w.put(&elem, sizeof elem);
        w.put(&width, sizeof width);
        w.put(v.data(), static_cast<size_t>(lanes_done) * width * elem);
      },
      r);
  const uint64_t sum = w.sum.h;
  w.put(&sum, sizeof sum);
  if (!w.ok || std::fflush(file.get()) != 0) throw fail("writing " + temporary);
  if (fsync(fileno(file.get())) != 0) throw fail("flushing " + temporary + " to disk");
  if (std::fclose(file.release()) != 0) throw fail("closing " + temporary);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) throw fail("renaming " + temporary);
}

int64_t read_checkpoint(const std::string& path, const std::string& key, BatchResults& r) {
  File file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw CheckpointRefused(path + ": cannot read checkpoint (" + std::strerror(errno) + ")");
  Reader in{file.get(), {}};
  const auto damaged = [&](const std::string& what) {
    return CheckpointRefused(path + ": damaged checkpoint (" + what +
                              "); remove it to start the batch from the beginning");
  };
  std::string line;
  if (!in.line(line) || line != kMagic)
    throw CheckpointRefused(path + ": not a plantwin checkpoint (its first line is not '" + kMagic + "')");
  if (!in.line(line) || line.rfind("key ", 0) != 0) throw damaged("no key line");
  if (line.substr(4) != key)
    throw CheckpointRefused(path +
                             ": this checkpoint belongs to another batch (the scene, --set, seed, horizon, warm-up, "
                             "replications, backend, physics engine or plantwin version differ); remove it, or run "
                             "the batch it was written for");
  int64_t lanes = -1, done = -1;
  int vectors = -1;
  if (!in.line(line) ||
      std::sscanf(line.c_str(), "lanes %" SCNd64 " done %" SCNd64 " vectors %d", &lanes, &done, &vectors) != 3)
    throw damaged("no lanes line");
  int expected_vectors = 0;
  for_each_lane_vector([&](const auto&) { ++expected_vectors; }, r);
  if (lanes != r.lanes || vectors != expected_vectors || done < 0 || done > lanes)
    throw damaged("it counts " + std::to_string(lanes) + " lanes, " + std::to_string(done) + " done, in " +
                  std::to_string(vectors) + " vectors; this batch has " + std::to_string(r.lanes) + " lanes in " +
                  std::to_string(expected_vectors));
  std::string problem;
  for_each_lane_vector(
      [&](auto& v) {
        if (!problem.empty()) return;
        uint64_t elem = 0, width = 0;
        const uint64_t want = r.lanes > 0 ? v.size() / static_cast<uint64_t>(r.lanes) : 0;
        if (!in.get(&elem, sizeof elem) || !in.get(&width, sizeof width)) problem = "truncated";
        else if (elem != sizeof(v[0]) || width != want) problem = "a row of another width";
        else if (!in.get(v.data(), static_cast<size_t>(done) * width * elem)) problem = "truncated";
      },
      r);
  if (!problem.empty()) throw damaged(problem);
  const uint64_t expected = in.sum.h;
  uint64_t stored = 0;
  if (std::fread(&stored, sizeof stored, 1, file.get()) != 1) throw damaged("truncated");
  if (stored != expected) throw damaged("checksum mismatch");
  if (std::fgetc(file.get()) != EOF) throw damaged("bytes after the end");
  return done;
}

}  // namespace plantwin
