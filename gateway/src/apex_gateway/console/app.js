// Sign-in, navigation between the four views (`#tasks`, `#dead-letters`, `#health`, `#audit`;
// `#tasks/<task id>` opens one task) and the signed-in line.

import { ApiError, call, credential, describe, forget, remember } from "./api.js";
import { el, fill } from "./dom.js";
import * as audit from "./audit.js";
import * as deadLetters from "./dead-letters.js";
import * as health from "./health.js";
import * as tasks from "./tasks.js";

const VIEWS = { tasks, "dead-letters": deadLetters, health, audit };
const $ = (id) => document.getElementById(id);
let current = null; // { name, view: {update?, stop?} }

function route() {
  const [name, ...rest] = window.location.hash.replace(/^#/, "").split("/");
  return { name: name in VIEWS ? name : "tasks", arg: rest.join("/") || null };
}

function show() {
  const signedIn = Boolean(credential());
  $("signin").hidden = signedIn;
  $("view").hidden = !signedIn;
  $("nav").hidden = !signedIn;
  showWho();
  if (!signedIn) {
    current?.view.stop?.();
    current = null;
    fill($("view"));
    $("credential").focus();
    return;
  }
  const { name, arg } = route();
  for (const link of document.querySelectorAll("#nav a"))
    link.classList.toggle("active", link.dataset.view === name);
  if (current && current.name === name && current.view.update) {
    current.view.update(arg);
    return;
  }
  current?.view.stop?.();
  const container = fill($("view"));
  current = { name, view: VIEWS[name].mount(container, arg) || {} };
}

function showWho() {
  const value = credential();
  if (!value) return fill($("who"));
  const who = describe(value);
  fill(
    $("who"),
    el(
      "span",
      { class: "who-name", title: who.roles ? `roles: ${who.roles}` : undefined },
      who.label,
    ),
    who.roles ? el("span", { class: "who-roles" }, who.roles) : null,
    el("button", { type: "button", class: "link", on: { click: signOut } }, "Sign out"),
  );
}

function signOut() {
  forget();
  show();
}

async function signIn(event) {
  event.preventDefault();
  const value = $("credential").value.trim();
  const error = $("signin-error");
  error.textContent = "";
  try {
    await call("GET", "/tasks", { query: { limit: 1 }, credentialValue: value }); // any role reads it
  } catch (failed) {
    error.textContent =
      failed instanceof ApiError && failed.status === 401
        ? `Not accepted: ${failed.message}`
        : failed.message;
    return;
  }
  remember(value);
  $("credential").value = "";
  show();
}

window.addEventListener("apex:signed-out", (event) => {
  forget();
  show();
  $("signin-error").textContent = `Signed out: ${event.detail}`;
});
window.addEventListener("hashchange", show);
$("signin-form").addEventListener("submit", signIn);
show();
