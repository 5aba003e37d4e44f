import type { RateGateStats } from '../cluster/rate-gate.js';

/** Counters for `/metrics` (Prometheus text format), kept in memory by the HTTP layer. */
export class Metrics {
  private readonly webhooks = new Map<string, number>();
  private readonly requests = new Map<string, number>();

  webhook(gateway: string, kind: string, outcome: string): void {
    const key = `gateway="${label(gateway)}",kind="${kind}",outcome="${outcome}"`;
    this.webhooks.set(key, (this.webhooks.get(key) ?? 0) + 1);
  }

  request(route: string, status: number): void {
    const key = `route="${label(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** `clusterSlots`: with several instances on PostgreSQL, this one's send slots from the shared rate cap. */
  render(gauges: { messagesByStatus: Record<string, number>; outboxDepth: number; submittedTotal: number; uptimeSeconds: number; clusterSlots?: RateGateStats }): string {
    const slots = gauges.clusterSlots;
    const lines = [
      '# HELP smsbridge_messages Messages in the outbox by status.',
      '# TYPE smsbridge_messages gauge',
      ...Object.entries(gauges.messagesByStatus).map(([status, n]) => `smsbridge_messages{status="${status}"} ${n}`),
      '# HELP smsbridge_outbox_depth Messages queued or being sent.',
      '# TYPE smsbridge_outbox_depth gauge',
      `smsbridge_outbox_depth ${gauges.outboxDepth}`,
      '# HELP smsbridge_messages_submitted_total Messages the gateways accepted (rate: use rate() over this).',
      '# TYPE smsbridge_messages_submitted_total counter',
      `smsbridge_messages_submitted_total ${gauges.submittedTotal}`,
      '# HELP smsbridge_webhooks_total Webhooks received, by gateway, kind and outcome.',
      '# TYPE smsbridge_webhooks_total counter',
      ...[...this.webhooks].map(([key, n]) => `smsbridge_webhooks_total{${key}} ${n}`),
      '# HELP smsbridge_http_requests_total API requests by route and status.',
      '# TYPE smsbridge_http_requests_total counter',
      ...[...this.requests].map(([key, n]) => `smsbridge_http_requests_total{${key}} ${n}`),
      '# HELP smsbridge_uptime_seconds Seconds since the service started.',
      '# TYPE smsbridge_uptime_seconds gauge',
      `smsbridge_uptime_seconds ${Math.round(gauges.uptimeSeconds)}`,
      ...(slots
        ? [
          '# HELP smsbridge_cluster_send_slots_total Send slots this instance took from the rate cap the instances share, by what became of them (late, abandoned and unassigned ones are rate no send used).',
          '# TYPE smsbridge_cluster_send_slots_total counter',
          ...(['used', 'late', 'abandoned', 'unassigned'] as const).map((outcome) => `smsbridge_cluster_send_slots_total{outcome="${outcome}"} ${slots[outcome]}`),
          '# HELP smsbridge_cluster_slot_asks_total Asks to the database for send slots.',
          '# TYPE smsbridge_cluster_slot_asks_total counter',
          `smsbridge_cluster_slot_asks_total ${slots.asks}`,
        ]
        : []),
    ];
    return `${lines.join('\n')}\n`;
  }
}

function label(value: string): string {
  return value.replace(/["\\\n]/g, '_');
}
