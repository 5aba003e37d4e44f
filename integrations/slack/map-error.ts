/**
 * What to do with a failed Slack Web API call made for a notification or a thread post: try again
 * later (Slack or the network is down, throttling beyond bolt's own retries), or give the item up
 * because no retry can succeed (the channel is gone, the message is malformed). Pure and table-tested.
 * Error shapes: @slack/web-api `errors.d.ts` (codes slack_webapi_*; platform errors carry data.error).
 */
export interface SlackFailure {
  retry: boolean;
  /** Slack's error string or the client's code, for logs. */
  reason: string;
  waitMs?: number;
}

/** Platform errors no retry can fix; anything else (auth included: a new token fixes it) is retried. */
const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'msg_too_long', 'no_text', 'invalid_blocks', 'invalid_blocks_format',
  'message_not_found', 'cant_update_message', 'edit_window_closed', 'thread_not_found', 'restricted_action', 'user_not_found',
  'invalid_arguments', 'too_many_attachments',
]);

export function mapSlackError(error: unknown): SlackFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number };
  switch (e.code) {
    case 'slack_webapi_platform_error': {
      const reason = e.data?.error ?? 'unknown_platform_error';
      return { retry: !PERMANENT.has(reason), reason };
    }
    case 'slack_webapi_rate_limited_error':
      return { retry: true, reason: 'rate_limited', waitMs: (e.retryAfter ?? 30) * 1000 };
    case 'slack_webapi_http_error':
      return { retry: e.statusCode === undefined || e.statusCode >= 500 || e.statusCode === 429 || e.statusCode === 408, reason: `http_${e.statusCode ?? 'error'}` };
    case 'slack_webapi_request_error':
      return { retry: true, reason: 'request_error' };
    default:
      return { retry: true, reason: error instanceof Error ? error.message : 'unknown' };
  }
}
