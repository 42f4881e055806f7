// CPrefetch: memory hints. The prefetches are static inline (Swift inlines them);
// the page population below is a call into the kernel.
#include "CPrefetch.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int egress_populate(const void *address, size_t length, int forWriting) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)address & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)address + length + page - 1) & ~(uintptr_t)(page - 1);
    if (end <= start) return 0;
    return madvise((void *)start, end - start, forWriting ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0 ? 0 : -1;
}
