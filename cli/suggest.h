// "Did you mean ...?" for a mistyped command word, as git and ninja do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jopay::cli {

// The edit distance between a and b: insertions, deletions, substitutions and swaps of two
// neighbouring letters each count 1 (optimal string alignment).
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be what was meant (at most 1 edit
// for words of up to 4 letters, 2 up to 8, 3 beyond) and no other candidate is as close.
std::optional<std::string> ClosestWord(std::string_view word,
                                       const std::vector<std::string>& candidates);

}  // namespace jopay::cli
