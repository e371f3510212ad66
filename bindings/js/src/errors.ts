// Every failure of the package: a ProvaError with the C library's stable reason code (prova_error.reason).

export class ProvaError extends Error {
  /** The C library's reason code: `json_duplicate_key`, `base64_invalid`, ... */
  readonly code: string;
  /** Byte offset in the input, when the failure has a position. */
  offset?: number;
  /** JSON Pointer of the failing value, when known. */
  pointer?: string;
  /** 1-based line and column of `offset`, when known (as prova_error.line/column). */
  line?: number;
  column?: number;

  constructor(code: string, message: string, extra?: { offset?: number; pointer?: string; line?: number; column?: number }) {
    super(message);
    this.name = 'ProvaError';
    this.code = code;
    if (extra) {
      if (extra.offset !== undefined) this.offset = extra.offset;
      if (extra.pointer !== undefined) this.pointer = extra.pointer;
      if (extra.line !== undefined) this.line = extra.line;
      if (extra.column !== undefined) this.column = extra.column;
    }
  }
}

export function isProvaError(e: unknown): e is ProvaError {
  return e instanceof ProvaError;
}
