/**
 * The 2020 scrape dropped the HTML paragraph breaks of CounselChat text, gluing sentences
 * together ("…people to hang out with.Seriously, the…", "Hello,While …": 3,343 times in 1,060
 * answers) and keeping non-breaking spaces. A space goes back where a word of two or more
 * letters ends with punctuation right before a capitalised word. Single letters ("e.g.The",
 * "Ph.D"), all-caps acronyms and web addresses ("www.LivingYes") do not match and are left alone.
 */
const gluedSentence = /\b(?!www\.)([A-Za-z][a-z]+[.!?,;:]["')\]]?)(?=[A-Z][a-z])/g;

export function repairAnswerText(text: string): string {
  return text.replace(/\u00a0/g, ' ').replace(gluedSentence, '$1 ').replace(/[ \t]{2,}/g, ' ').trim();
}
