#include "daemon/pages/qr_code.h"

#include <fmt/core.h>
#include <qrencode.h>

#include <memory>

namespace jopay::pages {

std::optional<std::string> QrSvg(std::string_view text, int pixels) {
  std::string input(text);  // libqrencode wants a NUL-terminated string
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) return std::nullopt;
  const int n = code->width;
  constexpr int kQuiet = 4;
  // One path of unit squares, a row's dark runs merged: a few KB for an invoice.
  std::string path;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n;) {
      if (!(code->data[y * n + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < n && (code->data[y * n + x + run] & 1)) ++run;
      path += fmt::format("M{} {}h{}v1h-{}z", x + kQuiet, y + kQuiet, run, run);
      x += run;
    }
  }
  int size = n + 2 * kQuiet;
  std::string box = pixels > 0 ? fmt::format(" width=\"{0}\" height=\"{0}\"", pixels) : "";
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\"{2} "
      "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">"
      "<rect width=\"{0}\" height=\"{0}\" fill=\"#fff\"/><path d=\"{1}\" fill=\"#000\"/></svg>",
      size, path, box);
}

}  // namespace jopay::pages
