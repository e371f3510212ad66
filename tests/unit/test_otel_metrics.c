/* src/otel/metrics.c: the metrics snapshot and its Prometheus text (format 0.0.4), byte for byte on a hand-built
 * snapshot: label values and HELP texts escaped as the format says, integers and doubles, a cumulative histogram
 * with its +Inf bucket, a summary, a family with no samples. tests/http run promtool over a live /metrics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "otel_data.h"

static char *text(const prova_buf *b) {
    static char s[8192];
    size_t n = b->len < sizeof s - 1 ? b->len : sizeof s - 1;
    memcpy(s, b->data ? (const char *)b->data : "", n);
    s[n] = '\0';
    return s;
}

static const double bounds[] = {0.005, 0.5, 1};

static void test_render(void) {
    otel_metrics ms;
    otel_metrics_init(&ms, 1000, 2000);
    CHECK(ms.start_ns == 1000 && ms.time_ns == 2000 && ms.n == 0 && ms.status == 0);

    otel_metric *m = otel_metrics_add(&ms, "t_requests_total", OTEL_METRIC_COUNTER, "Requests by route.", "{request}");
    CHECK(m && strcmp(m->unit, "{request}") == 0);
    otel_point *p = otel_metric_point(&ms, m);
    otel_point_label(p, "route", "/a");
    otel_point_label(p, "code", "200");
    p->i = 7;
    p = otel_metric_point(&ms, m);
    otel_point_label(p, "route", "a\\b\"c\nd"); /* backslash, quote, line feed */
    otel_point_label(p, "code", "other");
    p->i = 9007199254740993LL; /* not a double: printed as the integer it is */
    CHECK(m->npoint == 2);

    m = otel_metrics_add(&ms, "t_ratio", OTEL_METRIC_GAUGE, "A \\ backslash\nand a second line.", "1");
    p = otel_metric_point(&ms, m);
    p->is_double = true;
    p->d = 0.1;
    p = otel_metric_point(&ms, m);
    otel_point_label(p, "k", "tiny");
    p->is_double = true;
    p->d = 1e-06;
    p = otel_metric_point(&ms, m);
    otel_point_label(p, "k", "inf");
    p->is_double = true;
    p->d = INFINITY;
    p = otel_metric_point(&ms, m);
    otel_point_label(p, "k", "neg");
    p->i = -3;

    /* Announced without samples (no request yet), as /metrics always did. */
    otel_metrics_add(&ms, "t_empty_total", OTEL_METRIC_COUNTER, "Nothing yet.", "1");

    m = otel_metrics_add(&ms, "t_duration_seconds", OTEL_METRIC_HISTOGRAM, "Latency.", "s");
    m->bounds = bounds;
    m->nbounds = 3;
    p = otel_metric_point(&ms, m);
    otel_point_label(p, "route", "/x");
    p->count = 6;
    p->sum = 2.5;
    p->bucket[0] = 1;              /* <= 0.005 */
    p->bucket[1] = 2;              /* (0.005, 0.5] */
    p->bucket[2] = 0;              /* (0.5, 1] */
    p->bucket[3] = 3;              /* > 1 */
    p = otel_metric_point(&ms, m); /* no labels: le alone */
    p->count = 1;
    p->sum = 0.002;
    p->bucket[0] = 1;

    m = otel_metrics_add(&ms, "t_integration_seconds", OTEL_METRIC_SUMMARY, "Integrations.", "s");
    p = otel_metric_point(&ms, m);
    p->sum = 0.25;
    p->count = 4;

    CHECK(ms.n == 5 && ms.status == 0);
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&b, "before\n", 7) == 0);
    CHECK(otel_metrics_prometheus(&ms, &b) == 0);
    CHECK_STR(text(&b), "before\n"
                        "# HELP t_requests_total Requests by route.\n"
                        "# TYPE t_requests_total counter\n"
                        "t_requests_total{route=\"/a\",code=\"200\"} 7\n"
                        "t_requests_total{route=\"a\\\\b\\\"c\\nd\",code=\"other\"} 9007199254740993\n"
                        "# HELP t_ratio A \\\\ backslash\\nand a second line.\n"
                        "# TYPE t_ratio gauge\n"
                        "t_ratio 0.1\n"
                        "t_ratio{k=\"tiny\"} 1e-06\n"
                        "t_ratio{k=\"inf\"} +Inf\n"
                        "t_ratio{k=\"neg\"} -3\n"
                        "# HELP t_empty_total Nothing yet.\n"
                        "# TYPE t_empty_total counter\n"
                        "# HELP t_duration_seconds Latency.\n"
                        "# TYPE t_duration_seconds histogram\n"
                        "t_duration_seconds_bucket{route=\"/x\",le=\"0.005\"} 1\n"
                        "t_duration_seconds_bucket{route=\"/x\",le=\"0.5\"} 3\n"
                        "t_duration_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
                        "t_duration_seconds_bucket{route=\"/x\",le=\"+Inf\"} 6\n"
                        "t_duration_seconds_sum{route=\"/x\"} 2.5\n"
                        "t_duration_seconds_count{route=\"/x\"} 6\n"
                        "t_duration_seconds_bucket{le=\"0.005\"} 1\n"
                        "t_duration_seconds_bucket{le=\"0.5\"} 1\n"
                        "t_duration_seconds_bucket{le=\"1\"} 1\n"
                        "t_duration_seconds_bucket{le=\"+Inf\"} 1\n"
                        "t_duration_seconds_sum 0.002\n"
                        "t_duration_seconds_count 1\n"
                        "# HELP t_integration_seconds Integrations.\n"
                        "# TYPE t_integration_seconds summary\n"
                        "t_integration_seconds_sum 0.25\n"
                        "t_integration_seconds_count 4\n");
    prova_buf_free(&b);
    otel_metrics_free(&ms);
    CHECK(ms.metric == NULL && ms.n == 0);
    otel_metrics_free(&ms); /* twice: a no-op */
}

