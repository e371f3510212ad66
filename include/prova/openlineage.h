/* prova/openlineage.h — OpenLineage 2.0 RunEvents (spec 2-0-2) from records of every family (runIds: RFC 9562
 * UUIDv5, prova/uuid.h).
 * Every mapping, facet and decision: docs/openlineage.md.
 *
 * SPEC (reference/ophamin.md §11, ophamin.interop.openlineage): a proof record is one run,
 *   runId     = uuid5(ec1e6b1c-0000-4000-8000-000000000001, proof_id)   (the 64 hex digits as UTF-8)
 *   eventType = "FAIL" when verdict.outcome is "INCONCLUSIVE", otherwise "COMPLETE"
 *   eventTime = identity.created_at as Python's datetime.isoformat() writes it
 * with the run facets ophamin_claim / ophamin_verdict, the job facet documentation (when there is an analysis_plan),
 * one input per DatasetRef and one output (the proof). The lifecycle events START / RUNNING / COMPLETE / FAIL of the
 * reference's streaming API are available too. prova's own mappings: an OPE trace (receipt chain, bundle, envelope)
 * and an OpenExecution chain (chain record, certificate bundle) are runs (docs/openlineage.md).
 *
 * Events are written as JSON Lines: each event compact (strings ASCII-escaped as Python's json.dumps writes them),
 * members in the reference's order (not sorted), one "\n" after each.
 *
 * Example:
 *     prova_openlineage_options o = {0};
 *     prova_buf out = PROVA_BUF_INIT;
 *     size_t n;
 *     if (prova_openlineage_events(prova_doc_root(doc), &o, &out, &n, &err) < 0) report(err.reason, err.pointer);
 */
#ifndef PROVA_OPENLINEAGE_H
#define PROVA_OPENLINEAGE_H

#include <stdbool.h>

#include "common.h"
#include "json.h"
#include "time.h"
#include "uuid.h" /* prova_uuid_v5 and prova_uuid_parse were declared here before prova/uuid.h */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- RunEvents --------------------------------------------------------------------------------------------- */

/* The event's schemaURL (the reference's OPENLINEAGE_SCHEMA_URL). */
#define PROVA_OPENLINEAGE_SCHEMA_URL "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
/* The default producer: prova itself (an absolute URI, as OpenLineage requires). */
#define PROVA_OPENLINEAGE_PRODUCER "urn:prova:" PROVA_VERSION_STRING
/* The reference's producer base; its events carry "<base>@<ophamin version>". */
#define PROVA_OPENLINEAGE_OPHAMIN_PRODUCER_BASE "https://github.com/IdirBenSlama/Ophamin"
/* The reference's OPHAMIN_RUNID_NAMESPACE, ec1e6b1c-0000-4000-8000-000000000001, as an initializer. prova uses it for
 * every family (the name then says which: docs/openlineage.md). */
#define PROVA_OPENLINEAGE_RUNID_NAMESPACE                                                                              \
    { 0xec, 0x1e, 0x6b, 0x1c, 0x00, 0x00, 0x40, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 }
/* Where prova's own facets (prova_*) say their schema is: PREFIX + facet name + ":1" (documented in
 * docs/openlineage.md). */
/* The same 16 bytes at run time (static storage), for a binding that computes a runId with prova_uuid_v5(). */
PROVA_EXPORT const uint8_t *prova_openlineage_runid_namespace(void);
#define PROVA_OPENLINEAGE_FACET_URN_PREFIX "urn:prova:openlineage:facet:"

typedef enum prova_openlineage_event {
    PROVA_OPENLINEAGE_RECORD = 0, /* every event of the record's mapping (a proof record: its single event) */
    PROVA_OPENLINEAGE_START,
    PROVA_OPENLINEAGE_RUNNING,
    PROVA_OPENLINEAGE_COMPLETE,
    PROVA_OPENLINEAGE_FAIL,
} prova_openlineage_event;

/* "start", "running", "complete", "fail" (and "record" for PROVA_OPENLINEAGE_RECORD) <-> enum.
 * Lookup: 0 or PROVA_EUNSUPPORTED (ret untouched). Name: NULL for a value outside the enum. */
PROVA_EXPORT PROVA_NODISCARD int prova_openlineage_event_lookup(const char *name, prova_openlineage_event *ret);
PROVA_EXPORT const char *prova_openlineage_event_name(prova_openlineage_event e);

