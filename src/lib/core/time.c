/* RFC 3339 timestamps (prova/time.h): the one calendar, parser and set of writers of every family. */
#include <string.h>

#include "internal.h"
#include "prova/time.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t prova__days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void prova__civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, size_t at, size_t count, int64_t *ret) {
    if (at + count > n) return false;
    int64_t v = 0;
    for (size_t i = 0; i < count; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *ret = v;
    return true;
}

int prova__days_in_month(int64_t y, int64_t m) {
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

bool prova__time_is_iso_ms(const char *s, size_t n) {
    int64_t y, mo, d, h, mi, se, ms;
    return n == 24 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == '.' &&
           s[23] == 'Z' && digits(s, n, 0, 4, &y) && digits(s, n, 5, 2, &mo) && digits(s, n, 8, 2, &d) &&
           digits(s, n, 11, 2, &h) && digits(s, n, 14, 2, &mi) && digits(s, n, 17, 2, &se) &&
           digits(s, n, 20, 3, &ms) && y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= prova__days_in_month(y, mo) &&
           h <= 23 && mi <= 59 && se <= 59;
}

int prova_time_parse(const char *s, size_t n, int64_t *ret_us) {
    if (!s || !ret_us) return PROVA_EINVAL;
    int64_t y, mo, d, h, mi, se, frac_us = 0;
    if (!digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || !digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        !digits(s, n, 8, 2, &d) || !(s[10] == 'T' || s[10] == 't' || s[10] == ' ') || !digits(s, n, 11, 2, &h) ||
        s[13] != ':' || !digits(s, n, 14, 2, &mi) || s[16] != ':' || !digits(s, n, 17, 2, &se))
        return PROVA_ESYNTAX;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > prova__days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
        return PROVA_ESYNTAX;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        i++;
        size_t start = i;
        int64_t scale = 100000;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (scale > 0) frac_us += (s[i] - '0') * scale; /* sub-microsecond digits are truncated */
            scale /= 10;
            i++;
        }
        if (i == start) return PROVA_ESYNTAX;
    }
    int64_t off_s;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        off_s = 0;
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        int64_t oh, om = 0;
        if (!digits(s, n, i + 1, 2, &oh)) return PROVA_ESYNTAX;
        i += 3;
        if (i < n && s[i] == ':') {
            if (!digits(s, n, i + 1, 2, &om)) return PROVA_ESYNTAX;
            i += 3;
        } else if (i + 2 <= n && digits(s, n, i, 2, &om)) {
            i += 2;
        }
        if (oh > 23 || om > 59) return PROVA_ESYNTAX;
        off_s = sign * (oh * 3600 + om * 60);
    } else {
        return PROVA_ESYNTAX; /* no offset: local time of an unknown place */
    }
    if (i != n) return PROVA_ESYNTAX;
    int64_t secs = prova__days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off_s;
    *ret_us = secs * 1000000 + frac_us;
    return 0;
}

/* Writes v (>= 0, < 10^width) as width decimal digits. */
static void put_digits(char *p, int width, int64_t v) {
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

size_t prova_time_format(int64_t us, char buf[40]) {
    if (!buf) return 0;
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t frac = us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y, m, d;
    prova__civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999) return 0;
    /* Digits by hand: this runs once per event when a chain is verified, and snprintf costs more than the rest. */
    memcpy(buf, "0000-00-00T00:00:00.000000+00:00", 33);
    put_digits(buf, 4, y);
    put_digits(buf + 5, 2, m);
    put_digits(buf + 8, 2, d);
    put_digits(buf + 11, 2, rem / 3600);
    put_digits(buf + 14, 2, rem / 60 % 60);
    put_digits(buf + 17, 2, rem % 60);
    put_digits(buf + 20, 6, frac);
    return 32;
}

bool prova_time_valid(const char *s, size_t n) {
    /* SPEC: RFC 3339 §5.6: full-date = YYYY-MM-DD; full-time = HH:MM:SS[.frac](Z|±HH:MM); "T" and "Z" may be
     * lowercase (§5.6 NOTE); time-second 60 is a leap second (§5.7). */
    int64_t y, mo, d, h, mi, se;
    if (!s || n < 20 || !digits(s, n, 0, 4, &y) || s[4] != '-' || !digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        !digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s, n, 11, 2, &h) || s[13] != ':' ||
        !digits(s, n, 14, 2, &mi) || s[16] != ':' || !digits(s, n, 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > prova__days_in_month(y, mo) || h > 23 || mi > 59 || se > 60) return false;
    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start) return false;
    }
    if (i == n) return false;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) return true;
    int64_t oh, om;
    return (s[i] == '+' || s[i] == '-') && i + 6 == n && digits(s, n, i + 1, 2, &oh) && oh <= 23 && s[i + 3] == ':' &&
           digits(s, n, i + 4, 2, &om) && om <= 59;
}

