// The portal's state: language, who is signed in, the page shown (the address bar's path).
import { words, errorText, type Key, type Lang } from "./i18n";
import type { User } from "./api";
import { PortalError } from "./api";

const saved = (typeof localStorage !== "undefined" && localStorage.getItem("portal.lang")) as Lang | null;

export const app = $state({
  lang: (saved ?? "fr") as Lang,
  user: null as User | null,
  path: location.pathname,
  ready: false,
});

export function t(key: Key): string {
  return words[app.lang][key];
}

export function setLang(lang: Lang) {
  app.lang = lang;
  localStorage.setItem("portal.lang", lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  document.title = words[lang].title;
}

export function go(path: string) {
  history.pushState(null, "", path);
  app.path = path.split("?")[0];
}

export function failure(e: unknown): string {
  if (e instanceof PortalError) return errorText(app.lang, e.code, e.message);
  return String(e);
}

/// Today and the first of the month in the browser's calendar, as YYYY-MM-DD.
export function today(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/// The day after `day` (the API's ranges are half-open; the page shows the last day included).
export function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  const n = new Date(Date.UTC(y, m - 1, d + 1));
  return n.toISOString().slice(0, 10);
}
