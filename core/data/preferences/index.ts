/** Preference pairs (`kind: 'preference'`) built from the examples of a DatasetSource. */
export { counselChatPreferencePairs, type CounselChatPairOptions } from './counselchat.js';
export { annomiPreferencePairs, type AnnomiPairOptions } from './annomi.js';
export { preferenceFromRow, type PreferenceRowContext } from './trl-preference-row.js';
export { exampleFromTrlRow, detectFormat, type LabelColumns, type TrlFormat } from './trl-row.js';
