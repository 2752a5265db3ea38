// The roots of the error hierarchy; the subclass of each code is generated (generated/errors.ts).

import type { ErrorCode } from './generated/protocol';

/** The Rust error behind a `CodexError` (its `cause`): its message, then its sources, outermost first. */
export class RustError extends Error {
  override readonly name: string = 'RustError';

  constructor(readonly chain: readonly string[]) {
    super(chain.join(': '));
  }
}

/**
 * Every error of codex-sdk. `code` is the stable `ErrorCode`; each code has a subclass (`UnauthorizedError`,
 * `InterruptedError`, …), so `instanceof` and `switch (err.code)` both work. `cause` holds the Rust error.
 */
export class CodexError extends Error {
  readonly code: ErrorCode = 'internal';
  override readonly name: string = 'CodexError';
}
