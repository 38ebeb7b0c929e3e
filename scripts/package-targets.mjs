// Platform-specific VSIX files (docs/onnx.md): onnxruntime-node ships native binaries per platform,
// so each VSIX carries one platform's binaries (`vsce package --target`), and one universal VSIX
// without them runs predictions on onnxruntime-web (wasm) everywhere else (Intel Macs, Alpine, armhf,
// the web). The Marketplace serves each user the VSIX of their platform, else the universal one.
// Usage: node scripts/package-targets.mjs [target...]   (default: all below; output in vsix/)
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';

/** VS Code target -> onnxruntime-node binaries (ORT_TARGET of scripts/build.mjs); null = the universal VSIX. */
const TARGETS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
  universal: null,
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(TARGETS);
mkdirSync('vsix', { recursive: true });
for (const target of wanted) {
  if (!(target in TARGETS)) {
    console.error(`unknown target ${target} (one of ${Object.keys(TARGETS).join(', ')})`);
    process.exit(2);
  }
  const ort = TARGETS[target];
  const run = (cmd, args, env = {}) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  };
  run(process.execPath, ['scripts/build.mjs', '--production'], { ORT_TARGET: ort ?? 'none' });
  const out = `vsix/model-bundle-inspector-${target}.vsix`;
  run('node_modules/.bin/vsce', ['package', '--no-dependencies', ...(ort ? ['--target', target] : []), '--out', out]);
  console.log(`${out}: ${(statSync(out).size / 1e6).toFixed(1)} MB`);
}
