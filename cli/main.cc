// jopayctl: the operator's command-line client for jopayd (see cli/app.h).
#include "cli/app.h"

int main(int argc, char** argv) {
  jopay::cli::Env env = jopay::cli::Env::FromProcess();
  return jopay::cli::Run(argc, argv, env, jopay::cli::ConnectToSocket);
}
