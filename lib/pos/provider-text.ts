/**
 * What a POS said in an error, fit to keep: its messages are free text, which may name an order, a
 * payment or any other id ("Order 8XQ2… not found"), and a failed day's message is stored in its
 * record and report. Anything shaped like an id (eight or more letters, digits, "-" or "_", with both
 * a letter and a digit) becomes "[id]"; words and error codes stay.
 */
const ID_SHAPED = /[A-Za-z0-9_-]{8,}/g;
const MAX_LENGTH = 300;

export function withoutIds(text: string): string {
  return text
    .replace(ID_SHAPED, (token) => (/[0-9]/.test(token) && /[A-Za-z]/.test(token) ? "[id]" : token))
    .slice(0, MAX_LENGTH);
}
