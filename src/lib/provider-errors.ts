// Every error a provider answered a send with (Meta's codes, SMTP replies), retried or final, for whoever
// watches (metrics): counted by channel kind and code.
import { createSignal } from './signal.js';

export interface ProviderErrorReport {
  channelKind: string;
  code: string;
  /** The message failed for good (false: it is retried). */
  final: boolean;
}

const errors = createSignal<ProviderErrorReport>('ProviderErrorListenerWarning');

export const watchProviderErrors = (listener: (report: ProviderErrorReport) => void): (() => void) => errors.watch(listener);

export const reportProviderError = (report: ProviderErrorReport): void => errors.report(report);
