// The editor's loader, the component's only inline script: Streamlit sends a component's
// inline JavaScript with every message that changes its data, and the editor (editor.js,
// ~30 KB) would travel with every key. The page sends editor.js once a session as
// `data.code` (with `data.code_version`); this loader imports it as a module from a blob URL
// and keeps it on `window` across reruns and page switches, then hands every render to it.
// The editor's CSS comes with the code (`data.css`) for the same reason, and goes into the
// component's element once. (The server sends this file without its comment lines.)
export default function (component) {
  const g = (window.__workbenchEditor ||= { modules: {}, code: {}, css: {} });
  const { code, css, code_version: version } = component.data;
  if (code) g.code[version] = code;
  if (css) g.css[version] = css;
  const host = component.parentElement;  // an element or a shadow root
  const styled = host?.querySelector("style[data-wb-editor]");
  if (g.css[version] && host && styled?.dataset.wbEditor !== version) {
    styled?.remove();
    const style = document.createElement("style");
    style.dataset.wbEditor = version;
    style.textContent = g.css[version];
    host.prepend(style);
  }
  const loaded = g.modules[version];
  if (loaded) return loaded.default(component);
  g.latest = component;
  let cleanup = null, gone = false;
  if (!g.code[version]) {  // this page no longer has it (a reload of the script): ask again
    component.setTriggerValue("action", { type: "refresh", nonce: Date.now(), actions: [] });
    return undefined;
  }
  if (!g.loading || g.loading.version !== version) {
    const url = URL.createObjectURL(new Blob([g.code[version]], { type: "text/javascript" }));
    g.loading = import(url).then((m) => { g.modules[version] = m; URL.revokeObjectURL(url); return m; });
    g.loading.version = version;
  }
  g.loading.then((m) => { if (!gone && g.latest === component) cleanup = m.default(component); });
  return () => { gone = true; if (cleanup) cleanup(); };
}
