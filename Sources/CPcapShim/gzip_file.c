// A gzip-inflating FILE* for libpcap. libpcap reads offline captures through
// stdio (fread), so a cookie stream is all it takes to read compressed files
// in one pass and without unpacking them to disk.
#define _GNU_SOURCE
#include "CPcapShim.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size) {
    gzFile gz = (gzFile)cookie;
    // gzread takes an unsigned int length; libpcap never asks for more than a record.
    unsigned int want = size > 0x7fffffffu ? 0x7fffffffu : (unsigned int)size;
    int got = gzread(gz, buf, want);
    if (got < 0) {
        errno = EIO;
        return -1;
    }
    return got;
}

static int gz_cookie_close(void *cookie) {
    return gzclose_r((gzFile)cookie) == Z_OK ? 0 : EOF;
}

FILE *egress_gzip_fopen(const char *path, char *errbuf, size_t errbuf_len) {
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        snprintf(errbuf, errbuf_len, "cannot open: %s", strerror(errno));
        return NULL;
    }
    gzbuffer(gz, 256 * 1024);
    cookie_io_functions_t io = {
        .read = gz_cookie_read,
        .write = NULL,
        .seek = NULL,
        .close = gz_cookie_close,
    };
    FILE *file = fopencookie(gz, "r", io);
    if (file == NULL) {
        snprintf(errbuf, errbuf_len, "cannot create gzip stream: %s", strerror(errno));
        gzclose_r(gz);
        return NULL;
    }
    return file;
}

int egress_file_is_gzip(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    unsigned char magic[2] = {0, 0};
    size_t n = fread(magic, 1, 2, f);
    int saved = errno;
    fclose(f);
    errno = saved;
    return (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) ? 1 : 0;
}
