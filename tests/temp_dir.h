// A fresh directory under /tmp for one test, removed with everything in it when it goes out of
// scope. Declare it before anything that keeps files open in it (a Store, a Db), so that those
// are destroyed first.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace jopay::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/jopay-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The path of `name` inside the directory.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace jopay::testing
