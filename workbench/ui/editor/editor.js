// The segment editor: waveform from stored peaks with draggable boundaries, float-precise
// playback of the slice Python sent, the transcript box, and every action by keyboard.
// Python owns the data; this component sends one trigger per action with the text and
// boundaries together, so a save never races a half-committed text box.
//
// Streamlit calls the default export on every render and keeps only the cleanup returned by
// the latest one, which it calls when the component unmounts. So each render first removes
// the listeners of the render before it (root._teardown), and adds its own through `on`:
// one set of listeners is alive at any time, and none after the unmount.
// The keys come from the shortcut table in shortcuts.py (data.shortcuts): it drives the
// keydown dispatch below and the controls' titles.
const HANDLE_PX = 7;
const NUDGE = 0.05;           // seconds per boundary nudge
const SKIP_BACK = 2.0;        // seconds the "back" shortcut goes back
const IDLE_AFTER = 30000;     // ms: longer pauses do not count as time on task
const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const FAR = 1.0;              // seconds: words further outside the segment fold into a marker
const MAX_LANES = 4;          // word rows; a word that fits none is counted, never overlapped
const LANE_PX = 18;
const COLOURS = {             // the minimap's status colours (see overview.CODES)
  n: "#cbd5e1", d: "#94a3b8", l: "#60a5fa", p: "#34d399", a: "#16a34a", r: "#ef4444",
};
const STATUS_NAMES = { n: "new", d: "drafted", l: "labeled", p: "passed", a: "approved", r: "rejected" };

// The interface's words: English here, each wrapped in T(); the page sends their translations
// (data.ui: {English: translated}) and T fills in the {fields} after the lookup.
let UI = {};
function T(text, fields) {
  const said = UI[text] || text;
  return fields ? said.replace(/\{(\w+)\}/g, (m, k) => (k in fields ? String(fields[k]) : m)) : said;
}
const attr = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

// Word lanes: each item ({left, width} in px, by left) gets the first lane that is free at its
// left edge, or -1 when all `lanes` are taken there; so no two words of a lane overlap.
export function laneLayout(items, lanes, gap = 4) {
  const ends = [];
  return items.map((it) => {
    let lane = ends.findIndex((e) => e <= it.left);
    if (lane < 0 && ends.length < lanes) { lane = ends.length; ends.push(0); }
    if (lane >= 0) ends[lane] = it.left + it.width + gap;
    return lane;
  });
}

function fmt(t) {
  const m = Math.floor(t / 60);
  return `${m}:${(t - m * 60).toFixed(2).padStart(5, "0")}`;
}
const norm = (s) => (s || "").normalize("NFC").split(/\s+/).join(" ").trim();

// "ctrl alt shift code" of a key combination, as the table gives it or as a keydown has it
const combo = (ctrl, alt, shift, code) => `${+ctrl}${+alt}${+shift} ${code}`;

function build(root, shortcuts) {
  root.innerHTML = `
  <div class="ed">
    <div class="ed-mini-wrap">
      <canvas class="ed-minimap" title="${attr(T("The whole recording: click to go to the segment there"))}"></canvas>
      <div class="ed-legend"></div>
    </div>
    <div class="ed-ctx ed-before"></div>
    <canvas class="ed-canvas"></canvas>
    <canvas class="ed-spec" title="${attr(T("Spectrogram: 0 to 8 kHz, louder brighter"))}"></canvas>
    <canvas class="ed-lanes" title="${attr(T("The channels: each one's waveform and segments"))}"></canvas>
    <div class="ed-ruler"></div>
    <div class="ed-folds"><span class="ed-fold-before"></span><span class="ed-fold-after"></span></div>
    <div class="ed-words"></div>
    <div class="ed-bar">
      <button class="ed-play">&#9654; ${attr(T("Segment"))}</button>
      <button class="ed-cursor" title="${attr(T("Play from the cursor"))}">&#9654; ${attr(T("Cursor"))}</button>
      <button class="ed-stop">&#9632;</button>
      <button class="ed-back">&#8630; 2s</button>
      <button class="ed-loop">${attr(T("Loop"))}</button>
      <select class="ed-speed"></select>
      <button class="ed-zoom-in">+</button>
      <button class="ed-zoom-out">&minus;</button>
      <span class="ed-zoom-level"></span>
      <input class="ed-goto" type="text" placeholder="${attr(T("go to 12:34 or #123"))}" aria-label="${attr(T("Go to"))}">
      <span class="ed-spacer"></span>
      <span class="ed-bounds">${attr(T("start"))} <input class="ed-num ed-start" type="number" step="0.01">
      ${attr(T("end"))} <input class="ed-num ed-end" type="number" step="0.01">
      <span class="ed-time"></span></span>
    </div>
    <div class="ed-bar ed-tags"></div>
    <div class="ed-status" role="status" aria-live="polite"></div>
    <textarea class="ed-text" spellcheck="false" aria-label="${attr(T("Transcript"))}"></textarea>
    <div class="ed-note"></div>
    <div class="ed-bar ed-beside">
      <label>${attr(T("Speaker"))} <select class="ed-speaker" aria-label="${attr(T("Speaker"))}"></select></label>
      <span class="ed-segtags"></span>
      <input class="ed-comment" type="text" maxlength="2000" placeholder="${attr(T("Comment"))}"
        aria-label="${attr(T("Comment"))}">
    </div>
    <div class="ed-ctx ed-after"></div>
    <div class="ed-bar ed-reject" hidden>
      <label>${attr(T("Reject: reason"))} <select class="ed-reject-reason" aria-label="${attr(T("Reason"))}"></select></label>
      <input class="ed-reject-comment" type="text" maxlength="2000"
        placeholder="${attr(T("Comment for the labeller"))}" aria-label="${attr(T("Reject comment"))}">
      <button class="ed-reject-send">${attr(T("Reject & next"))}</button>
      <span class="ed-reject-help">${attr(T("1–9 picks a reason · Enter sends · Esc cancels"))}</span>
    </div>
    <div class="ed-bar">
      <button class="ed-save">${attr(T("Save"))}</button>
      <button class="ed-save-next primary">${attr(T("Save & next"))}</button>
      <button class="ed-prev">${attr(T("Previous"))}</button>
      <button class="ed-next">${attr(T("Skip"))}</button>
      <span class="ed-spacer"></span>
      <button class="ed-split">${attr(T("Split here"))}</button>
      <button class="ed-merge">${attr(T("Merge with next"))}</button>
      <button class="ed-delete">${attr(T("Delete"))}</button>
      <button class="ed-undelete">${attr(T("Undo delete"))}</button>
    </div>
    <audio class="ed-audio" preload="auto"></audio>
  </div>`;
  const speed = root.querySelector(".ed-speed");
  for (const s of SPEEDS) {
    const o = document.createElement("option");
    o.value = String(s); o.textContent = `${s}x`;
    speed.appendChild(o);
  }
  speed.value = "1";
  // each control with a shortcut: "what it does (its keys)" from the table
  const titles = new Map();
  for (const sc of shortcuts) {
    for (const cls of sc.controls) {
      titles.set(cls, [...(titles.get(cls) || []), `${sc.label} (${sc.keys_text})`]);
    }
  }
  for (const [cls, parts] of titles) root.querySelector(`.${cls}`).title = parts.join("; ");
}

// ---- the window: the segment shown and the next few of the queue live here, so moving on
// (save & next, next, previous) shows the next segment at once, from the browser; the actions
// wait in `pending` until a rerun acknowledges them (data.ack: the last nonce it applied), and
// each trigger carries every action not yet acknowledged, so none is lost to a rerun that
// Streamlit cut short. Until then a rerun's data never replaces the segment on screen: the
// keys typed meanwhile stay in the segment they were typed into. Once all is acknowledged the
// server decides: the same segment (nothing changes on screen), or another (a refused save
// brings the labeller back to it, their text restored from the autosave).
const WINDOW_KEEP = 12;       // payloads kept in the browser (the window and a few behind)

