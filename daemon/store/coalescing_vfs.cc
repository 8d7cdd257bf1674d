#include "daemon/store/coalescing_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>

namespace jopay {

namespace {

// An open file of this VFS. SQLite allocates szOsFile bytes for it and calls no constructor:
// the fields are set in Open, and the default VFS's own file object follows in the same block.
struct File {
  sqlite3_file base;  // first: SQLite sees a File as a sqlite3_file
  sqlite3_file* real;
  bool coalesce;             // a WAL or a database: its writes are gathered
  bool wal;                  // a WAL: its writes are frames, some of them ending a commit
  bool flush_after_write;    // the next write completes a commit frame
  unsigned char* buffer;     // kCoalesceBytes from sqlite3_malloc, on first use
  sqlite3_int64 buffer_at;   // file offset of buffer[0]
  size_t buffered;           // bytes held in buffer
};

constexpr size_t kFileBytes = (sizeof(File) + 7) & ~size_t{7};
constexpr int kFrameHeaderBytes = 24;  // WAL format: every frame starts with one

sqlite3_vfs* Real(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
File* Of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
const sqlite3_io_methods* RealIo(File* f) { return f->real->pMethods; }

int Flush(File* f) {
  if (f->buffered == 0) return SQLITE_OK;
  int rc = RealIo(f)->xWrite(f->real, f->buffer, static_cast<int>(f->buffered), f->buffer_at);
  f->buffered = 0;
  return rc;
}

// A frame header whose "database size after commit" field (bytes 4..7) is set ends a commit.
bool IsCommitFrameHeader(const void* data, int amount) {
  if (amount != kFrameHeaderBytes) return false;
  const auto* b = static_cast<const unsigned char*>(data);
  return (b[4] | b[5] | b[6] | b[7]) != 0;
}

int Close(sqlite3_file* file) {
  File* f = Of(file);
  int rc = Flush(f);
  sqlite3_free(f->buffer);
  f->buffer = nullptr;
  int close_rc = RealIo(f)->xClose(f->real);
  return rc != SQLITE_OK ? rc : close_rc;
}

// Writes the buffer out, then hands the call to the default VFS's file.
template <class Method, class... Args>
int FlushThen(sqlite3_file* file, Method method, Args... args) {
  File* f = Of(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return (RealIo(f)->*method)(f->real, args...);
}

// Hands the call to the default VFS's file as it is.
template <class Method, class... Args>
auto Pass(sqlite3_file* file, Method method, Args... args) {
  return (RealIo(Of(file))->*method)(Of(file)->real, args...);
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return FlushThen(file, &sqlite3_io_methods::xRead, out, amount, offset);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  File* f = Of(file);
  if (!f->coalesce) return RealIo(f)->xWrite(f->real, data, amount, offset);
  const size_t n = static_cast<size_t>(amount);
  const bool continues =
      f->buffered > 0 && offset == f->buffer_at + static_cast<sqlite3_int64>(f->buffered);
  if (!continues || f->buffered + n > kCoalesceBytes) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (n > kCoalesceBytes) return RealIo(f)->xWrite(f->real, data, amount, offset);
  if (!f->buffer) {
    f->buffer = static_cast<unsigned char*>(sqlite3_malloc64(kCoalesceBytes));
    if (!f->buffer) return RealIo(f)->xWrite(f->real, data, amount, offset);
  }
  if (f->buffered == 0) f->buffer_at = offset;
  std::memcpy(f->buffer + f->buffered, data, n);
  f->buffered += n;
  if (f->flush_after_write) {  // this was the page of a commit frame
    f->flush_after_write = false;
    return Flush(f);
  }
  f->flush_after_write = f->wal && IsCommitFrameHeader(data, amount);
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  return FlushThen(file, &sqlite3_io_methods::xTruncate, size);
}
int Sync(sqlite3_file* file, int flags) {
  return FlushThen(file, &sqlite3_io_methods::xSync, flags);
}
int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  return FlushThen(file, &sqlite3_io_methods::xFileSize, size);
}
int Lock(sqlite3_file* file, int level) {
  return FlushThen(file, &sqlite3_io_methods::xLock, level);
}
int Unlock(sqlite3_file* file, int level) {
  return FlushThen(file, &sqlite3_io_methods::xUnlock, level);
}
// SQLite signals the end of a checkpoint's copying with SQLITE_FCNTL_CKPT_DONE, before it lets
// readers find those pages in the database; every file control writes the buffer out first.
int FileControl(sqlite3_file* file, int op, void* arg) {
  return FlushThen(file, &sqlite3_io_methods::xFileControl, op, arg);
}
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  return FlushThen(file, &sqlite3_io_methods::xFetch, offset, amount, out);
}

int CheckReservedLock(sqlite3_file* file, int* out) {
  return Pass(file, &sqlite3_io_methods::xCheckReservedLock, out);
}
int SectorSize(sqlite3_file* file) { return Pass(file, &sqlite3_io_methods::xSectorSize); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Pass(file, &sqlite3_io_methods::xDeviceCharacteristics);
}
int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return Pass(file, &sqlite3_io_methods::xShmMap, region, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Pass(file, &sqlite3_io_methods::xShmLock, offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) { Pass(file, &sqlite3_io_methods::xShmBarrier); }
int ShmUnmap(sqlite3_file* file, int delete_flag) {
  return Pass(file, &sqlite3_io_methods::xShmUnmap, delete_flag);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return Pass(file, &sqlite3_io_methods::xUnfetch, offset, page);
}

const sqlite3_io_methods kIoMethods = {
    3,        Close,          Read,    Write,    Truncate, Sync,       FileSize,
    Lock,     Unlock,         CheckReservedLock,  FileControl,         SectorSize,
    DeviceCharacteristics,    ShmMap,  ShmLock,  ShmBarrier, ShmUnmap, Fetch,
    Unfetch,
};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = Of(file);
  std::memset(f, 0, sizeof(File));
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kFileBytes);
  int rc = Real(vfs)->xOpen(Real(vfs), name, f->real, flags, out_flags);
  if (!f->real->pMethods) return rc;  // nothing opened: SQLite will not close it either
  // The default VFS's files are version 3 too; a lower one would lack methods forwarded here.
  if (f->real->pMethods->iVersion < 3) {
    f->real->pMethods->xClose(f->real);
    return SQLITE_CANTOPEN;
  }
  f->wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->coalesce = f->wal || (flags & SQLITE_OPEN_MAIN_DB) != 0;
  file->pMethods = &kIoMethods;
  return rc;
}

// The remaining VFS methods are the default VFS's, called with the default VFS.
int Delete(sqlite3_vfs* v, const char* p, int sync) { return Real(v)->xDelete(Real(v), p, sync); }
int Access(sqlite3_vfs* v, const char* p, int flags, int* out) {
  return Real(v)->xAccess(Real(v), p, flags, out);
}
int FullPathname(sqlite3_vfs* v, const char* p, int n, char* out) {
  return Real(v)->xFullPathname(Real(v), p, n, out);
}
int Randomness(sqlite3_vfs* v, int n, char* out) { return Real(v)->xRandomness(Real(v), n, out); }
int Sleep(sqlite3_vfs* v, int micros) { return Real(v)->xSleep(Real(v), micros); }
int CurrentTime(sqlite3_vfs* v, double* out) { return Real(v)->xCurrentTime(Real(v), out); }
int GetLastError(sqlite3_vfs* v, int n, char* out) {
  return Real(v)->xGetLastError(Real(v), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  return Real(v)->xCurrentTimeInt64(Real(v), out);
}

}  // namespace

Status RegisterCoalescingVfs() {
  static std::once_flag once;
  static int rc = SQLITE_OK;
  std::call_once(once, [] {
    static sqlite3_vfs vfs{};
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (!real || !real->xCurrentTimeInt64) {
      rc = SQLITE_ERROR;
      return;
    }
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(kFileBytes) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kCoalescingVfsName;
    vfs.pAppData = real;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    rc = sqlite3_vfs_register(&vfs, 0);
  });
  if (rc != SQLITE_OK) {
    return Status::Internal(std::string("cannot register the coalescing VFS: ") +
                            sqlite3_errstr(rc));
  }
  return Status::Ok();
}

}  // namespace jopay
