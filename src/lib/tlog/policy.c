/* Transparency log trust policies (c2sp.org/tlog-policy): parse, evaluate a quorum, verify a checkpoint. */
#include <stdlib.h>
#include <string.h>

#include "note_internal.h"

size_t prova_tlog_policy_max_entries(void) {
    return PROVA_TLOG_POLICY_MAX_ENTRIES;
}

#define POLICY_MAX_BYTES PROVA_NOTE_MAX_BYTES

/* Witnesses and groups share one namespace and one array, in definition order: a group only refers to earlier
 * entries, so one forward pass evaluates the quorum. */
typedef struct policy_node {
    char *name; /* NUL-terminated, opaque bytes */
    size_t name_len;
    size_t witness; /* index into witnesses, or SIZE_MAX for a group */
    size_t k;       /* group threshold */
    size_t nmembers;
    size_t *members; /* indices into nodes */
} policy_node;

struct prova_tlog_policy {
    prova_note_key **logs;
    size_t nlogs;
    prova_note_key **witnesses;
    size_t *witness_node; /* the node of witness i */
    size_t nwitnesses;
    policy_node *nodes;
    size_t nnodes, ngroups;
    size_t quorum; /* node index, or SIZE_MAX for "none" */
    bool has_quorum;
};

prova_tlog_policy *prova_tlog_policy_free(prova_tlog_policy *p) {
    if (!p) return NULL;
    for (size_t i = 0; i < p->nlogs; i++) prova_note_key_free(p->logs[i]);
    for (size_t i = 0; i < p->nwitnesses; i++) prova_note_key_free(p->witnesses[i]);
    for (size_t i = 0; i < p->nnodes; i++) {
        free(p->nodes[i].name);
        free(p->nodes[i].members);
    }
    free(p->logs);
    free(p->witnesses);
    free(p->witness_node);
    free(p->nodes);
    free(p);
    return NULL;
}

typedef struct tok {
    const char *s;
    size_t n;
    size_t off; /* in the policy */
} tok;

#define MAX_TOKENS (PROVA_TLOG_POLICY_MAX_ENTRIES * 2 + 4)

static size_t find_node(const prova_tlog_policy *p, const char *s, size_t n) {
    for (size_t i = 0; i < p->nnodes; i++)
        if (p->nodes[i].name_len == n && memcmp(p->nodes[i].name, s, n) == 0) return i;
    return SIZE_MAX;
}

static bool tok_is(const tok *t, const char *word) {
    return t->n == strlen(word) && memcmp(t->s, word, t->n) == 0;
}

static bool same_pub(const prova_note_key *a, const prova_note_key *b) {
    uint8_t x[32], y[32];
    prova_note_key_public(a, x);
    prova_note_key_public(b, y);
    return memcmp(x, y, 32) == 0;
}

/* Adds a witness or group name (checks the namespace). */
static int add_node(prova_tlog_policy *p, const tok *name, policy_node **ret, const uint8_t *data, size_t len,
                    prova_error *reterr) {
    if (tok_is(name, "none"))
        return prova__tlog_fail(reterr, PROVA_ESYNTAX, "policy_reserved_name", "the name none is predefined", data, len,
                                name->off);
    if (find_node(p, name->s, name->n) != SIZE_MAX)
        return prova__tlog_fail(reterr, PROVA_ESYNTAX, "policy_duplicate_name", "a name defined twice", data, len,
                                name->off);
    policy_node *nd = &p->nodes[p->nnodes];
    memset(nd, 0, sizeof *nd);
    nd->name = malloc(name->n + 1);
    if (!nd->name) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    memcpy(nd->name, name->s, name->n);
    nd->name[name->n] = '\0';
    nd->name_len = name->n;
    nd->witness = SIZE_MAX;
    p->nnodes++;
    *ret = nd;
    return 0;
}

