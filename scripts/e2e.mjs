// End-to-end tests in real VS Code (code-server's web build) driven by Playwright in Debian's Chromium.
// Installs code-server once (scripts/setup-code-server.sh), packages the extension, installs it into a
// fresh profile, opens a copy of demo/, runs test/e2e/*.test.ts with node:test, and stops the server.
// Screenshots go to test-output/e2e/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyDemoWorkspace, freePort, packageExtension, ROOT, setupCodeServer, startCodeServer } from './codeServer.mjs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const entry = setupCodeServer();
if (!existsSync(chromium)) {
  console.error(`e2e: ${chromium} not found (setup-code-server.sh installs Debian's chromium)`);
  process.exit(1);
}
const vsix = packageExtension();
const folder = copyDemoWorkspace();
const port = await freePort();
const server = await startCodeServer({ entry, vsix, folder, port });
const outDir = join(ROOT, 'test-output', 'e2e');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const filters = process.argv.slice(2);
const files = readdirSync(join(ROOT, 'test/e2e'))
  .filter((f) => f.endsWith('.test.ts') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .map((f) => join('test/e2e', f))
  .sort();
let status = 1;
try {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      MBI_E2E_URL: server.url,
      MBI_E2E_FOLDER: folder,
      MBI_E2E_OUT: outDir,
      MBI_E2E_USER_DATA: join(server.dataDir, 'user-data'),
      CHROMIUM_PATH: chromium,
    },
  });
  status = r.status ?? 1;
} finally {
  await server.stop();
  if (status !== 0) console.error(`code-server log:\n${server.output().slice(-4000)}`);
  rmSync(server.dataDir, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
}
process.exit(status);
