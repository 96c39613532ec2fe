// The booking page in the visitor's language (issue 18 item 4), run by backend/tests/e2e/i18n.rs
// on a pinned clock (3 December 2026):
// - a de-DE browser gets <html lang="de"> and not one English sentence of the page's texts
//   (src/strings/public.rs) on the first step, the day and times, the form with its refusals,
//   and the confirmation; its week starts on Monday; its translation is fetched (versioned);
// - ja-JP and en-US weeks start on Sunday; an en-US visitor downloads no translation;
// - the language select switches the page (lang, texts, week; it loads again) and is remembered;
// - the clock select: "2:00 PM" in 12-hour form is "14:00" in 24-hour form, remembered.

import fs from "node:fs";
import { assertClean, axe, check, open, output, run, screenshot, visitor } from "./lib.mjs";

/**
 * The English sentences of the booking page: every text of src/strings/public.rs with two words
 * or more; of a text with {places}, each stretch between them that has two words or more.
 */
function englishSentences() {
  const source = fs.readFileSync("src/strings/public.rs", "utf8");
  const table = source.slice(source.indexOf("texts! {"), source.indexOf("pub fn book_with"));
  const texts = [...table.matchAll(/^\s+[a-z_0-9]+ = ("(?:[^"\\]|\\.)*"),\s*$/gm)].map((m) => JSON.parse(m[1]));
  check(texts.length > 100, `the English table is read (${texts.length} texts)`);
  return texts
    .flatMap((t) => t.split(/\{[a-z_]+\}/))
    .map((t) => t.trim().replace(/^[,.:;()]+|[,.:;()]+$/g, "").trim())
    .filter((t) => t.includes(" ") && t.length >= 8);
}
const ENGLISH = englishSentences();

/** Everything a person reads or hears on the page: its text, labels, titles and the title. */
async function pageWords(page) {
  return page.evaluate(() => {
    const attrs = [...document.querySelectorAll("[aria-label],[title],[placeholder],[alt]")].flatMap((e) =>
      ["aria-label", "title", "placeholder", "alt"].map((a) => e.getAttribute(a) || ""),
    );
    return [document.title, document.body.innerText, ...attrs].join("\n");
  });
}

async function noEnglish(page, step) {
  const words = await pageWords(page);
  const found = ENGLISH.filter((s) => words.includes(s));
  check(found.length === 0, `${step}: English on a German page: ${JSON.stringify(found)}\n---\n${words}`);
}

const lang = (page) => page.evaluate(() => document.documentElement.lang);

/** The weekday (0 Sunday ... 6 Saturday) the month grid starts with, checked against the grid. */
async function weekStart(page) {
  await page.locator(".grid[aria-busy='false']").waitFor();
  const first = Number(await page.locator(".weekday").first().getAttribute("data-weekday"));
  // The blanks before the 1st agree with the header.
  const blanks = await page.locator(".grid .blank").count();
  const firstOfMonth = await page.locator("#month-title").getAttribute("data-month");
  const day = new Date(`${firstOfMonth}-01T12:00:00Z`).getUTCDay();
  check(blanks === (day - first + 7) % 7, `${blanks} blanks before ${firstOfMonth}-01 (a weekday ${day}) from weekday ${first}`);
  return first;
}

async function german() {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "de-DE" });
  const translations = [];
  page.on("request", (r) => r.url().includes("/i18n/") && translations.push(new URL(r.url()).pathname + new URL(r.url()).search));
  await open(page, "/");
  await page.getByRole("heading", { level: 2, name: "Was möchten Sie buchen?" }).waitFor();
  check((await lang(page)) === "de", `<html lang="de">: ${await lang(page)}`);
  check(translations.length === 1 && /^\/i18n\/de\.json\?v=\d+$/.test(translations[0]), `one versioned translation fetched: ${translations}`);
  check((await page.title()) === "Termin buchen", `the title: ${await page.title()}`);
  await noEnglish(page, "first step");

  await page.locator("button.type").first().click();
  await page.getByText("Zeiten in der Zeitzone Europe/Berlin").waitFor();
  check((await weekStart(page)) === 1, "a German week starts on Monday");
  await page.locator("button.slot").first().waitFor();
  await page.locator("#times-title").filter({ hasText: /^Freie Zeiten am / }).waitFor();
  await noEnglish(page, "day and times");
  await axe(page, "German times");
  await screenshot(page, "i18n-de-times");

  await page.locator("button.slot").first().click();
  await page.getByRole("heading", { level: 1, name: "Ihre Angaben" }).waitFor();
  await noEnglish(page, "form");
  // The rules' refusals, as the visitor types, in German.
  await page.locator("#email").fill("ada.example.org");
  await page.locator("#email").blur();
  await page.getByText("E-Mail ist keine gültige E-Mail-Adresse (es fehlt das @).").waitFor();
  await page.getByRole("button", { name: "Diesen Termin buchen" }).click();
  await page.getByText("Name darf nicht leer sein.").waitFor();
  await page.getByText("Bitte korrigieren Sie die markierten Felder.").waitFor();
  await noEnglish(page, "form with refusals");
  await axe(page, "German form");
  await screenshot(page, "i18n-de-form");

  await page.locator("#name").fill("Dora Datum");
  await page.locator("#email").fill("dora@example.org");
  await page.getByRole("button", { name: "Diesen Termin buchen" }).click();
  await page.getByRole("heading", { level: 1, name: "Ihr Termin ist gebucht" }).waitFor();
  await noEnglish(page, "confirmation");
  assertClean(page, "German visitor");
  await page.context().close();
}