export function choose(win, data) {
  // which payload to show after a rerun: the browser's while its actions are pending (a page
  // without the window, the review page, acknowledges nothing: the server always decides)
  win.pending = "ack" in data ? win.pending.filter((a) => a.nonce > data.ack) : [];
  const mine = win.shown && win.cache.get(win.shown);
  if (win.pending.length && mine) return mine;
  return data;
}

// peaks come packed (audio/peaks.py pack_peaks): base64 of int8 pairs (min, max) over 127
export function unpackPeaks(packed) {
  if (typeof packed !== "string") return packed;
  const raw = atob(packed), out = new Array(raw.length >> 1);
  const at = (i) => { const b = raw.charCodeAt(i); return (b > 127 ? b - 256 : b) / 127; };
  for (let i = 0; i < out.length; i++) out[i] = [at(2 * i), at(2 * i + 1)];
  return out;
}

function unpacked(p) {  // a payload's packed peaks, unpacked in place (once: arrays stay)
  if (!p) return p;
  if (p.peaks) p.peaks = unpackPeaks(p.peaks);
  if (p.lanes && p.lanes.peaks) p.lanes.peaks = p.lanes.peaks.map(unpackPeaks);
  if (p.minimap && p.minimap.peaks) p.minimap.peaks = unpackPeaks(p.minimap.peaks);
  return p;
}

function payloadOf(win, data) {
  // a rerun sends a segment the browser has as a reference ({ref: key, ...live fields})
  const base = data.ref ? win.cache.get(data.ref) : null;
  return base ? { ...base, ...data, ref: undefined } : data;
}

export default function (component) {
  const { parentElement } = component;
  let root = parentElement.querySelector(".ed-root");
  const win = (root && root._win) || { cache: new Map(), pending: [], shown: null, seq: 0 };
  for (const p of [component.data, ...(component.data.window || [])]) unpacked(p);
  if (component.data.shortcuts) win.shortcuts = component.data.shortcuts;
  if ("ui" in component.data) UI = component.data.ui || {};
  const mm = component.data.minimap;  // whole, or only the user's edits over the one held
  const heldMap = mm && win.minimap && win.minimap.recording_id === mm.recording_id;
  if (mm) win.minimap = mm.peaks ? mm : heldMap ? { ...win.minimap, edits: mm.edits } : win.minimap;
  if ("status" in component.data) win.status = component.data.status || null;
  if ("spectrogram" in component.data) win.spectrogram = !!component.data.spectrogram;
  if ((component.data.ref && !win.cache.has(component.data.ref)) || (mm && !mm.peaks && !heldMap)) {
    // a reference to a segment (or a minimap) this browser does not hold (a reconnect emptied
    // it): ask for the whole of it, and keep what is on screen meanwhile
    win.seq = Math.max(Date.now(), win.seq + 1);
    win.pending.push({ type: "refresh", nonce: win.seq, segment_id: component.data.segment_id });
    component.setTriggerValue("action", { ...win.pending.at(-1), actions: win.pending });
    const shown = root && win.cache.get(win.shown);
    return shown ? render(component, root, shown, win) : undefined;
  }
  const data = payloadOf(win, component.data);
  for (const p of [data, ...(component.data.window || [])]) {
    if (p.key && p.peaks) win.cache.set(p.key, p);
  }
  while (win.cache.size > WINDOW_KEEP) win.cache.delete(win.cache.keys().next().value);
  for (const done of component.data.saved || []) forget(done);
  if (!root) {
    root = document.createElement("div");
    root.className = "ed-root";
    parentElement.appendChild(root);
    build(root, win.shortcuts || []);
  }
  root._win = win;
  const show = choose(win, data);
  win.shown = show.key;
  return render(component, root, show.key === data.key ? data : show, win);
}

// a save the server stored: its autosave goes, unless the labeller typed on since
function forget({ autosave_key: k, text }) {
  const saved = JSON.parse(localStorage.getItem(k) || "null");
  if (saved && norm(saved.text) === norm(text)) localStorage.removeItem(k);
}

// ---- numbers typed in a Korean project: the page sends offers of their dual form with the
// reading (data.numerals: [{start, end, text, dual}], UTF-16 offsets into the text it read);
// the first one the box still holds shows under the box, and only the `numeral` shortcut
// writes it in. The offers stay per segment until the page sends others.
function numeralLine(root) {
  let line = root.querySelector(".ed-numeral");
  if (!line) {
    line = document.createElement("div");
    line.className = "ed-numeral";
    line.setAttribute("aria-live", "polite");
    root.querySelector(".ed-text").after(line);
  }
  return line;
}

function numeralOffers(root, st, data, shortcuts) {
  const box = root.querySelector(".ed-text"), line = numeralLine(root);
  const sc = shortcuts.find((s) => s.action === "numeral");
  const sent = JSON.stringify(data.numerals || []);
  if (st.numeralsSent !== sent) { st.numeralsSent = sent; st.numerals = data.numerals || []; }
  const current = () => st.numerals.find((o) => box.value.slice(o.start, o.end) === o.text);
  function show(message) {
    const o = current();
    line.textContent = message || (o && sc ? `${sc.keys_text}: ${o.text} → ${o.dual}` : "");
    line.hidden = !line.textContent;
  }
  function accept(edited) {
    const o = current();
    if (!o) { show(T("No number to write out here.")); return true; }
    const shift = o.dual.length - (o.end - o.start);
    box.value = box.value.slice(0, o.start) + o.dual + box.value.slice(o.end);
    st.numerals = st.numerals  // the others after it move with the text
      .filter((x) => x.end <= o.start || x.start >= o.end)
      .map((x) => (x.start >= o.end ? { ...x, start: x.start + shift, end: x.end + shift } : x));
    const caret = o.start + o.dual.length;
    box.setSelectionRange(caret, caret);
    box.focus();
    edited();
    show();
    return true;
  }
  show();
  return { show, accept };
}

