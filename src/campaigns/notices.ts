/**
 * What the service tells the people watching it (Slack, and whatever listens next): a campaign
 * started or finished, a gateway keeps failing. Listeners must not throw; they make their own copy
 * durable if they need one.
 */
export type ServiceNotice =
  | { type: 'campaign_started'; campaignId: string; name: string; kind: 'marketing' | 'transactional'; recipients: number; excluded: number; cost: number; currency: string; at: string }
  | { type: 'campaign_finished'; campaignId: string; name: string; status: 'completed' | 'canceled'; at: string }
  | { type: 'circuit_open'; gateway: string; failover: string; until: string };

export type NoticeListener = (notice: ServiceNotice) => Promise<void> | void;
