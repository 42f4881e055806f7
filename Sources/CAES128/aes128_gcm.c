// AES-128 (FIPS 197) and AES-128-GCM decryption (NIST SP 800-38D), for the
// one thing egress-audit decrypts: QUIC Initial packets (RFC 9001 §5), whose
// keys any observer derives from the packet itself. Written here, not taken
// from swift-crypto, because its API allocated per connection (keys, nonces,
// `Data` in and out: about 18 allocations for each Initial read), and the
// tracking path must not allocate per flow.
//
// Two implementations of the same arithmetic, chosen per call:
//  - x86-64 with AES-NI and PCLMULQDQ: the rounds by `aesenc`, four counter
//    blocks at a time, GHASH by carry-less multiplication with the reduction
//    of Gueron and Kounavis ("Intel Carry-Less Multiplication Instruction and
//    its Usage for Computing the GCM Mode", 2014, figure 5);
//  - portable C everywhere else: table S-box rounds and GHASH bit by bit
//    (SP 800-38D algorithm 1), slow but plain.
// Tests check both against FIPS 197's and RFC 9001's vectors, against each
// other, and against swift-crypto's AES-GCM on random input.
//
// Not constant time: the keys are public by design (RFC 9001 §5.2), so
// timing hides nothing worth hiding.
#include "CAES128.h"
#include <string.h>

static const uint8_t SBOX[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

void egress_aes128_expand(egress_aes128_key *key, const uint8_t bytes[16]) {
    static const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
    uint8_t *w = key->rounds;
    memcpy(w, bytes, 16);
    for (int i = 4; i < 44; i++) {
        uint8_t t[4];
        memcpy(t, w + 4 * (i - 1), 4);
        if (i % 4 == 0) {  // RotWord, SubWord, Rcon (FIPS 197 §5.2)
            uint8_t first = t[0];
            t[0] = (uint8_t)(SBOX[t[1]] ^ rcon[i / 4 - 1]);
            t[1] = SBOX[t[2]];
            t[2] = SBOX[t[3]];
            t[3] = SBOX[first];
        }
        for (int j = 0; j < 4; j++) w[4 * i + j] = (uint8_t)(w[4 * (i - 4) + j] ^ t[j]);
    }
}

// MARK: Portable

static uint8_t xtime(uint8_t x) { return (uint8_t)((x << 1) ^ ((x >> 7) * 0x1b)); }

/// FIPS 197 §5.1, the state column by column (byte 4c + r is row r of column c).
static void encrypt_portable(const egress_aes128_key *key, const uint8_t in[16], uint8_t out[16]) {
    const uint8_t *rk = key->rounds;
    uint8_t s[16], t[16];
    for (int i = 0; i < 16; i++) s[i] = in[i] ^ rk[i];
    for (int round = 1; round <= 10; round++) {
        // SubBytes and ShiftRows: row r moves left by r columns.
        for (int c = 0; c < 4; c++)
            for (int r = 0; r < 4; r++) t[4 * c + r] = SBOX[s[4 * ((c + r) & 3) + r]];
        if (round < 10) {  // MixColumns: b_r = a_r ^ (a0 ^ a1 ^ a2 ^ a3) ^ 2·(a_r ^ a_r+1)
            for (int c = 0; c < 4; c++) {
                uint8_t *col = t + 4 * c;
                uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3], all = (uint8_t)(a0 ^ a1 ^ a2 ^ a3);
                col[0] = (uint8_t)(a0 ^ all ^ xtime(a0 ^ a1));
                col[1] = (uint8_t)(a1 ^ all ^ xtime(a1 ^ a2));
                col[2] = (uint8_t)(a2 ^ all ^ xtime(a2 ^ a3));
                col[3] = (uint8_t)(a3 ^ all ^ xtime(a3 ^ a0));
            }
        }
        for (int i = 0; i < 16; i++) s[i] = t[i] ^ rk[16 * round + i];
    }
    memcpy(out, s, 16);
}

static uint64_t load_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void store_be64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}

