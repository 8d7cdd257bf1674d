// jopayctl invoices list|get|pdf|void|credit.
#include <fstream>

#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

Status InvoicesList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "customer", "customer");
  AddQuery(query, inv, "subscription", "subscription");
  AddQuery(query, inv, "status", "status");
  return ListAndPrint(inv, {"v1", "invoices"}, query, "invoice");
}

Status InvoicesGet(Invocation& inv) { return GetAndPrint(inv, {"v1", "invoices", inv.Get("ID")}); }

// The PDF's bytes to --output FILE or to stdout, never to a terminal (it would garble it).
Status InvoicesPdf(Invocation& inv) {
  bool to_file = inv.Has("output");
  if (!to_file && inv.env().out_tty) {
    return Status::Invalid("refusing to write a PDF to the terminal: redirect it "
                           "(jopayctl invoices pdf ID > file.pdf) or give --output FILE",
                           "output");
  }
  auto answer = inv.Call("GET", Target({"v1", "invoices", inv.Get("ID"), "pdf"}));
  if (!answer.ok()) return answer.status();
  if (!answer->is_string()) return Status::Internal("jopayd did not answer with a PDF");
  const boost::json::string& bytes = answer->as_string();
  if (!to_file) {
    inv.out().stream().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return Status::Ok();
  }
  std::ofstream file(inv.Get("output"), std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return Status::Invalid("cannot write " + inv.Get("output"), "output");
  return Status::Ok();
}

Status InvoicesVoid(Invocation& inv) {
  boost::json::object body;
  AddField(body, inv, "reason", "reason");
  return PostAndPrint(inv, {"v1", "invoices", inv.Get("ID"), "void"}, body);
}

Status InvoicesCredit(Invocation& inv) {
  boost::json::object body;
  AddField(body, inv, "amount", "amount");
  AddField(body, inv, "reason", "reason");
  return PostAndPrint(inv, {"v1", "invoices", inv.Get("ID"), "credit"}, body);
}

}  // namespace jopay::cli