static int parse_line(prova_tlog_policy *p, const tok *t, size_t nt, const uint8_t *data, size_t len,
                      prova_error *reterr) {
#define FAIL(status, reason, msg, off) prova__tlog_fail(reterr, status, reason, msg, data, len, off)
    int r;
    if (tok_is(&t[0], "log")) {
        if (nt < 2 || nt > 3) return FAIL(PROVA_ESYNTAX, "policy_line_malformed", "log <vkey> [<url>]", t[0].off);
        if (p->nlogs >= PROVA_TLOG_POLICY_MAX_ENTRIES)
            return FAIL(PROVA_ELIMIT, "policy_too_many_logs", "more logs than the limit", t[0].off);
        prova_note_key *k = NULL;
        if (prova_note_key_parse_vkey(t[1].s, t[1].n, &k, NULL) < 0)
            return FAIL(PROVA_ESYNTAX, "policy_vkey_invalid", "the log's vkey does not parse", t[1].off);
        if (prova_note_key_type(k) != PROVA_NOTE_ED25519) {
            prova_note_key_free(k);
            return FAIL(PROVA_ESYNTAX, "policy_key_type", "a log key is Ed25519 (type 0x01)", t[1].off);
        }
        for (size_t i = 0; i < p->nlogs; i++) {
            if (same_pub(p->logs[i], k)) {
                prova_note_key_free(k);
                return FAIL(PROVA_ESYNTAX, "policy_duplicate_log", "two logs with the same public key", t[1].off);
            }
        }
        p->logs[p->nlogs++] = k;
        return 0;
    }
    if (tok_is(&t[0], "witness")) {
        if (nt < 3 || nt > 4)
            return FAIL(PROVA_ESYNTAX, "policy_line_malformed", "witness <name> <vkey> [<url>]", t[0].off);
        if (p->nwitnesses >= PROVA_TLOG_POLICY_MAX_ENTRIES)
            return FAIL(PROVA_ELIMIT, "policy_too_many_witnesses", "more witnesses than the limit", t[0].off);
        prova_note_key *k = NULL;
        if (prova_note_key_parse_vkey(t[2].s, t[2].n, &k, NULL) < 0)
            return FAIL(PROVA_ESYNTAX, "policy_vkey_invalid", "the witness's vkey does not parse", t[2].off);
        if (prova_note_key_type(k) != PROVA_NOTE_COSIGNATURE_V1) {
            prova_note_key_free(k);
            return FAIL(PROVA_ESYNTAX, "policy_key_type", "a witness key is a cosignature/v1 key (type 0x04)",
                        t[2].off);
        }
        for (size_t i = 0; i < p->nwitnesses; i++) {
            if (same_pub(p->witnesses[i], k)) {
                prova_note_key_free(k);
                return FAIL(PROVA_ESYNTAX, "policy_duplicate_witness", "two witnesses with the same public key",
                            t[2].off);
            }
        }
        policy_node *nd = NULL;
        if ((r = add_node(p, &t[1], &nd, data, len, reterr)) < 0) {
            prova_note_key_free(k);
            return r;
        }
        nd->witness = p->nwitnesses;
        p->witness_node[p->nwitnesses] = p->nnodes - 1;
        p->witnesses[p->nwitnesses++] = k;
        return 0;
    }
    if (tok_is(&t[0], "group")) {
        if (nt < 4) return FAIL(PROVA_ESYNTAX, "policy_line_malformed", "group <name> all|any|<k> <name>...", t[0].off);
        if (p->ngroups >= PROVA_TLOG_POLICY_MAX_ENTRIES)
            return FAIL(PROVA_ELIMIT, "policy_too_many_groups", "more groups than the limit", t[0].off);
        size_t n = nt - 3, k = 0;
        uint64_t kv = 0;
        if (tok_is(&t[2], "all"))
            k = n;
        else if (tok_is(&t[2], "any"))
            k = 1;
        else if (prova__tlog_parse_u64(t[2].s, t[2].n, &kv) && kv >= 1 && kv <= n)
            k = (size_t)kv;
        else
            return FAIL(PROVA_ESYNTAX, "policy_threshold_invalid", "the threshold is all, any or 1 <= k <= n",
                        t[2].off);
        size_t *members = malloc(n * sizeof *members);
        if (!members) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        for (size_t i = 0; i < n; i++) {
            const tok *m = &t[3 + i];
            size_t idx = find_node(p, m->s, m->n);
            if (tok_is(m, "none"))
                r = FAIL(PROVA_ESYNTAX, "policy_none_member", "none is not a group member", m->off);
            else if (idx == SIZE_MAX)
                r = FAIL(PROVA_ESYNTAX, "policy_undefined_name", "a member not defined on a preceding line", m->off);
            else
                r = 0;
            for (size_t j = 0; r == 0 && j < i; j++)
                if (members[j] == idx)
                    r = FAIL(PROVA_ESYNTAX, "policy_duplicate_member", "a name listed twice in a group", m->off);
            if (r < 0) {
                free(members);
                return r;
            }
            members[i] = idx;
        }
        policy_node *nd = NULL;
        if ((r = add_node(p, &t[1], &nd, data, len, reterr)) < 0) {
            free(members);
            return r;
        }
        nd->k = k;
        nd->nmembers = n;
        nd->members = members;
        p->ngroups++;
        return 0;
    }
    if (tok_is(&t[0], "quorum")) {
        if (nt != 2) return FAIL(PROVA_ESYNTAX, "policy_line_malformed", "quorum <name>", t[0].off);
        if (p->has_quorum) return FAIL(PROVA_ESYNTAX, "policy_duplicate_quorum", "a second quorum line", t[0].off);
        size_t idx = SIZE_MAX;
        if (!tok_is(&t[1], "none")) {
            idx = find_node(p, t[1].s, t[1].n);
            if (idx == SIZE_MAX)
                return FAIL(PROVA_ESYNTAX, "policy_undefined_name", "the quorum is not defined on a preceding line",
                            t[1].off);
        }
        p->quorum = idx;
        p->has_quorum = true;
        return 0;
    }
    return FAIL(PROVA_ESYNTAX, "policy_unknown_keyword", "a line is log, witness, group or quorum", t[0].off);
#undef FAIL
}

