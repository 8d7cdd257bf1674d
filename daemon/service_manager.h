// What jopayd tells its service manager (systemd, Type=notify; see packaging/jopayd.service):
// READY=1 once the store is open and both faces listen, RELOADING=1 then READY=1 around a
// SIGHUP reload, STOPPING=1 at a stop signal, and WATCHDOG=1 while the writer still runs jobs. Started
// without NOTIFY_SOCKET (by hand, in tests) every call does nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/store/writer.h"

namespace jopay {

// `status` is the one-line STATUS= systemctl shows.
void NotifyReady(const std::string& status);
void NotifyReloading();
void NotifyStopping();

// Pings the watchdog (WatchdogSec= in the unit) at half its interval, but only after a job
// has gone through the writer since the last ping: a writer that is stuck stops the pings and
// systemd restarts jopayd. Does nothing when the unit has no watchdog.
class Watchdog {
 public:
  explicit Watchdog(Writer& writer);
  ~Watchdog();  // Stop()
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void Start();
  void Stop();

 private:
  void Loop(std::chrono::microseconds interval);

  // Shared with the empty jobs' callbacks, which may run after this object is gone.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    uint64_t passed = 0;     // the last empty job the writer ran; guarded by mu
    bool stopping = false;   // guarded by mu
  };

  Writer& writer_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::thread thread_;
};

}  // namespace jopay
