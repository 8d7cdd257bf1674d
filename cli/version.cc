// The jopayctl version string, shared by --version and the man page.
namespace jopay::cli {
extern const char* const kVersion = JOPAY_VERSION;
}
