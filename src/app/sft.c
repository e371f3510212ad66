/* Normalization of an accepted envelope's payload: payload_type -> target_type through the transform registry
 * (prova/sft.h; docs/transforms.md; reference/odin.md §5.6). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "prova/encoding.h"

#define MAP_MAX_BYTES ((size_t)1 << 20) /* one mapping file */
#define MAP_MAX_FILES 10000

static int cmp_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int app_sft_load(const char *dir, prova_sft_registry **ret, char *msg, size_t cap,
                 void (*overrides)(void *ctx, const char *file), void *ctx) {
    *ret = NULL;
    msg[0] = '\0';
    prova_sft_registry *r = NULL;
    if (prova_sft_registry_new(&r) < 0) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    if (!dir) {
        *ret = r;
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(msg, cap, "%s: cannot read the transforms directory: %s", dir, strerror(errno));
        prova_sft_registry_free(r);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".json") != 0) continue;
        char **nn = n < MAP_MAX_FILES ? realloc(names, (n + 1) * sizeof *nn) : NULL;
        char *c = nn ? strdup(e->d_name) : NULL;
        if (nn) names = nn;
        if (!c) {
            snprintf(msg, cap, "%s: too many files or out of memory", dir);
            rc = -1;
        } else
            names[n++] = c;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char path[4096];
        if (app_join(path, sizeof path, dir, names[i]) < 0) {
            snprintf(msg, cap, "%s/%s: path too long", dir, names[i]);
            rc = -1;
            break;
        }
        prova_buf b = PROVA_BUF_INIT;
        int fr = app_read_file(path, MAP_MAX_BYTES, &b);
        if (fr < 0) {
            snprintf(msg, cap, "%s: %s", path,
                     fr == PROVA_ELIMIT ? "larger than 1 MiB"
                     : fr == PROVA_EIO  ? strerror(errno)
                                        : "out of memory");
            rc = -1;
        } else {
            prova_error e;
            bool over = false;
            if (prova_sft_registry_add_mapping(r, b.data, b.len, &over, &e) < 0) {
                if (e.line)
                    snprintf(msg, cap, "%s:%zu:%zu: %s: %s", path, e.line, e.column, e.reason, e.message);
                else
                    snprintf(msg, cap, "%s: %s: %s: %s", path, e.pointer[0] ? e.pointer : "/", e.reason, e.message);
                rc = -1;
            } else if (over && overrides)
                overrides(ctx, path);
        }
        prova_buf_free(&b);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (rc < 0) {
        prova_sft_registry_free(r);
        return -1;
    }
    *ret = r;
    return 0;
}

static void log_override(void *ctx, const char *file) {
    app_log(ctx, "%s replaces a built-in transform (docs/transforms.md)", file);
}

int app_sft_open(app *a) {
    char msg[1024];
    if (app_sft_load(a->cfg.transforms_dir, &a->sft, msg, sizeof msg, log_override, a) < 0) {
        app_log(a, "transforms: %s", msg);
        return 2;
    }
    return 0;
}

void app_sft_close(app *a) {
    a->sft = prova_sft_registry_free(a->sft);
}

/* A type as a C string: NULL when absent, not a string, too long or holding a NUL. */
static const char *type_of(const prova_json *v) {
    if (!prova_json_is_string(v) || v->len > 1024 || memchr(v->u.str, 0, v->len)) return NULL;
    return v->u.str;
}

int app_sft_run(app_call *c, const prova_json *env, app_sft_out *out) {
    const prova_json *payload = prova_json_get(env, "payload");
    const prova_json *ptv = prova_json_get(env, "payload_type"), *ttv = prova_json_get(env, "target_type");
    const char *pt = type_of(ptv), *tt = type_of(ttv);
    if (!ptv || !ttv ||
        (prova_json_is_string(ptv) && prova_json_is_string(ttv) && ptv->len == ttv->len &&
         memcmp(ptv->u.str, ttv->u.str, ptv->len) == 0))
        pt = tt = ""; /* equal (or absent: the envelope's schema check answers for these): the identity */
    else if (!pt || !tt) {
        /* a type no transform can be registered for (over 1024 bytes, a NUL, not a string) */
        if (!c->a->cfg.sft_passthrough)
            return app_fail(c, APP_E_INPUT, "sft_unregistered",
                            "Normalization failed: No SFT transformer registered for this payload_type -> target_type"),
                   APP_REFUSED;
        pt = "\x01", tt = "\x02"; /* two types no registry has: the passthrough identity */
    }
    prova_sft_result res = {0};
    prova_error e;
    unsigned flags = c->a->cfg.sft_passthrough ? PROVA_SFT_PASSTHROUGH : 0;
    int rc = prova_sft_run(c->a->sft, payload, pt, tt, flags, &res, &e);
    if (rc == PROVA_ENOTFOUND)
        return app_fail(c, APP_E_INPUT, "sft_unregistered",
                        "Normalization failed: No SFT transformer registered for %s -> %s", pt, tt),
               APP_REFUSED;
    if (rc == PROVA_ESYNTAX)
        return app_fail(c, APP_E_INPUT, e.reason, "Normalization failed: %s%s%s", e.message, e.pointer[0] ? " at " : "",
                        e.pointer),
               APP_REFUSED;
    if (rc < 0) return app_fail_status(c, rc), APP_REFUSED;
    out->payload = res.payload;
    out->notes = res.notes;
    memcpy(out->cid, res.cid, sizeof out->cid);
    out->id = res.id;
    out->version = res.version;
    return 0;
}

void app_sft_out_free(app_sft_out *o) {
    if (!o) return;
    prova_buf_free(&o->payload);
    prova_buf_free(&o->notes);
}
