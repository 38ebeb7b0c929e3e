// Message templates: English text with `{0}`, `{1}`... placeholders, formatted the way vscode.l10n.t
// and @vscode/l10n format them. The core formats its messages in English from a template and keeps
// the template and its arguments beside the message, so the editor can show the same message
// translated (vscode.l10n.t(template, ...args)) while the CLI and JSON output stay English.

/** A value put into a placeholder. */
export type TemplateArg = string | number;

/** A message with the template and arguments it was formatted from (both absent when it has none). */
export interface TemplatedMessage {
  message: string;
  /** The English template (also the key of its translation in l10n/bundle.l10n.<lang>.json). */
  messageTemplate?: string;
  /** The values of its placeholders, `{0}` first. */
  messageArgs?: TemplateArg[];
}

/** `{0}`, `{1}`... replaced by the arguments (a placeholder without an argument is left as it is). */
export function formatTemplate(template: string, args: readonly TemplateArg[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (match, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? match : String(v);
  });
}

/** The English message of a template with its arguments, keeping both for translation. */
export function templated(template: string, ...args: TemplateArg[]): Required<TemplatedMessage> {
  return { message: formatTemplate(template, args), messageTemplate: template, messageArgs: args };
}

/** JSON.stringify replacer that leaves the translation fields out (the JSON contract has `message` only). */
export function withoutTemplates(key: string, value: unknown): unknown {
  return key === 'messageTemplate' || key === 'messageArgs' ? undefined : value;
}
