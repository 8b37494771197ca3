#include "engine/batch/stop_signal.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace plantwin {
namespace {

// Any thread may take a process-directed signal (OpenMP's workers included), so two handlers
// can run at once on two threads: the exchange decides which one came first. Lock-free, so
// async-signal-safe.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the stop flag must be lock-free in a signal handler");
char g_cleanup[4096] = {0};  // read by the handler: written only while no signal is pending

void handle(int sig) {
  if (g_signal.exchange(sig) != 0) {
    // Second signal: stop now. Only async-signal-safe calls here.
    if (g_cleanup[0] != '\0') unlink(g_cleanup);
    const char msg[] = "\nplantwin: stopped at once (second signal); no results written\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(128 + sig);
  }
  const char msg[] = "\nplantwin: stopping after the lanes now running (send the signal again to stop at once)\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = handle;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);  // on one thread, one handler at a time (others: g_signal)
  sigaddset(&sa.sa_mask, SIGTERM);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int stop_signal() { return g_signal.load(); }

void set_stop_cleanup_path(const std::string& path) {
  if (path.size() >= sizeof g_cleanup) return;
  std::memcpy(g_cleanup, path.c_str(), path.size() + 1);
}

}  // namespace plantwin
