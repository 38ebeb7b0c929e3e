// `npm run demo`: builds and packages the extension, installs it into code-server (installed on
// first use), opens a copy of the demo workspace and prints the URL to open in a browser.
import { copyDemoWorkspace, packageExtension, setupCodeServer, startCodeServer } from './codeServer.mjs';

const port = Number(process.env.PORT ?? 8080);
const entry = setupCodeServer();
const vsix = packageExtension();
const folder = copyDemoWorkspace();
const server = await startCodeServer({ entry, vsix, folder, port });
console.log(`\nModel Bundle Inspector demo is running.\n  Open: ${server.url}\n  Workspace (a copy of demo/): ${folder}\nPress Ctrl+C to stop.`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
