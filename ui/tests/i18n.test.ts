import { describe, expect, it } from "vitest";
import { dictionaries, digits, dirOf, errorText } from "../src/lib/i18n";

describe("translations", () => {
  it("every language has every key, none left empty or untranslated", () => {
    const keys = Object.keys(dictionaries.fr).sort();
    for (const lang of ["ar", "en"] as const) {
      expect(Object.keys(dictionaries[lang]).sort()).toEqual(keys);
      for (const k of keys) {
        const v = dictionaries[lang][k as keyof typeof dictionaries.fr];
        expect(v.trim().length, `${lang}:${k}`).toBeGreaterThan(0);
      }
    }
    // Arabic strings are Arabic (a few technical ones like "PLU" and "X" aside).
    const arabicLetters = /[\u0600-\u06FF]/;
    const notArabic = keys.filter((k) => !arabicLetters.test(dictionaries.ar[k as keyof typeof dictionaries.fr]));
    expect(notArabic).toEqual([]);
  });

  it("Arabic is right-to-left, the others left-to-right", () => {
    expect(dirOf("ar")).toBe("rtl");
    expect(dirOf("fr")).toBe("ltr");
    expect(dirOf("en")).toBe("ltr");
  });

  it("Arabic-Indic digits only when chosen", () => {
    expect(digits("1 234,50", true)).toBe("١ ٢٣٤,٥٠");
    expect(digits("1 234,50", false)).toBe("1 234,50");
  });

  it("known error codes are translated, unknown ones keep the core's message", () => {
    expect(errorText("ar", "WRONG_PIN", "wrong PIN")).toBe("الرمز غير صحيح.");
    expect(errorText("fr", "SOMETHING_NEW", "the core says why")).toBe("the core says why");
  });
});
