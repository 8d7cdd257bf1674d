// The billing clock: the system clock, or (test mode) a simulated one that only moves when
// told to (`jopayctl clock set|advance`), so a year of billing runs in a second.
#pragma once

#include <atomic>

#include "common/time.h"

namespace jopay {

class Clock {
 public:
  static Clock System() { return Clock(false, 0); }
  static Clock Manual(UnixSeconds start) { return Clock(true, start); }
  Clock(const Clock& o) : manual_(o.manual_), now_(o.now_.load()) {}

  bool manual() const { return manual_; }
  UnixSeconds Now() const { return manual_ ? now_.load() : SystemNow(); }
  // Manual clocks only; the caller has checked that time does not go back.
  void Set(UnixSeconds t) { now_.store(t); }

 private:
  Clock(bool manual, UnixSeconds now) : manual_(manual), now_(now) {}
  bool manual_;
  std::atomic<UnixSeconds> now_;
};

}  // namespace jopay
