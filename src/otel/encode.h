/* The two OTLP encodings behind otel_encode_traces/logs/metrics (otel_data.h): protobuf (encode_proto.c) and JSON
 * (encode_json.c). The public functions check their arguments and dispatch; these take checked arguments (r, ms and
 * every record non-NULL) and have the public functions' contract otherwise: 0, PROVA_ENOMEM or PROVA_EINVAL, out
 * back at its length on failure. Internal to src/otel. */
#ifndef PROVA_OTEL_ENCODE_H
#define PROVA_OTEL_ENCODE_H

#include "otel_data.h"

int otel_encode_traces_proto(const otel_resource *r, const otel_span_data *const *spans, size_t n, prova_buf *out);
int otel_encode_logs_proto(const otel_resource *r, const otel_log_data *const *logs, size_t n, prova_buf *out);
int otel_encode_metrics_proto(const otel_resource *r, const otel_metrics *ms, prova_buf *out);

int otel_encode_traces_json(const otel_resource *r, const otel_span_data *const *spans, size_t n, prova_buf *out);
int otel_encode_logs_json(const otel_resource *r, const otel_log_data *const *logs, size_t n, prova_buf *out);
int otel_encode_metrics_json(const otel_resource *r, const otel_metrics *ms, prova_buf *out);

#endif