/* Write dataSource.uri as the record states DatasetRef.source even when it is not an absolute URI (the reference's
 * exact output; such an event fails the DatasourceDatasetFacet schema). Default: the member is left out then. */
#define PROVA_OPENLINEAGE_VERBATIM_URI 0x1u

typedef struct prova_openlineage_options {
    const char *producer; /* NULL: PROVA_OPENLINEAGE_PRODUCER; must be an absolute URI ("scheme:...") */
    const char *ns;       /* the job namespace; NULL: "ophamin" for proof records, "prova" otherwise; not "" */
    const char *job;      /* the job name; NULL: the family's default (docs/openlineage.md); not "" */
    const char *run_id;   /* a UUID (prova_uuid_parse form) written as given; NULL: the record's deterministic one */
    prova_openlineage_event event; /* a proof record: which lifecycle event (RECORD: the single terminal event);
                                      another family: only the mapping's events of this type (RECORD: all) */
    const char *event_time;     /* the eventTime of a proof record's START / RUNNING / FAIL (they describe moments the
                                   record does not state): RFC 3339 with an offset; required for those three */
    const prova_json *progress; /* RUNNING of a proof record: an object whose members are copied into the
                                   ophamin_progress facet after _producer/_schemaURL; NULL: none */
    const char *error_message;  /* FAIL of a proof record: the ophamin_error facet (present when either is set) */
    const char *error_type;
    const char *kind; /* the record's kind as prova_record_describe() names it; NULL: detected here */
    uint32_t flags;   /* PROVA_OPENLINEAGE_* */
} prova_openlineage_options;
/* sizeof(prova_openlineage_options) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_openlineage_options_sizeof(void);

/* Appends the OpenLineage RunEvents of record (a parsed record of any family; a receipt chain is the JSON array)
 * to out as JSON Lines and sets *ret_count (optional) to the number of events. o may be NULL (all defaults).
 * Strings are checked, not trusted: values copied from the record are written with the ophamin profile (ASCII,
 * nested members in code point order); a NaN/Infinity number is written as null (JSON has none).
 * On failure out->len is restored and *ret_count untouched.
 * Errors (reterr->reason, reterr->pointer into the record where it applies):
 *   PROVA_EINVAL "invalid_argument" (NULL record/out), "openlineage_unknown_kind" (not a record of a known family,
 *     or o->kind unknown), "openlineage_field_invalid" (a member the mapping needs is absent or of the wrong type:
 *     a dataset name, the trace_id, the chain id, a receipt, an event, ...), "openlineage_time_invalid" (a time
 *     that is not RFC 3339 with an offset, or integer milliseconds for OPE), "openlineage_time_required" (START /
 *     RUNNING / FAIL of a proof record without o->event_time), "openlineage_run_id_invalid",
 *     "openlineage_producer_invalid", "openlineage_namespace_invalid", "openlineage_job_invalid",
 *     "openlineage_progress_invalid" (progress not an object), "openlineage_no_event" (the filter o->event keeps
 *     none of the record's events, e.g. COMPLETE of a receipt chain that was never exported);
 *   PROVA_ESYNTAX from writing (a string that is not UTF-8); PROVA_ENOMEM; PROVA_ECRYPTO (SHA-1/SHA-256). */
PROVA_EXPORT PROVA_NODISCARD int prova_openlineage_events(const prova_json *record, const prova_openlineage_options *o,
                                                          prova_buf *out, size_t *ret_count, prova_error *reterr);

/* Writes a time the way Python's datetime.fromisoformat(s).isoformat() writes it: "YYYY-MM-DDTHH:MM:SS" then
 * ".ffffff" unless the microseconds are 0, then the offset "+HH:MM" ('Z' and "-00:00" become "+00:00", "+HH" and
 * "+HHMM" get their colon); a ' ' separator becomes 'T'; more than six fraction digits are truncated. s must be
 * RFC 3339 with an offset (prova_time_parse). out: NUL-terminated. 0, PROVA_EINVAL (NULL), PROVA_ESYNTAX. */
PROVA_EXPORT PROVA_NODISCARD int prova_openlineage_time(const char *s, size_t n, char out[PROVA_TIME_MAX]);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_OPENLINEAGE_H */