int prova_tlog_policy_parse(const void *vdata, size_t len, prova_tlog_policy **ret_policy, prova_error *reterr) {
    const uint8_t *data = vdata;
    if ((!data && len) || !ret_policy) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (len > POLICY_MAX_BYTES)
        return prova__fail(reterr, PROVA_ELIMIT, "policy_too_large", "the policy is larger than 1 MiB");
    /* SPEC: c2sp.org/tlog-policy: "the allowed octet values are 0x09 (tab), 0x0A (newline), 0x20-0x7E, and
     * 0x80-0xFF." */
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
            return prova__tlog_fail(reterr, PROVA_ESYNTAX, "policy_control_character",
                                    "a control character other than tab and newline", data, len, i);
    }
    prova_tlog_policy *p = calloc(1, sizeof *p);
    tok *t = malloc(MAX_TOKENS * sizeof *t);
    if (p) {
        p->logs = calloc(PROVA_TLOG_POLICY_MAX_ENTRIES, sizeof *p->logs);
        p->witnesses = calloc(PROVA_TLOG_POLICY_MAX_ENTRIES, sizeof *p->witnesses);
        p->witness_node = calloc(PROVA_TLOG_POLICY_MAX_ENTRIES, sizeof *p->witness_node);
        p->nodes = calloc(2 * PROVA_TLOG_POLICY_MAX_ENTRIES, sizeof *p->nodes);
    }
    if (!p || !t || !p->logs || !p->witnesses || !p->witness_node || !p->nodes) {
        free(t);
        prova_tlog_policy_free(p);
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    int r = 0;
    size_t pos = 0;
    while (pos < len && r == 0) {
        const uint8_t *eol = memchr(data + pos, '\n', len - pos);
        size_t end = eol ? (size_t)(eol - data) : len; /* a missing final newline is tolerated */
        size_t nt = 0;
        size_t i = pos;
        while (i < end) {
            while (i < end && (data[i] == ' ' || data[i] == '\t')) i++;
            if (i == end) break;
            if (nt == 0 && data[i] == '#') break; /* a comment line */
            size_t s = i;
            while (i < end && data[i] != ' ' && data[i] != '\t') i++;
            if (nt == MAX_TOKENS) {
                r = prova__tlog_fail(reterr, PROVA_ELIMIT, "policy_line_too_long", "too many fields on a line", data,
                                     len, s);
                break;
            }
            t[nt++] = (tok){(const char *)data + s, i - s, s};
        }
        if (r == 0 && nt > 0) r = parse_line(p, t, nt, data, len, reterr);
        pos = end + 1;
    }
    free(t);
    if (r == 0 && !p->has_quorum)
        r = prova__fail(reterr, PROVA_ESYNTAX, "policy_no_quorum", "a policy has exactly one quorum line");
    if (r < 0) {
        prova_tlog_policy_free(p);
        return r;
    }
    *ret_policy = p;
    return 0;
}

