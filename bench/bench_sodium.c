/* The ceiling for the gateway benchmark: libsodium Ed25519 sign/s and verify/s on one core of this machine, and
 * the envelopes/s that the signatures alone would allow (each accepted envelope costs one verify of the sender's
 * signature and two signs: the receipt and the response).
 *   bench_sodium [SECONDS_EACH]   prints: sodium sign_per_s=S verify_per_s=V envelope_ceiling_per_core=C */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    if (sodium_init() < 0) return 3;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    unsigned char msg[120];
    randombytes_buf(msg, sizeof msg); /* the size of "sha256:<64 hex>|<uuid>|<ts>" */
    crypto_sign_keypair(pk, sk);
    unsigned long n = 0;
    double t0 = now_s(), t;
    do {
        for (int i = 0; i < 100; i++, n++) crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
        t = now_s() - t0;
    } while (t < secs);
    double sign_rate = (double)n / t;
    n = 0;
    t0 = now_s();
    do {
        for (int i = 0; i < 100; i++, n++)
            if (crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0) return 1;
        t = now_s() - t0;
    } while (t < secs);
    double verify_rate = (double)n / t;
    printf("sodium sign_per_s=%.0f verify_per_s=%.0f envelope_ceiling_per_core=%.0f\n", sign_rate, verify_rate,
           1.0 / (1.0 / verify_rate + 2.0 / sign_rate));
    return 0;
}
