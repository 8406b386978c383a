/**
 * EmpatheticDialogues' 32 emotion labels (the `context` column), alphabetical as the
 * paper lists them.
 */
export const ed32Taxonomy = 'ed-32';

export const ed32Labels = Object.freeze([
  'afraid', 'angry', 'annoyed', 'anticipating', 'anxious', 'apprehensive', 'ashamed', 'caring', 'confident',
  'content', 'devastated', 'disappointed', 'disgusted', 'embarrassed', 'excited', 'faithful', 'furious', 'grateful',
  'guilty', 'hopeful', 'impressed', 'jealous', 'joyful', 'lonely', 'nostalgic', 'prepared', 'proud', 'sad',
  'sentimental', 'surprised', 'terrified', 'trusting',
] as const);

const known = new Set<string>(ed32Labels);

export function isEd32Label(label: string): boolean {
  return known.has(label);
}
