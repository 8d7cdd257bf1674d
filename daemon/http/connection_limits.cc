#include "daemon/http/connection_limits.h"

#include <boost/asio/ip/address.hpp>

namespace jopay::http {

std::string ClientKey(std::string_view address) {
  boost::system::error_code ec;
  auto parsed = boost::asio::ip::make_address(address, ec);
  if (ec) return std::string(address);
  if (parsed.is_v4()) return parsed.to_string();
  auto v6 = parsed.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  auto bytes = v6.to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

Admission ConnectionLimits::Admit(const std::string& client) {
  std::lock_guard lock(mu_);
  Admission verdict = Admission::kServe;
  if (total_ != 0 && serving_ >= total_) {
    verdict = Admission::kServerFull;
  } else if (per_client_ != 0 && !client.empty()) {
    auto it = clients_.find(client);
    if (it != clients_.end() && it->second >= per_client_) verdict = Admission::kClientFull;
  }
  if (verdict == Admission::kServe) {
    ++serving_;
    if (per_client_ != 0 && !client.empty()) ++clients_[client];
    return verdict;
  }
  if (refusing_ >= max_refusing_) return Admission::kDrop;
  ++refusing_;
  return verdict;
}

void ConnectionLimits::Release(const std::string& client, Admission admission) {
  std::lock_guard lock(mu_);
  switch (admission) {
    case Admission::kServe:
      --serving_;
      if (per_client_ != 0 && !client.empty()) {
        auto it = clients_.find(client);
        if (it != clients_.end() && --it->second == 0) clients_.erase(it);
      }
      return;
    case Admission::kClientFull:
    case Admission::kServerFull:
      --refusing_;
      return;
    case Admission::kDrop:
      return;
  }
}

size_t ConnectionLimits::serving() const {
  std::lock_guard lock(mu_);
  return serving_;
}

}  // namespace jopay::http
