// In-window questions (a discount, a weight, a manager's PIN, a parked cart's label): one at a
// time, answered on the screen's keypad or the keyboard, never by a browser prompt that would
// freeze the window. `ask` resolves with the text, or null when the cashier cancels.

export type AskKind = "text" | "number" | "pin";

export interface Question {
  title: string;
  kind: AskKind;
  value: string;
  /** Shown under the title: what the answer is for (e.g. "10 % or 50,00"). */
  hint?: string;
  /** Only these answers are accepted; the others keep the dialog open. */
  accept?: RegExp;
}

interface Pending extends Question {
  answer: (text: string | null) => void;
}

export const asking = $state({ current: null as Pending | null });

export function ask(q: Question): Promise<string | null> {
  asking.current?.answer(null);
  return new Promise((resolve) => {
    asking.current = {
      ...q,
      answer: (text) => {
        asking.current = null;
        resolve(text);
      },
    };
  });
}
