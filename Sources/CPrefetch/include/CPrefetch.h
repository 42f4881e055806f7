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

#endif
