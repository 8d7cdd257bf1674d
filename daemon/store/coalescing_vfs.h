// A VFS that gathers SQLite's small, back-to-back writes to a write-ahead log into large ones.
//
// SQLite writes each WAL frame as two pwrite calls: a 24-byte frame header, then the page. A due
// run commits ~3,000 frames per batch of 10,000 renewals, so the writer thread spent more time
// entering and leaving the kernel than copying data. This VFS wraps the default one ("unix")
// and, for WAL files only, keeps writes that continue exactly where the previous one ended in a
// buffer of kCoalesceBytes, which it hands to the real file in one write.
//
// What SQLite asks of a file still holds, because the buffer is written out before anything
// that could observe the file:
//   - a read, a sync, a truncate, a size query, a lock change, a memory map and a close;
//   - a write that does not continue the buffered run (an overwrite, a new WAL header);
//   - the end of a commit: the page that follows a frame header carrying a commit mark
//     (WAL format, "frame header" bytes 4..7: the database size after a commit, else 0).
//     Other connections can read frames only after the commit updates the WAL index, which
//     SQLite does after those writes, so they never see a frame that is still buffered;
//     and with synchronous=FULL the sync at commit writes the buffer out before that anyway.
// Files other than WALs (the database, the shared-memory index, temporary files) go straight
// to the default VFS.
#pragma once

#include <cstddef>

#include "common/status.h"

namespace jopay {

constexpr const char* kCoalescingVfsName = "jopay-coalescing";
// The default VFS writes at most 128 KiB - 1 bytes a call (os_unix.c seekAndWriteFd masks the
// count with 0x1ffff), so a buffer is one 64 KiB write: sixteen 4 KiB frames a call, not two
// calls a frame.
constexpr size_t kCoalesceBytes = 64 * 1024;

// Registers the VFS under kCoalescingVfsName (not as the default). Safe to call more than once
// and from several threads; later calls do nothing.
Status RegisterCoalescingVfs();

}  // namespace jopay