/* Labels: the value is copied and cut at a character boundary; a fifth label and a NULL point are dropped. */
static void test_labels(void) {
    otel_metrics ms;
    otel_metrics_init(&ms, 0, 0);
    otel_point *p = otel_metric_point(&ms, otel_metrics_add(&ms, "t", OTEL_METRIC_GAUGE, "h", "1"));
    char value[200];
    memset(value, 'a', sizeof value);
    memcpy(value + OTEL_LABEL_VALUE - 2, "\xc3\xa9", 2); /* é straddling the last byte that fits */
    value[sizeof value - 1] = '\0';
    otel_point_label(p, "long", value);
    CHECK(strlen(p->label[0].value) == OTEL_LABEL_VALUE - 2); /* the é does not fit whole: cut before it */
    for (int i = 0; i < OTEL_POINT_LABELS + 2; i++) otel_point_label(p, "k", "v");
    CHECK(p->nlabel == OTEL_POINT_LABELS);
    otel_point_label(NULL, "k", "v");
    CHECK(otel_metric_point(&ms, NULL) == NULL && ms.status == 0);
    otel_metrics_free(&ms);

    /* Many metrics and points: the arrays grow. */
    otel_metrics_init(&ms, 0, 0);
    for (int i = 0; i < 100; i++) {
        otel_metric *m = otel_metrics_add(&ms, "t_many", OTEL_METRIC_COUNTER, "h", "1");
        for (int k = 0; k < 50; k++) {
            otel_point *q = otel_metric_point(&ms, m);
            CHECK(q != NULL);
            if (q) q->i = k;
        }
    }
    CHECK(ms.n == 100 && ms.metric[99].npoint == 50 && ms.metric[99].point[49].i == 49 && ms.status == 0);
    prova_buf b = PROVA_BUF_INIT;
    CHECK(otel_metrics_prometheus(&ms, &b) == 0);
    size_t lines = 0;
    for (size_t i = 0; i < b.len; i++) lines += b.data[i] == '\n';
    CHECK(lines == 100 * (2 + 50));
    prova_buf_free(&b);
    otel_metrics_free(&ms);
}

int main(void) {
    test_render();
    test_labels();
    TEST_SUMMARY();
}
