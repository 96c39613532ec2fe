// Connecting Google and Microsoft from the dashboard (BASE_URL is the admin listener), against
// the stand-ins backend/tests/e2e/connect.rs starts:
//   1. "Connect Google": the sign-in page (the stand-in agrees at once) sends the browser back
//      to the admin listener, which sends it on to the Calendars section; the owner picks the
//      account's main calendar and saves it.
//   2. "Connect Google" again, but the browser cannot reach the callback (as through a tunnel
//      under another name): the owner copies the address it was sent to and pastes it; picks
//      the "Team" calendar.
//   3. "Connect Microsoft", writing bookings: the device code is shown; the dashboard goes on by
//      itself once the owner has signed in on another device (the stand-in lets the third poll
//      through).
// Then the week view shows each new calendar's busy time, with no restart. axe on every state.
// With PHASE=reconnect (connect.rs runs it after Google stopped taking the stored sign-in): the
// "Reconnect needed" badge, "Reconnect", and the calendar healthy again.
//
// Also: PASSWORD, ALLOWED_ORIGINS (the Google stand-in: its sign-in page is visited).

import { BASE_URL, run, visitor, open, axe, screenshot, check, assertClean, output } from "./lib.mjs";

const password = process.env.PASSWORD;
check(password && process.env.ALLOWED_ORIGINS, "set PASSWORD and ALLOWED_ORIGINS");

const phase = process.env.PHASE || "connect";

