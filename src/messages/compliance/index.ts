export {
  DEFAULT_POLICY,
  compliancePolicySchema,
  messageKindSchema,
  messageLanguageSchema,
  quietWindowSchema,
  senderKindSchema,
} from './policy.js';
export type {
  CompliancePolicy,
  CompliancePolicyInput,
  LocalizedText,
  MessageKind,
  MessageLanguage,
  QuietWindow,
  SenderKind,
} from './policy.js';
export { createQuietHoursChecker, quietHoursDecision } from './quiet-hours.js';
export type { QuietHoursChecker, QuietHoursResult } from './quiet-hours.js';
export { frequencyCapExceeded } from './frequency-cap.js';
export type { FrequencyCap } from './frequency-cap.js';
export { ageStatus, createTodayLookup } from './age.js';
export type { AgeStatus, TodayIn } from './age.js';
export { applyMarketingFooter, hasAdLabel, hasOptOut, messageLanguage } from './marketing-footer.js';
export type { FooterOptions, FooterPart } from './marketing-footer.js';
export { checkSenderId, validateSenderId } from './sender-id.js';
export type { SenderIdResult } from './sender-id.js';
export { createRecipientChecker } from './decide.js';
export type { ExclusionReason, RecipientCheck, RecipientCheckInput } from './decide.js';
