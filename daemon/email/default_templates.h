// The built-in words of each kind of customer email (templates.h describes the placeholders).
#pragma once

#include <map>
#include <string>

#include "daemon/email/templates.h"

namespace jopay::email {

// One Template per kind of kKinds.
std::map<std::string, Template, std::less<>> DefaultTemplates();

}  // namespace jopay::email
