import type { NextFunction, Request, Response } from 'express';
import { isAppError } from '../common/errors.js';
import type { ErrorCode } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { maskPhonesInText } from '../common/mask.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STORE_LOCKED: 503,
  UNSUPPORTED: 501,
  FILE_UNREADABLE: 400,
};

/** Every error leaves as `{"error", "details"?, "hint"?}` with a fitting status; unexpected ones as 500 without internals. */
export function errorHandler(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (isAppError(error)) {
      const status = STATUS[error.code] ?? 500;
      if (status >= 500) logger.error({ code: error.code, error }, 'request failed');
      res.status(status).json({ error: maskPhonesInText(error.message), ...(error.hint ? { hint: error.hint } : {}), ...(error.details !== undefined && status < 500 ? { details: error.details } : {}) });
      return;
    }
    const typed = error as { type?: string; status?: number };
    if (typed.type === 'entity.too.large') {
      res.status(413).json({ error: 'The request body is too large.' });
      return;
    }
    if (typed.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'The request body is not valid JSON.' });
      return;
    }
    logger.error({ error }, 'request failed unexpectedly');
    res.status(500).json({ error: 'Internal error; the details are in the service log.' });
  };
}
