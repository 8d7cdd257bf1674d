// Long admin requests (an online backup of a large store) run on threads of their own, so they
// never hold one of the few io threads that serve every other request. The daemon joins them
// before it closes the store.
#pragma once

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace jopay::admin {

class Background {
 public:
  ~Background() { JoinAll(); }

  // Starts `work` on a new thread.
  void Run(std::function<void()> work) {
    std::lock_guard lock(mu_);
    threads_.emplace_back(std::move(work));
  }

  // Waits for every started work to finish.
  void JoinAll() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

}  // namespace jopay::admin
