/* OpenSSL 3 calls for the Linux test SecureArea (CryptoKit is not on Linux). Small inline
 * wrappers because Swift cannot call OpenSSL's variadic and macro APIs directly. */
#ifndef VNEID_COPENSSL_SHIM_H
#define VNEID_COPENSSL_SHIM_H

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

/* A new P-256 key pair, or NULL. */
static inline EVP_PKEY *vneid_p256_generate(void) {
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) <= 0 ||
        EVP_PKEY_keygen(ctx, &pkey) <= 0) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

static inline void vneid_pkey_free(EVP_PKEY *pkey) { EVP_PKEY_free(pkey); }

/* The SEC1 uncompressed public point (65 bytes) into out; 1 on success. */
static inline int vneid_p256_public(EVP_PKEY *pkey, unsigned char *out) {
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, 65, &len) != 1)
        return 0;
    return len == 65 && out[0] == 4;
}

/* DER ECDSA-SHA256 signature of msg into out (capacity cap); its length, or 0 on failure. */
static inline size_t vneid_p256_sign(EVP_PKEY *pkey, const unsigned char *msg, size_t msg_len,
                                     unsigned char *out, size_t cap) {
    size_t len = cap;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL) return 0;
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
        EVP_DigestSign(md, out, &len, msg, msg_len) != 1) {
        len = 0;
    }
    EVP_MD_CTX_free(md);
    return len;
}

static inline int vneid_random(unsigned char *out, int n) { return RAND_bytes(out, n); }

/* AES-256-GCM: out receives in_len bytes of ciphertext then the 16-byte tag; 1 on success. */
static inline int vneid_gcm_seal(const unsigned char *key, const unsigned char *iv,
                                 const unsigned char *in, int in_len, unsigned char *out) {
    int len = 0, ok = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL) return 0;
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
        (in_len == 0 || EVP_EncryptUpdate(c, out, &len, in, in_len) == 1) &&
        EVP_EncryptFinal_ex(c, out + len, &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + in_len) == 1) {
        ok = 1;
    }
    EVP_CIPHER_CTX_free(c);
    return ok;
}

/* Opens what vneid_gcm_seal made (in_len includes the tag) into out; 1 if authentic. */
static inline int vneid_gcm_open(const unsigned char *key, const unsigned char *iv,
                                 const unsigned char *in, int in_len, unsigned char *out) {
    int len = 0, ok = 0, body = in_len - 16;
    EVP_CIPHER_CTX *c;
    if (body < 0) return 0;
    c = EVP_CIPHER_CTX_new();
    if (c == NULL) return 0;
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
        (body == 0 || EVP_DecryptUpdate(c, out, &len, in, body) == 1) &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(in + body)) == 1 &&
        EVP_DecryptFinal_ex(c, out + len, &len) == 1) {
        ok = 1;
    }
    EVP_CIPHER_CTX_free(c);
    return ok;
}

#endif
