/* Internal to src/lib/crypto and the layers above it: what they need of the crypto layer beyond prova/crypto.h,
 * without the key's layout (key_internal.h, crypto's own). Not installed. */
#ifndef PROVA_CRYPTO_INTERNAL_H
#define PROVA_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "prova/crypto.h"

/* prova_key_verify with another digest for an ECDSA key (OpenSSL name, e.g. "SHA384"; NULL: the curve's). EdDSA
 * keys ignore it. For emulating verifiers that let the caller choose the digest (Node's crypto.verify). */
int prova__verify_digest(const prova_key *key, const char *ecdsa_digest, const void *msg, size_t len,
                         const uint8_t *sig, size_t siglen);

#endif