function render(component, root, data, win) {
  const { setStateValue, setTriggerValue } = component;
  if (root._teardown) root._teardown();  // the previous render's listeners go first
  const $ = (sel) => root.querySelector(sel);
  const live = [];  // this render's listeners, removed by teardown
  const on = (target, type, fn, options) => {
    target.addEventListener(type, fn, options);
    live.push(() => target.removeEventListener(type, fn, options));
  };
  const canvas = $(".ed-canvas"), audio = $(".ed-audio"), box = $(".ed-text"), note = $(".ed-note");
  const [v0, v1] = data.view;
  const [a0, a1] = data.audio_span || data.view;  // the audio sent: the segment ±2 s

  // ---- per-segment state, reset only when the segment or its version changes
  let st = root._st;
  if (!st || st.key !== data.key) {
    audio.pause();
    audio.src = data.audio;
    st = root._st = {
      key: data.key, start: data.segment[0], end: data.segment[1], cursor: data.segment[0],
      zoom: [v0, v1], playhead: null, stopAt: null, loop: st ? st.loop : false, drag: null,
      sel: null, selFrom: null,
      composing: false, active: 0, lastActivity: 0, lintTimer: null, raf: 0, view: null,
    };
    const saved = JSON.parse(localStorage.getItem(data.autosave_key) || "null");
    box.value = data.text;
    note.textContent = data.notice || "";
    if (saved && norm(saved.text) !== norm(data.text)) {
      box.value = saved.text;
      if (saved.start != null) { st.start = saved.start; st.end = saved.end; }
      note.textContent = saved.key === data.key
        ? T("Restored your unsaved text for this segment.")
        : T("Restored unsaved text from before this segment last changed: check it before saving.");
      setStateValue("draft", { key: data.key, text: box.value });
    } else if (saved) {
      localStorage.removeItem(data.autosave_key);
    }
    $(".ed-undelete").style.display = data.deleted ? "" : "none";
    $(".ed-delete").style.display = data.deleted ? "none" : "";
    for (const cls of data.hidden || []) $(`.${cls}`).style.display = "none";  // the review page
    for (const [cls, label] of Object.entries(data.labels || {})) $(`.${cls}`).textContent = label;
    buildTags();
    buildBeside();
    if (data.focus !== false) setTimeout(() => box.focus({ preventScroll: true }), 0);
  }
  // what may change while the segment stays: its neighbours' text, where it can go
  $(".ed-before").textContent = data.before ? `↑ ${data.before}` : "";
  $(".ed-after").textContent = data.after ? `↓ ${data.after}` : "";
  $(".ed-prev").disabled = !data.can_prev;
  $(".ed-next").disabled = !data.can_next;
  const status = $(".ed-status");  // one line, always there: messages never move the editor
  status.textContent = win.status ? win.status[0] : "";
  status.dataset.level = win.status ? win.status[1] : "";
  if (st.view !== `${v0}-${v1}`) {  // a new segment or zoom level: show all that was sent
    st.view = `${v0}-${v1}`;
    st.zoom = [v0, v1];
  }

  const z0 = () => st.zoom[0], z1 = () => st.zoom[1];
  const x = (t) => ((t - z0()) / (z1() - z0())) * canvas.clientWidth;
  const t = (px) => z0() + (px / canvas.clientWidth) * (z1() - z0());

  function touch() {
    const now = Date.now();
    if (st.lastActivity && now - st.lastActivity < IDLE_AFTER) st.active += now - st.lastActivity;
    st.lastActivity = now;
  }

  function remember() {
    localStorage.setItem(data.autosave_key, JSON.stringify({
      key: data.key, text: box.value, start: st.start, end: st.end, at: Date.now(),
    }));
  }

  function draw() {
    const w = canvas.clientWidth, h = canvas.clientHeight, dpr = window.devicePixelRatio || 1;
    if (!w) return;
    if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    if (a0 > z0() || a1 < z1()) {  // outside the audio sent: peaks only, shaded
      g.fillStyle = "rgba(100,116,139,0.10)";
      g.fillRect(0, 0, x(a0), h);
      g.fillRect(x(a1), 0, w - x(a1), h);
    }
    g.fillStyle = "rgba(59,130,246,0.12)";
    g.fillRect(x(st.start), 0, x(st.end) - x(st.start), h);
    for (const [os, oe] of data.others || []) {  // the other segments in view: a grey band
      g.fillStyle = "rgba(100,116,139,0.10)";
      g.fillRect(x(os), 0, x(oe) - x(os), h);
      g.fillStyle = "rgba(100,116,139,0.55)";
      g.fillRect(x(os), 0, Math.max(1, x(oe) - x(os) - 1), 4);
    }
    g.fillStyle = "rgba(245,158,11,0.55)";  // speech no segment covers: a strip along the foot
    for (const [gs, ge] of data.gaps || []) g.fillRect(x(gs), h - 5, Math.max(2, x(ge) - x(gs)), 5);
    if (st.sel) {  // a span dragged across the waveform (the "add" key makes it a segment)
      g.fillStyle = "rgba(16,185,129,0.18)";
      g.fillRect(x(st.sel[0]), 0, x(st.sel[1]) - x(st.sel[0]), h);
      g.fillStyle = "#059669";
      g.fillRect(x(st.sel[0]), 0, 1, h);
      g.fillRect(x(st.sel[1]) - 1, 0, 1, h);
    }
    const peaks = data.peaks, n = peaks.length, rate = n / (v1 - v0), mid = h / 2;
    for (let px = 0; px < w; px++) {
      const a = Math.floor((t(px) - v0) * rate), b = Math.max(a + 1, Math.floor((t(px + 1) - v0) * rate));
      let lo = 0, hi = 0;
      for (let i = Math.max(0, a); i < b && i < n; i++) { lo = Math.min(lo, peaks[i][0]); hi = Math.max(hi, peaks[i][1]); }
      const inside = t(px) >= st.start && t(px) <= st.end;
      g.fillStyle = inside ? "#2563eb" : "#94a3b8";
      g.fillRect(px, mid - hi * mid, 1, Math.max(1, (hi - lo) * mid));
    }
    g.fillStyle = "#f59e0b";  // the cursor first, so a handle at the same place stays visible
    g.fillRect(x(st.cursor), 0, 1, h);
    for (const [edge, color] of [[st.start, "#16a34a"], [st.end, "#dc2626"]]) {
      const ex = Math.min(Math.max(x(edge), 1), w - 1);  // inside the canvas, even at t = 0
      g.fillStyle = color;
      g.fillRect(ex - 1, 0, 2, h);
      g.fillRect(Math.min(Math.max(ex - 5, 0), w - 10), 0, 10, 8);
    }
    if (st.playhead !== null) { g.fillStyle = "#111827"; g.fillRect(x(st.playhead) - 1, 0, 2, h); }
    drawMinimap();
    drawBelow();
    $(".ed-time").textContent = `${(st.end - st.start).toFixed(2)} s` +
      (st.playhead !== null ? `  ▶ ${fmt(st.playhead)}` : `  ${T("cursor")} ${fmt(st.cursor)}`);
    if (document.activeElement !== $(".ed-start") && root.getRootNode().activeElement !== $(".ed-start")) $(".ed-start").value = st.start.toFixed(2);
    if (document.activeElement !== $(".ed-end") && root.getRootNode().activeElement !== $(".ed-end")) $(".ed-end").value = st.end.toFixed(2);
  }

  // ---- the minimap: the whole recording, status per column, the segment and the view on it
  const mini = $(".ed-minimap");
  function drawMinimap() {
    const m = win.minimap && win.minimap.recording_id === data.recording_id ? win.minimap
      : data.minimap && data.minimap.peaks ? data.minimap : null;
    $(".ed-mini-wrap").style.display = m ? "" : "none";
    if (!m) return;
    const w = mini.clientWidth, h = mini.clientHeight, dpr = window.devicePixelRatio || 1;
    if (!w) return;
    if (mini.width !== Math.round(w * dpr)) { mini.width = Math.round(w * dpr); mini.height = Math.round(h * dpr); }
    const g = mini.getContext("2d"), d = m.duration || 1, mx = (tt) => (tt / d) * w;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const cols = m.columns, cw = w / Math.max(1, cols.length), band = 10;
    for (let i = 0; i < cols.length; i++) {  // the status band at the bottom
      const c = cols[i].toLowerCase();
      if (c === ".") continue;
      g.fillStyle = COLOURS[c] || "#cbd5e1";
      g.fillRect(i * cw, h - band, cw + 0.5, band);
      if (cols[i] !== c && cw >= 3) { g.fillStyle = "#fff"; g.fillRect(i * cw, h - band, 1, band); }
    }
    for (const [s0, s1, c] of m.edits || []) {  // the user's own changes, as they are now
      g.fillStyle = COLOURS[c] || "#fff";
      g.fillRect(mx(s0), h - band, Math.max(1, mx(s1) - mx(s0)), band);
    }
    const peaks = m.peaks, n = peaks.length, mid = (h - band) / 2;
    g.fillStyle = "#64748b";
    for (let i = 0; i < n; i++) {
      const px = (i / n) * w, hi = peaks[i][1], lo = peaks[i][0];
      g.fillRect(px, mid - hi * mid, Math.max(1, w / n), Math.max(1, (hi - lo) * mid));
    }
    g.strokeStyle = "#2563eb"; g.lineWidth = 1;  // the view shown below
    g.strokeRect(mx(z0()) + 0.5, 0.5, Math.max(2, mx(z1()) - mx(z0())) - 1, h - 1);
    g.strokeStyle = "#f59e0b"; g.lineWidth = 2;  // the current segment, peaks visible inside
    g.strokeRect(mx(st.start) + 1, 1, Math.max(3, mx(st.end) - mx(st.start)) - 2, h - band - 2);
    g.globalAlpha = 0.25; g.fillStyle = "#f59e0b";
    g.fillRect(mx(st.start), 0, Math.max(3, mx(st.end) - mx(st.start)), h - band);
    g.globalAlpha = 1;
    if (st.playhead !== null) { g.fillStyle = "#111827"; g.fillRect(mx(st.playhead), 0, 1, h); }
  }
  // under the waveform, drawn through its own mapping `x`: the spectrogram (when on) and, for
  // a call drafted one speaker per channel, the channels' lanes (see the end of this file)
  root._draw = draw;
  function drawBelow() {
    const spec = $(".ed-spec"), lanes = $(".ed-lanes"), on = !!win.spectrogram && !!data.audio;
    const marks = { start: st.start, end: st.end, cursor: st.cursor, playhead: st.playhead };
    spec.style.display = on ? "" : "none";
    const shown = on ? spectrumOf(win, data, () => root._draw()) : null;
    if (on) paintSpectrogram(spec, shown, x, st.zoom, marks);
    const ahead = shown && win.cache.get(data.next_key);  // then the next one, ready for it
    if (ahead && ahead.audio) spectrumOf(win, ahead, () => {});
    lanes.style.display = data.lanes ? "" : "none";
    if (data.lanes) paintLanes(lanes, data, x, t, marks);
  }
  function buildLegend() {
    const legend = $(".ed-legend");
    if (legend.childElementCount) return;
    for (const [c, name] of Object.entries(STATUS_NAMES)) {
      const chip = document.createElement("span");
      chip.innerHTML = `<i style="background:${COLOURS[c]}"></i>`;
      chip.append(T(name));
      legend.appendChild(chip);
    }
    const cur = document.createElement("span");
    cur.innerHTML = `<i style="background:#f59e0b"></i>`;
    cur.append(T("this segment"));
    legend.appendChild(cur);
  }

  function layout() {
    const ruler = $(".ed-ruler"), span = z1() - z0();
    const step = span > 60 ? 10 : span > 20 ? 5 : span > 8 ? 2 : span > 3 ? 1 : 0.5;
    ruler.innerHTML = "";
    for (let s = Math.ceil(z0() / step) * step; s <= z1(); s += step) {
      const tick = document.createElement("span");
      const at = (s - z0()) / span;
      tick.style.left = `${at * 100}%`;
      // labels at the edges stay inside the ruler instead of centring on their tick
      if (at < 0.04) tick.style.transform = "none";
      else if (at > 0.96) tick.style.transform = "translateX(-100%)";
      tick.textContent = fmt(s);
      ruler.appendChild(tick);
    }
    layoutWords();
    draw();
  }

  // the words under the waveform (the saved text's once aligned, else the draft's), in lanes
  // so that none covers another; words far outside the segment (a loop's runaway
  // timestamps) and any no lane can take are counted
  function layoutWords() {
    const words = $(".ed-words");
    words.innerHTML = "";
    let before = 0, after = 0, dense = 0;
    const shown = [];
    for (const wd of data.words) {
      if (wd.e < st.start - FAR) { before++; continue; }
      if (wd.s > st.end + FAR) { after++; continue; }
      if (wd.e < z0() || wd.s > z1()) continue;
      const span = document.createElement("span");
      span.textContent = wd.w;
      // aligned: the saved text's word timed against the audio; else the draft's word
      span.className = wd.aligned ? "aligned" : wd.unsure ? "unsure" : "";
      span.title = `${wd.s.toFixed(2)}–${wd.e.toFixed(2)} s, p=${wd.p.toFixed(2)}` +
        (wd.aligned ? T(", aligned to the saved text") : T(", the draft's"));
      span.dataset.s = String(wd.s);
      span.style.left = `${x(wd.s)}px`;
      words.appendChild(span);
      shown.push({ span, left: x(wd.s), width: span.offsetWidth });
    }
    shown.sort((p, q) => p.left - q.left);
    const lanes = laneLayout(shown, MAX_LANES);
    let used = 1;
    shown.forEach((it, i) => {
      if (lanes[i] < 0) { it.span.remove(); dense++; return; }
      it.span.style.top = `${2 + lanes[i] * LANE_PX}px`;
      used = Math.max(used, lanes[i] + 1);
    });
    words.style.height = `${4 + used * LANE_PX}px`;
    const one = (n) => n === 1, at = { n: before }, near = { n: dense }, past = { n: after };
    $(".ed-fold-before").textContent = before
      ? `◂ +${one(before) ? T("{n} word before", at) : T("{n} words before", at)}` : "";
    $(".ed-fold-after").textContent = [
      dense ? `+${one(dense) ? T("{n} word too close to show", near) : T("{n} words too close to show", near)}` : "",
      after ? `+${one(after) ? T("{n} word after", past) : T("{n} words after", past)} ▸` : "",
    ].filter(Boolean).join(" · ");
  }

  function buildTags() {
    const bar = $(".ed-tags"), keys = win.shortcuts.find((sc) => sc.action === "tag")?.keys || [];
    bar.innerHTML = "";
    data.tags.forEach((tag, i) => {
      const b = document.createElement("button");
      b.textContent = tag.insert;
      b.dataset.i = String(i);
      b.title = tag.label + (keys[i] ? ` (${keys[i].text})` : "");
      bar.appendChild(b);
    });
    bar.style.display = data.tags.length ? "" : "none";
  }

  function buildBeside() {
    const b = data.beside, bar = $(".ed-beside");
    bar.style.display = b ? "" : "none";
    if (!b) return;
    const sel = $(".ed-speaker");
    sel.innerHTML = "";
    // each with the number its key picks, and what the registry says of it
    [null, ...b.speakers].forEach((name, i) => {
      const o = document.createElement("option");
      const title = (b.speaker_titles || [])[i - 1] || name;
      o.value = name ?? ""; o.textContent = name === null ? "—" : i <= 9 ? `${i} · ${title}` : title;
      sel.appendChild(o);
    });
    sel.value = b.speaker ?? "";
    const tags = $(".ed-segtags");
    tags.innerHTML = "";
    for (const tag of b.tag_choices) {
      const t = document.createElement("button");
      t.textContent = T(tag); t.dataset.tag = tag;
      t.classList.toggle("on", b.tags.includes(tag));
      t.setAttribute("aria-pressed", String(b.tags.includes(tag)));
      tags.appendChild(t);
    }
    $(".ed-comment").value = b.comment || "";
  }
  // what travels with every save: read from the fields at the moment of the key
  function besideValues() {
    if (!data.beside) return {};
    return {
      speaker: $(".ed-speaker").value || null,
      tags: [...root.querySelectorAll(".ed-segtags button.on")].map((b) => b.dataset.tag),
      comment: $(".ed-comment").value,
    };
  }

  function insertTag(text) {
    const a = box.selectionStart ?? box.value.length, b = box.selectionEnd ?? a;
    const before = box.value.slice(0, a), after = box.value.slice(b);
    const pad = before && !/\s$/.test(before) ? " " : "";
    // a tag stands alone (the tag rule): a space after it even at the end, so the next word typed
    // is not glued to it (the save trims a space left at the end)
    const padAfter = /^\s/.test(after) ? "" : " ";
    box.value = before + pad + text + padAfter + after;
    const caret = (before + pad + text + padAfter).length;
    box.setSelectionRange(caret, caret);
    box.focus();
    edited();
  }

  function play(from, to) {
    from = Math.max(from, a0);
    to = Math.min(to, a1);
    if (to - from < 0.02) { note.textContent = T("No audio there: it plays after a save, or from its own segment."); return; }
    audio.playbackRate = Number($(".ed-speed").value);
    audio.currentTime = from - a0;
    st.stopAt = to;
    audio.play();
    follow();
  }
  const clampT = (tt) => Math.min(Math.max(tt, v0), v1);
  // pause, leaving the cursor where the audio stopped
  function pause() {
    if (!audio.paused) st.cursor = clampT(a0 + audio.currentTime);
    audio.pause();
  }
  // the playhead follows the audio: one animation-frame loop, of the latest render
  function follow() {
    cancelAnimationFrame(st.raf);
    const tick = () => {
      if (audio.paused) { st.playhead = null; draw(); return; }
      st.playhead = a0 + audio.currentTime;
      if (st.stopAt !== null && st.playhead >= st.stopAt) {
        if (st.loop) { audio.currentTime = Math.max(0, st.start - a0); }
        else { audio.pause(); st.cursor = clampT(st.stopAt); st.playhead = null; draw(); return; }
      }
      draw();
      st.raf = requestAnimationFrame(tick);
    };
    st.raf = requestAnimationFrame(tick);
  }
  // the play key: pause where it is; resume from there (the cursor), or from the segment's start
  // when the cursor is not inside the segment
  const toggle = () => {
    if (!audio.paused) return pause();
    const from = st.cursor >= st.start && st.cursor < st.end - 0.05 ? st.cursor : st.start;
    play(from, st.end);
  };

  function setBounds(start, end) {
    const lo = Math.max(0, v0), hi = v1;  // anywhere in the view sent, audio or not
    start = Math.min(Math.max(start, lo), hi);
    end = Math.min(Math.max(end, lo), hi);
    if (end - start < 0.05) return;
    st.start = +start.toFixed(3); st.end = +end.toFixed(3);
    remember();
    draw();
  }

  // every action goes to the server with those still unacknowledged (oldest first); save &
  // next, next and previous show the segment they go to at once when the window holds it
  const MOVES = { save_next: "next_key", next: "next_key", prev: "prev_key" };
  // the playhead while playing, else the cursor (where playback stopped, or a click)
  const here = () => (audio.paused ? st.cursor : a0 + audio.currentTime);
  // the speaker by number: 1 the first of the list beside the text, 0 none
  function pickSpeaker(i) {
    const sel = $(".ed-speaker");
    if (!data.beside || i > data.beside.speakers.length) return false;
    sel.value = i === 0 ? "" : data.beside.speakers[i - 1];
    const title = i === 0 ? T("none") : (data.beside.speaker_titles || [])[i - 1] || sel.value;
    note.textContent = T("Speaker {n}: {name}", { n: i, name: title });
    return true;
  }
  function send(type, extra = {}) {
    touch();
    win.seq = Math.max(Date.now(), win.seq + 1);
    const target = MOVES[type] && !data.deleted ? win.cache.get(data[MOVES[type]]) : null;
    const act = {
      type, key: data.key, segment_id: data.segment_id, version: data.version,
      text: box.value, start: st.start, end: st.end, cursor: +st.cursor.toFixed(3),
      active_seconds: Math.round(st.active / 100) / 10, nonce: win.seq, ...besideValues(),
      ...extra, ...(target ? { moved_to: target.segment_id } : {}),
    };
    win.pending.push(act);
    setTriggerValue("action", { ...act, actions: win.pending });
    if (!target) return;
    pause();
    win.shown = target.key;
    win.status = [type === "save_next" ? T("Saving #{id}…", { id: data.segment_id }) : `#${target.segment_id}`,
      "info"];
    render(component, root, target, win);
  }

  function edited() {
    touch();
    remember();
    clearTimeout(st.lintTimer);
    st.lintTimer = setTimeout(reportText, 500);
  }

  // the text typed, for the checks under the editor: not while the server applies this
  // labeller's actions (a report then would stop that run and start it again), and not
  // once they have moved on (the text went with the action that moved them)
  function reportText() {
    if (win.shown !== data.key) return;
    if (win.pending.length) { st.lintTimer = setTimeout(reportText, 250); return; }
    setStateValue("draft", { key: data.key, text: box.value });
  }

  function zoom(factor) {
    const centre = st.playhead ?? st.cursor, span = (z1() - z0()) * factor;
    const full = v1 - v0, width = Math.min(full, Math.max(0.5, span));
    let a = centre - width / 2;
    a = Math.min(Math.max(a, v0), v1 - width);
    st.zoom = [a, a + width];
    layout();
  }
  // zoom levels: out shows all that was sent, then asks the page for a wider view (a rerun);
  // in asks for a narrower one, and within ±2 s zooms closer here
  const levels = data.contexts || [2], level = levels.indexOf(data.context);
  function zoomOut() {
    if (z1() - z0() < v1 - v0 - 1e-6) return zoom(2);
    if (level >= 0 && level < levels.length - 1) send("context", { context: levels[level + 1] });
  }
  function zoomIn() {
    if (level > 0) return send("context", { context: levels[level - 1] });
    zoom(0.5);
  }
  function pan(dir, share = 0.25) {
    const width = z1() - z0();
    const a = Math.min(Math.max(z0() + dir * share * width, v0), v1 - width);
    st.zoom = [a, a + width];
    layout();
  }
  $(".ed-zoom-level").textContent = `±${data.context ?? 2} s`;

  // ---- wiring: this render's listeners, each through `on`, so the next render removes them
  on(box, "input", () => { if (!st.composing) edited(); });
  on(box, "compositionstart", () => { st.composing = true; });
  on(box, "compositionend", () => {
    st.composing = false;
    edited();
    // a shortcut pressed while Hangul was composing runs once, with the syllable committed
    const deferred = st.deferred;
    st.deferred = null;
    if (deferred) setTimeout(() => deferred[0](deferred[1]), 0);
  });
  const clicks = {
    "ed-play": () => { touch(); play(st.start, st.end); },
    "ed-cursor": () => { touch(); play(st.cursor, st.end); },
    "ed-stop": () => pause(),
    "ed-back": () => skipBack(),
    "ed-loop": () => { st.loop = !st.loop; $(".ed-loop").classList.toggle("on", st.loop); },
    "ed-zoom-in": () => zoomIn(),
    "ed-zoom-out": () => zoomOut(),
    "ed-save": () => send("save"),
    "ed-save-next": () => send("save_next"),
    "ed-prev": () => send("prev"),
    "ed-next": () => send("next"),
    "ed-split": () => split(),
    "ed-merge": () => send("merge"),
    "ed-delete": () => send("delete"),
    "ed-undelete": () => send("undelete"),
  };
  for (const [cls, fn] of Object.entries(clicks)) on($(`.${cls}`), "click", fn);
  $(".ed-loop").classList.toggle("on", st.loop);
  on($(".ed-speed"), "change", () => { audio.playbackRate = Number($(".ed-speed").value); });
  on($(".ed-start"), "change", () => setBounds(Number($(".ed-start").value), st.end));
  on($(".ed-end"), "change", () => setBounds(st.start, Number($(".ed-end").value)));
  const tagBar = $(".ed-tags");
  on(tagBar, "mousedown", (ev) => ev.preventDefault());  // keep the caret in the text box
  on(tagBar, "click", (ev) => {
    const b = ev.target.closest("button[data-i]");
    if (b) insertTag(data.tags[Number(b.dataset.i)].insert);
  });
  const segTags = $(".ed-segtags");
  on(segTags, "click", (ev) => {
    const b = ev.target.closest("button[data-tag]");
    if (!b) return;
    b.classList.toggle("on");
    b.setAttribute("aria-pressed", String(b.classList.contains("on")));
  });
  const gotoBox = $(".ed-goto");
  // Enter in the go-to box (read by the one keydown listener below): go there
  function gotoKey(ev) {
    if (ev.key === "Enter" && !ev.ctrlKey && !ev.altKey && !ev.metaKey && gotoBox.value.trim()) {
      send("goto", { query: gotoBox.value.trim() });
      gotoBox.value = "";
      return true;
    }
    if (ev.key === "Escape") { gotoBox.value = ""; box.focus(); return true; }
    return false;
  }
  // the reviewer's reject by keyboard: the reason (1–9 or the arrows), a comment, Enter
  const rejectBar = $(".ed-reject"), reason = $(".ed-reject-reason");
  const comment = $(".ed-reject-comment");
  function openReject() {
    reason.replaceChildren(...(data.reasons || []).map((r, i) => {
      const o = document.createElement("option");
      o.value = r;
      o.textContent = i < 9 ? `${i + 1}. ${r}` : r;
      return o;
    }));
    rejectBar.hidden = false;
    reason.focus();
  }
  function closeReject() {
    rejectBar.hidden = true;
    comment.value = "";
    box.focus({ preventScroll: true });
  }
  function rejectKey(ev) {  // keys inside the panel (read by the one keydown listener below)
    const plain = !ev.ctrlKey && !ev.altKey && !ev.metaKey;
    if (ev.key === "Escape") { closeReject(); return true; }
    if (plain && ev.key === "Enter") {
      const other = reason.value === data.reasons.at(-1);  // "other" needs a comment
      if (other && !comment.value.trim()) {
        note.textContent = T("Say why in the comment: the reason is “other”.");
        comment.focus();
        return true;
      }
      const picked = { reason: reason.value, comment: comment.value.trim() };
      rejectBar.hidden = true;
      comment.value = "";
      send("reject", picked);
      return true;
    }
    const n = Number(ev.key);
    if (plain && ev.composedPath()[0] === reason && n >= 1 && n <= reason.options.length) {
      reason.selectedIndex = n - 1;
      comment.focus();
      return true;
    }
    return false;
  }
  on($(".ed-reject-send"), "click", () => rejectKey({ key: "Enter", composedPath: () => [] }));
  on(mini, "click", (ev) => {
    const m = win.minimap && win.minimap.recording_id === data.recording_id ? win.minimap
      : data.minimap && data.minimap.peaks ? data.minimap : null;
    if (!m || !mini.clientWidth) return;
    const at = (ev.offsetX / mini.clientWidth) * m.duration;
    send("goto", { time: +at.toFixed(2) });
  });
  on(canvas, "wheel", (ev) => {  // scroll sideways (or Shift+wheel) pans a zoomed-in view
    const d = Math.abs(ev.deltaX) > Math.abs(ev.deltaY) ? ev.deltaX : ev.shiftKey ? ev.deltaY : 0;
    if (!d || z1() - z0() >= v1 - v0 - 1e-6) return;
    ev.preventDefault();
    pan(Math.sign(d), 0.1);
  }, { passive: false });
  on($(".ed-words"), "click", (ev) => {
    const span = ev.target.closest("span[data-s]");
    if (span) { touch(); play(Number(span.dataset.s), st.end); }
  });

  function skipBack() {
    touch();
    if (!audio.paused) audio.currentTime = Math.max(0, audio.currentTime - SKIP_BACK);
    else { st.cursor = Math.max(a0, st.cursor - SKIP_BACK); play(st.cursor, st.end); }
  }
  // split at the playhead while playing, else at the cursor (where the playback stopped)
  function split() {
    if (!audio.paused) pause();
    send("split");
  }
  function stepSpeed(dir) {
    const sel = $(".ed-speed"), i = SPEEDS.indexOf(Number(sel.value));
    sel.value = String(SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, i + dir))]);
    audio.playbackRate = Number(sel.value);
  }

  on(canvas, "mousedown", (ev) => {
    touch();
    const px = ev.offsetX;
    if (Math.abs(px - x(st.start)) <= HANDLE_PX) st.drag = "start";
    else if (Math.abs(px - x(st.end)) <= HANDLE_PX) st.drag = "end";
    else { st.cursor = t(px); st.drag = "select"; st.selFrom = st.cursor; st.sel = null; draw(); }
  });
  on(canvas, "mousemove", (ev) => {
    const px = ev.offsetX;
    const near = Math.abs(px - x(st.start)) <= HANDLE_PX || Math.abs(px - x(st.end)) <= HANDLE_PX;
    canvas.style.cursor = (st.drag && st.drag !== "select") || near ? "ew-resize" : "crosshair";
    if (!st.drag) return;
    const at = Math.min(Math.max(t(px), v0), v1);
    if (st.drag === "select") {
      const a = Math.min(at, st.selFrom), b = Math.max(at, st.selFrom);
      st.sel = x(b) - x(a) >= 4 ? [+a.toFixed(3), +b.toFixed(3)] : null;
    } else if (st.drag === "start") st.start = Math.min(at, st.end - 0.05);
    else st.end = Math.max(at, st.start + 0.05);
    draw();
  });
  const release = () => {
    if (st.drag === "select") {
      st.drag = null;
      const keys = (win.shortcuts.find((sc) => sc.action === "add") || {}).keys_text;
      const span = { from: fmt(st.sel?.[0] ?? 0), to: fmt(st.sel?.[1] ?? 0), keys };
      if (st.sel && overlapping(st.sel)) note.textContent = T("Selected {from}–{to}: it overlaps a segment (the grey bands); drag across a gap for a new one.", span);
      else if (st.sel && keys) note.textContent = T("Selected {from}–{to}: {keys} adds a segment there.", span);
    } else if (st.drag) { st.drag = null; setBounds(st.start, st.end); }
  };
  // "add": a new segment over the span dragged, else over the speech no segment covers at or
  // after the cursor (the amber strips); the page refuses one overlapping a live segment
  const overlapping = ([a, b]) => [[st.start, st.end], ...(data.others || [])]
    .some(([s0, s1]) => a < s1 - 0.01 && b > s0 + 0.01);
  function addSegment() {
    const gap = (data.gaps || []).find(([gs, ge]) => ge > st.cursor + 0.01);
    const span = st.sel || gap;
    if (st.sel && overlapping(st.sel)) {
      note.textContent = T("The selection overlaps a segment (the grey bands): drag across a gap for a new one.");
      return;
    }
    if (!span) {
      note.textContent = T("Drag across the waveform to select a span first (no uncovered speech after the cursor in view).");
      return;
    }
    st.sel = null;
    send("add", { start: span[0], end: span[1] });
  }
  on(canvas, "mouseup", release);
  on(canvas, "mouseleave", release);

  const numerals = numeralOffers(root, st, data, win.shortcuts || []);
  on(box, "input", () => numerals.show());

  // ---- keys: the handler of each action in the shortcut table. With several key combinations
  // for one action, `i` is the one pressed (0: earlier / slower, 1: later / faster; the tag's
  // index). A handler returning false leaves the key to the browser.
  const actions = {
    save_next: () => send("save_next"),
    save: () => send("save"),
    prev: () => send("prev"),
    next: () => send("next"),
    play: () => { touch(); toggle(); },
    back: () => skipBack(),
    start: (i) => setBounds(st.start + (i ? NUDGE : -NUDGE), st.end),
    end: (i) => setBounds(st.start, st.end + (i ? NUDGE : -NUDGE)),
    start_here: () => setBounds(here(), st.end),
    end_here: () => setBounds(st.start, here()),
    speaker: (i) => pickSpeaker(i),
    split: () => split(),
    merge: () => send("merge"),
    delete: () => send(data.deleted ? "undelete" : "delete"),
    undelete: () => send("undelete"),
    add: () => addSegment(),
    loop: () => $(".ed-loop").click(),
    speed: (i) => stepSpeed(i ? 1 : -1),
    zoom: (i) => (i ? zoomIn() : zoomOut()),
    pan: (i) => pan(i ? 1 : -1),
    goto: () => { gotoBox.focus(); gotoBox.select(); },
    reject: () => (rejectBar.hidden ? openReject() : closeReject()),
    tag: (i) => (data.tags[i] ? insertTag(data.tags[i].insert) : false),
    numeral: () => numerals.accept(edited),
  };
  const keymap = new Map();
  const off = new Set(data.off || []);  // actions this page does not offer
  // an action this page does not offer still takes its keys, and says so: else the go-to key and the
  // time typed after it would land in the transcript
  const unavailable = (label) => () => { note.textContent = T("{label}: not available here.", { label }); };
  for (const sc of win.shortcuts) {
    const run = off.has(sc.action) ? unavailable(sc.label) : actions[sc.action];
    sc.keys.forEach((k, i) => {
      keymap.set(combo(k.ctrl, k.alt, k.shift, k.code), [run, i]);
    });
  }
  on(document, "keydown", (ev) => {
    const pressed = combo(ev.ctrlKey || ev.metaKey, ev.altKey, ev.shiftKey, ev.code);
    const [run, i] = keymap.get(pressed) || [];
    if (ev.isComposing || ev.keyCode === 229) {  // an IME is composing: plain keys are its
      if (run && (ev.ctrlKey || ev.metaKey || ev.altKey)) {  // a shortcut: after it commits
        st.deferred = [run, i];
        ev.preventDefault();
      }
      return;
    }
    if (ev.composedPath()[0] === gotoBox && gotoKey(ev)) { ev.preventDefault(); return; }
    if (rejectBar.contains(ev.composedPath()[0]) && rejectKey(ev)) {
      ev.preventDefault();
      return;
    }
    if (!run || run(i) === false) return;
    ev.preventDefault();
    ev.stopPropagation();
  }, true);
  on(window, "resize", () => layout());

  buildLegend();
  layout();
  if (!audio.paused) follow();  // a render while playing: the playhead follows with this render

  const teardown = () => {
    for (const off of live.splice(0)) off();
    cancelAnimationFrame(st.raf);
    if (root._teardown === teardown) root._teardown = null;
  };
  root._teardown = teardown;
  // Streamlit calls this at the unmount (and, for a render it had already cancelled, at once:
  // the render after it has then removed these listeners already, and the audio plays on)
  return () => {
    teardown();
    if (!root.isConnected) audio.pause();
  };
}

