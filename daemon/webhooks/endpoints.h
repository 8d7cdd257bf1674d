// Webhook endpoints: where events go, which types, the signing secret(s), and whether the
// endpoint is enabled (and if not, why). The secret is stored as is (it must sign) and shown
// only when created or rotated. A removed endpoint keeps its row (its deliveries' history
// names it) but is gone from every list and look-up.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay::webhooks {

constexpr int64_t kRotationOverlapSeconds = 24 * 3600;

struct Endpoint {
  std::string id;  // "we_..."
  bool livemode = false;
  std::string url;
  std::string description;
  std::vector<std::string> events;  // {"*"} = every type
  std::string secret;
  std::optional<std::string> previous_secret;
  std::optional<UnixSeconds> previous_secret_expires_at;
  bool enabled = true;
  std::optional<std::string> disabled_reason;
  std::optional<UnixSeconds> failing_since;
  int64_t after_event_rowid = 0;  // only events written after the endpoint was added
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;

  bool Wants(std::string_view type) const;
  // The secrets that sign at `now`: the current one, then the previous during a rotation.
  std::vector<std::string> SigningSecrets(UnixSeconds now) const;
};

// The event types an endpoint may subscribe to ("*" = all; "subscription.*" = a family).
const std::vector<std::string>& KnownEventTypes();
// Ok when every entry is "*", a known type or a known family ("subscription.*").
Status ValidateEventTypes(const std::vector<std::string>& types);

// Inserts `e` (id, secret and after_event_rowid are filled in here).
void InsertEndpoint(Db& db, Endpoint& e);
Result<Endpoint> LoadEndpoint(Db& db, const std::string& id, bool livemode);
std::vector<Endpoint> ListEndpoints(Db& db, bool livemode);
// Enabled endpoints of both modes (the dispatcher's view).
std::vector<Endpoint> EnabledEndpoints(Db& db);
bool AnyEnabledEndpoint(Db& db);

// Enable (clears the reason and the failing streak) or disable with a reason.
Result<Endpoint> SetEndpointEnabled(Db& db, const std::string& id, bool livemode, bool enabled,
                                    const std::string& reason, UnixSeconds now);
// A new secret; the old one keeps signing for kRotationOverlapSeconds.
Result<Endpoint> RotateEndpointSecret(Db& db, const std::string& id, bool livemode,
                                      UnixSeconds now);
// What `webhooks update` changes; each field only when given.
struct EndpointChange {
  std::optional<std::string> url;  // already checked (endpoint_url.h) by the caller
  std::optional<std::vector<std::string>> events;  // already validated
  std::optional<std::string> description;
};
// Applies `change`. A new url takes effect for every delivery sent from now on (pending ones
// and retries included); new event types for the events written from now on.
Result<Endpoint> UpdateEndpoint(Db& db, const std::string& id, bool livemode,
                                const EndpointChange& change, UnixSeconds now);
// Marks the endpoint removed and fails its pending deliveries.
Result<Endpoint> RemoveEndpoint(Db& db, const std::string& id, bool livemode, UnixSeconds now);

// The admin view; the secret is left out unless `with_secret`.
boost::json::object EndpointView(const Endpoint& e, UnixSeconds now, bool with_secret = false);

}  // namespace jopay::webhooks