size_t prova_tlog_policy_log_count(const prova_tlog_policy *p) {
    return p ? p->nlogs : 0;
}
const prova_note_key *prova_tlog_policy_log(const prova_tlog_policy *p, size_t i) {
    return p && i < p->nlogs ? p->logs[i] : NULL;
}
size_t prova_tlog_policy_witness_count(const prova_tlog_policy *p) {
    return p ? p->nwitnesses : 0;
}
const prova_note_key *prova_tlog_policy_witness(const prova_tlog_policy *p, size_t i) {
    return p && i < p->nwitnesses ? p->witnesses[i] : NULL;
}
const char *prova_tlog_policy_witness_name(const prova_tlog_policy *p, size_t i) {
    return p && i < p->nwitnesses ? p->nodes[p->witness_node[i]].name : NULL;
}

int prova_tlog_policy_quorum(const prova_tlog_policy *p, const bool *witnessed, bool *ret_met) {
    if (!p || !ret_met) return PROVA_EINVAL;
    if (p->quorum == SIZE_MAX) {
        *ret_met = true; /* quorum none */
        return 0;
    }
    bool *val = calloc(p->nnodes ? p->nnodes : 1, sizeof *val);
    if (!val) return PROVA_ENOMEM;
    for (size_t i = 0; i <= p->quorum; i++) {
        const policy_node *nd = &p->nodes[i];
        if (nd->witness != SIZE_MAX) {
            val[i] = witnessed && witnessed[nd->witness];
            continue;
        }
        size_t c = 0;
        for (size_t j = 0; j < nd->nmembers; j++) c += val[nd->members[j]];
        val[i] = c >= nd->k;
    }
    *ret_met = val[p->quorum];
    free(val);
    return 0;
}

int prova_tlog_policy_verify_checkpoint(const prova_tlog_policy *p, const prova_note_key *log_key, const void *note,
                                        size_t len, prova_checkpoint **ret_cp, prova_error *reterr) {
    if (!p) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "policy is NULL");
    prova_note *n = NULL;
    prova_checkpoint *cp = NULL;
    const prova_note_key **keys = NULL;
    bool *ok = NULL;
    int r = prova_note_parse(note, len, &n, reterr);
    if (r < 0) return r;
    size_t text_len = 0, olen = 0;
    const char *text = prova_note_text(n, &text_len);
    r = prova_checkpoint_parse(text, text_len, &cp, reterr);
    if (r < 0) goto done;
    const char *origin = prova_checkpoint_origin(cp, &olen);
    keys = malloc((p->nlogs + p->nwitnesses + 1) * sizeof *keys);
    ok = calloc(p->nlogs + p->nwitnesses + 1, sizeof *ok);
    if (!keys || !ok) {
        r = prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        goto done;
    }
    /* SPEC: c2sp.org/tlog-policy: the log's key name "MUST correspond to the log's origin line". */
    size_t nlog = 0;
    if (log_key) {
        keys[nlog++] = log_key;
    } else {
        for (size_t i = 0; i < p->nlogs; i++)
            if (p->logs[i]->name_len == olen && memcmp(p->logs[i]->name, origin, olen) == 0) keys[nlog++] = p->logs[i];
    }
    if (nlog == 0 || (log_key && (log_key->name_len != olen || memcmp(log_key->name, origin, olen) != 0))) {
        r = prova__fail(reterr, PROVA_EVERIFY, log_key ? "checkpoint_origin_mismatch" : "policy_unknown_log",
                        "no trusted log key for the checkpoint's origin");
        goto done;
    }
    for (size_t i = 0; i < p->nwitnesses; i++) keys[nlog + i] = p->witnesses[i];
    r = prova_note_verify(n, keys, nlog + p->nwitnesses, ok, NULL, reterr);
    if (r < 0) goto done;
    bool logged = false;
    for (size_t i = 0; i < nlog; i++) logged |= ok[i];
    if (!logged) {
        r = prova__fail(reterr, PROVA_EVERIFY, "checkpoint_not_signed_by_log", "the log's signature is missing");
        goto done;
    }
    bool met = false;
    r = prova_tlog_policy_quorum(p, ok + nlog, &met);
    if (r < 0) {
        r = prova__fail(reterr, r, "out_of_memory", "out of memory");
        goto done;
    }
    if (!met) {
        r = prova__fail(reterr, PROVA_EVERIFY, "policy_quorum_not_met", "the witnesses' cosignatures miss the quorum");
        goto done;
    }
    if (ret_cp) {
        *ret_cp = cp;
        cp = NULL;
    }
done:
    free(keys);
    free(ok);
    prova_checkpoint_free(cp);
    prova_note_free(n);
    return r;
}