// ---- the spectrogram (a toggle, remembered per user): computed here from the audio slice the
// browser already holds, so it adds no byte to a key, and nothing is decoded or computed while
// it is off. Linear frequency from 0 to 8 kHz (the working copies' Nyquist), log magnitude,
// drawn through the waveform's own time-to-pixel mapping, so it lines up at every zoom.
const SPEC_RATE = 16000;      // Hz: the slice is decoded at the working copies' rate
const SPEC_FFT = 512;         // samples a frame (32 ms, Hann window): 257 bins 31.25 Hz apart
const SPEC_HOP = 80;          // samples between frames (5 ms); more for a long slice, so that
const SPEC_FRAMES = 4000;     // a slice has at most this many frames
const SPEC_RANGE = 70;        // dB shown under the slice's loudest bin
const SPEC_STEP = 16;         // frames (or image columns) between two looks at the clock:
const SPEC_SLACK = 2;         // ms of an idle period left unused, so a key is never kept waiting
const SPEC_KEEP = 6;          // spectrograms kept: the segment shown and those around it
const SPEC_STOPS = [          // the colour map, quiet to loud (viridis' ends and middle)
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];
const CHANNEL_PX = 44;        // the height of a channel's lane

let fftTables = null;
function fftSetup(n) {
  if (fftTables && fftTables.n === n) return fftTables;
  const bits = Math.log2(n), rev = new Uint32Array(n), cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2), hann = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
    hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  }
  for (let i = 0; i < n / 2; i++) { cos[i] = Math.cos((2 * Math.PI * i) / n); sin[i] = -Math.sin((2 * Math.PI * i) / n); }
  fftTables = { n, rev, cos, sin, hann };
  return fftTables;
}

