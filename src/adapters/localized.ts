// Messages of the core in the display language: a message formatted from a template of the finding
// table (core/bundles/findingMessages.ts) is translated with its arguments; one without a template
// (findings of readers that have none yet) is shown as the core wrote it, in English.
import * as vscode from 'vscode';

/** A core message with the template and arguments it was formatted from, when it has them. */
export interface LocalizableMessage {
  message: string;
  messageTemplate?: string;
  messageArgs?: (string | number)[];
}

/** The message translated through vscode.l10n (the English template is the key), else `message`. */
export function localizedMessage(m: LocalizableMessage): string {
  if (m.messageTemplate === undefined) return m.message;
  return vscode.l10n.t(m.messageTemplate, ...(m.messageArgs ?? []));
}
