// Names the calling thread, so `top -H`, `ps -L`, gdb and perf show what each of jopayd's
// threads is for. Linux keeps 15 characters; longer names are cut.
#pragma once

#include <pthread.h>

#include <string>

namespace jopay {

inline void NameThisThread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace jopay