// power in dB of one windowed frame centred on sample `centre` into out[0 .. n/2]
function framePower(samples, centre, tables, re, im, out) {
  const { n, rev, cos, sin, hann } = tables, from = centre - n / 2;
  for (let i = 0; i < n; i++) {
    const k = from + i;
    re[rev[i]] = k >= 0 && k < samples.length ? samples[k] * hann[i] : 0;
    im[i] = 0;
  }
  for (let size = 2; size <= n; size *= 2) {  // radix-2, in place
    const half = size / 2, step = n / size;
    for (let s = 0; s < n; s += size) {
      for (let j = 0; j < half; j++) {
        const a = s + j, b = a + half, wr = cos[j * step], wi = sin[j * step];
        const tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr; im[b] = im[a] - ti; re[a] += tr; im[a] += ti;
      }
    }
  }
  for (let k = 0; k <= n / 2; k++) out[k] = 10 * Math.log10(re[k] * re[k] + im[k] * im[k] + 1e-12);
}

// The spectrogram of `samples` (at SPEC_RATE), frame i centred on sample i * hop: {frames,
// bins, hop, db, top} with db[i * bins + k] the power of bin k (k * 31.25 Hz) in dB, top the
// loudest. A generator that pauses every SPEC_STEP frames, so that the caller computes only
// while the browser is idle; `spectrogram` runs it whole.
export function* spectrogramSteps(samples, hop = SPEC_HOP) {
  const tables = fftSetup(SPEC_FFT), bins = SPEC_FFT / 2 + 1;
  const frames = Math.max(1, Math.ceil(samples.length / hop));
  const db = new Float32Array(frames * bins);
  const re = new Float64Array(SPEC_FFT), im = new Float64Array(SPEC_FFT), out = new Float64Array(bins);
  let top = -Infinity;
  for (let i = 0; i < frames; i++) {
    framePower(samples, i * hop, tables, re, im, out);
    db.set(out, i * bins);
    for (let k = 0; k < bins; k++) if (out[k] > top) top = out[k];
    if (i % SPEC_STEP === SPEC_STEP - 1) yield i;
  }
  return { frames, bins, hop, db, top };
}
export function spectrogram(samples, hop = SPEC_HOP) {
  const steps = spectrogramSteps(samples, hop);
  for (;;) { const r = steps.next(); if (r.done) return r.value; }
}

