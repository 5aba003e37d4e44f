import type { CampaignService } from '../../src/campaigns/campaign-service.js';
import { formatCampaignReport } from '../../src/campaigns/report-format.js';
import type { Store } from '../../src/store/port.js';
import { maySend, refusal } from './access.js';
import type { SlackMessage } from './blocks.js';
import { escapeMrkdwn, mrkdwn, plain, statusMessage } from './blocks.js';
import { errorText } from './blasts.js';
import type { SmsCommand } from './command-text.js';
import type { SlackSettings } from './config.js';

export interface ManageDeps {
  settings: SlackSettings;
  campaigns: CampaignService;
  store: Store;
}

/** `/sms status|report|pause|resume|cancel`: reading is open to everyone, changing needs permission. */
export async function manageCampaigns(command: Extract<SmsCommand, { type: 'status' | 'report' | 'pause' | 'resume' | 'cancel' }>, who: { user: string; channel: string }, deps: ManageDeps): Promise<SlackMessage> {
  try {
    switch (command.type) {
      case 'status': {
        if (command.campaignId) return statusMessage(await deps.campaigns.report(command.campaignId));
        // Drafts (previews nobody confirmed among them) are not progress worth listing.
        const recent = (await deps.store.campaigns.list()).filter((c) => c.status !== 'draft').sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 10);
        if (recent.length === 0) return plain('No campaigns yet. Start one with /sms send <target> <message>.');
        const lines = await Promise.all(recent.map(async (c) => {
          const counts = await deps.store.outbox.countByStatus(c.id);
          return `• \`${c.id}\` ${escapeMrkdwn(c.name)}: *${c.status}*, ${counts.delivered ?? 0} delivered, ${(counts.queued ?? 0) + (counts.sending ?? 0)} to go`;
        }));
        return mrkdwn(`*Latest campaigns*\n${lines.join('\n')}`);
      }
      case 'report': {
        const lines = formatCampaignReport(await deps.campaigns.report(command.campaignId));
        return mrkdwn(`\`\`\`${escapeMrkdwn(lines.join('\n'))}\`\`\``);
      }
      default: {
        if (!maySend(deps.settings, who.user, who.channel)) return plain(refusal(deps.settings));
        const updated = await deps.campaigns[command.type](command.campaignId);
        await deps.store.flush();
        return plain(`Campaign ${updated.id} is now ${updated.status}.`);
      }
    }
  } catch (error) {
    return plain(errorText(error));
  }
}
