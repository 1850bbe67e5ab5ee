import type { Plugin } from 'graphql-yoga';
import { RequestDeadline, runWithDeadline } from '../deadline.js';

/**
 * Gives every request to `endpoint` a time budget of `budgetMs` (REQUEST_DEADLINE_MS) that
 * all its database statements share (src/deadline.ts): past it, running statements are
 * cancelled and no connection is handed out, and the client gets the retryable
 * DATABASE_TIMEOUT (503 + Retry-After). The budget starts once the request reached the
 * gateway; reading its body is bounded apart (REQUEST_TIMEOUT_MS).
 */
export function useRequestDeadline(budgetMs: number, endpoint: string): Plugin {
  return {
    onRequest({ url, requestHandler, setRequestHandler }) {
      if (url.pathname !== endpoint) return;
      setRequestHandler(async (request, context) => {
        const deadline = new RequestDeadline(budgetMs);
        try {
          return await runWithDeadline(deadline, async () => requestHandler(request, context));
        } finally {
          deadline.end();
        }
      });
    },
  };
}