const SPEC_COLOURS = (() => {  // 256 colours along SPEC_STOPS
  const lut = new Uint8Array(256 * 3), last = SPEC_STOPS.length - 1;
  for (let v = 0; v < 256; v++) {
    const at = (v / 255) * last, i = Math.min(last - 1, Math.floor(at)), f = at - i;
    for (let c = 0; c < 3; c++) lut[v * 3 + c] = Math.round(SPEC_STOPS[i][c] * (1 - f) + SPEC_STOPS[i + 1][c] * f);
  }
  return lut;
})();

// the spectrogram as an image, a column a frame, 8 kHz at the top, SPEC_RANGE dB of colours:
// a generator pausing every SPEC_STEP columns, returning the canvas
function* spectrogramImage(spec) {
  const { frames, bins, db, top } = spec, canvas = document.createElement("canvas");
  canvas.width = frames; canvas.height = bins;
  const img = new ImageData(frames, bins), px = img.data;
  for (let i = 0; i < frames; i++) {
    for (let k = 0; k < bins; k++) {
      const v = Math.max(0, Math.min(255, Math.round(((db[i * bins + k] - top) / SPEC_RANGE + 1) * 255)));
      const o = ((bins - 1 - k) * frames + i) * 4;
      px[o] = SPEC_COLOURS[v * 3]; px[o + 1] = SPEC_COLOURS[v * 3 + 1]; px[o + 2] = SPEC_COLOURS[v * 3 + 2]; px[o + 3] = 255;
    }
    if (i % SPEC_STEP === SPEC_STEP - 1) yield i;
  }
  canvas.getContext("2d").putImageData(img, 0, 0);
  return canvas;
}

