#ifndef EGRESS_CPREFETCH_H
#define EGRESS_CPREFETCH_H

/// Asks the CPU to start loading the cache line at `address` (no fault, no
/// wait; an address past the mapping is harmless), for data read once: the
/// mapped capture readers walk the file one record at a time, each record's
/// position known only once the previous header is read; fetching ahead of
/// the walk hides the wait on memory that otherwise bounds it.
static inline void egress_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 0);
}

/// The same for data about to be read and written again (a hash table's slot
/// a few packets ahead): kept in every cache level.
static inline void egress_prefetch_table(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#include <stddef.h>

/// Maps in the pages of [address, address + length) ahead of their use
/// (`madvise(MADV_POPULATE_READ)` or `MADV_POPULATE_WRITE`, Linux 5.14), the
/// range widened to whole pages: one call instead of a page fault per 4 KiB
/// page as the reader or writer first touches each. Returns 0, or -1 when the
/// kernel lacks the call (or refuses the range): callers then stop asking, and
/// pages are faulted in as they are touched, as without it.
int egress_populate(const void *address, size_t length, int forWriting);

#endif
