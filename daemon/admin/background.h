// Long admin requests (an online backup, a business report over a large store) run on threads
// of their own, so they never hold one of the few io threads that serve every other request.
// Finished threads are joined as new work starts; the daemon joins the rest before it closes
// the store.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace jopay::admin {

class Background {
 public:
  ~Background() { JoinAll(); }

  // Starts `work` on a new thread, after joining the threads whose work has ended.
  void Run(std::function<void()> work) {
    std::lock_guard lock(mu_);
    std::erase_if(workers_, [](Worker& w) {
      if (!w.done->load()) return false;
      w.thread.join();
      return true;
    });
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back({std::thread([work = std::move(work), done] {
                          work();
                          done->store(true);
                        }),
                        done});
  }

  // Waits for every started work to finish.
  void JoinAll() {
    std::vector<Worker> workers;
    {
      std::lock_guard lock(mu_);
      workers.swap(workers_);
    }
    for (auto& w : workers) w.thread.join();
  }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex mu_;
  std::vector<Worker> workers_;
};

}  // namespace jopay::admin
