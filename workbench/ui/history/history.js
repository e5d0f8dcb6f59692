// A pushState that keeps the path (only the query changes) replaces the entry instead, so the
// server adding ?project= to a page's address does not cost an extra press of Back.
export default function () {
  if (window.__workbenchHistoryRule) return;
  window.__workbenchHistoryRule = true;
  const push = window.history.pushState.bind(window.history);
  window.history.pushState = function (state, title, url) {
    const next = url == null ? window.location : new URL(url, window.location.href);
    if (next.pathname === window.location.pathname) {
      return window.history.replaceState(state, title, url);
    }
    return push(state, title, url);
  };
}
