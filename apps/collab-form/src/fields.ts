/** The five fields of the original 2013 demo, in order, with their labels. */
export const FIELDS = ['firstname', 'lastname', 'email', 'subject', 'message'] as const;
export type FieldName = (typeof FIELDS)[number];

export const FIELD_LABELS: Record<FieldName, string> = {
  firstname: 'First name',
  lastname: 'Last name',
  email: 'Email',
  subject: 'Subject',
  message: 'Message',
};

/** The subtree of the document the form edits. */
export const FORM_PATH = 'form';
export const SUBMISSIONS_PATH = 'submissions';

/** A document value as a field shows it. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
