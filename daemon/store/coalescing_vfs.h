// A VFS that gathers SQLite's small, back-to-back writes into large ones.
//
// SQLite writes each WAL frame as two pwrite calls: a 24-byte frame header, then the page; and a
// checkpoint copies each page into the database with a pwrite of its own. A due run commits
// ~3,000 frames per batch of 10,000 renewals, so the writer thread spent more time entering and
// leaving the kernel than copying data. This VFS wraps the default one ("unix") and, for WAL
// and database files, keeps writes that continue exactly where the previous one ended in a
// buffer of kCoalesceBytes, which it hands to the real file in one write.
//
// What SQLite asks of a file still holds, because the buffer is written out before anything
// that could observe the file:
//   - a read, a sync, a truncate, a size query, a lock change, a file control, a memory map
//     and a close;
//   - a write that does not continue the buffered run (an overwrite, a new WAL header);
//   - the end of a commit: the page that follows a frame header carrying a commit mark
//     (WAL format, "frame header" bytes 4..7: the database size after a commit, else 0).
//     Other connections can read frames only after the commit updates the WAL index, which
//     SQLite does after those writes, so they never see a frame that is still buffered;
//     with synchronous=FULL the sync at commit writes the buffer out before that anyway;
//   - the end of a checkpoint's copying (SQLITE_FCNTL_CKPT_DONE, a file control), which SQLite
//     sends before it lets readers find the copied pages in the database.
// Other files (the shared-memory index, journals, temporary files) go straight to the default
// VFS.
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
