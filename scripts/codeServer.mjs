// Shared by `npm run demo` and the end-to-end tests: installs (once) and starts code-server with the
// packaged extension in fresh user-data and extensions folders.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('..', import.meta.url).pathname);
export const VSIX = join(ROOT, 'model-bundle-inspector.vsix');

/** Installs code-server into the cache folder if needed; returns its entry script. */
export function setupCodeServer() {
  const cache = execFileSync('bash', [join(ROOT, 'scripts/setup-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return join(cache, 'node_modules/code-server/out/node/entry.js');
}

/** Builds and packages the extension (VSIX). */
export function packageExtension() {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return VSIX;
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** Copies the demo workspace (demo/) into a fresh temporary folder, so tests may change it. */
export function copyDemoWorkspace(dest = mkdtempSync(join(tmpdir(), 'mbi-demo-'))) {
  cpSync(join(ROOT, 'demo'), dest, { recursive: true });
  return dest;
}

/**
 * Starts code-server on 127.0.0.1:port with the extension installed, opening `folder`.
 * Returns {url, stop, dataDir}.
 */
export async function startCodeServer({ entry, vsix, folder, port, settings = {} }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'mbi-code-server-'));
  const userData = join(dataDir, 'user-data');
  const extDir = join(dataDir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      ...settings,
    }),
  );
  const common = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--user-data-dir', userData, '--extensions-dir', extDir];
  execFileSync(process.execPath, [entry, ...common, '--install-extension', vsix], { stdio: ['ignore', 'ignore', 'inherit'] });
  const child = spawn(process.execPath, [entry, ...common, '--bind-addr', `127.0.0.1:${port}`, '--disable-workspace-trust', folder], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`code-server exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`code-server did not start in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    dataDir,
    output: () => output,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