// the browser's next idle period (its deadline), so that no key waits for the spectrogram
const idle = () => new Promise((go) => (window.requestIdleCallback
  ? window.requestIdleCallback(go)
  : setTimeout(() => go({ timeRemaining: () => 4 }), 20)));

// run a generator to its end in idle periods only; its value
async function inIdleTime(steps) {
  let r = { done: false };
  while (!r.done) {
    const deadline = await idle();
    do r = steps.next(); while (!r.done && deadline.timeRemaining() > SPEC_SLACK);
  }
  return r.value;
}

// the samples of a payload's audio (an Ogg/Opus data URL), decoded at SPEC_RATE
async function decodeSlice(url) {
  const bytes = Uint8Array.from(atob(url.slice(url.indexOf(",") + 1)), (c) => c.charCodeAt(0));
  const audio = await new OfflineAudioContext(1, 1, SPEC_RATE).decodeAudioData(bytes.buffer);
  return audio.getChannelData(0);
}

async function computeSpectrum(payload) {
  await idle();
  const samples = await decodeSlice(payload.audio);
  const hop = Math.max(SPEC_HOP, Math.ceil(samples.length / SPEC_FRAMES));
  const spec = await inIdleTime(spectrogramSteps(samples, hop));
  const image = await inIdleTime(spectrogramImage(spec));
  const [a0] = payload.audio_span || payload.view;
  return { frames: spec.frames, bins: spec.bins, hop, t0: a0, image };
}

