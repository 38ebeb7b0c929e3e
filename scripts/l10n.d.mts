// Types of l10n.mjs for the TypeScript tests that check the l10n bundle.
export declare const L10N_SOURCES: string[];
export declare const L10N_BUNDLE: string;
export declare function findingMessages(root?: string): Promise<Record<string, string>>;
export declare function l10nBundle(root?: string): Promise<Record<string, string | { message: string; comment: string[] }>>;
