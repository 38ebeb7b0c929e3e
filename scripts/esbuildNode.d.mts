// Types of esbuildNode.mjs for the TypeScript tests that build bundles themselves.
export declare const nodeCjs: { define: Record<string, string>; charset: 'utf8'; plugins: import('esbuild').Plugin[]; external: string[] };
export declare const importMetaUrl: string;
/** Copies ONNX Runtime's run-time files into `dist` (see esbuildNode.mjs); returns the target copied, or null for `none`. */
export declare function copyOnnxRuntime(dist: string, target?: string): string | null;
