// Typed read errors: a reader throws one, the dispatcher turns it into the file's `error`.

/** A clear, file-specific reason why a file could not be read. */
export class ReadError extends Error {
  /** `code` is stable kebab-case (`truncated-hdf5`, `not-a-model`, `crc-mismatch`, ...). */
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReadError';
  }
}

/** Turns anything thrown into `{code, message}`, keeping ReadError codes. */
export function toFileError(e: unknown): { code: string; message: string } {
  if (e instanceof ReadError) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'read-failed', message };
}
