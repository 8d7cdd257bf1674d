#include "daemon/service_manager.h"

#include <systemd/sd-daemon.h>

#include <time.h>

#include <algorithm>
#include <memory>

#include "common/log.h"
#include "common/thread_name.h"

namespace jopay {

void NotifyReady(const std::string& status) {
  sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void NotifyReloading() {
  // MONOTONIC_USEC: systemd 253's Type=notify-reload wants it; older ones ignore it.
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);
  sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
             static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                 static_cast<unsigned long long>(now.tv_nsec / 1000));
}

void NotifyStopping() { sd_notify(0, "STOPPING=1"); }

Watchdog::Watchdog(Writer& writer) : writer_(writer) {}

Watchdog::~Watchdog() { Stop(); }

void Watchdog::Start() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  LogInfo("systemd watchdog: pinging every {} ms while the writer runs jobs", usec / 2000);
  thread_ = std::thread([this, usec] { Loop(std::chrono::microseconds(usec)); });
}

void Watchdog::Stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Watchdog::Loop(std::chrono::microseconds interval) {
  NameThisThread("watchdog");
  const auto half = interval / 2;
  State& s = *state_;
  for (uint64_t n = 1;; ++n) {
    // An empty job: it commits nothing, but it only runs if the writer takes jobs.
    writer_.Submit([](Db&) { return Status::Ok(); }, [state = state_, n](Status st) {
      if (!st.ok()) return;
      std::lock_guard lock(state->mu);
      state->passed = std::max(state->passed, n);
      state->cv.notify_all();
    });
    std::unique_lock lock(s.mu);
    bool through = s.cv.wait_for(lock, half, [&] { return s.passed >= n || s.stopping; });
    if (s.stopping) return;
    if (through) {
      sd_notify(0, "WATCHDOG=1");
      if (s.cv.wait_for(lock, half, [&] { return s.stopping; })) return;
    } else {
      LogWarn("systemd watchdog: the writer ran no job in {} ms; not pinging",
              std::chrono::duration_cast<std::chrono::milliseconds>(half).count());
    }
  }
}

}  // namespace jopay