/// SP 800-38D algorithm 1: x = x · h, bit 0 the first byte's most significant bit.
static void ghash_multiply_portable(uint8_t x[16], const uint8_t h[16]) {
    uint64_t xh = load_be64(x), xl = load_be64(x + 8);
    uint64_t zh = 0, zl = 0, vh = load_be64(h), vl = load_be64(h + 8);
    for (int i = 0; i < 128; i++) {
        uint64_t bit = (i < 64 ? xh >> (63 - i) : xl >> (127 - i)) & 1;
        zh ^= vh & (0 - bit);
        zl ^= vl & (0 - bit);
        uint64_t carry = vl & 1;
        vl = vl >> 1 | vh << 63;
        vh = vh >> 1 ^ (0xe100000000000000ULL & (0 - carry));
    }
    store_be64(x, zh);
    store_be64(x + 8, zl);
}

/// GHASH of `data` zero-padded to whole blocks, into `x`.
static void ghash_portable(uint8_t x[16], const uint8_t h[16], const uint8_t *data, size_t length) {
    for (size_t at = 0; at < length; at += 16) {
        size_t n = length - at < 16 ? length - at : 16;
        for (size_t i = 0; i < n; i++) x[i] ^= data[at + i];
        ghash_multiply_portable(x, h);
    }
}

static void lengths_block(uint8_t block[16], size_t aad_length, size_t length) {
    store_be64(block, (uint64_t)aad_length * 8);
    store_be64(block + 8, (uint64_t)length * 8);
}

static void counter_block(uint8_t block[16], const uint8_t nonce[12], uint32_t counter) {
    memcpy(block, nonce, 12);
    block[12] = (uint8_t)(counter >> 24);
    block[13] = (uint8_t)(counter >> 16);
    block[14] = (uint8_t)(counter >> 8);
    block[15] = (uint8_t)counter;
}

static int tags_equal(const uint8_t a[16], const uint8_t b[16]) {
    uint8_t differ = 0;
    for (int i = 0; i < 16; i++) differ |= (uint8_t)(a[i] ^ b[i]);
    return differ == 0;
}

static int gcm_open_portable(const egress_aes128_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                             const uint8_t *ciphertext, size_t length, const uint8_t tag[16], uint8_t *plaintext) {
    uint8_t h[16] = {0}, x[16] = {0}, block[16], stream[16];
    encrypt_portable(key, h, h);
    ghash_portable(x, h, aad, aad_length);
    ghash_portable(x, h, ciphertext, length);
    lengths_block(block, aad_length, length);
    ghash_portable(x, h, block, 16);
    // Counter 1 masks the tag; the payload's blocks count from 2.
    counter_block(block, nonce, 1);
    encrypt_portable(key, block, stream);
    for (int i = 0; i < 16; i++) x[i] ^= stream[i];
    uint32_t counter = 2;
    for (size_t at = 0; at < length; at += 16, counter++) {
        size_t n = length - at < 16 ? length - at : 16;
        counter_block(block, nonce, counter);
        encrypt_portable(key, block, stream);
        for (size_t i = 0; i < n; i++) plaintext[at + i] = ciphertext[at + i] ^ stream[i];
    }
    return tags_equal(x, tag);
}

// MARK: x86-64 AES-NI and PCLMULQDQ

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int egress_aes128_has_hardware(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int pclmul = (c >> 1) & 1, ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1, aes = (c >> 25) & 1;
    return pclmul && ssse3 && sse41 && aes;
}

#define HW __attribute__((target("aes,pclmul,ssse3,sse4.1")))

