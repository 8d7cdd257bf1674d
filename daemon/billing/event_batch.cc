#include "daemon/billing/event_batch.h"

#include "common/thread_name.h"
#include "daemon/billing/event_data.h"

namespace jopay {

namespace {
// The renderer is woken once this many events wait, not for each one: a wake-up costs about
// as much as rendering an event.
constexpr size_t kWakeEvery = 64;
// Room for the events that pile up while the renderer works, so the queue rarely grows (which
// moves every queued subscription snapshot).
constexpr size_t kReserve = 1024;
// Rendered Laters kept for Reuse: about what is in flight between the writer and the renderer.
constexpr size_t kKeepSpent = 256;
}  // namespace

EventBatch::EventBatch() : renderer_([this] { RenderLoop(); }) {
  std::lock_guard lock(mu_);  // the renderer is running already
  queue_.reserve(kReserve);   // it swaps this with a vector of its own, reserved alike
}

EventBatch::~EventBatch() { Stop(); }

void EventBatch::Stop() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_one();
  if (renderer_.joinable()) renderer_.join();
}

void EventBatch::Add(const Subscription& s, std::string_view type, const EventExtras& extras,
                     UnixSeconds at) {
  Pending p{s, std::string(type), extras, at, nullptr};  // the copy is made before the lock
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(p));
  if (idle_ && queue_.size() >= kWakeEvery) cv_.notify_one();
}

void EventBatch::AddLater(std::unique_ptr<Later> later) {
  Pending p{std::nullopt, "", EventExtras{}, 0, std::move(later)};
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(p));
  if (reuse_.empty()) reuse_.swap(spent_);
  if (idle_ && queue_.size() >= kWakeEvery) cv_.notify_one();
}

void EventBatch::RenderLoop() {
  NameThisThread("event-render");
  std::vector<Pending> work;
  work.reserve(kReserve);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      idle_ = true;
      cv_.wait(lock, [this] { return closing_ || queue_.size() >= kWakeEvery; });
      idle_ = false;
      if (closing_ && queue_.empty()) return;
      work.swap(queue_);
    }
    try {
      Render(work);
    } catch (...) {
      failure_ = std::current_exception();
      std::lock_guard lock(mu_);
      queue_.clear();
      return;
    }
    KeepSpent(work);
    work.clear();
  }
}

void EventBatch::Render(std::vector<Pending>& work) {
  for (Pending& p : work) {
    if (p.later) {
      p.later->Render(rendered_);
    } else {
      rendered_.push_back(SubscriptionEvent(*p.snapshot, p.type, p.extras, p.at));
    }
  }
}

void EventBatch::KeepSpent(std::vector<Pending>& work) {
  std::lock_guard lock(mu_);
  for (Pending& p : work) {
    if (spent_.size() >= kKeepSpent) return;
    if (p.later) spent_.push_back(std::move(p.later));
  }
}

void EventBatch::InsertAll(Db& db) {
  Stop();  // the renderer drains what is left, then ends: rendered_ is complete and ours
  if (failure_) std::rethrow_exception(failure_);
  for (Event& e : rendered_) InsertEvent(db, e);
  rendered_.clear();
}

}  // namespace jopay
