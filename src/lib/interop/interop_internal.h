/* Internal to src/lib/interop and the layer above it (src/lib/verify): what the dispatcher needs to recognize and
 * unwrap the wrappers. Interop verifies only its own layers and hands back the document inside; verifying that
 * document is the dispatcher's job (an interop file never calls up into src/lib/verify). Not installed. */
#ifndef PROVA_INTEROP_INTERNAL_H
#define PROVA_INTEROP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "prova/json.h"
#include "prova/report.h"

struct prova_dsse_verify_options;

/* A DSSE envelope: an object with payloadType, payload and signatures (intoto.c). */
bool prova__dsse_detect(const prova_json *v);

/* Verifies a parsed DSSE envelope's own layers into r: the envelope (schema, payloadType, payload, every signature
 * by keyid against o->keys or as HMAC under o->hmac_key) and, for an in-toto payload, the Statement and the record
 * it names. The record's bytes (as prova_intoto_record() rebuilds them) are appended to ret_record when they are
 * to be verified next (left empty otherwise); o->inner is not used here. 0 or PROVA_ENOMEM. */
int prova__dsse_verify_layers(const prova_json *env, const struct prova_dsse_verify_options *o, prova_report *r,
                              prova_buf *ret_record);

/* The lenient second reading of a document that the strict parser refused only for NaN/Infinity, lone surrogates or
 * number range: 0 with *ret_doc when it is a proof record, PROVA_ESYNTAX when not, PROVA_ENOMEM (record.c). */
int prova__parse_proof_lenient(const void *data, size_t len, uint32_t max_depth, const prova_error *strict_err,
                               prova_doc **ret_doc);

#endif
