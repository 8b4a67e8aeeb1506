// cephscope's loader. The page has two wasm modules, both built by Trunk from this
// package: cephscope-lite (the Statechart tab, the first load) and cephscope (the whole
// app: every tab). A link only the whole app opens (a loaded scenario, or any other view)
// loads the whole app at once; otherwise the first module starts, and hands the page to
// the whole app (window.cephscopeLoadFull) when another tab, a file or such a link is
// asked for. `needsFullApp` is src/share.rs's `needs_full_app` (a test there keeps
// FULL_VIEWS current; tests/e2e/split.test.mjs checks both choices in a real browser).
const FULL_VIEWS = ['intervals', 'pglog', 'cluster', 'mds'];

function needsFullApp(hash) {
  return hash.replace(/^#/, '').split('&').some((pair) => {
    const [key, value = ''] = pair.split('=');
    return key === 'src' || (key === 'view' && FULL_VIEWS.includes(value));
  });
}

// The module's wasm, downloaded and compiled (any server: no streaming MIME type needed).
async function compiled(name) {
  const response = await fetch(`./${name}_bg.wasm`);
  if (!response.ok) throw new Error(`${name}_bg.wasm: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

// Focus the element with this id once the app has drawn it (a few frames at most).
function refocus(id, frames = 30) {
  const el = id && document.getElementById(id);
  if (el) el.focus();
  else if (id && frames > 0) requestAnimationFrame(() => refocus(id, frames - 1));
}

// A module's JS glue and compiled wasm, fetched once (a failure may be retried).
const fetched = {};
function fetchModule(name) {
  fetched[name] ??= Promise.all([import(`./${name}.js`), compiled(name)]).catch((e) => {
    delete fetched[name];
    throw e;
  });
  return fetched[name];
}

// Import a module's JS glue and start it (its main mounts the app on #app). A hand-off
// keeps the keyboard focus where it was (the tabs' ids are the same in both modules).
async function start(name, beforeStart) {
  const [glue, module] = await fetchModule(name);
  const focused = document.activeElement?.id;
  if (beforeStart) beforeStart();
  try {
    await glue.default({ module_or_path: module });
  } catch (e) {
    // Past the hand-off the first module is gone: say so rather than leave a blank page.
    if (beforeStart) showFailure(name, e);
    throw e;
  }
  window.cephscopeModule = name;
  if (beforeStart) refocus(focused);
}

// A module that could not be downloaded or started, said in the page (as text).
function showFailure(name, e) {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.className = 'error';
  p.textContent = `cephscope could not start (${name}): ${e?.message ?? e}. Reload the page to try again.`;
  document.getElementById('app')?.replaceChildren(p);
}

let full = null;
// Called by the first module with its unmount function: the whole app is downloaded and
// compiled first (the first module stays on screen meanwhile), then replaces it.
window.cephscopeLoadFull = (unmount) => {
  full ??= start('cephscope', unmount).catch((e) => {
    full = null;
    throw e;
  });
  return full;
};

// Pointing at or focusing another tab fetches the whole app ahead of the click (not
// started: the first module stays until the tab is opened). An embedded view has no tabs,
// so it never downloads more than it shows.
function prefetchOnIntent(e) {
  if (!e.target.closest?.('[role=tab]:not([data-view=statechart])')) return;
  for (const type of ['pointerover', 'focusin']) document.removeEventListener(type, prefetchOnIntent);
  fetchModule('cephscope').catch(() => {}); // a failure shows when the tab is opened
}

if (needsFullApp(location.hash)) {
  window.cephscopeLoadFull().catch((e) => showFailure('cephscope', e));
} else {
  start('cephscope-lite').catch((e) => showFailure('cephscope-lite', e));
  for (const type of ['pointerover', 'focusin']) document.addEventListener(type, prefetchOnIntent, { passive: true });
}
