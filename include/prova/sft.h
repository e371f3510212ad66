/* prova/sft.h — payload normalization (SFT, "semantic format transforms"): payload_type -> target_type.
 *
 * A registry maps (payload_type, target_type) to a transform: identity when the two types are equal
 * ("already_normalized"); the ODIN starter gateway's registered pairs, byte for byte (reference/odin.md §5.6,
 * docs/transforms.md); and declarative mapping files (JSON: rename, move, drop, default, coerce on JSON Pointer
 * paths) added with prova_sft_registry_add_mapping. A mapping file for a pair that a built-in has replaces the
 * built-in.
 *
 * Example:
 *     prova_sft_registry *r;
 *     if (prova_sft_registry_new(&r) < 0) return;
 *     prova_sft_result out = {0};
 *     prova_error err;
 *     if (prova_sft_run(r, payload, "invoice.vendor.v1", "invoice.iso20022.v1", 0, &out, &err) < 0)
 *         report(err.reason, err.message, err.pointer);    // e.g. "sft_unregistered"
 *     else
 *         use(out.payload, out.cid, out.notes, out.id, out.version);
 *     prova_sft_result_free(&out);
 *     prova_sft_registry_free(r);
 */
#ifndef PROVA_SFT_H
#define PROVA_SFT_H

#include "common.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prova_sft_registry prova_sft_registry;

/* A new registry holding the built-in transforms. 0 or PROVA_ENOMEM. Free it with prova_sft_registry_free. */
PROVA_EXPORT PROVA_NODISCARD int prova_sft_registry_new(prova_sft_registry **ret);
/* Frees r. NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_sft_registry *prova_sft_registry_free(prova_sft_registry *r);

/* Validates one mapping file's bytes (docs/transforms.md "Mapping files") and adds it to r. Nothing is added when it
 * fails: PROVA_ESYNTAX with reterr's reason one of "sft_map_json" (not JSON), "sft_map_schema" (a member missing, of
 * the wrong type or unknown), "sft_map_type" (from/to not a type name, or equal), "sft_map_op" (an operation not
 * known or missing a member), "sft_map_pointer" (not an RFC 6901 pointer, or the root where a member is needed),
 * "sft_map_coerce_type" (coerce to an unknown type), "sft_map_duplicate" (another mapping file of r has the same
 * pair); reterr->pointer names the offending member, e.g. "/operations/2/path". PROVA_ENOMEM.
 * *ret_overrides (may be NULL) is set true when the file replaces a built-in transform. */
PROVA_EXPORT PROVA_NODISCARD int prova_sft_registry_add_mapping(prova_sft_registry *r, const void *data, size_t len,
                                                                bool *ret_overrides, prova_error *reterr);

/* Flags of prova_sft_run. */
#define PROVA_SFT_PASSTHROUGH 0x1u /* an unregistered pair is an identity with notes {"notes":"not_transformed"} */

/* What a transform made. Zero-initialise; prova_sft_result_free releases it. */
typedef struct prova_sft_result {
    prova_buf payload;   /* the normalized payload: ope canonical bytes */
    char cid[72];        /* "sha256:" + hex SHA-256 of payload, NUL-terminated */
    prova_buf notes;     /* the notes: one JSON object, ope canonical bytes */
    const char *id;      /* the transform's id, or NULL for an identity (equal types, passthrough); owned by the
                            registry (or static): valid while the registry lives */
    const char *version; /* its version, NULL with id */
} prova_sft_result;
/* sizeof(prova_sft_result) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_sft_result_sizeof(void);
PROVA_EXPORT void prova_sft_result_free(prova_sft_result *res);

/* Normalizes payload from payload_type to target_type (NUL-terminated type names). On success fills *ret (its
 * buffers are reset first). Errors: PROVA_ENOTFOUND reason "sft_unregistered" (no transform for the pair and no
 * PROVA_SFT_PASSTHROUGH); PROVA_ESYNTAX reason "sft_payload_rejected" (the transform cannot take this payload: the
 * message says why, as the reference's SFTError does, and reterr->pointer names the member), or a canonical
 * writer's reason ("canon_nonfinite"); PROVA_EINVAL (NULL argument); PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_sft_run(const prova_sft_registry *r, const prova_json *payload,
                                               const char *payload_type, const char *target_type, unsigned flags,
                                               prova_sft_result *ret, prova_error *reterr);

/* The number of transforms of r (built-ins, replaced ones counted once, and mapping files), and transform i's
 * from, to, id and version (pointers owned by r). 0 or PROVA_EINVAL (i out of range). */
PROVA_EXPORT size_t prova_sft_registry_count(const prova_sft_registry *r);
PROVA_EXPORT PROVA_NODISCARD int prova_sft_registry_at(const prova_sft_registry *r, size_t i, const char **ret_from,
                                                       const char **ret_to, const char **ret_id,
                                                       const char **ret_version);

#ifdef __cplusplus
}
#endif
#endif