// A payload's spectrogram when it is ready, null while it is computed, false if the audio would
// not decode: computing starts on the first ask, and `ready` is called once it is done (kept per
// segment version and audio, SPEC_KEEP at most)
function spectrumOf(win, payload, ready) {
  const spectra = (win.spectra ||= new Map());
  const id = `${payload.key}@${payload.audio_span}`;
  let entry = spectra.get(id);
  if (!entry) {
    entry = { spec: null };
    spectra.set(id, entry);
    while (spectra.size > SPEC_KEEP) spectra.delete(spectra.keys().next().value);
    computeSpectrum(payload).then(
      (spec) => { entry.spec = spec; if (entry.ready) entry.ready(); },
      () => { entry.spec = false; if (entry.ready) entry.ready(); },
    );
  }
  entry.ready = ready;
  return entry.spec;
}

// a canvas sized to its box (device pixels), cleared: [context, width, height] in CSS pixels
function fitCanvas(canvas) {
  const w = canvas.clientWidth, h = canvas.clientHeight, dpr = window.devicePixelRatio || 1;
  if (!w) return [null, 0, 0];
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  return [g, w, h];
}

// the segment's bounds, the cursor and the playhead, as the waveform has them, over [top, bottom]
function paintMarks(g, x, m, top, bottom) {
  g.fillStyle = "#f59e0b";
  g.fillRect(x(m.cursor), top, 1, bottom - top);
  g.fillStyle = "#16a34a"; g.fillRect(x(m.start) - 1, top, 2, bottom - top);
  g.fillStyle = "#dc2626"; g.fillRect(x(m.end) - 1, top, 2, bottom - top);
  if (m.playhead !== null) { g.fillStyle = m.light || "#111827"; g.fillRect(x(m.playhead) - 1, top, 2, bottom - top); }
}

// the spectrogram in its canvas: frame i over the time of its centre, through `x` (the
// waveform's time-to-pixel mapping) over the visible times [z0, z1]
function paintSpectrogram(canvas, spec, x, [z0, z1], m) {
  const [g, w, h] = fitCanvas(canvas);
  if (!g) return;
  g.fillStyle = "#1e1b2e";
  g.fillRect(0, 0, w, h);
  if (spec) {
    const dt = spec.hop / SPEC_RATE, first = spec.t0 - dt / 2, last = first + spec.frames * dt;
    const ta = Math.max(z0, first), tb = Math.min(z1, last);
    if (tb > ta) {
      g.imageSmoothingEnabled = true;
      g.drawImage(spec.image, (ta - first) / dt, 0, (tb - ta) / dt, spec.bins, x(ta), 0, x(tb) - x(ta), h);
    }
  }
  paintMarks(g, x, { ...m, light: "#f8fafc" }, 0, h);
  g.fillStyle = "rgba(248,250,252,0.75)";
  g.font = "10px sans-serif";
  g.fillText(spec ? "8 kHz" : spec === false ? "no spectrogram: the audio would not decode"
    : "spectrogram…", 4, 11);
  if (spec) g.fillText("4 kHz", 4, h / 2 + 4);
}

// the lanes: each channel's waveform, and each live segment in view in its channel's lane (the
// segment shown with its live bounds); `t` is `x`'s inverse. The lanes share one scale, up to
// LANE_GAIN times louder than the waveform's, so a quiet call is readable in its low lanes.
const LANE_GAIN = 8;
function paintLanes(canvas, data, x, t, m) {
  const names = data.lanes.names, n = names.length;
  canvas.style.height = `${n * CHANNEL_PX}px`;
  const [g, w] = fitCanvas(canvas);
  if (!g) return;
  const [v0, v1] = data.view, spans = data.lane_segments || [];
  let loudest = 0;
  for (const lane of data.lanes.peaks) for (const [lo, hi] of lane) loudest = Math.max(loudest, -lo, hi);
  const gain = loudest > 0 ? Math.min(LANE_GAIN, 1 / loudest) : 1;
  for (let k = 0; k < n; k++) {
    const top = k * CHANNEL_PX, mid = top + CHANNEL_PX / 2, amp = (CHANNEL_PX / 2 - 3) * gain;
    const mine = spans.filter((s) => s[2] === k).map(([s, e, , id]) =>
      (id === data.segment_id ? [m.start, m.end, true] : [s, e, false]));
    for (const [s, e, own] of mine) {
      g.fillStyle = own ? "rgba(59,130,246,0.16)" : "rgba(100,116,139,0.14)";
      g.fillRect(x(s), top, x(e) - x(s), CHANNEL_PX);
      g.fillStyle = own ? "#2563eb" : "rgba(100,116,139,0.6)";
      g.fillRect(x(s), top, Math.max(1, x(e) - x(s) - 1), 3);
    }
    const peaks = data.lanes.peaks[k], count = peaks.length, rate = count / (v1 - v0);
    for (let px = 0; px < w; px++) {
      const a = Math.floor((t(px) - v0) * rate), b = Math.max(a + 1, Math.floor((t(px + 1) - v0) * rate));
      let lo = 0, hi = 0;
      for (let i = Math.max(0, a); i < b && i < count; i++) { lo = Math.min(lo, peaks[i][0]); hi = Math.max(hi, peaks[i][1]); }
      const at = t(px), over = mine.find(([s, e]) => at >= s && at <= e);
      g.fillStyle = over ? (over[2] ? "#2563eb" : "#475569") : "#94a3b8";
      g.fillRect(px, mid - hi * amp, 1, Math.max(1, (hi - lo) * amp));
    }
    g.fillStyle = "rgba(100,116,139,0.35)";
    g.fillRect(0, top + CHANNEL_PX - 1, w, 1);
    g.fillStyle = "#334155";
    g.font = "11px sans-serif";
    g.fillText(names[k], 4, top + 12);
  }
  paintMarks(g, x, m, 0, n * CHANNEL_PX);
}
