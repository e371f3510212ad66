/* libFuzzer target: the witness's add-checkpoint (src/app/witness.c) — the body parser, then the whole request
 * against a witness with one log and a state directory under /tmp, without HTTP. Invariants: no crash, leak or UB;
 * a parsed body's note lies inside it; every answer has a status the spec allows and a body; a 409 body is a
 * decimal size and a newline. */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/note.h"
#include "witness.h"

#define LOG_VKEY "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"

static witness *the_witness;

static void write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    ASSERT(f && fwrite(data, 1, len, f) == len);
    fclose(f);
}

static witness *open_witness(void) {
    char dir[] = "/tmp/fuzz_witness.XXXXXX";
    ASSERT(mkdtemp(dir));
    char key[256], logs[256], state[256];
    snprintf(key, sizeof key, "%s/key", dir);
    snprintf(logs, sizeof logs, "%s/logs", dir);
    snprintf(state, sizeof state, "%s/state", dir);
    prova_note_key *k = NULL;
    ASSERT(prova_note_key_generate("witness.example/fuzz", 20, PROVA_NOTE_COSIGNATURE_V1, &k, NULL) == 0);
    prova_buf priv = PROVA_BUF_INIT;
    ASSERT(prova_note_key_write_private(k, &priv) == 0);
    write_file(key, priv.data, priv.len);
    prova_buf_free(&priv);
    prova_note_key_free(k);
    write_file(logs, LOG_VKEY "\n", sizeof LOG_VKEY);
    witness_config c = {.key_path = key, .logs_path = logs, .state_dir = state};
    witness *w = NULL;
    ASSERT(witness_open(&c, &w) == 0);
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!the_witness) the_witness = open_witness();
    witness_request rq;
    const char *reason = NULL;
    if (witness_parse_request(data, size, &rq, &reason) == 0) {
        ASSERT(rq.note > data && rq.note + rq.note_len == data + size && rq.note_len > 0);
        ASSERT(rq.nproof <= WITNESS_MAX_PROOF);
    } else {
        ASSERT(reason && reason[0]);
    }
    witness_answer a;
    if (witness_add_checkpoint(the_witness, data, size, 1700000000, &a) == 0) {
        static const unsigned allowed[] = {200, 400, 403, 404, 409, 422, 500};
        bool ok = false;
        for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) ok |= a.status == allowed[i];
        ASSERT(ok && a.content_type && a.body.len > 0);
        if (a.status == 409)
            ASSERT(a.body.data[a.body.len - 1] == '\n' && a.body.data[0] >= '0' && a.body.data[0] <= '9');
    }
    witness_answer_free(&a);
    return 0;
}
