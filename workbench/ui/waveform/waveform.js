// Waveform of one segment with context, drawn from stored peaks; draggable boundaries;
// float-precise playback of the slice that Python sent (never the whole recording).
const HANDLE_PX = 7;

function fmt(t) {
  const m = Math.floor(t / 60);
  return `${m}:${(t - m * 60).toFixed(2).padStart(5, "0")}`;
}

function build(root) {
  root.innerHTML = `
    <div class="wf">
      <canvas class="wf-canvas"></canvas>
      <div class="wf-ruler"></div>
      <div class="wf-words"></div>
      <div class="wf-bar">
        <button class="wf-play" title="Play the segment">&#9654; Segment</button>
        <button class="wf-cursor" title="Play from the cursor">&#9654; Cursor</button>
        <button class="wf-stop" title="Stop">&#9632;</button>
        <span class="wf-time"></span>
      </div>
      <audio class="wf-audio" preload="auto"></audio>
    </div>`;
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".wf-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "wf-root";
    parentElement.appendChild(root);
    build(root);
  }
  const canvas = root.querySelector(".wf-canvas");
  const audio = root.querySelector(".wf-audio");
  const timeLabel = root.querySelector(".wf-time");
  const [v0, v1] = data.view;
  const st = root._state && root._state.key === data.key ? root._state : {
    key: data.key, start: data.segment[0], end: data.segment[1], cursor: data.segment[0],
    playhead: null, stopAt: null, drag: null,
  };
  if (st.key === data.key && root._lastSegment &&
      (root._lastSegment[0] !== data.segment[0] || root._lastSegment[1] !== data.segment[1])) {
    st.start = data.segment[0];  // Python changed the boundaries (typed into the inputs)
    st.end = data.segment[1];
  }
  root._lastSegment = data.segment;
  root._state = st;
  if (audio.dataset.key !== String(data.key)) {
    audio.pause();
    audio.src = data.audio;
    audio.dataset.key = String(data.key);
  }

  const x = (t) => ((t - v0) / (v1 - v0)) * canvas.clientWidth;
  const t = (px) => v0 + (px / canvas.clientWidth) * (v1 - v0);

  function draw() {
    const w = canvas.clientWidth, h = canvas.clientHeight, dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.fillStyle = "rgba(59,130,246,0.12)";
    g.fillRect(x(st.start), 0, x(st.end) - x(st.start), h);
    const peaks = data.peaks, n = peaks.length, mid = h / 2;
    for (let px = 0; px < w; px++) {
      const a = Math.floor((px / w) * n), b = Math.max(a + 1, Math.floor(((px + 1) / w) * n));
      let lo = 0, hi = 0;
      for (let i = a; i < b && i < n; i++) { lo = Math.min(lo, peaks[i][0]); hi = Math.max(hi, peaks[i][1]); }
      const inside = t(px) >= st.start && t(px) <= st.end;
      g.fillStyle = inside ? "#2563eb" : "#94a3b8";
      g.fillRect(px, mid - hi * mid, 1, Math.max(1, (hi - lo) * mid));
    }
    for (const [edge, color] of [[st.start, "#16a34a"], [st.end, "#dc2626"]]) {
      g.fillStyle = color;
      g.fillRect(x(edge) - 1, 0, 2, h);
      g.fillRect(x(edge) - 5, 0, 10, 8);
    }
    g.fillStyle = "#f59e0b";
    g.fillRect(x(st.cursor), 0, 1, h);
    if (st.playhead !== null) { g.fillStyle = "#111827"; g.fillRect(x(st.playhead) - 1, 0, 2, h); }
    timeLabel.textContent = `${fmt(st.start)} – ${fmt(st.end)}  (${(st.end - st.start).toFixed(2)} s)` +
      (st.playhead !== null ? `   ▶ ${fmt(st.playhead)}` : "");
  }

  function ruler() {
    const el = root.querySelector(".wf-ruler");
    const span = v1 - v0, step = span > 60 ? 10 : span > 20 ? 5 : span > 8 ? 2 : 1;
    el.innerHTML = "";
    for (let s = Math.ceil(v0 / step) * step; s <= v1; s += step) {
      const tick = document.createElement("span");
      tick.style.left = `${((s - v0) / span) * 100}%`;
      tick.textContent = fmt(s);
      el.appendChild(tick);
    }
  }

  function words() {
    const el = root.querySelector(".wf-words");
    el.innerHTML = "";
    for (const wd of data.words) {
      const span = document.createElement("span");
      span.textContent = wd.w;
      span.className = wd.unsure ? "unsure" : "";
      span.title = `${wd.s.toFixed(2)}–${wd.e.toFixed(2)} s, p=${wd.p.toFixed(2)}`;
      span.style.left = `${((wd.s - v0) / (v1 - v0)) * 100}%`;
      span.onclick = () => play(wd.s, st.end);
      el.appendChild(span);
    }
  }

  function play(from, to) {
    audio.currentTime = Math.max(0, from - v0);
    st.stopAt = to;
    audio.play();
    const tick = () => {
      if (audio.paused) { st.playhead = null; draw(); return; }
      st.playhead = v0 + audio.currentTime;
      if (st.stopAt !== null && st.playhead >= st.stopAt) { audio.pause(); st.playhead = null; draw(); return; }
      draw();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  root.querySelector(".wf-play").onclick = () => play(st.start, st.end);
  root.querySelector(".wf-cursor").onclick = () => play(st.cursor, st.end);
  root.querySelector(".wf-stop").onclick = () => audio.pause();

  canvas.onmousedown = (ev) => {
    const px = ev.offsetX;
    if (Math.abs(px - x(st.start)) <= HANDLE_PX) st.drag = "start";
    else if (Math.abs(px - x(st.end)) <= HANDLE_PX) st.drag = "end";
    else { st.cursor = t(px); draw(); }
  };
  canvas.onmousemove = (ev) => {
    const px = ev.offsetX;
    const near = Math.abs(px - x(st.start)) <= HANDLE_PX || Math.abs(px - x(st.end)) <= HANDLE_PX;
    canvas.style.cursor = st.drag || near ? "ew-resize" : "crosshair";
    if (!st.drag) return;
    const at = Math.min(Math.max(t(px), v0), v1);
    if (st.drag === "start") st.start = Math.min(at, st.end - 0.05);
    else st.end = Math.max(at, st.start + 0.05);
    draw();
  };
  const release = () => {
    if (!st.drag) return;
    st.drag = null;
    setStateValue("bounds", { key: data.key, start: +st.start.toFixed(3), end: +st.end.toFixed(3) });
  };
  canvas.onmouseup = release;
  canvas.onmouseleave = release;

  ruler();
  words();
  draw();
  const onResize = () => draw();
  window.addEventListener("resize", onResize);
  return () => { window.removeEventListener("resize", onResize); audio.pause(); };
}
