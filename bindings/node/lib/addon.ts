// Loads the native addon before anything else does, so that a machine without one gets an error that names its
// platform, the package it needs and the platforms that have one, instead of the generated loader's generic
// "Cannot find native binding". On success the addon stays in require's cache for ./native.

/** `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`: the suffix of the addon package napi-rs names. */
function platformTriple(): { triple: string; libc: string | undefined } {
  const { platform, arch } = process;
  if (platform === 'win32') return { triple: `${platform}-${arch}-msvc`, libc: undefined };
  if (platform !== 'linux') return { triple: `${platform}-${arch}`, libc: undefined };
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const glibc = report?.header?.glibcVersionRuntime;
  return glibc
    ? { triple: `${platform}-${arch}-gnu`, libc: `glibc ${glibc}` }
    : { triple: `${platform}-${arch}-musl`, libc: 'musl' };
}

/** The error for a machine without an addon: which platform this is, which package it needs, which exist. */
function missingAddon(cause: unknown): Error {
  const { triple, libc } = platformTriple();
  const wanted = `codex-sdk-${triple}`;
  let supported: string[] = [];
  try {
    const pkg = require('../package.json') as { optionalDependencies?: Record<string, string> };
    supported = Object.keys(pkg.optionalDependencies ?? {}).map((name) => name.replace(/^codex-sdk-/, ''));
  } catch {
    // A checkout without its package.json beside dist/: the list is only a hint.
  }
  const machine = `${process.platform} ${process.arch}${libc ? ` (${libc})` : ''}`;
  const fix = supported.includes(triple)
    ? `its addon package ${wanted} is not installed: it is an optional dependency of codex-sdk, which ` +
      'npm skips with --omit=optional (or --no-optional) and when installed on another platform — ' +
      'reinstall codex-sdk on this machine with optional dependencies'
    : `codex-sdk ships no native addon for it (${wanted})`;
  const known = supported.length > 0 ? `; addons exist for ${supported.join(', ')}` : '';
  const error = new Error(`codex-sdk cannot load its native addon on ${machine}: ${fix}${known}.`);
  Object.assign(error, { code: 'ERR_CODEX_SDK_NATIVE_ADDON', platform: triple, cause });
  return error;
}

try {
  require('../native/index.js');
} catch (cause) {
  throw missingAddon(cause);
}
export {};
