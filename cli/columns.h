// What the table view shows of each kind of object: the columns of a list
// (subscriptions: ID STATUS EMAIL PLAN AMOUNT PERIOD END, ...) and the text of
// single values (money through FormatMoney, null as "-").
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/table.h"

namespace jopay::cli {

struct Column {
  std::string header;
  Cell (*cell)(const boost::json::object& o);
};

// The columns for objects whose "object" field is `object` ("plan",
// "subscription", ...); an unknown type gets ID, OBJECT and CREATED.
const std::vector<Column>& ColumnsFor(std::string_view object);

// A scalar as a cell shows it: strings as they are, null or absent as "-",
// booleans as yes/no, numbers in decimal; objects and arrays as compact JSON.
std::string ScalarText(const boost::json::value* v);

// The field `key` of `o` as ScalarText shows it.
std::string Field(const boost::json::object& o, std::string_view key);

// o[amount_key] in o["currency"], e.g. "14.99 EUR"; "-" when either is missing.
std::string MoneyText(const boost::json::object& o, std::string_view amount_key);

// Whether a field holds an amount in minor units (shown through MoneyText).
bool IsAmountField(std::string_view key);

}  // namespace jopay::cli
