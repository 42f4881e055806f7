#ifndef EGRESS_CAES128_H
#define EGRESS_CAES128_H

#include <stddef.h>
#include <stdint.h>

/// AES-128's eleven round keys (FIPS 197 §5.2), 176 bytes in the standard
/// byte order, which the portable rounds and the x86 AES instructions share.
typedef struct {
    uint8_t rounds[176];
} egress_aes128_key;

/// 1 when this CPU has AES-NI and PCLMULQDQ (with SSSE3 and SSE4.1), which
/// the `hardware` paths below need, else 0 (and always 0 off x86-64).
int egress_aes128_has_hardware(void);

/// Expands a 16-byte key into its round keys.
void egress_aes128_expand(egress_aes128_key *key, const uint8_t bytes[16]);

/// One block, encrypted (AES-128 in ECB: QUIC's header-protection mask).
/// `hardware` must be 0 unless `egress_aes128_has_hardware()` said 1.
void egress_aes128_encrypt_block(const egress_aes128_key *key, const uint8_t in[16], uint8_t out[16], int hardware);

/// AES-128-GCM decryption (NIST SP 800-38D) with a 12-byte nonce and a
/// 16-byte tag: `length` bytes of `ciphertext` decrypted into `plaintext`
/// (which must not overlap it). Returns 1 when the tag authenticates the
/// ciphertext and `aad`, else 0, and then `plaintext` holds no meaning.
int egress_aes128_gcm_open(const egress_aes128_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                           const uint8_t *ciphertext, size_t length, const uint8_t tag[16], uint8_t *plaintext, int hardware);

/// GHASH's multiplication in GF(2^128) (SP 800-38D §6.3), `x` = `x` · `h`,
/// blocks as GCM lays them out: exposed so tests can check the hardware
/// multiplication against the portable one on any input.
void egress_ghash_multiply(uint8_t x[16], const uint8_t h[16], int hardware);

#endif
