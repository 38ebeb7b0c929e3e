// Types of esbuildNode.mjs for the TypeScript tests that build bundles themselves.
export declare const nodeCjs: { define: Record<string, string>; charset: 'utf8'; plugins: import('esbuild').Plugin[] };
export declare const importMetaUrl: string;
