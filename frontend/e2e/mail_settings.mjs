// The dashboard's Mail section without [mail] in the file (BASE_URL is the admin listener): the
// form refuses a bad port and sender next to their fields, saves the SMTP settings (the
// password field then says one is saved, never shows it), and "Send a test mail" goes out
// through them at once. axe on the form, errors shown.
//
// Also: PASSWORD; SMTP_PORT (aiosmtpd on 127.0.0.1, no AUTH).

import { run, visitor, open, axe, screenshot, check, assertClean, output } from "./lib.mjs";

const password = process.env.PASSWORD;
const smtpPort = process.env.SMTP_PORT;
check(password && smtpPort, "set PASSWORD and SMTP_PORT");

await run("mail settings", async () => {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", width: 1280, height: 800 });
  page.expectedStatuses.add(422); // the refused sender, on purpose
  await open(page, "/admin");
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("heading", { level: 2, name: "Bookings" }).waitFor();
  await page.getByRole("navigation", { name: "Dashboard sections" })
    .getByRole("link", { name: "Deliveries", exact: true }).click();
  const mail = page.getByRole("region", { name: "Mail" });
  await mail.getByText("Mail is off", { exact: false }).waitFor();
  check(await mail.getByRole("button", { name: "Send a test mail" }).count() === 0, "no test mail before saving");
  await mail.getByText("No password is saved.").waitFor();

  // Wrong values: each refused next to its field, in words.
  await mail.getByLabel("Mail server (host name)").fill("127.0.0.1");
  await mail.getByLabel("Port").fill("99999");
  await mail.getByLabel("Encryption").selectOption("none");
  await mail.getByLabel("Sender").fill("OpenSlot <book@example.org>");
  await mail.getByRole("button", { name: "Save mail settings" }).click();
  await mail.locator(".field-error", { hasText: "A port is a whole number from 1 to 65535." }).waitFor();
  await mail.getByLabel("Port").fill(smtpPort);
  await mail.getByLabel("Sender").fill("nobody");
  await mail.getByRole("button", { name: "Save mail settings" }).click();
  const fromError = mail.locator("#mail-from-note ~ .field-error");
  await fromError.waitFor();
  const said = await fromError.innerText();
  check(said.includes("is not a sender"), `the sender's note: ${said}`);
  check(await mail.getByLabel("Sender").getAttribute("aria-invalid") === "true", "the sender is marked");
  await axe(page, "mail form with errors");
  await screenshot(page, "dashboard-mail-form");

  // Right values: saved, in use at once.
  await mail.getByLabel("Sender").fill("OpenSlot <book@example.org>");
  await mail.getByLabel("Reminders to visitors").fill("24, 2");
  await mail.getByLabel("Password", { exact: true }).fill("not-shown-again");
  await mail.getByRole("button", { name: "Save mail settings" }).click();
  await page.locator(".admin-status", { hasText: "The mail settings are saved and in use." }).waitFor();
  await mail.getByText("A password is saved. Leave this empty to keep it.").waitFor();
  check(await mail.getByLabel("Password", { exact: true }).inputValue() === "", "the password is not shown");
  check(!(await page.content()).includes("not-shown-again"), "nor anywhere on the page");
  check(await mail.getByLabel("Reminders to visitors").inputValue() === "2, 24", "reminders as saved");
  // aiosmtpd takes no AUTH: drop the password again before the test mail.
  await mail.getByLabel("Remove the saved password").check();
  await mail.getByRole("button", { name: "Save mail settings" }).click();
  await mail.getByText("No password is saved.").waitFor();
  await axe(page, "mail form saved");

  await mail.getByRole("button", { name: "Send a test mail" }).click();
  const sent = mail.locator("p.ok", { hasText: "A test mail was sent to ada@example.org" });
  await sent.waitFor();
  assertClean(page, "mail settings");
  output({ sent: await sent.innerText() });
});
