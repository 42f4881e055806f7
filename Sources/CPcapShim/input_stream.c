// One readable stream for every capture or data file that is not mapped:
// regular files, pipes, FIFOs, standard input, process substitution; gzip or
// not. The first bytes are peeked (inflated when the input is gzip) without
// being consumed, so the format can be told from them and the same bytes then
// read by libpcap through stdio (fread): a pipe cannot be opened twice.
#define _GNU_SOURCE
#include "CPcapShim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

enum { RAW_CAPACITY = 256 * 1024, PEEK_CAPACITY = 64 };

typedef struct {
    int fd;
    int gzip;
    int raw_eof;
    int inflate_ended;
    z_stream z;
    size_t raw_pos, raw_len;
    size_t peek_pos, peek_len;
    unsigned char peek[PEEK_CAPACITY];
    unsigned char raw[RAW_CAPACITY];
} input_stream;

static atomic_int interrupted;

void egress_stream_interrupt(void) { atomic_store_explicit(&interrupted, 1, memory_order_relaxed); }

/// Reads more raw bytes into the (consumed) raw buffer; 0 at the end, -1 on error. A pipe
/// whose writer is quiet is waited for in steps of 200 ms, so `egress_stream_interrupt` ends
/// the wait (as the end of the input) even when no byte ever comes.
static ssize_t refill(input_stream *s) {
    if (s->raw_eof) return 0;
    for (;;) {
        if (atomic_load_explicit(&interrupted, memory_order_relaxed)) {
            s->raw_eof = 1;
            return 0;
        }
        struct pollfd p = {.fd = s->fd, .events = POLLIN, .revents = 0};
        int ready = poll(&p, 1, 200);
        if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
        ssize_t n = read(s->fd, s->raw, RAW_CAPACITY);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) s->raw_eof = 1;
        s->raw_pos = 0;
        s->raw_len = (size_t)n;
        return n;
    }
}

/// Up to `size` bytes of the input (inflated when gzip); 0 at the end, -1 on error (errno set).
static ssize_t produce(input_stream *s, unsigned char *buf, size_t size) {
    if (!s->gzip) {
        if (s->raw_pos == s->raw_len) {
            ssize_t n = refill(s);
            if (n <= 0) return n;
        }
        size_t n = s->raw_len - s->raw_pos;
        if (n > size) n = size;
        memcpy(buf, s->raw + s->raw_pos, n);
        s->raw_pos += n;
        return (ssize_t)n;
    }
    if (s->inflate_ended) return 0;
    // zlib counts in uInt; libpcap never asks for more than a record at a time.
    const uInt want = size > 0x7fffffffu ? 0x7fffffffu : (uInt)size;
    s->z.next_out = buf;
    s->z.avail_out = want;
    while (s->z.avail_out == want) {
        if (s->z.avail_in == 0) {
            if (s->raw_pos == s->raw_len) {
                ssize_t n = refill(s);
                if (n < 0) return -1;
                if (n == 0) {
                    // The input ended inside a gzip member: the file was cut short.
                    errno = EIO;
                    return -1;
                }
            }
            s->z.next_in = s->raw + s->raw_pos;
            s->z.avail_in = (uInt)(s->raw_len - s->raw_pos);
            s->raw_pos = s->raw_len;
        }
        int rc = inflate(&s->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            // Another member may follow (gzip a b > c, pigz): read on; otherwise the end.
            if (s->z.avail_in == 0 && s->raw_pos == s->raw_len && refill(s) <= 0) {
                s->inflate_ended = 1;
                break;
            }
            if (s->z.avail_in == 0) {
                s->z.next_in = s->raw + s->raw_pos;
                s->z.avail_in = (uInt)(s->raw_len - s->raw_pos);
                s->raw_pos = s->raw_len;
            }
            inflateReset(&s->z);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            errno = EIO;
            return -1;
        }
    }
    return (ssize_t)((unsigned char *)s->z.next_out - buf);
}

static ssize_t stream_read(void *cookie, char *buf, size_t size) {
    input_stream *s = cookie;
    if (s->peek_pos < s->peek_len) {
        size_t n = s->peek_len - s->peek_pos;
        if (n > size) n = size;
        memcpy(buf, s->peek + s->peek_pos, n);
        s->peek_pos += n;
        return (ssize_t)n;
    }
    return produce(s, (unsigned char *)buf, size);
}

static int stream_close(void *cookie) {
    input_stream *s = cookie;
    if (s->gzip) inflateEnd(&s->z);
    int rc = close(s->fd);
    free(s);
    return rc == 0 ? 0 : EOF;
}

FILE *egress_stream_open_fd(int fd, egress_stream_facts *facts, char *errbuf, size_t errbuf_len) {
    input_stream *s = calloc(1, sizeof(input_stream));
    if (s == NULL) {
        snprintf(errbuf, errbuf_len, "out of memory");
        close(fd);
        return NULL;
    }
    s->fd = fd;
    // At least two raw bytes (a pipe may deliver one at a time) to see the gzip magic.
    while (s->raw_len < 2 && !s->raw_eof) {
        ssize_t n = read(fd, s->raw + s->raw_len, RAW_CAPACITY - s->raw_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(errbuf, errbuf_len, "%s", strerror(errno));
            close(fd);
            free(s);
            return NULL;
        }
        if (n == 0) s->raw_eof = 1;
        s->raw_len += (size_t)n;
    }
    s->gzip = s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b;
    if (s->gzip && inflateInit2(&s->z, 15 + 16) != Z_OK) {
        snprintf(errbuf, errbuf_len, "cannot start inflating");
        close(fd);
        free(s);
        return NULL;
    }
    // The first bytes, inflated when gzip, kept to be read again.
    while (s->peek_len < PEEK_CAPACITY) {
        ssize_t n = produce(s, s->peek + s->peek_len, PEEK_CAPACITY - s->peek_len);
        if (n < 0) {
            if (s->peek_len > 0) break;  // a short or corrupt stream: the reader says so later
            snprintf(errbuf, errbuf_len, "%s", s->gzip ? "corrupt or truncated gzip data" : strerror(errno));
            stream_close(s);
            return NULL;
        }
        if (n == 0) break;
        s->peek_len += (size_t)n;
    }
    facts->gzip = s->gzip;
    facts->leading_count = s->peek_len < sizeof(facts->leading) ? s->peek_len : sizeof(facts->leading);
    memcpy(facts->leading, s->peek, facts->leading_count);
    cookie_io_functions_t io = {.read = stream_read, .write = NULL, .seek = NULL, .close = stream_close};
    FILE *file = fopencookie(s, "r", io);
    if (file == NULL) {
        snprintf(errbuf, errbuf_len, "cannot create a stream: %s", strerror(errno));
        stream_close(s);
        return NULL;
    }
    return file;
}

FILE *egress_stream_open(const char *path, egress_stream_facts *facts, char *errbuf, size_t errbuf_len) {
    int fd;
    do { fd = open(path, O_RDONLY | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        snprintf(errbuf, errbuf_len, "%s", strerror(errno));
        return NULL;
    }
    return egress_stream_open_fd(fd, facts, errbuf, errbuf_len);
}
