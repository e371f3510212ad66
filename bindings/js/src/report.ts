// The unified verification report, as src/lib/core/report.c: checks, warnings, the outcome, and the JSON form
// byte for byte as prova_report_to_json (what `prova verify --json` prints, without its newline).

export type Outcome = 'valid' | 'invalid' | 'unknown_kind' | 'bad_input';

export interface Check {
  check: string;
  ok: boolean;
  /** "ok" for a passing check, else the reason code. */
  code: string;
  /** JSON Pointer into the document ("" = the document). */
  at: string;
  message: string;
}

export interface Warning {
  code: string;
  at: string;
  message: string;
}

export interface KeyUse {
  kid: string;
  source: string;
}

// JSON string as jsonw.c writes it (the escapes of JSON.stringify; lone surrogates cannot come from C strings,
// they become U+FFFD here as the C library's scrubbing makes them '?'-like replacements).
function jstr(s: string): string {
  return JSON.stringify(s.toWellFormed ? s.toWellFormed() : s);
}

declare global {
  interface String {
    toWellFormed?(): string;
  }
}

export class Report {
  kind: string;
  readonly checks: Check[] = [];
  readonly warnings: Warning[] = [];
  readonly unauthenticated: string[] = [];
  readonly keys: KeyUse[] = [];
  /** Raw JSON text of the SDK's own result, when a verifier sets one. */
  sdkResult: string | undefined;
  /** Long chains (prova__report_quiet): while set, passing checks are counted in quietPassed, not stored. */
  quiet = false;
  quietPassed = 0;
  /** What a verifier said: 'valid' means "read the checks". */
  said: 'valid' | 'unknown_kind' | 'bad_input' = 'valid';

  constructor(kind = 'unknown') {
    this.kind = kind;
  }

  /** Records a check; a passing check's code is "ok". */
  addCheck(check: string, ok: boolean, code: string, at: string, message: string): this {
    if (ok && this.quiet) {
      this.quietPassed++;
      return this;
    }
    this.checks.push({ check, ok, code: ok ? 'ok' : code, at: at ?? '', message });
    return this;
  }

  pass(check: string, at: string, message: string): this {
    return this.addCheck(check, true, 'ok', at, message);
  }

  fail(check: string, code: string, at: string, message: string): this {
    return this.addCheck(check, false, code, at, message);
  }

  addWarning(code: string, at: string, message: string): this {
    this.warnings.push({ code, at: at ?? '', message });
    return this;
  }

  addUnauthenticated(field: string): this {
    if (!this.unauthenticated.includes(field)) this.unauthenticated.push(field);
    return this;
  }

  addKey(kid: string, source: string): this {
    if (!this.keys.some((k) => k.kid === kid && k.source === source)) this.keys.push({ kid, source });
    return this;
  }

  setKind(kind: string): this {
    this.kind = kind;
    return this;
  }

  /** As prova_report_set_outcome: 'invalid' means "read the checks"; bad input stays bad input. */
  setOutcome(outcome: Outcome): this {
    if (this.said === 'bad_input' && outcome === 'unknown_kind') return this;
    this.said = outcome === 'invalid' ? 'valid' : outcome;
    return this;
  }

  get valid(): boolean {
    if (this.checks.length === 0 || this.said !== 'valid') return false;
    for (const c of this.checks) if (!c.ok) return false;
    return true;
  }

  get outcome(): Outcome {
    if (this.said === 'bad_input') return 'bad_input';
    if (this.valid) return 'valid';
    return this.said === 'unknown_kind' ? 'unknown_kind' : 'invalid';
  }

  firstFailure(): Check | undefined {
    return this.checks.find((c) => !c.ok);
  }

  /** Moves other's entries into this report (prova__report_append). */
  append(other: Report): this {
    if (other.said === 'unknown_kind' && this.said === 'valid' && !this.firstFailure()) this.said = 'unknown_kind';
    for (const c of other.checks) this.checks.push(c);
    for (const w of other.warnings) this.warnings.push(w);
    other.checks.length = 0;
    other.warnings.length = 0;
    for (const f of other.unauthenticated) this.addUnauthenticated(f);
    for (const k of other.keys) this.addKey(k.kid, k.source);
    this.quietPassed += other.quietPassed;
    other.quietPassed = 0;
    return this;
  }

  /** The report's JSON text, byte for byte as prova_report_to_json. */
  toJSONString(): string {
    let s = '{"checks":[';
    for (let i = 0; i < this.checks.length; i++) {
      const c = this.checks[i]!;
      s += (i ? ',' : '') + '{"at":' + jstr(c.at) + ',"check":' + jstr(c.check) + ',"code":' + jstr(c.code) +
        ',"message":' + jstr(c.message) + ',"ok":' + (c.ok ? 'true' : 'false') + '}';
    }
    s += ']';
    if (this.keys.length) {
      s += ',"keys":[' + this.keys.map((k) => '{"kid":' + jstr(k.kid) + ',"source":' + jstr(k.source) + '}').join(',') + ']';
    }
    s += ',"kind":' + jstr(this.kind) + ',"outcome":' + jstr(this.outcome);
    if (this.sdkResult !== undefined) s += ',"sdk_result":' + this.sdkResult;
    if (this.unauthenticated.length) s += ',"unauthenticated_fields":[' + this.unauthenticated.map(jstr).join(',') + ']';
    s += ',"valid":' + (this.valid ? 'true' : 'false') + ',"warnings":[';
    for (let i = 0; i < this.warnings.length; i++) {
      const w = this.warnings[i]!;
      s += (i ? ',' : '') + '{"at":' + jstr(w.at) + ',"code":' + jstr(w.code) + ',"message":' + jstr(w.message) + '}';
    }
    return s + ']}';
  }

  /** A plain object of the JSON form (JSON.stringify(report) gives the same members in the same order). */
  toJSON(): unknown {
    return JSON.parse(this.toJSONString());
  }

  /** The text form, as prova_report_to_text (control characters become '?'). */
  toString(): string {
    const safe = (x: string) => x.replace(/[\x00-\x1f\x7f]/g, '?');
    let s = safe(this.kind) + '\n';
    for (const c of this.checks) {
      s += (c.ok ? '  [ok]   ' : '  [FAIL] ') + safe(c.check) + ': ' + safe(c.message);
      if (!c.ok) s += ' (' + safe(c.code) + ')';
      if (c.at) s += ' at ' + safe(c.at);
      s += '\n';
    }
    for (const w of this.warnings) s += '  [warn] ' + safe(w.message) + ' (' + safe(w.code) + ')\n';
    if (this.unauthenticated.length) s += '  not covered by any signature: ' + this.unauthenticated.map(safe).join(', ') + '\n';
    for (const k of this.keys) s += '  key ' + safe(k.kid) + ' from ' + safe(k.source) + '\n';
    return s + (this.valid ? 'VALID\n' : 'INVALID\n');
  }
}
