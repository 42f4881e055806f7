#ifndef EGRESS_CPCAPSHIM_H
#define EGRESS_CPCAPSHIM_H

#include <stdio.h>
#include <stddef.h>

/// What `egress_stream_open` saw at the start of its input.
typedef struct {
    /// 1 when the input is gzip-compressed (magic 1f 8b): the stream inflates it.
    int gzip;
    /// How many of `leading` are set (fewer than 16 only when the input is shorter).
    size_t leading_count;
    /// The first bytes of the (inflated) input: its format's magic.
    unsigned char leading[16];
} egress_stream_facts;

/// Opens `path` (any readable file: regular, FIFO, character device such as
/// /dev/stdin, /dev/fd/N) as a read-only FILE* that yields its bytes, inflated
/// when it is gzip (concatenated members too), and fills `facts` with its first
/// bytes WITHOUT consuming them: the FILE* still starts at byte 0, so a pipe
/// is read exactly once. fclose releases everything. On failure returns NULL
/// and writes a reason into errbuf.
FILE *egress_stream_open(const char *path, egress_stream_facts *facts, char *errbuf, size_t errbuf_len);

/// The same over an open descriptor (standard input is 0); the stream owns it
/// (fclose closes it; so does a failure).
FILE *egress_stream_open_fd(int fd, egress_stream_facts *facts, char *errbuf, size_t errbuf_len);

/// Makes every stream's next wait for input end as the end of its input (a
/// stop was asked for: SIGINT on `tcpdump -w - | egress-audit analyze -`).
/// Safe from any thread.
void egress_stream_interrupt(void);

#endif
