// Where the characters a person typed go once the wedge detector has let them through: into
// the text field that has focus, else to the keypad on show (PIN, float, cash handed over),
// so a physical keyboard works on the keypads as on the fields.

type Receiver = (text: string) => void;
const keypads: Receiver[] = [];

/** A keypad takes the typed characters while no field has focus; call the result to stop. */
export function claimTyping(receive: Receiver): () => void {
  keypads.push(receive);
  return () => {
    const i = keypads.lastIndexOf(receive);
    if (i >= 0) keypads.splice(i, 1);
  };
}

const textTypes = new Set(["text", "search", "tel", "url", "email", "password", "number"]);

/** A field a person types text into (not a checkbox, a button or a select). */
export function isTextField(el: EventTarget | null): el is HTMLInputElement | HTMLTextAreaElement {
  if (el instanceof HTMLTextAreaElement) return !el.readOnly && !el.disabled;
  return el instanceof HTMLInputElement && textTypes.has(el.type) && !el.readOnly && !el.disabled;
}

/** Gives typed characters to the focused field, or to the keypad, as if never held back. */
export function give(text: string): void {
  if (!text) return;
  const el = document.activeElement;
  if (isTextField(el)) insert(el, text);
  else keypads.at(-1)?.(text);
}

function insert(el: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  const start = el.selectionStart;
  if (start === null) {
    // A number (or email) field has no caret to read, and setRangeText throws on it.
    el.value += text;
  } else {
    el.setRangeText(text, start, el.selectionEnd ?? start, "end");
  }
  el.dispatchEvent(new Event("input", { bubbles: true }));
}
