#ifndef EGRESS_CSHA256_H
#define EGRESS_CSHA256_H

#include <stdint.h>

/// 1 when this CPU has the SHA extensions (with SSSE3 and SSE4.1) that
/// `egress_sha256_compress_hw` needs, else 0 (and always 0 off x86-64).
int egress_sha256_has_hardware(void);

/// SHA-256's 64 round constants (FIPS 180-4 §4.2.2), for both the hardware and the portable rounds.
const uint32_t *egress_sha256_round_constants(void);

/// One 64-byte block into a SHA-256 state (FIPS 180-4 §6.2.2) with the SHA
/// extensions. Only call it when `egress_sha256_has_hardware()` said 1.
void egress_sha256_compress_hw(uint32_t state[8], const void *block);

#endif
