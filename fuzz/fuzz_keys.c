/* libFuzzer target: key parsing from text (JWK, PEM, hex SPKI, raw) and the strict decoders.
 * Invariants: no crash, leak or UB; a key that loads round-trips through its public JWK and SPKI. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/crypto.h"
#include "prova/encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    prova_key *key = NULL;
    prova_error err;
    if (prova_key_from_text(data, size, &key, &err) == 0) {
        prova_buf jwk = PROVA_BUF_INIT, der = PROVA_BUF_INIT;
        ASSERT(prova_key_to_jwk(key, false, &jwk) == 0);
        prova_key *again = NULL;
        ASSERT(prova_key_from_jwk(jwk.data, jwk.len, &again, &err) == 0);
        ASSERT(prova_key_alg(again) == prova_key_alg(key));
        ASSERT(prova_key_to_spki_der(key, &der) == 0);
        prova_key *k3 = NULL;
        ASSERT(prova_key_from_spki_der(der.data, der.len, &k3, &err) == 0);
        prova_key_free(k3);
        prova_key_free(again);
        prova_buf_free(&jwk);
        prova_buf_free(&der);
        prova_key_free(key);
    }
    uint8_t out[4096];
    size_t n;
    const char *s = (const char *)data;
    if (prova_base64_decode(s, size, out, sizeof out, &n, &err) == 0) {
        char enc[8192];
        ASSERT(prova_base64_encode(out, n, enc, sizeof enc) == size && memcmp(enc, s, size) == 0);
    }
    if (prova_base64url_decode(s, size, out, sizeof out, &n, &err) == 0) ASSERT(n <= size);
    if (prova_hex_decode(s, size, out, sizeof out, &n, &err) == 0) ASSERT(2 * n == size);
    return 0;
}
