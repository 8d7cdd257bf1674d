// QR codes of what a customer pays (a Lightning invoice, a Bitcoin URI), drawn by libqrencode
// and written as SVG: server-rendered, no script, sharp at any size, scannable on a phone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jopay::pages {

// An <svg> element (no XML prolog: it embeds in a page and serves as image/svg+xml) of `text`
// as a QR code with error correction level M and the 4-module quiet zone scanners need.
// nullopt when the text does not fit a QR code (over ~2.3 KB). With `pixels`, the element is
// that wide and high (the pages' CSP allows no style attributes); otherwise it fills its box.
std::optional<std::string> QrSvg(std::string_view text, int pixels = 0);

}  // namespace jopay::pages
