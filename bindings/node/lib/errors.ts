// Errors crossing from Rust: the native addon rejects with a JSON message `{code, message, chain}`
// (see src/error.rs); here it becomes the CodexError subclass of its code.

import { CodexError, RustError } from './error-base';
import { ERROR_CLASSES } from './generated/errors';
import type { ErrorCode } from './generated/protocol';

interface NativePayload {
  code: ErrorCode;
  message: string;
  chain: string[];
}

function payloadOf(err: unknown): NativePayload | undefined {
  if (!(err instanceof Error) || !err.message.startsWith('{')) return undefined;
  try {
    const payload = JSON.parse(err.message) as Partial<NativePayload>;
    if (typeof payload.code === 'string' && typeof payload.message === 'string') {
      return { code: payload.code, message: payload.message, chain: payload.chain ?? [] };
    }
  } catch {
    // Not one of ours.
  }
  return undefined;
}

/** Builds the error of a code (a subclass of CodexError). */
export function codexError(code: ErrorCode, message: string, options?: ErrorOptions): CodexError {
  const Class = ERROR_CLASSES[code] ?? CodexError;
  return new Class(message, options);
}

/** The CodexError for a native rejection; anything else is returned as it is. */
export function fromNative(err: unknown): unknown {
  const payload = payloadOf(err);
  if (!payload) return err;
  return codexError(payload.code, payload.message, {
    cause: new RustError([payload.message, ...payload.chain]),
  });
}

/** Awaits a native promise, translating its rejection. */
export async function native<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw fromNative(err);
  }
}

/** Runs a native call, translating what it throws. */
export function nativeSync<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fromNative(err);
  }
}