/* ---- OpenExecution: JavaScript's toISOString ----------------------------------------------------------------- */

size_t prova_oe_time_format(int64_t us, char out[PROVA_OE_TIME_LEN + 1]) {
    if (!out) return 0;
    /* Milliseconds by floor division: the fraction's digits are cut, never rounded (toISOString of a parsed
     * timestamp keeps the first three digits, also before 1970). */
    int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
    char full[40];
    if (prova_time_format(ms * 1000, full) != 32) return 0;
    memcpy(out, full, 23); /* "YYYY-MM-DDTHH:MM:SS.sss" */
    out[23] = 'Z';
    out[24] = '\0';
    return PROVA_OE_TIME_LEN;
}

int prova_oe_timestamp(const char *s, size_t n, char out[PROVA_OE_TIME_LEN + 1]) {
    int64_t us;
    if (!s || !out) return PROVA_EINVAL;
    if (prova__time_is_iso_ms(s, n)) { /* the stored form of every event prova writes: already normalized */
        memcpy(out, s, PROVA_OE_TIME_LEN);
        out[PROVA_OE_TIME_LEN] = '\0';
        return 0;
    }
    if (prova_time_parse(s, n, &us) < 0 || !prova_oe_time_format(us, out)) return PROVA_ESYNTAX;
    return 0;
}

/* ---- Python's datetime.fromisoformat(s).isoformat() ------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

int prova__time_isoformat(const char *s, size_t n, char out[40]) {
    if (!s || !out) return PROVA_EINVAL;
    int64_t us;
    /* The calendar and the clock are prova_time_parse's to check; the shape (what Python's fromisoformat reads and
     * ajv's date-time accepts once written back) is checked here. */
    if (n < 20 || prova_time_parse(s, n, &us) < 0) return PROVA_ESYNTAX;
    if (!all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !all_digits(s + 11, 2) || s[13] != ':' ||
        !all_digits(s + 14, 2) || s[16] != ':' || !all_digits(s + 17, 2))
        return PROVA_ESYNTAX;
    size_t i = 19, frac = 0, frac_len = 0;
    if (i < n && s[i] == '.') {
        frac = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        frac_len = i - frac;
        if (frac_len == 0) return PROVA_ESYNTAX;
    }
    char off[7];
    size_t rest = n - i;
    if (rest == 1 && (s[i] == 'Z' || s[i] == 'z')) {
        memcpy(off, "+00:00", 6);
    } else if ((rest == 3 || rest == 5 || rest == 6) && (s[i] == '+' || s[i] == '-') && all_digits(s + i + 1, 2)) {
        off[0] = s[i];
        memcpy(off + 1, s + i + 1, 2);
        off[3] = ':';
        if (rest == 3) {
            memcpy(off + 4, "00", 2);
        } else if (rest == 5 && all_digits(s + i + 3, 2)) {
            memcpy(off + 4, s + i + 3, 2);
        } else if (rest == 6 && s[i + 3] == ':' && all_digits(s + i + 4, 2)) {
            memcpy(off + 4, s + i + 4, 2);
        } else {
            return PROVA_ESYNTAX;
        }
        if (memcmp(off + 1, "00:00", 5) == 0) off[0] = '+'; /* Python: timezone.utc prints "+00:00" */
    } else {
        return PROVA_ESYNTAX;
    }
    off[6] = '\0';
    char f[7] = "000000";
    memcpy(f, s + frac, frac_len < 6 ? frac_len : 6);
    size_t k = 0;
    memcpy(out, s, 19);
    out[10] = 'T';
    k = 19;
    if (frac_len && strcmp(f, "000000") != 0) { /* isoformat() writes the microseconds only when non-zero */
        out[k++] = '.';
        memcpy(out + k, f, 6);
        k += 6;
    }
    memcpy(out + k, off, 7);
    return 0;
}
