// The shapes most commands share: list a collection page, show one object,
// post a change and show the result. Handlers are one call to one of these.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/admin_client.h"
#include "cli/invocation.h"

namespace jopay::cli {

using Path = std::vector<std::string>;

// GET path with `query` plus limit and starting_after from --limit and
// --starting-after; prints the page's data as `object`s and, when the daemon
// has more, says on stderr how to get the next page. With --all it follows
// has_more to the last page, --limit objects a page, printing them as one
// list (see Printer::ListBegin).
Status ListAndPrint(Invocation& inv, const Path& path, QueryParams query,
                    std::string_view object);

// The pages of GET path?query, `page_size` objects each, from the one after
// `after` (empty: from the first) on: `on_page` gets each page's data in
// order. With `every_page` it goes on while the daemon says has_more; else it
// stops after one page. Returns the id to continue after when pages were left
// unread (empty when none), or the first error of a call or of `on_page`.
using PageFn = std::function<Status(const boost::json::array& data)>;
Result<std::string> FetchPages(Invocation& inv, const Path& path, const QueryParams& query,
                               const std::string& page_size, std::string after,
                               bool every_page, const PageFn& on_page);

// GET path and print the object.
Status GetAndPrint(Invocation& inv, const Path& path);

// POST `body` (a JSON object) to path and print the object answered.
Status PostAndPrint(Invocation& inv, const Path& path, const boost::json::object& body = {});

// Adds `param`=value of option `option` to `query` when it was given.
void AddQuery(QueryParams& query, const Invocation& inv, std::string_view option,
              std::string param);

// Sets body[key] from option `option` when it was given: as an integer for
// integer options, else as a string.
void AddField(boost::json::object& body, const Invocation& inv, std::string_view option,
              std::string_view key);

// Ok when `v` is a JSON object; else the Status for a malformed answer.
Status ExpectObject(const boost::json::value& v);

}  // namespace jopay::cli