HW static inline __m128i byte_reversed(__m128i v) {
    return _mm_shuffle_epi8(v, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

HW static inline __m128i encrypt_hw(const __m128i *rk, __m128i s) {
    s = _mm_xor_si128(s, rk[0]);
    for (int r = 1; r < 10; r++) s = _mm_aesenc_si128(s, rk[r]);
    return _mm_aesenclast_si128(s, rk[10]);
}

/// a · b in GF(2^128), both byte-reversed (Gueron and Kounavis, figure 5):
/// four 64-bit carry-less products, the 256-bit result shifted left one bit
/// (the field's bits are reflected), then reduced by x^128 + x^7 + x^2 + x + 1.
HW static inline __m128i gf_multiply(__m128i a, __m128i b) {
    __m128i t3 = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i t4 = _mm_clmulepi64_si128(a, b, 0x10);
    __m128i t5 = _mm_clmulepi64_si128(a, b, 0x01);
    __m128i t6 = _mm_clmulepi64_si128(a, b, 0x11);
    t4 = _mm_xor_si128(t4, t5);
    t5 = _mm_slli_si128(t4, 8);
    t4 = _mm_srli_si128(t4, 8);
    t3 = _mm_xor_si128(t3, t5);
    t6 = _mm_xor_si128(t6, t4);
    // The shift left by one across the 256 bits.
    __m128i t7 = _mm_srli_epi32(t3, 31);
    __m128i t8 = _mm_srli_epi32(t6, 31);
    t3 = _mm_slli_epi32(t3, 1);
    t6 = _mm_slli_epi32(t6, 1);
    __m128i t9 = _mm_srli_si128(t7, 12);
    t8 = _mm_slli_si128(t8, 4);
    t7 = _mm_slli_si128(t7, 4);
    t3 = _mm_or_si128(t3, t7);
    t6 = _mm_or_si128(t6, t8);
    t6 = _mm_or_si128(t6, t9);
    // Reduction, first phase.
    t7 = _mm_slli_epi32(t3, 31);
    t8 = _mm_slli_epi32(t3, 30);
    t9 = _mm_slli_epi32(t3, 25);
    t7 = _mm_xor_si128(t7, t8);
    t7 = _mm_xor_si128(t7, t9);
    t8 = _mm_srli_si128(t7, 4);
    t7 = _mm_slli_si128(t7, 12);
    t3 = _mm_xor_si128(t3, t7);
    // Second phase.
    __m128i t2 = _mm_srli_epi32(t3, 1);
    t4 = _mm_srli_epi32(t3, 2);
    t5 = _mm_srli_epi32(t3, 7);
    t2 = _mm_xor_si128(t2, t4);
    t2 = _mm_xor_si128(t2, t5);
    t2 = _mm_xor_si128(t2, t8);
    t3 = _mm_xor_si128(t3, t2);
    return _mm_xor_si128(t6, t3);
}

/// A block of `data` from `at`, zero-padded past `length`.
HW static inline __m128i load_block(const uint8_t *data, size_t at, size_t length) {
    if (length - at >= 16) return _mm_loadu_si128((const __m128i *)(data + at));
    uint8_t padded[16] = {0};
    memcpy(padded, data + at, length - at);
    return _mm_loadu_si128((const __m128i *)padded);
}

HW static __m128i ghash_hw(__m128i x, __m128i h, const uint8_t *data, size_t length) {
    for (size_t at = 0; at < length; at += 16) x = gf_multiply(_mm_xor_si128(x, byte_reversed(load_block(data, at, length))), h);
    return x;
}

HW static inline __m128i counter_hw(__m128i base, uint32_t counter) {
    return _mm_insert_epi32(base, (int)__builtin_bswap32(counter), 3);
}

HW static int gcm_open_hw(const egress_aes128_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                          const uint8_t *ciphertext, size_t length, const uint8_t tag[16], uint8_t *plaintext) {
    __m128i rk[11];
    for (int i = 0; i < 11; i++) rk[i] = _mm_loadu_si128((const __m128i *)(key->rounds + 16 * i));
    __m128i h = byte_reversed(encrypt_hw(rk, _mm_setzero_si128()));
    __m128i x = ghash_hw(_mm_setzero_si128(), h, aad, aad_length);
    x = ghash_hw(x, h, ciphertext, length);
    uint8_t lengths[16];
    lengths_block(lengths, aad_length, length);
    x = ghash_hw(x, h, lengths, 16);
    uint8_t first[16];
    counter_block(first, nonce, 0);
    __m128i base = _mm_loadu_si128((const __m128i *)first);
    __m128i expected = _mm_xor_si128(byte_reversed(x), encrypt_hw(rk, counter_hw(base, 1)));

    size_t at = 0;
    uint32_t counter = 2;
    // Four blocks at a time: their rounds interleave (each aesenc waits on the one before in its block).
    for (; length - at >= 64; at += 64, counter += 4) {
        __m128i s0 = _mm_xor_si128(counter_hw(base, counter), rk[0]);
        __m128i s1 = _mm_xor_si128(counter_hw(base, counter + 1), rk[0]);
        __m128i s2 = _mm_xor_si128(counter_hw(base, counter + 2), rk[0]);
        __m128i s3 = _mm_xor_si128(counter_hw(base, counter + 3), rk[0]);
        for (int r = 1; r < 10; r++) {
            s0 = _mm_aesenc_si128(s0, rk[r]);
            s1 = _mm_aesenc_si128(s1, rk[r]);
            s2 = _mm_aesenc_si128(s2, rk[r]);
            s3 = _mm_aesenc_si128(s3, rk[r]);
        }
        const __m128i *in = (const __m128i *)(ciphertext + at);
        __m128i *out = (__m128i *)(plaintext + at);
        _mm_storeu_si128(out, _mm_xor_si128(_mm_loadu_si128(in), _mm_aesenclast_si128(s0, rk[10])));
        _mm_storeu_si128(out + 1, _mm_xor_si128(_mm_loadu_si128(in + 1), _mm_aesenclast_si128(s1, rk[10])));
        _mm_storeu_si128(out + 2, _mm_xor_si128(_mm_loadu_si128(in + 2), _mm_aesenclast_si128(s2, rk[10])));
        _mm_storeu_si128(out + 3, _mm_xor_si128(_mm_loadu_si128(in + 3), _mm_aesenclast_si128(s3, rk[10])));
    }
    for (; at < length; at += 16, counter++) {
        __m128i stream = encrypt_hw(rk, counter_hw(base, counter));
        if (length - at >= 16) {
            _mm_storeu_si128((__m128i *)(plaintext + at), _mm_xor_si128(_mm_loadu_si128((const __m128i *)(ciphertext + at)), stream));
        } else {
            uint8_t bytes[16];
            _mm_storeu_si128((__m128i *)bytes, stream);
            for (size_t i = 0; at + i < length; i++) plaintext[at + i] = ciphertext[at + i] ^ bytes[i];
        }
    }
    uint8_t computed[16];
    _mm_storeu_si128((__m128i *)computed, expected);
    return tags_equal(computed, tag);
}

HW static void encrypt_block_hw(const egress_aes128_key *key, const uint8_t in[16], uint8_t out[16]) {
    __m128i rk[11];
    for (int i = 0; i < 11; i++) rk[i] = _mm_loadu_si128((const __m128i *)(key->rounds + 16 * i));
    _mm_storeu_si128((__m128i *)out, encrypt_hw(rk, _mm_loadu_si128((const __m128i *)in)));
}

HW static void ghash_multiply_hw(uint8_t x[16], const uint8_t h[16]) {
    __m128i product = gf_multiply(byte_reversed(_mm_loadu_si128((const __m128i *)x)), byte_reversed(_mm_loadu_si128((const __m128i *)h)));
    _mm_storeu_si128((__m128i *)x, byte_reversed(product));
}

#else

int egress_aes128_has_hardware(void) { return 0; }

#endif

// MARK: Entry points

void egress_aes128_encrypt_block(const egress_aes128_key *key, const uint8_t in[16], uint8_t out[16], int hardware) {
#if defined(__x86_64__)
    if (hardware) { encrypt_block_hw(key, in, out); return; }
#endif
    (void)hardware;
    encrypt_portable(key, in, out);
}

int egress_aes128_gcm_open(const egress_aes128_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                           const uint8_t *ciphertext, size_t length, const uint8_t tag[16], uint8_t *plaintext, int hardware) {
#if defined(__x86_64__)
    if (hardware) return gcm_open_hw(key, nonce, aad, aad_length, ciphertext, length, tag, plaintext);
#endif
    (void)hardware;
    return gcm_open_portable(key, nonce, aad, aad_length, ciphertext, length, tag, plaintext);
}

void egress_ghash_multiply(uint8_t x[16], const uint8_t h[16], int hardware) {
#if defined(__x86_64__)
    if (hardware) { ghash_multiply_hw(x, h); return; }
#endif
    (void)hardware;
    ghash_multiply_portable(x, h);
}
