/** Which widget's request was refused because its embed token had expired. */
export interface TokenExpired {
  /** The element that fired it (its id, else its tag name). */
  source: string;
  /** Whether the widget retried with a new token from its `tokenProvider` (false: it has none, or it gave the same token). */
  retried: boolean;
}

/**
 * Fired (bubbling, composed) when the service answers `401 token_expired`. A widget with a
 * `tokenProvider` asks it once more and retries; without one, the host page sets a new `token`
 * (the widget fetches again when it changes).
 */
export class OpTokenExpiredEvent extends CustomEvent<TokenExpired> {
  constructor(detail: TokenExpired) {
    super('op-token-expired', { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'op-token-expired': OpTokenExpiredEvent;
  }
}
