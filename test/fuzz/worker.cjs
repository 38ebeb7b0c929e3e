// Worker entry: loads TypeScript through tsx's require hook (worker threads do not inherit the
// parent's --import loader), then the worker itself.
require('tsx/cjs');
require('./worker.ts');
