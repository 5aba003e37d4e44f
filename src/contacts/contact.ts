import { z } from 'zod';

export const genderSchema = z.enum(['female', 'male', 'other']);
export type Gender = z.infer<typeof genderSchema>;

/** Where a contact's timezone came from; a number-derived zone is a guess, and reports say so. */
export const timezoneSourceSchema = z.enum(['explicit', 'city', 'country']);
export type TimezoneSource = z.infer<typeof timezoneSourceSchema>;

export const crmLinkSchema = z.object({ system: z.string().min(1), id: z.string().min(1) });
export type CrmLink = z.infer<typeof crmLinkSchema>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');

/** A contact as the store keeps it. `phone` is E.164 and unique. */
export const contactSchema = z.object({
  id: z.string().min(1),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +79123456789'),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  /** Patronymic (отчество), from a Russian full name. */
  middleName: z.string().optional(),
  gender: genderSchema.optional(),
  birthDate: isoDate.optional(),
  city: z.string().optional(),
  /** ISO 3166-1 alpha-2 country of the number. */
  country: z.string().length(2).optional(),
  /** IANA zone name. */
  timezone: z.string().optional(),
  timezoneSource: timezoneSourceSchema.optional(),
  interests: z.array(z.string()),
  tags: z.array(z.string()),
  properties: z.record(z.string(), z.string()),
  crm: crmLinkSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Contact = z.infer<typeof contactSchema>;

/** The fields an import row, a CRM record or an API call may set; everything is optional but the phone. */
export type ContactFields = Partial<
  Pick<Contact, 'firstName' | 'lastName' | 'middleName' | 'gender' | 'birthDate' | 'city' | 'timezone' | 'crm'>
> & {
  phone: string;
  country?: string;
  timezoneSource?: TimezoneSource;
  interests?: string[];
  tags?: string[];
  properties?: Record<string, string>;
};

/** Field names a segment filter, a template or a column mapping can refer to. */
export const CONTACT_FIELDS = [
  'phone',
  'firstName',
  'lastName',
  'middleName',
  'gender',
  'birthDate',
  'city',
  'country',
  'timezone',
  'interests',
  'tags',
] as const;
export type ContactFieldName = (typeof CONTACT_FIELDS)[number];

/** A copy that shares nothing mutable with the original (cheaper than structuredClone on hot paths). */
export function cloneContact(contact: Contact): Contact {
  return {
    ...contact,
    interests: [...contact.interests],
    tags: [...contact.tags],
    properties: { ...contact.properties },
    ...(contact.crm ? { crm: { ...contact.crm } } : {}),
  };
}
