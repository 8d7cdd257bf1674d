// `events listen --forward-to URL`: one signed POST to a local receiver, synchronously
// (Beast; https verified against the system CA store, SSL_CERT_FILE honoured).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace jopay::cli {

struct ForwardAnswer {
  int status = 0;     // 0: no HTTP answer
  std::string error;  // why there was none
};

// Checks that `url` is an absolute http(s) URL.
Status CheckForwardUrl(const std::string& url);

ForwardAnswer PostTo(const std::string& url, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace jopay::cli
