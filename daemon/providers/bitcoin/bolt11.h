// BOLT11 Lightning invoices, written by the test-mode sandbox so that demos and tests show a
// real, decodable invoice (regtest: "lnbcrt...") that no wallet on a real network would pay.
// The invoice is signed (secp256k1, recoverable, as BOLT11 requires) by a sandbox node key
// derived from a fixed seed: any BOLT11 decoder reads its amount, hash, description and expiry
// and recovers the node's public key from the signature.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace jopay::bitcoin {

struct InvoiceRequest {
  std::string network = "bcrt";  // hrp after "ln": "bc" mainnet, "tb" testnet, "bcrt" regtest
  int64_t amount_sats = 0;       // > 0
  int64_t timestamp = 0;         // Unix seconds
  int64_t expiry = 3600;         // seconds
  std::array<uint8_t, 32> payment_hash{};
  std::array<uint8_t, 32> payment_secret{};
  std::string description;       // UTF-8, at most 639 bytes (BOLT11's field limit)
};

// The encoded invoice, signed by the sandbox node key.
std::string EncodeInvoice(const InvoiceRequest& r);
// The sandbox node's public key (33 bytes, compressed), as a decoder recovers it.
std::array<uint8_t, 33> SandboxNodeId();
// The hrp's amount part: the shortest BOLT11 spelling of `sats` ("25u" = 2,500 sats).
std::string AmountPart(int64_t sats);

}  // namespace jopay::bitcoin
