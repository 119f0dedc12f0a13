/** A running demo server: `url` is its root ("http://127.0.0.1:PORT/"). */
export interface DemoServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves demo/, dist/ and build/ of the checkout with COOP `same-origin` + COEP `require-corp` headers.
 * `port` 0 (default) picks a free port; `host` defaults to 127.0.0.1.
 */
export function startDemoServer(options?: { root?: string; host?: string; port?: number }): Promise<DemoServer>;