if (phase === "reconnect") {
  // Run after the first phase, once Google stopped taking the stored sign-in: the card says
  // "Reconnect needed"; "Reconnect" signs in again and the calendar is healthy once more.
  await run("reconnect", async () => {
    const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB", width: 1280, height: 900 });
    await open(page, "/admin/calendars");
    await page.getByLabel("Password").fill(password);
    await page.getByLabel("Password").press("Enter");
    await page.getByRole("heading", { level: 2, name: "Calendars" }).waitFor();
    await page.getByRole("button", { name: "Sync now" }).click();
    const card = page.locator(".source", { hasText: "Google work" });
    await card.locator(".badge-bad", { hasText: "Reconnect needed" }).waitFor();
    await axe(page, "reconnect needed");
    await card.getByRole("button", { name: "Reconnect Google work" }).click();
    const panel = page.locator("section.connect");
    await panel.getByRole("heading", { name: "Reconnect gwork" }).waitFor();
    await panel.getByRole("link", { name: "Open the sign-in page" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/calendars" && u.origin === BASE_URL);
    await panel.getByRole("button", { name: "Save the new sign-in" }).click();
    await page.getByRole("status").filter({ hasText: "The calendar is connected again." }).waitFor();
    await card.locator(".badge-ok").waitFor();
    check(await card.getByText("Reconnect needed").count() === 0, "the badge is gone");
    await axe(page, "reconnected");
    await screenshot(page, "connect-reconnected");
    assertClean(page, "reconnect");
    output({ reconnected: true });
  });
} else {
await run("connect", async () => {
  // en-GB: the week view says 24-hour times ("busy 13:00–14:00").
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB", width: 1280, height: 900 });
  await open(page, "/admin/calendars");
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("heading", { level: 2, name: "Calendars" }).waitFor();
  const panel = page.locator("section.connect");
  const pickAndSave = async (calendar, id, name) => {
    await panel.getByRole("radio", { name: calendar }).waitFor();
    await panel.getByRole("radio", { name: calendar }).check();
    await panel.getByLabel("Id (letters").fill(id);
    await panel.getByLabel("Name").fill(name);
    await axe(page, `pick a calendar (${id})`);
    await panel.getByRole("button", { name: "Check and save" }).click();
    await panel.waitFor({ state: "detached" });
    const card = page.locator(".source", { hasText: name });
    await card.waitFor();
    check(await card.locator(".badge-ok").count() === 1, `${name} is healthy`);
    check(await card.getByRole("button", { name: `Reconnect ${name}` }).count() === 1, `${name} can be reconnected`);
  };

  // 1. Google through the redirect.
  await page.getByRole("button", { name: "Connect Google", exact: true }).click();
  await panel.getByRole("link", { name: "Open the sign-in page" }).waitFor();
  await axe(page, "connect google");
  await screenshot(page, "connect-google");
  await panel.getByRole("link", { name: "Open the sign-in page" }).click();
  await page.waitForURL((u) => u.pathname === "/admin/calendars" && u.origin === BASE_URL);
  await page.getByRole("heading", { level: 2, name: "Calendars" }).waitFor();
  check(!page.url().includes("connection="), "the connection id does not stay in the address");
  await pickAndSave("Owner", "gwork", "Google work");

  // 2. Google through the pasted address: the callback cannot be reached from this browser.
  // (Playwright does not route the target of a redirect, so the sign-in page's answer is
  // taken apart here: its Location is where the browser would go, and the browser shows an
  // error page instead, as it does for a host it cannot reach.)
  let unreachable = null;
  const consentPage = (u) => u.pathname === "/o/oauth2/v2/auth";
  await page.route(consentPage, async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    unreachable = answer.headers()["location"];
    await route.fulfill({
      status: 200,
      contentType: "text/html",
      body: "<!doctype html><html lang=\"en\"><title>Unreachable</title><main><p>This site can't be reached</p></main></html>",
    });
  });
  await page.getByRole("button", { name: "Connect Google", exact: true }).click();
  await panel.getByRole("link", { name: "Open the sign-in page" }).click();
  await page.getByText("This site can't be reached").waitFor();
  check(unreachable && unreachable.includes("/admin/oauth/google/callback?") && unreachable.includes("code="),
    `the browser was sent to the callback: ${unreachable}`);
  await page.unroute(consentPage);
  // The owner comes back to the dashboard (the sign-in in progress is remembered) and pastes.
  await open(page, "/admin/calendars");
  const field = panel.getByLabel("Address or code from the sign-in");
  await field.waitFor();
  await field.fill(unreachable);
  await panel.getByRole("button", { name: "Finish signing in" }).click();
  await pickAndSave("Team", "gteam", "Google team");

  // 3. Microsoft through the device code, writing bookings: ticking the box starts the
  // sign-in again with the write permission.
  await page.getByRole("button", { name: "Connect Microsoft", exact: true }).click();
  await panel.getByText("ABCD-EFGH", { exact: true }).waitFor();
  await panel.getByRole("checkbox", { name: "Also write bookings into this calendar" }).check();
  await page.waitForFunction(() => document.querySelector("section.connect input[type=checkbox]")?.checked === true);
  await panel.getByText("ABCD-EFGH", { exact: true }).waitFor();
  await panel.getByText("Waiting for the sign-in…").waitFor();
  await axe(page, "connect microsoft");
  await screenshot(page, "connect-microsoft");
  await pickAndSave("Calendar", "outlook", "Outlook");
  await page.locator(".source", { hasText: "Outlook" }).getByText("Bookings are written here").waitFor();
  await axe(page, "calendars after connecting");
  await screenshot(page, "connect-calendars");

  // The week view: each new calendar's busy time on the scenarios' Friday, no restart.
  await page.getByRole("navigation", { name: "Dashboard sections" })
    .getByRole("link", { name: "Week", exact: true }).click();
  await page.locator(".week-day").nth(6).waitFor();
  const friday = page.locator(".week-day").nth(4);
  for (const [id, name, text] of [["gwork", "Google work", "busy 13:00"], ["outlook", "Outlook", "busy 15:00"]]) {
    const bar = friday.locator(`.cal-busy[data-source="${id}"]`);
    await bar.first().waitFor();
    const said = await bar.first().getAttribute("title");
    check(said.includes(name) && said.includes(text), `${name} on Friday: ${said}`);
  }
  await axe(page, "week with connected calendars");
  await screenshot(page, "connect-week");
  assertClean(page, "connect");
  const ids = await page.evaluate(async () => {
    const token = sessionStorage.getItem("openslot.admin.token");
    const r = await fetch("/admin/api/sources", { headers: { Authorization: `Bearer ${token}` } });
    return (await r.json()).map((s) => s.id).sort();
  });
  output({ sources: ids });
});
}
