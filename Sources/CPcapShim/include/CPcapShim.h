#ifndef EGRESS_CPCAPSHIM_H
#define EGRESS_CPCAPSHIM_H

#include <stdio.h>
#include <stddef.h>

/// Opens `path` as a gzip stream and returns a read-only FILE* whose reads
/// inflate it (glibc fopencookie over zlib's gzread), so libpcap's
/// pcap_fopen_offline can read .pcap.gz / .pcapng.gz without a temporary file.
/// On failure returns NULL and writes a reason into errbuf.
FILE *egress_gzip_fopen(const char *path, char *errbuf, size_t errbuf_len);

/// 1 when the first two bytes of the file are the gzip magic (1f 8b), 0 when not,
/// -1 when the file cannot be opened or read (errno is kept).
int egress_file_is_gzip(const char *path);

/// Asks the CPU to start loading the cache line at `address` (no fault, no
/// wait; an address past the mapping is harmless). The mapped capture readers
/// walk the file one record at a time, each record's position known only once
/// the previous header is read: fetching ahead of the walk hides the wait on
/// memory that otherwise bounds it.
static inline void egress_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 0);
}

#endif
