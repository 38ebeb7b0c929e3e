// The `model-bundles` command line (stub; filled in by the CLI work).
process.stdout.write('model-bundles 0.1.0\n');
