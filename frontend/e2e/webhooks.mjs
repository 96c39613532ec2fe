// The dashboard's Webhooks section (BASE_URL is the admin listener): the file's webhook listed
// read-only (no Delete), a webhook added with its URL and events, its signing secret shown once
// (gone after "I have copied it" and never in the list), then deleted after a confirmation.
//
// Also: PASSWORD; HOOK_URL (an address the server accepts).

import { run, visitor, open, check, assertClean, output } from "./lib.mjs";

const password = process.env.PASSWORD;
const hookUrl = process.env.HOOK_URL;
check(password && hookUrl, "set PASSWORD and HOOK_URL");

await run("webhooks", async () => {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", width: 1280, height: 800 });
  await open(page, "/admin");
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("heading", { level: 2, name: "Bookings" }).waitFor();
  await page.getByRole("navigation", { name: "Dashboard sections" })
    .getByRole("link", { name: "Webhooks", exact: true }).click();
  await page.getByRole("heading", { level: 2, name: "Webhooks", exact: true }).waitFor();

  // The file's webhook: read-only.
  const fileRow = page.locator("li.webhook", { hasText: "from the configuration file" });
  await fileRow.waitFor();
  check(!(await fileRow.getByRole("button", { name: /Delete/ }).count()), "a file webhook has no Delete");

  // Add one: URL and events.
  const form = page.locator("form.webhook-form");
  await form.getByLabel("Address (https://…)").fill(hookUrl);
  await form.getByLabel("booking.requested").check();
  await form.getByRole("button", { name: "Add the webhook" }).click();
  const secretBox = page.locator("#new-webhook-secret");
  await secretBox.waitFor();
  const secret = await secretBox.inputValue();
  check(/^whsec_[0-9a-f]{64}$/.test(secret), `the secret: ${secret}`);
  const row = page.locator("li.webhook", { hasText: hookUrl });
  await row.waitFor();
  const events = await row.innerText();
  check(events.includes("booking.requested") && events.includes("booking.created"), `events: ${events}`);
  await page.getByRole("button", { name: "I have copied it" }).click();
  await secretBox.waitFor({ state: "detached" });
  check(!(await page.content()).includes(secret), "the secret is gone from the page");

  // Delete, after a confirmation.
  await row.getByRole("button", { name: `Delete the webhook to ${hookUrl}` }).click();
  await row.getByRole("button", { name: "Yes, delete" }).click();
  await page.locator(".admin-status", { hasText: "The webhook is deleted." }).waitFor();
  await row.waitFor({ state: "detached" });
  assertClean(page, "webhooks");
  output({ secret });
});
