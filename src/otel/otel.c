/* The OpenTelemetry runtime: configuration, trace context, spans, the batch processors and the OTLP/HTTP exporter
 * thread (otel.h). */
#include "otel.h"

#include <time.h>

uint64_t otel_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void otel_hex(const uint8_t *id, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[id[i] >> 4];
        out[2 * i + 1] = digits[id[i] & 15];
    }
    out[2 * n] = '\0';
}
