// CODEX_HOME besides sessions: API-key login, logout, auth status and email, the default model; and the
// token formatting helpers. Each takes `codexHome` (default: `CODEX_HOME`, else `~/.codex`).

import { nativeSync } from './errors';
import type { AuthStatus, ReasoningEffort } from './generated/protocol';
import * as addon from './native';

/** Stores an API key in `auth.json` (mode 0600), as `codex login --api-key` does. */
export function loginApiKey(apiKey: string, codexHome?: string): void {
  nativeSync(() => addon.loginApiKey(apiKey, codexHome));
}

/** Removes `auth.json`; returns whether there was one. */
export function logout(codexHome?: string): boolean {
  return nativeSync(() => addon.logout(codexHome));
}

/** What `auth.json` holds, without the secrets. */
export function authStatus(codexHome?: string): AuthStatus {
  return JSON.parse(nativeSync(() => addon.authStatus(codexHome))) as AuthStatus;
}

/** The account's email, from the stored id token (`null` for an API-key login). */
export function userEmail(codexHome?: string): string | null {
  return authStatus(codexHome).email ?? null;
}

/** Writes the default model (and reasoning effort) into `config.toml`, keeping the rest of it. */
export function setDefaultModel(model: string | null, effort?: ReasoningEffort, codexHome?: string): void {
  nativeSync(() => addon.setDefaultModel(model ?? undefined, effort === undefined ? undefined : JSON.stringify(effort), codexHome));
}

/** A token count for display, e.g. `12.3K`. */
export function formatTokensCompact(n: number): string {
  return nativeSync(() => addon.formatTokensCompact(n));
}

/** A token count with thousands separators, e.g. `12,345`. */
export function formatTokensExact(n: number): string {
  return nativeSync(() => addon.formatTokensExact(n));
}
