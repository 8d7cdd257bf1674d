// The subscription events of one due batch, rendered to JSON on a helper thread while the
// writer goes on charging and saving the batch, then inserted in the order they were emitted.
//
// Why: building and serializing an event's payload is ~2.5 us of the writer's ~20 us per
// renewal, and the writer is the one thread everything waits for; the renderer runs on the
// other core. The events still go into the batch's own transaction (InsertAll runs before the
// job returns), so they commit with the changes they describe or not at all.
#pragma once

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/billing/rules.h"
#include "daemon/billing/subscription.h"
#include "daemon/events/outbox.h"
#include "daemon/store/db.h"

namespace jopay {

class EventBatch {
 public:
  EventBatch();  // starts the renderer thread
  // Stops the renderer; events not inserted by InsertAll are dropped (the job failed).
  ~EventBatch();
  EventBatch(const EventBatch&) = delete;
  EventBatch& operator=(const EventBatch&) = delete;

  // Queues an event about `s` as it is now (a copy is taken), stamped `at`.
  void Add(const Subscription& s, std::string_view type, const EventExtras& extras, UnixSeconds at);
  // Events rendered on the helper thread from what the object owns (an invoice's: one snapshot
  // for one or two events). A class, not a std::function: it can be filled again (Reuse).
  class Later {
   public:
    virtual ~Later() = default;
    // Appends the events to `out`, in the order they are to be inserted.
    virtual void Render(std::vector<Event>& out) const = 0;
  };
  // Queues the events `later` renders, in their place among the others.
  void AddLater(std::unique_ptr<Later> later);
  // A Later of type T whose events were rendered already, to be filled again and queued, or
  // null. Writer only. Why: a new snapshot per invoice was memory the writer touched for the
  // first time, page faults included (~8% of its time in a due run of 1M, perf); the few
  // dozen in flight, recycled, stay in its cache, and their strings keep their storage.
  template <class T>
  std::unique_ptr<T> Reuse() {
    if (reuse_.empty()) return nullptr;
    T* t = dynamic_cast<T*>(reuse_.back().get());
    if (!t) return nullptr;
    reuse_.back().release();
    reuse_.pop_back();
    return std::unique_ptr<T>(t);
  }
  // Waits until every queued event is rendered, then inserts them all, in the order added.
  // Called once, on the writer thread, inside the job. Rethrows what rendering threw.
  void InsertAll(Db& db);

 private:
  struct Pending {
    // Empty for an AddLater, which then builds and moves no unused Subscription.
    std::optional<Subscription> snapshot;
    std::string type;
    EventExtras extras;
    UnixSeconds at = 0;
    std::unique_ptr<Later> later;  // set: renders the events instead of the snapshot
  };
  void RenderLoop();
  void Render(std::vector<Pending>& work);
  void KeepSpent(std::vector<Pending>& work);
  void Stop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;  // guarded by mu_
  bool closing_ = false;        // guarded by mu_
  bool idle_ = false;           // guarded by mu_: the renderer waits for work
  std::vector<std::unique_ptr<Later>> spent_;  // guarded by mu_: rendered, for Reuse
  std::vector<std::unique_ptr<Later>> reuse_;  // the writer's: spent_ taken over by AddLater
  std::vector<Event> rendered_;   // the renderer's alone until it is joined
  std::exception_ptr failure_;    // likewise: what rendering threw, if anything
  std::thread renderer_;
};

}  // namespace jopay