async function weeks() {
  for (const [locale, zone, first, code] of [
    ["ja-JP", "Asia/Tokyo", 0, "ja"],
    ["en-US", "America/New_York", 0, "en"],
    ["fr-FR", "Europe/Paris", 1, "fr"],
    ["es-ES", "Europe/Madrid", 1, "es"],
  ]) {
    const { page } = await visitor({ timezoneId: zone, locale });
    const translations = [];
    page.on("request", (r) => r.url().includes("/i18n/") && translations.push(r.url()));
    await open(page, "/?type=intro");
    await page.locator("button.slot").first().waitFor();
    check((await lang(page)) === code, `${locale}: <html lang="${code}">: ${await lang(page)}`);
    check((await weekStart(page)) === first, `${locale}: the week starts on weekday ${first}`);
    check((code === "en") === (translations.length === 0), `${locale}: translations fetched: ${translations}`);
    await screenshot(page, `i18n-${locale}-times`);
    assertClean(page, locale);
    await page.context().close();
  }
}

async function switching() {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-US" });
  await open(page, "/?type=intro");
  await page.getByText("Times are shown in Europe/Berlin").waitFor();
  check((await weekStart(page)) === 0, "en-US: Sunday");

  // 12-hour by default in en-US; 24-hour when chosen; remembered.
  const two = page.locator('button.slot[data-start*="T14:00:00"]').first();
  const dayWithTwo = await page.$$eval("button.day:not([disabled])", (bs) => bs.map((b) => b.dataset.day));
  check(dayWithTwo.length > 0, "days with times");
  await page.locator(`button.day[data-day="${dayWithTwo[0]}"]`).click();
  await two.waitFor();
  const text = async () => (await two.innerText()).replace(/\s/g, " ").trim();
  check((await text()) === "2:00 PM", `12-hour: ${await text()}`);
  // A choice loads the page again, with it.
  await page.locator("#clock").selectOption("24");
  await page.waitForFunction(() => document.querySelector('button.slot[data-start*="T14:00:00"]')?.innerText.trim() === "14:00");
  check((await page.locator("#clock").inputValue()) === "24", "the select shows the choice");
  await open(page, "/?type=intro");
  await page.locator(`button.day[data-day="${dayWithTwo[0]}"]`).click();
  await two.waitFor();
  check((await text()) === "14:00", `24-hour is remembered: ${await text()}`);
  await page.locator("#clock").selectOption("12");
  await page.waitForFunction(() => /^2:00\sPM$/.test(document.querySelector('button.slot[data-start*="T14:00:00"]')?.innerText.trim()));

  // Another language: the page, its lang and its week follow; remembered.
  await page.locator("#language").selectOption("de");
  await page.getByText("Zeiten in der Zeitzone Europe/Berlin").waitFor();
  check((await lang(page)) === "de", `lang after switching: ${await lang(page)}`);
  check((await weekStart(page)) === 1, "German: Monday");
  check((await page.locator("#language").inputValue()) === "de", "the select shows the choice");
  await open(page, "/?type=intro");
  await page.getByText("Zeiten in der Zeitzone Europe/Berlin").waitFor();
  check((await lang(page)) === "de", "the language is remembered");
  await page.locator("#language").selectOption("ja");
  await page.getByText("時刻は Europe/Berlin のタイムゾーンで表示しています").waitFor();
  check((await lang(page)) === "ja", "Japanese");
  await page.locator("#language").selectOption("en");
  await page.getByText("Times are shown in Europe/Berlin").waitFor();
  check((await lang(page)) === "en", "back to English");
  await axe(page, "after switching");
  assertClean(page, "switching");
}

run("i18n", async () => {
  await german();
  await weeks();
  await switching();
  output({ ok: true });
});
